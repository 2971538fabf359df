//! The audit log: every state change appends an entry carrying the keyed hash (HMAC-SHA-256)
//! of the previous one, so that an edited, inserted or deleted row breaks the chain where it
//! was touched — and whoever can write the database but lacks the key kept outside it cannot
//! recompute the chain after an edit. Cutting off the newest entries leaves a chain that still
//! verifies: a checkpoint (the head, kept elsewhere) catches that.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use chrono::{DateTime, DurationRound, NaiveDateTime, SecondsFormat, TimeDelta, Utc};
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
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
    /// When (UTC, RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    #[serde(serialize_with = "rfc3339")]
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

/// A stored UTC time as RFC 3339, as the API writes every time.
fn rfc3339<S: serde::Serializer>(at: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&at.and_utc().to_rfc3339())
}

impl AuditEntry {
    /// Up to `limit` entries of these actions after position `after`, oldest first.
    pub fn of_actions(
        conn: &mut DbConn,
        actions: &[&str],
        after: i64,
        limit: i64,
    ) -> QueryResult<Vec<AuditEntry>> {
        audit_log::table
            .filter(audit_log::action.eq_any(actions.iter().map(|a| a.to_string())))
            .filter(audit_log::seq.gt(after))
            .order(audit_log::seq.asc())
            .limit(limit)
            .select(AuditEntry::as_select())
            .load(conn)
    }

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

/// The secret the chain is keyed with (32 bytes, kept in the data directory, never in the
/// database).
#[derive(Clone, PartialEq, Eq)]
pub struct ChainKey([u8; 32]);

impl ChainKey {
    /// A key of these bytes.
    pub fn new(bytes: [u8; 32]) -> ChainKey {
        ChainKey(bytes)
    }
}

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.write_str("ChainKey(..)")
    }
}

/// HMAC-SHA-256 (RFC 2104).
fn hmac_sha256(key: &ChainKey, message: &[u8]) -> [u8; 32] {
    use hmac::Mac;
    // Any key length is accepted, so this cannot fail.
    let mut mac = <hmac::Hmac<Sha256> as Mac>::new_from_slice(&key.0)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// The HMAC of length-prefixed parts (so that no two lists of parts read alike), in hex.
fn mac(key: &ChainKey, parts: &[&str]) -> String {
    let mut message = Vec::new();
    for part in parts {
        message.extend_from_slice(&(part.len() as u64).to_le_bytes());
        message.extend_from_slice(part.as_bytes());
    }
    hex::encode(hmac_sha256(key, &message))
}

/// The keyed hash of an entry's content and its predecessor's hash.
pub fn entry_hash(key: &ChainKey, e: &AuditEntry) -> String {
    mac(
        key,
        &[
            e.prev_hash.as_str(),
            &e.seq.to_string(),
            &e.at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
            &e.actor,
            &e.action,
            &e.entity,
            &e.entity_id,
            &e.detail,
        ],
    )
}

/// The keys of the databases this process has opened, by [`database_identity`]: appends and
/// verification find their key from the connection alone, so that every caller of
/// [`record_at`] and [`verify`] stays as it is. Filled by [`install_key`] when the database is
/// opened (one process may open several: the tests do).
static KEYS: LazyLock<RwLock<HashMap<String, Arc<ChainKey>>>> =
    LazyLock::new(|| RwLock::new(HashMap::new()));

#[derive(QueryableByName)]
struct Identity {
    #[diesel(sql_type = Text)]
    identity: String,
}

/// Which database a connection reaches: SQLite's main file, or PostgreSQL's server, database
/// and schema (the tests give each test a schema of one database).
pub fn database_identity(conn: &mut DbConn) -> QueryResult<String> {
    let sql = match conn {
        DbConn::Sqlite(_) => {
            "SELECT 'sqlite:' || file AS identity FROM pragma_database_list WHERE name = 'main'"
        }
        DbConn::Postgres(_) => {
            "SELECT 'postgres:' || coalesce(host(inet_server_addr()), 'local') || ':' || \
             coalesce(inet_server_port(), 0)::text || '/' || current_database() || '/' || \
             coalesce(current_schema(), '') AS identity"
        }
    };
    Ok(diesel::sql_query(sql)
        .get_result::<Identity>(conn)?
        .identity)
}

/// Keys the chain of the connection's database with `key` in this process.
pub fn install_key(conn: &mut DbConn, key: ChainKey) -> QueryResult<()> {
    let identity = database_identity(conn)?;
    KEYS.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(identity, Arc::new(key));
    Ok(())
}

/// The key installed for the connection's database.
fn key_of(conn: &mut DbConn) -> QueryResult<Arc<ChainKey>> {
    let identity = database_identity(conn)?;
    KEYS.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&identity)
        .cloned()
        .ok_or_else(|| {
            diesel::result::Error::QueryBuilderError(
                "审计密钥未加载（须经 open_database 打开数据库）/ no audit key is loaded for this database"
                    .into(),
            )
        })
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
    let key = key_of(conn)?;
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
    entry.hash = entry_hash(&key, &entry);
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
    let key = key_of(conn)?;
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
            } else if entry_hash(&key, &e) != e.hash {
                Some(
                    "内容已被修改，或审计密钥不是写入时的密钥 / its content was changed, or the audit key is not the one it was written with"
                        .to_string(),
                )
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

/// The head of the chain as kept elsewhere: the newest entry's position, hash and time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Checkpoint {
    /// The entry's position.
    pub seq: i64,
    /// Its hash.
    pub hash: String,
    /// When it was written (RFC 3339, UTC).
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
}

