//! What a fresh database starts with: the default scheme of SCHEME.md, active.

use diesel::QueryResult;

use crate::db::models::scheme::SchemeRow;
use crate::db::models::{new_id, now};
use crate::db::{DbConn, write_transaction};
use crate::domain::TextEnum;
use crate::domain::states::SchemeStatus;

/// Inserts the default scheme when no scheme exists yet.
pub fn default_scheme(conn: &mut DbConn) -> QueryResult<()> {
    write_transaction(conn, |conn| {
        if SchemeRow::count(conn)? > 0 {
            return Ok(());
        }
        let scheme = pubeval_scoring::Scheme::default_scheme();
        let at = now();
        let row = SchemeRow {
            id: new_id(),
            code: scheme.code.clone(),
            version: scheme.version as i32,
            name: scheme.name.clone(),
            definition: pubeval_scoring::scheme::DEFAULT_SCHEME_JSON.to_string(),
            status: SchemeStatus::Active.as_str().to_string(),
            created_at: at,
            activated_at: Some(at),
        };
        row.insert(conn)?;
        crate::db::models::audit::record(
            conn,
            "system",
            "scheme.seed",
            "scheme",
            &row.id,
            serde_json::json!({"code": scheme.code, "version": scheme.version}),
        )
    })
}
