//! Writing incidents: a body's self-report (stamped with the server's clock) and an analyst's
//! record (with the time the body reported it elsewhere, if ever).

use super::{
    Incident, MAX_DESCRIPTION, MAX_EVIDENCE, NewIncident, SelfReport, active_scheme, audit_detail,
    not_in_future, optional_text, required_text, stored,
};
use crate::db::models::body::Body;
use crate::db::models::incident::IncidentRow;
use crate::db::models::new_id;
use crate::db::{DbConn, write_transaction};
use crate::domain::states::IncidentSource;
use crate::domain::{Ctx, Error, Noun, Result, TextEnum, audit};
use pubeval_scoring::{Problem, Scheme};

/// Reports an incident of the caller's own body (自报要情): staff, or the body's own user
/// (anyone else: 404). `reported_at` is the server's clock, so whether the report keeps the
/// scheme's limit (48 hours) is never the caller's word.
pub fn self_report(
    conn: &mut DbConn,
    ctx: &Ctx,
    body_id: &str,
    report: SelfReport,
) -> Result<Incident> {
    ctx.viewer().body_data(body_id)?;
    let mut problems = Vec::new();
    let description = required_text(
        &mut problems,
        "description",
        &report.description,
        MAX_DESCRIPTION,
    );
    let evidence = optional_text(
        &mut problems,
        "evidence",
        report.evidence.as_deref(),
        MAX_EVIDENCE,
    );
    let occurred_at = stored(report.occurred_at);
    write_transaction(conn, |conn| {
        if Body::by_id(conn, body_id)?.is_none() {
            return Err(Error::not_found(Noun::Body));
        }
        let scheme = active_scheme(conn)?;
        let reported_at = ctx.now();
        let row = IncidentRow {
            id: new_id(),
            body_id: body_id.to_string(),
            kind: report.kind,
            severity: report.severity,
            occurred_at,
            reported_at: Some(reported_at),
            source: IncidentSource::SelfReport.as_str().to_string(),
            description,
            evidence,
            recorded_by: ctx.actor(),
            created_at: reported_at,
            voided_at: None,
            void_reason: None,
            voided_by: None,
        };
        // The server stamps reported_at, so only the caller's fields are checked.
        let mut incident = row.to_scoring();
        incident.reported_at = None;
        problems.extend(incident.validate(&scheme, ""));
        not_in_future(&mut problems, "occurred_at", occurred_at, reported_at);
        if !problems.is_empty() {
            return Err(Error::validation(&problems));
        }
        row.insert(conn)?;
        audit::record(
            conn,
            ctx,
            "incident.report",
            "incident",
            &row.id,
            audit_detail(&row),
        )?;
        Incident::new(row, scheme.report_limit_hours)
    })
}

/// Records an incident about a body (staff), with the time the body reported it through
/// another channel, if it ever did; every problem is reported at once.
pub fn record(conn: &mut DbConn, ctx: &Ctx, new: NewIncident) -> Result<Incident> {
    write_transaction(conn, |conn| {
        let body_known = Body::by_id(conn, &new.body_id)?.is_some();
        let scheme = active_scheme(conn)?;
        let (row, problems) = analyst_row(ctx, &scheme, new, body_known);
        if !problems.is_empty() {
            return Err(Error::validation(&problems));
        }
        row.insert(conn)?;
        audit::record(
            conn,
            ctx,
            "incident.record",
            "incident",
            &row.id,
            audit_detail(&row),
        )?;
        Incident::new(row, scheme.report_limit_hours)
    })
}

/// An analyst's record as [`record`] checks it — its texts, the scheme's kinds and severities,
/// a report not before the event, nothing in the future, and (`body_known`) the body — as the
/// row it would insert, with every problem (fields named as in [`NewIncident`]). The import of
/// a year's incidents checks each of its rows with it.
pub(crate) fn analyst_row(
    ctx: &Ctx,
    scheme: &Scheme,
    new: NewIncident,
    body_known: bool,
) -> (IncidentRow, Vec<Problem>) {
    let mut problems = Vec::new();
    let description = required_text(
        &mut problems,
        "description",
        &new.description,
        MAX_DESCRIPTION,
    );
    let evidence = optional_text(
        &mut problems,
        "evidence",
        new.evidence.as_deref(),
        MAX_EVIDENCE,
    );
    if !body_known {
        problems.push(Problem::new(
            "body_id",
            "unknown_body",
            format!("未找到机构 {}", new.body_id),
            format!("no body {}", new.body_id),
        ));
    }
    let occurred_at = stored(new.occurred_at);
    let reported_at = new.reported_at.map(stored);
    let at = ctx.now();
    let row = IncidentRow {
        id: new_id(),
        body_id: new.body_id,
        kind: new.kind,
        severity: new.severity,
        occurred_at,
        reported_at,
        source: IncidentSource::Analyst.as_str().to_string(),
        description,
        evidence,
        recorded_by: ctx.actor(),
        created_at: at,
        voided_at: None,
        void_reason: None,
        voided_by: None,
    };
    problems.extend(row.to_scoring().validate(scheme, ""));
    not_in_future(&mut problems, "occurred_at", occurred_at, at);
    if let Some(reported) = reported_at {
        not_in_future(&mut problems, "reported_at", reported, at);
    }
    (row, problems)
}
