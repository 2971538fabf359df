//! Incidents (要情与舆情事件): self-reported by a body or recorded by an analyst; corrected with
//! a reason and voided with a reason, never deleted (DESIGN.md §2, §3; SCHEME.md §3).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{incident_corrections, incidents};

/// An incident row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = incidents)]
pub struct IncidentRow {
    /// Id.
    pub id: String,
    /// The body it concerns.
    pub body_id: String,
    /// Incident kind, one of the scheme's `incident_kinds`.
    pub kind: String,
    /// Severity, one of the scheme's `severities`.
    pub severity: String,
    /// When it happened (UTC).
    pub occurred_at: NaiveDateTime,
    /// When the body reported it (UTC), or `None` when it never did.
    pub reported_at: Option<NaiveDateTime>,
    /// Who recorded it (`domain::states::IncidentSource`).
    pub source: String,
    /// What happened.
    pub description: String,
    /// Evidence (references, links, file numbers).
    pub evidence: Option<String>,
    /// Who recorded it (the audit actor).
    pub recorded_by: String,
    /// When the row was written.
    pub created_at: NaiveDateTime,
    /// When it was voided.
    pub voided_at: Option<NaiveDateTime>,
    /// Why it was voided.
    pub void_reason: Option<String>,
    /// Who voided it (the audit actor).
    pub voided_by: Option<String>,
}

/// A correction of an incident's kind or severity.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = incident_corrections)]
pub struct IncidentCorrection {
    /// Id.
    pub id: String,
    /// The incident corrected.
    pub incident_id: String,
    /// Kind before.
    pub old_kind: String,
    /// Kind after.
    pub new_kind: String,
    /// Severity before.
    pub old_severity: String,
    /// Severity after.
    pub new_severity: String,
    /// Why.
    pub reason: String,
    /// Who corrected it (the audit actor).
    pub actor: String,
    /// When.
    pub created_at: NaiveDateTime,
}

/// Filters of the incident list.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    /// Only this body.
    pub body_id: Option<String>,
    /// Only this kind.
    pub kind: Option<String>,
    /// Only this source.
    pub source: Option<String>,
    /// Only incidents that occurred within `[start, end)` (UTC).
    pub occurred_within: Option<(NaiveDateTime, NaiveDateTime)>,
    /// Voided incidents too.
    pub include_voided: bool,
}

impl IncidentRow {
    /// The incident with this id.
    pub fn by_id(conn: &mut DbConn, id: &str) -> QueryResult<Option<IncidentRow>> {
        incidents::table
            .filter(incidents::id.eq(id))
            .select(IncidentRow::as_select())
            .first(conn)
            .optional()
    }

    /// Inserts an incident.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(incidents::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// Inserts many incidents, in statements of `chunk` rows; `done` hears how many are written
    /// after each.
    pub fn insert_all(
        conn: &mut DbConn,
        rows: &[IncidentRow],
        chunk: usize,
        done: &mut dyn FnMut(usize),
    ) -> QueryResult<()> {
        let mut written = 0;
        for part in rows.chunks(chunk.max(1)) {
            // The multi-backend connection has no batch insert; each backend's own has.
            let insert = diesel::insert_into(incidents::table).values(part);
            match conn {
                DbConn::Sqlite(c) => insert.execute(c)?,
                DbConn::Postgres(c) => insert.execute(c)?,
            };
            written += part.len();
            done(written);
        }
        Ok(())
    }

    /// The incidents that occurred within `[start, end)` (UTC), voided ones left out.
    pub fn occurred_within(
        conn: &mut DbConn,
        start: NaiveDateTime,
        end: NaiveDateTime,
    ) -> QueryResult<Vec<IncidentRow>> {
        incidents::table
            .filter(incidents::occurred_at.ge(start))
            .filter(incidents::occurred_at.lt(end))
            .filter(incidents::voided_at.is_null())
            .select(IncidentRow::as_select())
            .load(conn)
    }

    /// Sets kind and severity of an incident that is not voided; the rows changed (0 when it
    /// was voided meanwhile).
    pub fn set_classification(
        conn: &mut DbConn,
        id: &str,
        kind: &str,
        severity: &str,
    ) -> QueryResult<usize> {
        diesel::update(
            incidents::table
                .filter(incidents::id.eq(id))
                .filter(incidents::voided_at.is_null()),
        )
        .set((incidents::kind.eq(kind), incidents::severity.eq(severity)))
        .execute(conn)
    }

    /// Voids an incident that is not voided yet; the rows changed (0 when it already was).
    pub fn void(
        conn: &mut DbConn,
        id: &str,
        at: NaiveDateTime,
        by: &str,
        reason: &str,
    ) -> QueryResult<usize> {
        diesel::update(
            incidents::table
                .filter(incidents::id.eq(id))
                .filter(incidents::voided_at.is_null()),
        )
        .set((
            incidents::voided_at.eq(Some(at)),
            incidents::voided_by.eq(Some(by)),
            incidents::void_reason.eq(Some(reason)),
        ))
        .execute(conn)
    }

