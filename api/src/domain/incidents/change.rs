//! Changing incidents (staff): a correction of kind or severity with a reason, a voiding with
//! a reason. The times never change, and a voided incident stays, marked.

use pubeval_scoring::Problem;

use super::{
    Incident, IncidentCorrectionRequest, VoidRequest, active_scheme, reason, report_limit,
};
use crate::db::models::incident::{IncidentCorrection, IncidentRow};
use crate::db::models::new_id;
use crate::db::{DbConn, write_transaction};
use crate::domain::{Ctx, Error, ErrorCode, Noun, Result, audit};

fn voided_conflict() -> Error {
    Error::conflict(
        ErrorCode::IncidentVoided,
        "事件已作废，不能更正",
        "the incident is voided and cannot be corrected",
    )
}

fn already_voided() -> Error {
    Error::conflict(
        ErrorCode::AlreadyVoided,
        "事件已作废",
        "the incident is already voided",
    )
}

/// Corrects an incident's kind or severity with a reason, so that one event is never recorded
/// twice; a voided incident cannot be corrected (409).
pub fn correct(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: &str,
    correction: IncidentCorrectionRequest,
) -> Result<Incident> {
    let reason = reason(&correction.reason)?;
    write_transaction(conn, |conn| {
        let row = IncidentRow::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Incident))?;
        if row.voided_at.is_some() {
            return Err(voided_conflict());
        }
        let scheme = active_scheme(conn)?;
        let mut corrected = row.to_scoring();
        corrected.reported_at = None;
        if let Some(kind) = &correction.kind {
            corrected.kind = kind.clone();
        }
        if let Some(severity) = &correction.severity {
            corrected.severity = severity.clone();
        }
        // Only what the caller sent is checked: a stored value stays valid even if a later
        // scheme renamed it.
        let problems: Vec<Problem> = corrected
            .validate(&scheme, "")
            .into_iter()
            .filter(|p| {
                (p.field == "kind" && correction.kind.is_some())
                    || (p.field == "severity" && correction.severity.is_some())
            })
            .collect();
        if !problems.is_empty() {
            return Err(Error::validation(&problems));
        }
        if corrected.kind == row.kind && corrected.severity == row.severity {
            return Err(Error::validation(&[Problem::new(
                if correction.severity.is_some() && correction.kind.is_none() {
                    "severity"
                } else {
                    "kind"
                },
                "unchanged",
                "事件类型和严重程度均未改变",
                "neither kind nor severity changes",
            )]));
        }
        // Voided meanwhile by another writer: the conditional update changes nothing.
        if IncidentRow::set_classification(conn, &row.id, &corrected.kind, &corrected.severity)?
            == 0
        {
            return Err(voided_conflict());
        }
        let entry = IncidentCorrection {
            id: new_id(),
            incident_id: row.id.clone(),
            old_kind: row.kind.clone(),
            new_kind: corrected.kind.clone(),
            old_severity: row.severity.clone(),
            new_severity: corrected.severity.clone(),
            reason,
            actor: ctx.actor(),
            created_at: ctx.now(),
        };
        entry.insert(conn)?;
        audit::record(
            conn,
            ctx,
            "incident.correct",
            "incident",
            &row.id,
            serde_json::json!({
                "correction_id": entry.id,
                "before": {"kind": entry.old_kind, "severity": entry.old_severity},
                "after": {"kind": entry.new_kind, "severity": entry.new_severity},
                "reason": entry.reason,
            }),
        )?;
        Incident::reloaded(conn, &row.id, scheme.report_limit_hours)
    })
}

/// Voids an incident with a reason: it is kept, marked, and counts for nothing; voiding twice
/// is 409.
pub fn void(conn: &mut DbConn, ctx: &Ctx, id: &str, request: VoidRequest) -> Result<Incident> {
    let reason = reason(&request.reason)?;
    write_transaction(conn, |conn| {
        let row = IncidentRow::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Incident))?;
        if row.voided_at.is_some() {
            return Err(already_voided());
        }
        if IncidentRow::void(conn, &row.id, ctx.now(), &ctx.actor(), &reason)? == 0 {
            return Err(already_voided());
        }
        audit::record(
            conn,
            ctx,
            "incident.void",
            "incident",
            &row.id,
            serde_json::json!({"body_id": row.body_id, "kind": row.kind,
                "severity": row.severity, "reason": reason}),
        )?;
        let hours = report_limit(conn)?;
        Incident::reloaded(conn, &row.id, hours)
    })
}
