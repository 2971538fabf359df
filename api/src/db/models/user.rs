//! Users: people who log in (admins, analysts, body users).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::users;

/// A user row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct User {
    /// Id.
    pub id: String,
    /// Unique username.
    pub username: String,
    /// argon2id hash.
    pub password_hash: String,
    /// `admin`, `analyst` or `body`.
    pub role: String,
    /// The body of a body user.
    pub body_id: Option<String>,
    /// 1 when disabled.
    pub disabled: i32,
    /// Bumped to revoke every token issued before.
    pub token_version: i64,
    /// Created.
    pub created_at: NaiveDateTime,
    /// Last changed.
    pub updated_at: NaiveDateTime,
}

impl User {
    /// The user with this username.
    pub fn by_username(conn: &mut DbConn, username: &str) -> QueryResult<Option<User>> {
        users::table
            .filter(users::username.eq(username))
            .select(User::as_select())
            .first(conn)
            .optional()
    }

    /// The user with this id.
    pub fn by_id(conn: &mut DbConn, id: &str) -> QueryResult<Option<User>> {
        users::table
            .filter(users::id.eq(id))
            .select(User::as_select())
            .first(conn)
            .optional()
    }

    /// Inserts a user.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(users::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// A page of users by username, with the total count.
    pub fn page(conn: &mut DbConn, offset: i64, limit: i64) -> QueryResult<(Vec<User>, i64)> {
        let total = users::table.count().get_result(conn)?;
        let items = users::table
            .order(users::username.asc())
            .offset(offset)
            .limit(limit)
            .select(User::as_select())
            .load(conn)?;
        Ok((items, total))
    }

    /// Disables a user and ends their tokens.
    pub fn disable(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<usize> {
        diesel::update(users::table.filter(users::id.eq(id)))
            .set((
                users::disabled.eq(1),
                users::token_version.eq(users::token_version + 1),
                users::updated_at.eq(at),
            ))
            .execute(conn)
            .inspect(|_| super::subjects_changed())
    }

    /// Sets a new password hash and ends every token issued before.
    pub fn set_password(
        conn: &mut DbConn,
        id: &str,
        hash: &str,
        at: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(users::table.filter(users::id.eq(id)))
            .set((
                users::password_hash.eq(hash),
                users::token_version.eq(users::token_version + 1),
                users::updated_at.eq(at),
            ))
            .execute(conn)
            .inspect(|_| super::subjects_changed())
    }

    /// Ends every token issued before (logout everywhere).
    pub fn bump_token_version(
        conn: &mut DbConn,
        id: &str,
        at: NaiveDateTime,
    ) -> QueryResult<usize> {
        diesel::update(users::table.filter(users::id.eq(id)))
            .set((
                users::token_version.eq(users::token_version + 1),
                users::updated_at.eq(at),
            ))
            .execute(conn)
            .inspect(|_| super::subjects_changed())
    }
}
