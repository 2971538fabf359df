//! API clients: external systems using the client-credentials grant.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::api_clients;

/// An api client row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_clients)]
pub struct ApiClient {
    /// Row id.
    pub id: String,
    /// Public client id.
    pub client_id: String,
    /// Name of the external system.
    pub name: String,
    /// The secret's keyed hash (`hmac-sha256$…`), or its argon2id hash if made before those.
    pub secret_hash: String,
    /// Space-separated scopes.
    pub scopes: String,
    /// 1 when disabled.
    pub disabled: i32,
    /// Bumped to revoke every token issued before.
    pub token_version: i64,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

impl ApiClient {
    /// The client with this public id.
    pub fn by_client_id(conn: &mut DbConn, client_id: &str) -> QueryResult<Option<ApiClient>> {
        api_clients::table
            .filter(api_clients::client_id.eq(client_id))
            .select(ApiClient::as_select())
            .first(conn)
            .optional()
    }

    /// The client with this row id.
    pub fn by_id(conn: &mut DbConn, id: &str) -> QueryResult<Option<ApiClient>> {
        api_clients::table
            .filter(api_clients::id.eq(id))
            .select(ApiClient::as_select())
            .first(conn)
            .optional()
    }

    /// Inserts a client.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(api_clients::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// A page of clients by name, with the total count.
    pub fn page(conn: &mut DbConn, offset: i64, limit: i64) -> QueryResult<(Vec<ApiClient>, i64)> {
        let total = api_clients::table.count().get_result(conn)?;
        let items = api_clients::table
            .order(api_clients::name.asc())
            .offset(offset)
            .limit(limit)
            .select(ApiClient::as_select())
            .load(conn)?;
        Ok((items, total))
    }

    /// Disables a client and ends its tokens.
    pub fn disable(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<usize> {
        diesel::update(api_clients::table.filter(api_clients::id.eq(id)))
            .set((
                api_clients::disabled.eq(1),
                api_clients::token_version.eq(api_clients::token_version + 1),
                api_clients::updated_at.eq(at),
            ))
            .execute(conn)
            .inspect(|_| super::subjects_changed())
    }

    /// Sets a new secret hash and ends every token issued before.
    pub fn rotate(
        conn: &mut DbConn,
        id: &str,
        hash: &str,
        at: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(api_clients::table.filter(api_clients::id.eq(id)))
            .set((
                api_clients::secret_hash.eq(hash),
                api_clients::token_version.eq(api_clients::token_version + 1),
                api_clients::updated_at.eq(at),
            ))
            .execute(conn)
            .inspect(|_| super::subjects_changed())
    }

    /// Ends every token issued before.
    pub fn bump_token_version(
        conn: &mut DbConn,
        id: &str,
        at: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(api_clients::table.filter(api_clients::id.eq(id)))
            .set((
                api_clients::token_version.eq(api_clients::token_version + 1),
                api_clients::updated_at.eq(at),
            ))
            .execute(conn)
            .inspect(|_| super::subjects_changed())
    }
}
