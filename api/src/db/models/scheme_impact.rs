//! Impact analyses of schemes: what a scheme would change on a past year, as shown to the
//! analyst who ran it. Append-only; the newest of a scheme is what its activation shows.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::scheme_impacts;

/// One impact analysis, with its summary figures.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = scheme_impacts)]
pub struct SchemeImpactRow {
    /// Id.
    pub id: String,
    /// The scheme analysed (the draft).
    pub scheme_id: String,
    /// The year whose inputs were scored.
    pub year: i32,
    /// The scheme it was compared with.
    pub baseline_id: String,
    /// The year's final evaluation whose inputs were used.
    pub evaluation_id: String,
    /// The digest of those inputs (equal to the evaluation's).
    pub input_digest: String,
    /// The summary figures (transitions, rank shift, changes) as JSON text.
    pub summary: String,
    /// Who ran it (the audit actor).
    pub created_by: String,
    /// When.
    pub created_at: NaiveDateTime,
}

impl SchemeImpactRow {
    /// Inserts an analysis.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(scheme_impacts::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// The newest analysis of a scheme.
    pub fn last_of(conn: &mut DbConn, scheme_id: &str) -> QueryResult<Option<SchemeImpactRow>> {
        scheme_impacts::table
            .filter(scheme_impacts::scheme_id.eq(scheme_id))
            .order((scheme_impacts::created_at.desc(), scheme_impacts::id.desc()))
            .select(SchemeImpactRow::as_select())
            .first(conn)
            .optional()
    }
}
