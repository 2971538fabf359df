//! The audit log as the use cases write it: every state change appends an entry in the
//! transaction that makes the change; the log is read and verified by staff. The chain is
//! keyed with a secret kept in the data directory (never in the database), and its head can be
//! kept elsewhere as a checkpoint that a later verification must still reach.

use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::db::DbConn;
use crate::db::models::audit::ChainKey;
pub use crate::db::models::audit::{AuditEntry, Checkpoint, Verification};
use crate::db::models::evaluation::ResultRow;
use crate::domain::{Ctx, Result};

/// The key file's name in the data directory.
pub const KEY_FILE: &str = "audit.key";

/// Appends an entry by the context's actor; call it inside the transaction that makes the
/// change, so that the change and its record commit together.
pub fn record(
    conn: &mut DbConn,
    ctx: &Ctx,
    action: &str,
    entity: &str,
    entity_id: &str,
    detail: serde_json::Value,
) -> Result<()> {
    crate::db::models::audit::record_at(
        conn,
        &ctx.actor(),
        ctx.now(),
        action,
        entity,
        entity_id,
        detail,
    )?;
    Ok(())
}

/// Appends an entry by the platform itself (a background run), at the context's time.
pub fn record_system(
    conn: &mut DbConn,
    ctx: &Ctx,
    action: &str,
    entity: &str,
    entity_id: &str,
    detail: serde_json::Value,
) -> Result<()> {
    crate::db::models::audit::record_at(
        conn,
        "system",
        ctx.now(),
        action,
        entity,
        entity_id,
        detail,
    )?;
    Ok(())
}

/// A page of the log, newest first, with the total (staff read it; the route checks).
pub fn page(conn: &mut DbConn, offset: i64, limit: i64) -> Result<(Vec<AuditEntry>, i64)> {
    Ok(AuditEntry::page(conn, offset, limit)?)
}

/// Walks the whole chain and names the first entry that breaks it.
pub fn verify(conn: &mut DbConn) -> Result<Verification> {
    Ok(crate::db::models::audit::verify(conn)?)
}

/// Walks the whole chain, then checks that it still reaches `checkpoint` (a head kept
/// elsewhere): cutting off the newest entries or rebuilding the chain shows here.
pub fn verify_to(conn: &mut DbConn, checkpoint: &Checkpoint) -> Result<Verification> {
    Ok(crate::db::models::audit::verify_to(conn, checkpoint)?)
}

/// The head of the chain to keep elsewhere (none while the log is empty).
pub fn checkpoint(conn: &mut DbConn) -> Result<Option<Checkpoint>> {
    Ok(crate::db::models::audit::head(conn)?)
}

/// Hex SHA-256 of a stored report payload (the text as stored), for its save's audit entry.
pub fn payload_sha256(payload: &str) -> String {
    hex::encode(Sha256::digest(payload.as_bytes()))
}

/// Hex SHA-256 of an evaluation's result rows as stored, in ranking order (by position):
/// every column of each row, length-prefixed, an absent value written `-` and a present one
/// `+` followed by it (numbers in Rust's shortest round-trip form), so that the rows read back
/// from either backend give the same digest.
pub fn results_sha256(rows: &[ResultRow]) -> String {
    let mut ordered: Vec<&ResultRow> = rows.iter().collect();
    ordered.sort_by_key(|r| r.position);
    let mut digest = ResultsDigest::default();
    for r in ordered {
        digest.add(r);
    }
    digest.finish()
}

/// [`results_sha256`] fed row by row, in position order (so that a large evaluation can be
/// read a page at a time).
#[derive(Default)]
pub struct ResultsDigest(Sha256);

impl ResultsDigest {
    /// Adds the next row.
    pub fn add(&mut self, r: &ResultRow) {
        let opt = |v: Option<String>| v.map_or_else(|| "-".to_string(), |v| format!("+{v}"));
        for part in [
            r.evaluation_id.clone(),
            r.body_id.clone(),
            r.position.to_string(),
            r.approval_no.clone(),
            r.name.clone(),
            r.category.clone(),
            r.province.clone(),
            r.submitted.to_string(),
            opt(r.total.map(|t| t.to_string())),
            opt(r.grade.clone()),
            opt(r.rank.map(|x| x.to_string())),
            opt(r.category_rank.map(|x| x.to_string())),
            r.warning_level.to_string(),
            r.borderline.to_string(),
            r.result.clone(),
        ] {
            self.0.update((part.len() as u64).to_le_bytes());
            self.0.update(part.as_bytes());
        }
    }

    /// The digest in hex.
    pub fn finish(self) -> String {
        hex::encode(self.0.finalize())
    }
}

/// The actions whose entries carry the digest of a stored report revision.
const REVISION_ACTIONS: [&str; 4] = [
    "submission.save",
    "submission.submit",
    "submission.return",
    "submission.accept",
];
/// The action whose entry carries the digest of an evaluation's stored results.
const RESULTS_ACTION: &str = "evaluation.draft";

