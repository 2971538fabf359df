//! Readiness: whether the database answers.

use diesel::RunQueryDsl;

use crate::db::DbConn;
use crate::domain::{Error, Result};

/// Runs the cheapest query there is; 503 `database_unavailable` when it fails (the driver's
/// text logged with a request id, never sent).
pub fn ready(conn: &mut DbConn) -> Result<()> {
    diesel::sql_query("SELECT 1")
        .execute(conn)
        .map_err(Error::database_unavailable)?;
    Ok(())
}