    /// A page of incidents, latest occurrence first, with the total count.
    pub fn page(
        conn: &mut DbConn,
        filter: &IncidentFilter,
        offset: i64,
        limit: i64,
    ) -> QueryResult<(Vec<IncidentRow>, i64)> {
        let query = || {
            let mut q = incidents::table.into_boxed();
            if let Some(b) = &filter.body_id {
                q = q.filter(incidents::body_id.eq(b.clone()));
            }
            if let Some(k) = &filter.kind {
                q = q.filter(incidents::kind.eq(k.clone()));
            }
            if let Some(s) = &filter.source {
                q = q.filter(incidents::source.eq(s.clone()));
            }
            if let Some((start, end)) = filter.occurred_within {
                q = q.filter(
                    incidents::occurred_at
                        .ge(start)
                        .and(incidents::occurred_at.lt(end)),
                );
            }
            if !filter.include_voided {
                q = q.filter(incidents::voided_at.is_null());
            }
            q
        };
        let total = query().count().get_result(conn)?;
        let items = query()
            .order((
                incidents::occurred_at.desc(),
                incidents::created_at.desc(),
                incidents::id.asc(),
            ))
            .offset(offset)
            .limit(limit)
            .select(IncidentRow::as_select())
            .load(conn)?;
        Ok((items, total))
    }

    /// The incidents that count toward evaluation year `year` (occurred in it on the
    /// regulator's calendar, not voided), as the scoring engine takes them.
    pub fn counted_in_year(
        conn: &mut DbConn,
        year: i32,
    ) -> QueryResult<Vec<pubeval_scoring::Incident>> {
        let Some((start, end)) = pubeval_scoring::incident::year_bounds(year) else {
            return Ok(Vec::new());
        };
        let rows = incidents::table
            .filter(incidents::occurred_at.ge(start.naive_utc()))
            .filter(incidents::occurred_at.lt(end.naive_utc()))
            .filter(incidents::voided_at.is_null())
            .order((incidents::body_id.asc(), incidents::occurred_at.asc()))
            .select(IncidentRow::as_select())
            .load(conn)?;
        Ok(rows.iter().map(IncidentRow::to_scoring).collect())
    }

    /// The incidents that counted toward year `year` as the database stood at `as_of`:
    /// recorded by then and not voided by then, with the kind and severity they had then
    /// (corrections made later undone).
    pub fn counted_in_year_as_of(
        conn: &mut DbConn,
        year: i32,
        as_of: NaiveDateTime,
    ) -> QueryResult<Vec<pubeval_scoring::Incident>> {
        let Some((start, end)) = pubeval_scoring::incident::year_bounds(year) else {
            return Ok(Vec::new());
        };
        let rows = incidents::table
            .filter(incidents::occurred_at.ge(start.naive_utc()))
            .filter(incidents::occurred_at.lt(end.naive_utc()))
            .filter(incidents::created_at.le(as_of))
            .filter(
                incidents::voided_at
                    .is_null()
                    .or(incidents::voided_at.gt(as_of)),
            )
            .order((incidents::body_id.asc(), incidents::occurred_at.asc()))
            .select(IncidentRow::as_select())
            .load(conn)?;
        // The first correction after `as_of` of each incident knows what it was then.
        let later: Vec<IncidentCorrection> = incident_corrections::table
            .filter(incident_corrections::created_at.gt(as_of))
            .order((
                incident_corrections::created_at.asc(),
                incident_corrections::id.asc(),
            ))
            .select(IncidentCorrection::as_select())
            .load(conn)?;
        let mut then: std::collections::HashMap<&str, &IncidentCorrection> =
            std::collections::HashMap::new();
        for c in &later {
            then.entry(c.incident_id.as_str()).or_insert(c);
        }
        Ok(rows
            .iter()
            .map(|row| {
                let mut incident = row.to_scoring();
                if let Some(c) = then.get(row.id.as_str()) {
                    incident.kind = c.old_kind.clone();
                    incident.severity = c.old_severity.clone();
                }
                incident
            })
            .collect())
    }

    /// The incident as the scoring library sees it.
    pub fn to_scoring(&self) -> pubeval_scoring::Incident {
        pubeval_scoring::Incident {
            id: Some(self.id.clone()),
            body_id: self.body_id.clone(),
            kind: self.kind.clone(),
            severity: self.severity.clone(),
            occurred_at: utc(self.occurred_at),
            reported_at: self.reported_at.map(utc),
        }
    }
}

impl IncidentCorrection {
    /// Inserts a correction.
    pub fn insert(&self, conn: &mut DbConn) -> QueryResult<()> {
        diesel::insert_into(incident_corrections::table)
            .values(self)
            .execute(conn)
            .map(|_| ())
    }

    /// The corrections of an incident, oldest first.
    pub fn of_incident(
        conn: &mut DbConn,
        incident_id: &str,
    ) -> QueryResult<Vec<IncidentCorrection>> {
        incident_corrections::table
            .filter(incident_corrections::incident_id.eq(incident_id))
            .order((
                incident_corrections::created_at.asc(),
                incident_corrections::id.asc(),
            ))
            .select(IncidentCorrection::as_select())
            .load(conn)
    }
}

fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}
