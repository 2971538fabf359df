//! What a fresh database starts with: the default scheme of SCHEME.md, active.

use diesel::prelude::*;

use crate::db::models::{new_id, now};
use crate::db::schema::schemes;
use crate::db::{DbConn, write_transaction};

/// Inserts the default scheme when no scheme exists yet.
pub fn default_scheme(conn: &mut DbConn) -> QueryResult<()> {
    write_transaction(conn, |conn| {
        let count: i64 = schemes::table.count().get_result(conn)?;
        if count > 0 {
            return Ok(());
        }
        let scheme = pubeval_scoring::Scheme::default_scheme();
        let id = new_id();
        let at = now();
        diesel::insert_into(schemes::table)
            .values((
                schemes::id.eq(&id),
                schemes::code.eq(&scheme.code),
                schemes::version.eq(scheme.version as i32),
                schemes::name.eq(&scheme.name),
                schemes::definition.eq(pubeval_scoring::scheme::DEFAULT_SCHEME_JSON),
                schemes::status.eq("active"),
                schemes::created_at.eq(at),
                schemes::activated_at.eq(Some(at)),
            ))
            .execute(conn)?;
        crate::db::models::audit::record(
            conn,
            "system",
            "scheme.seed",
            "scheme",
            &id,
            serde_json::json!({"code": scheme.code, "version": scheme.version}),
        )
    })
}
