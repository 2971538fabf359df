//! The audit log as the use cases write it: every state change appends an entry in the
//! transaction that makes the change; the log is read and verified by staff.

use crate::db::DbConn;
pub use crate::db::models::audit::{AuditEntry, Verification};
use crate::domain::{Ctx, Result};

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