impl Checkpoint {
    /// The checkpoint as one line of JSON, its time in RFC 3339 with microseconds.
    pub fn to_json(&self) -> String {
        serde_json::json!({
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at.to_rfc3339_opts(SecondsFormat::Micros, true),
        })
        .to_string()
    }
}

/// The newest entry as a checkpoint (none while the log is empty).
pub fn head(conn: &mut DbConn) -> QueryResult<Option<Checkpoint>> {
    let last: Option<(i64, String, NaiveDateTime)> = audit_log::table
        .select((audit_log::seq, audit_log::hash, audit_log::at))
        .order(audit_log::seq.desc())
        .first(conn)
        .optional()?;
    Ok(last.map(|(seq, hash, at)| Checkpoint {
        seq,
        hash,
        at: at.and_utc(),
    }))
}

/// Verifies the whole chain, then that it still reaches `checkpoint`: the entry at its
/// position is there with its hash (missing when the newest entries were cut off; another hash
/// when the chain was rebuilt).
pub fn verify_to(conn: &mut DbConn, checkpoint: &Checkpoint) -> QueryResult<Verification> {
    let verification = verify(conn)?;
    if verification.first_broken.is_some() {
        return Ok(verification);
    }
    let stored: Option<String> = audit_log::table
        .filter(audit_log::seq.eq(checkpoint.seq))
        .select(audit_log::hash)
        .first(conn)
        .optional()?;
    let seq = checkpoint.seq;
    let problem = match stored {
        None => format!(
            "检查点所记的第 {seq} 条已不存在（最新的记录被删除）/ entry {seq} of the checkpoint is missing: the newest entries were deleted"
        ),
        Some(hash) if hash != checkpoint.hash => format!(
            "第 {seq} 条的哈希与检查点不符（审计链被重建）/ entry {seq} has another hash than the checkpoint: the chain was rebuilt"
        ),
        Some(_) => return Ok(verification),
    };
    Ok(Verification {
        first_broken: Some(seq),
        problem: Some(problem),
        ..verification
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mac_is_rfc_4231_hmac_sha_256() {
        // RFC 4231 test case 1 has a 20-byte key: zero-padded to 32 bytes it is the same key.
        let mut key = [0u8; 32];
        key[..20].copy_from_slice(&[0x0b; 20]);
        assert_eq!(
            hex::encode(hmac_sha256(&ChainKey::new(key), b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        // Test case 2 ("Jefe").
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        assert_eq!(
            hex::encode(hmac_sha256(
                &ChainKey::new(key),
                b"what do ya want for nothing?"
            )),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