/// Checks that what the chain vouches for is still as its entries say: every report revision
/// whose save, submission, return or acceptance an entry records has the payload digest the
/// entry holds, and every evaluation's results the digest its run recorded. An edit of a
/// stored report or result that leaves the chain alone shows here: the first entry whose
/// record differs, and why. `entries` counts the records checked. The whole database is read,
/// results a page at a time: a command-line check, not a request's.
pub fn verify_records(conn: &mut DbConn) -> Result<Verification> {
    use crate::db::models::submission::Revision;
    let mut checked = 0u64;
    let broken = |seq: i64, problem: String, checked: u64| Verification {
        entries: checked,
        first_broken: Some(seq),
        problem: Some(problem),
    };
    let mut actions: Vec<&str> = REVISION_ACTIONS.to_vec();
    actions.push(RESULTS_ACTION);
    let mut after = 0i64;
    loop {
        let page = AuditEntry::of_actions(conn, &actions, after, 1_000)?;
        let Some(last) = page.last() else {
            return Ok(Verification {
                entries: checked,
                first_broken: None,
                problem: None,
            });
        };
        after = last.seq;
        for e in page {
            let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap_or_default();
            if e.action == RESULTS_ACTION {
                let Some(recorded) = detail["results_sha256"].as_str() else {
                    continue;
                };
                checked += 1;
                if results_digest_of(conn, &e.entity_id)? != recorded {
                    let problem = format!(
                        "评价 {} 的结果与记录的摘要不符 / the results of evaluation {} differ from their recorded digest",
                        e.entity_id, e.entity_id
                    );
                    return Ok(broken(e.seq, problem, checked));
                }
                continue;
            }
            let (Some(body), Some(year), Some(number), Some(recorded)) = (
                detail["body_id"].as_str(),
                detail["year"].as_i64(),
                detail["revision"].as_i64(),
                detail["payload_sha256"].as_str(),
            ) else {
                continue;
            };
            checked += 1;
            let stored = Revision::get(conn, body, year as i32, number as i32)?;
            let differs = stored
                .is_none_or(|r| r.id != e.entity_id || payload_sha256(&r.payload) != recorded);
            if differs {
                let problem = format!(
                    "报告第 {number} 版与记录的摘要不符或已不存在 / revision {number} of a report differs from its recorded digest, or is gone"
                );
                return Ok(broken(e.seq, problem, checked));
            }
        }
    }
}

/// The digest of an evaluation's stored results, read a page at a time.
fn results_digest_of(conn: &mut DbConn, evaluation_id: &str) -> Result<String> {
    use crate::db::models::evaluation::ResultFilter;
    const PAGE: i64 = 2_000;
    let mut digest = ResultsDigest::default();
    let mut offset = 0;
    loop {
        let (rows, _) =
            ResultRow::page(conn, evaluation_id, &ResultFilter::default(), offset, PAGE)?;
        for r in &rows {
            digest.add(r);
        }
        if (rows.len() as i64) < PAGE {
            return Ok(digest.finish());
        }
        offset += PAGE;
    }
}

/// Why the audit key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Reading or writing the key file failed.
    #[error("审计密钥文件 {path} 读写失败 / cannot use the audit key file: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The database has a chain but the data directory no key: a new key could never verify
    /// it, so none is made.
    #[error(
        "数据目录中没有审计密钥 {0}，而数据库已有审计记录：请用 --data-dir 指定写入该数据库的服务器的数据目录 / no audit key at {0} for a database that has an audit chain: pass the --data-dir of the server that wrote it"
    )]
    Missing(String),
    /// The file holds something other than 32 bytes in hex.
    #[error(
        "审计密钥文件 {0} 须为 64 位十六进制（32 字节）/ the audit key file must hold 32 bytes in hex"
    )]
    Malformed(String),
    /// Registering the key for the database failed.
    #[error("{0}")]
    Database(#[from] diesel::result::Error),
}

/// Keys the chain of the connection's database with the data directory's key file, generating
/// that (32 random bytes, mode 0600) on first use; call it when the database is opened. A
/// database that already has a chain gets no new key (it could never verify that chain): it
/// stays unkeyed, readable, and refuses audit writes.
pub fn use_key_of(conn: &mut DbConn, data_dir: &Path) -> std::result::Result<(), KeyError> {
    let path = data_dir.join(KEY_FILE);
    if !path.exists() && crate::db::models::audit::head(conn)?.is_some() {
        // Reading (a ranking, a report) needs no key; writing an entry or verifying the chain
        // then fails with "no audit key is loaded", and this line says why.
        tracing::warn!("{}", KeyError::Missing(path.display().to_string()));
        return Ok(());
    }
    let key = load_or_generate_key(data_dir)?;
    crate::db::models::audit::install_key(conn, key)?;
    Ok(())
}

/// The data directory's audit key, generated on first use. Two processes starting at once
/// agree on one key: the new key is written to a file of its own and linked into place, which
/// fails if another process linked its key first (then that one is read).
pub fn load_or_generate_key(data_dir: &Path) -> std::result::Result<ChainKey, KeyError> {
    let path = data_dir.join(KEY_FILE);
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| KeyError::Io { path, source }
    };
    if !path.exists() {
        std::fs::create_dir_all(data_dir).map_err(io(data_dir))?;
        let fresh = data_dir.join(format!("{KEY_FILE}.{}", uuid::Uuid::new_v4().simple()));
        write_new_key(&fresh).map_err(io(&fresh))?;
        let linked = std::fs::hard_link(&fresh, &path);
        let _ = std::fs::remove_file(&fresh);
        match linked {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io(&path)(e)),
        }
    }
    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| KeyError::Malformed(path.display().to_string()))?;
    Ok(ChainKey::new(bytes))
}

fn write_new_key(path: &Path) -> std::io::Result<()> {
    use rand::RngCore;
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(hex::encode(secret).as_bytes())?;
    file.sync_all()
}
