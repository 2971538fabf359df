//! The audit log: every state change appends an entry carrying the hash of the previous one,
//! so that an edited, inserted or deleted row breaks the chain where it was touched.

use chrono::{DurationRound, NaiveDateTime, TimeDelta, Utc};
use diesel::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::db::DbConn;
use crate::db::schema::audit_log;

/// The hash the first entry links to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry of the chain.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, Serialize, ToSchema)]
#[diesel(table_name = audit_log)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When (UTC).
    #[schema(value_type = String, format = DateTime)]
    pub at: NaiveDateTime,
    /// Who: `user:<username>`, `client:<client_id>` or `system`.
    pub actor: String,
    /// What, e.g. `body.create`.
    pub action: String,
    /// The kind of thing changed.
    pub entity: String,
    /// Its id.
    pub entity_id: String,
    /// Details as JSON text.
    pub detail: String,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

impl AuditEntry {
    /// A page of the log, newest first, with the total.
    pub fn page(conn: &mut DbConn, offset: i64, limit: i64) -> QueryResult<(Vec<AuditEntry>, i64)> {
        let total = audit_log::table.count().get_result(conn)?;
        let items = audit_log::table
            .order(audit_log::seq.desc())
            .offset(offset)
            .limit(limit)
            .select(AuditEntry::as_select())
            .load(conn)?;
        Ok((items, total))
    }
}

/// The hash of an entry's content and its predecessor's hash.
pub fn entry_hash(e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    for part in [
        e.prev_hash.as_str(),
        &e.seq.to_string(),
        &e.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        &e.actor,
        &e.action,
        &e.entity,
        &e.entity_id,
        &e.detail,
    ] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends an entry; call it inside the transaction that makes the change, so that the change
/// and its record commit together.
pub fn record(
    conn: &mut DbConn,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: &str,
    detail: serde_json::Value,
) -> QueryResult<()> {
    record_at(
        conn,
        actor,
        Utc::now().naive_utc(),
        action,
        entity,
        entity_id,
        detail,
    )
}

/// Appends an entry made at `at` (the use case's clock).
pub fn record_at(
    conn: &mut DbConn,
    actor: &str,
    at: NaiveDateTime,
    action: &str,
    entity: &str,
    entity_id: &str,
    detail: serde_json::Value,
) -> QueryResult<()> {
    if let DbConn::Postgres(_) = conn {
        // Appends are serialised so that two never link to the same predecessor; SQLite's
        // immediate transactions already are.
        diesel::sql_query("SELECT pg_advisory_xact_lock(3232032)").execute(conn)?;
    }
    let last: Option<(i64, String)> = audit_log::table
        .select((audit_log::seq, audit_log::hash))
        .order(audit_log::seq.desc())
        .first(conn)
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    // Stored times keep microseconds on both backends; hash what is stored.
    let at = at.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(at);
    let mut entry = AuditEntry {
        seq,
        at,
        actor: actor.to_string(),
        action: action.to_string(),
        entity: entity.to_string(),
        entity_id: entity_id.to_string(),
        detail: detail.to_string(),
        prev_hash,
        hash: String::new(),
    };
    entry.hash = entry_hash(&entry);
    diesel::insert_into(audit_log::table)
        .values(&entry)
        .execute(conn)?;
    Ok(())
}

/// The outcome of verifying the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Verification {
    /// Entries read.
    pub entries: u64,
    /// The first entry that breaks the chain, if any.
    pub first_broken: Option<i64>,
    /// Why it breaks.
    pub problem: Option<String>,
}

/// Walks the whole chain and names the first entry that breaks it.
pub fn verify(conn: &mut DbConn) -> QueryResult<Verification> {
    const PAGE: i64 = 5_000;
    let mut expected_prev = GENESIS.to_string();
    let mut expected_seq = 1i64;
    let mut entries = 0u64;
    loop {
        let page: Vec<AuditEntry> = audit_log::table
            .filter(audit_log::seq.ge(expected_seq))
            .order(audit_log::seq.asc())
            .limit(PAGE)
            .select(AuditEntry::as_select())
            .load(conn)?;
        if page.is_empty() {
            return Ok(Verification {
                entries,
                first_broken: None,
                problem: None,
            });
        }
        for e in page {
            entries += 1;
            let problem = if e.seq != expected_seq {
                Some(format!(
                    "缺少第 {expected_seq} 条 / entry {expected_seq} is missing"
                ))
            } else if e.prev_hash != expected_prev {
                Some("与上一条的哈希不符 / does not link to the previous entry".to_string())
            } else if entry_hash(&e) != e.hash {
                Some("内容已被修改 / its content was changed".to_string())
            } else {
                None
            };
            if let Some(problem) = problem {
                return Ok(Verification {
                    entries,
                    first_broken: Some(e.seq.min(expected_seq)),
                    problem: Some(problem),
                });
            }
            expected_prev = e.hash;
            expected_seq += 1;
        }
    }
}
