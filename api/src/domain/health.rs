//! Readiness: whether the database answers.

use diesel::RunQueryDsl;

use crate::db::DbConn;
use crate::domain::{Error, ErrorCode, Result};

/// Runs the cheapest query there is; 503 `database_unavailable` when it fails.
pub fn ready(conn: &mut DbConn) -> Result<()> {
    diesel::sql_query("SELECT 1").execute(conn).map_err(|e| {
        tracing::warn!(error = %e, "database unavailable");
        Error::new(
            ErrorCode::DatabaseUnavailable,
            format!("数据库不可用：{e}"),
            format!("database unavailable: {e}"),
        )
    })?;
    Ok(())
}
