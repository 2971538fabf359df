//! Evaluation schemes stored as JSON documents: draft → active → retired. An active scheme
//! never changes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::schemes;
use crate::states::SchemeStatus;
use crate::states::TextEnum;

/// A scheme row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = schemes)]
pub struct SchemeRow {
    /// Id.
    pub id: String,
    /// Scheme code, e.g. `cnca-publicity`.
    pub code: String,
    /// Version under the code.
    pub version: i32,
    /// Name.
    pub name: String,
    /// The scheme document (SCHEME.md's format) as JSON text.
    pub definition: String,
    /// `draft`, `active` or `retired`.
    pub status: String,
    /// Created.
    pub created_at: NaiveDateTime,
    /// When it was activated.
    pub activated_at: Option<NaiveDateTime>,
}

impl SchemeRow {
    /// The scheme with this id.
    pub fn by_id(conn: &mut DbConn, id: &str) -> QueryResult<Option<SchemeRow>> {
        schemes::table
            .filter(schemes::id.eq(id))
            .select(SchemeRow::as_select())
            .first(conn)
            .optional()
    }

    /// The active scheme (the most recently activated, should several be active).
    pub fn active(conn: &mut DbConn) -> QueryResult<Option<SchemeRow>> {
        schemes::table
            .filter(schemes::status.eq(SchemeStatus::Active.as_str()))
            .order(schemes::activated_at.desc())
            .select(SchemeRow::as_select())
            .first(conn)
            .optional()
    }

    /// The active version of a code.
    pub fn active_of_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<SchemeRow>> {
        schemes::table
            .filter(schemes::code.eq(code))
            .filter(schemes::status.eq(SchemeStatus::Active.as_str()))
            .select(SchemeRow::as_select())
            .first(conn)
            .optional()
    }

    /// The highest version of a code.
    pub fn highest_version(conn: &mut DbConn, code: &str) -> QueryResult<Option<i32>> {
        schemes::table
            .filter(schemes::code.eq(code))
            .select(diesel::dsl::max(schemes::version))
            .first(conn)
    }

    /// Replaces the document (and name) of a scheme; the caller checks that it is a draft.
    pub fn update_definition(
        conn: &mut DbConn,
        id: &str,
        name: &str,
        definition: &str,
    ) -> QueryResult<()> {
        diesel::update(schemes::table.filter(schemes::id.eq(id)))
            .set((schemes::name.eq(name), schemes::definition.eq(definition)))
            .execute(conn)
            .map(|_| ())
    }

    /// Every scheme, newest first.
    pub fn all(conn: &mut DbConn) -> QueryResult<Vec<SchemeRow>> {
        schemes::table
            .order((schemes::code.asc(), schemes::version.desc()))
            .select(SchemeRow::as_select())
            .load(conn)
    }

    /// Whether a scheme of this code and version exists.
    pub fn exists(conn: &mut DbConn, code: &str, version: i32) -> QueryResult<bool> {
        let n: i64 = schemes::table
            .filter(schemes::code.eq(code))
            .filter(schemes::version.eq(version))
            .count()
            .get_result(conn)?;
        Ok(n > 0)
    }

    /// How many schemes exist.
    pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
        schemes::table.count().get_result(conn)
    }

    /// Inserts a scheme.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(schemes::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// Makes this scheme the active version of its code at `at`, retiring the version that
    /// was active; call it inside a transaction.
    pub fn activate(&self, conn: &mut DbConn, at: NaiveDateTime) -> QueryResult<()> {
        diesel::update(
            schemes::table
                .filter(schemes::code.eq(&self.code))
                .filter(schemes::status.eq(SchemeStatus::Active.as_str())),
        )
        .set(schemes::status.eq(SchemeStatus::Retired.as_str()))
        .execute(conn)?;
        diesel::update(schemes::table.filter(schemes::id.eq(&self.id)))
            .set((
                schemes::status.eq(SchemeStatus::Active.as_str()),
                schemes::activated_at.eq(Some(at)),
            ))
            .execute(conn)
            .map(|_| ())
    }

    /// The stored document parsed. A stored scheme was validated when it was created, so a
    /// failure here means the row was altered outside the application.
    pub fn parsed(&self) -> Result<pubeval_scoring::Scheme, pubeval_scoring::SchemeError> {
        pubeval_scoring::Scheme::from_json(&self.definition)
    }
}
