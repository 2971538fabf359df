//! Reading incidents: the staff's list of all, a body's list, one incident.

use super::{Incident, IncidentSearch, report_limit};
use crate::db::DbConn;
use crate::db::models::body::Body;
use crate::db::models::incident::{IncidentFilter, IncidentRow};
use crate::domain::actors::ActorNames;
use crate::domain::{Ctx, Error, Noun, Result, TextEnum};

/// The model's filter of a search; `year` becomes the instants of that year in China Standard
/// Time.
fn filter_of(search: IncidentSearch, body_id: Option<String>) -> Result<IncidentFilter> {
    let occurred_within = search
        .year
        .map(|y| {
            pubeval_scoring::incident::year_bounds(y)
                .map(|(start, end)| (start.naive_utc(), end.naive_utc()))
                .ok_or_else(|| Error::invalid_field("year", "年份超出范围", "year out of range"))
        })
        .transpose()?;
    Ok(IncidentFilter {
        body_id,
        kind: search.kind.filter(|k| !k.trim().is_empty()),
        source: search.source.map(|s| s.as_str().to_string()),
        occurred_within,
        include_voided: search.include_voided,
    })
}

fn page_of(
    conn: &mut DbConn,
    filter: &IncidentFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Incident>, i64)> {
    let (rows, total) = IncidentRow::page(conn, filter, offset, limit)?;
    let hours = report_limit(conn)?;
    let items = rows
        .into_iter()
        .map(|row| Incident::new(row, hours))
        .collect::<Result<Vec<_>>>()?;
    Ok((items, total))
}

/// A page of every incident (staff), latest occurrence first, optionally of one body; voided
/// ones only when asked for.
pub fn page(
    conn: &mut DbConn,
    body_id: Option<String>,
    search: IncidentSearch,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Incident>, i64)> {
    let body_id = body_id.filter(|b| !b.trim().is_empty());
    let filter = filter_of(search, body_id)?;
    page_of(conn, &filter, offset, limit)
}

/// A page of one body's incidents (staff, or the body's own user; anyone else: 404), latest
/// occurrence first; for the body, staff who recorded or voided one are named 国家认监委.
pub fn page_of_body(
    conn: &mut DbConn,
    ctx: &Ctx,
    body_id: &str,
    search: IncidentSearch,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Incident>, i64)> {
    ctx.viewer().body_data(body_id)?;
    let filter = filter_of(search, Some(body_id.to_string()))?;
    if Body::by_id(conn, body_id)?.is_none() {
        return Err(Error::not_found(Noun::Body));
    }
    let (items, total) = page_of(conn, &filter, offset, limit)?;
    let mut names = ActorNames::new(ctx.viewer());
    let items = items
        .into_iter()
        .map(|i| named(conn, &mut names, i))
        .collect::<Result<_>>()?;
    Ok((items, total))
}

/// The incident with who recorded, voided and corrected it as the viewer is told it: for a
/// body, staff are 国家认监委 and its own users as recorded (`domain::actors`).
fn named(conn: &mut DbConn, names: &mut ActorNames, mut incident: Incident) -> Result<Incident> {
    incident.row.recorded_by = names.name(conn, &incident.row.recorded_by)?;
    incident.row.voided_by = names.name_opt(conn, incident.row.voided_by.as_deref())?;
    for c in incident.corrections.iter_mut().flatten() {
        c.actor = names.name(conn, &c.actor)?;
    }
    Ok(incident)
}

/// One incident with its corrections (staff, or the user of the body it concerns; anyone
/// else is told it does not exist).
pub fn get(conn: &mut DbConn, ctx: &Ctx, id: &str) -> Result<Incident> {
    let row = IncidentRow::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Incident))?;
    ctx.viewer()
        .body_data(&row.body_id)
        .map_err(|_| Error::not_found(Noun::Incident))?;
    let hours = report_limit(conn)?;
    let incident = Incident::new(row, hours)?.with_corrections(conn)?;
    named(conn, &mut ActorNames::new(ctx.viewer()), incident)
}
