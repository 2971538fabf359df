//! Plausibility flags (合理性核查): the scheme's `plausibility` rules point analysts at the
//! self-declared figures that deserve a second look. Flags are computed over all of a year's
//! submitted reports whenever one is submitted and on demand ([`recompute`]); an analyst
//! clears a flag with a note or asks the body for evidence, which returns the report with a
//! comment naming the field; the body's resubmission reopens the flag for a fresh look. Every
//! step is in the audit log. Flags never change points.

mod recompute;

use std::collections::HashMap;

use pubeval_scoring::Problem;
use serde_json::json;

pub use self::recompute::{Recomputed, recompute, refresh};
use crate::db::models::flag::{Decision, FlagFilter, FlagListing, FlagRow};
use crate::db::models::submission::Revision;
use crate::db::{DbConn, write_transaction};
use crate::domain::states::{FlagAction, FlagStatus, SubmissionStatus};
use crate::domain::{Ctx, Error, ErrorCode, Noun, Result, StateMachine, TextEnum, audit};

/// The longest note or comment, in characters.
const MAX_TEXT: usize = 2000;

/// What a year's flag list is narrowed to (blank values narrow nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlagQuery {
    /// Only this body's report (its id or its approval number).
    pub body: Option<String>,
    /// Only this rule's flags.
    pub rule: Option<String>,
    /// Only flags in this status (`open`, `cleared`, `evidence_requested`, `resolved`).
    pub status: Option<String>,
}

fn given(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// The status a query word names (422 naming `status` when it names none).
pub fn parse_status(word: Option<&str>) -> Result<Option<FlagStatus>> {
    match word.map(str::trim).filter(|w| !w.is_empty()) {
        None => Ok(None),
        Some(w) => FlagStatus::parse(w).map(Some).ok_or_else(|| {
            Error::invalid_field(
                "status",
                "状态须为 open、cleared、evidence_requested 或 resolved",
                "status must be open, cleared, evidence_requested or resolved",
            )
        }),
    }
}

/// The year's cycle must exist (404 otherwise).
fn require_cycle(conn: &mut DbConn, year: i32) -> Result<crate::db::models::cycle::Cycle> {
    crate::db::models::cycle::Cycle::by_year(conn, year)?
        .ok_or_else(|| Error::not_found(Noun::Cycle))
}

/// A page of a year's flags with their bodies' approval numbers, and the total (staff only;
/// 404 when the year has no cycle).
pub fn list(
    conn: &mut DbConn,
    ctx: &Ctx,
    year: i32,
    query: &FlagQuery,
    offset: i64,
    limit: i64,
) -> Result<(Vec<FlagListing>, i64)> {
    if !ctx.viewer().is_staff() {
        return Err(Error::forbidden());
    }
    require_cycle(conn, year)?;
    let filter = FlagFilter {
        body_id: given(&query.body),
        rule: given(&query.rule),
        status: parse_status(query.status.as_deref())?,
    };
    Ok(FlagRow::page(conn, year, &filter, offset, limit)?)
}

/// One flag with its body (staff only: anyone else is told it does not exist).
pub fn get(conn: &mut DbConn, ctx: &Ctx, id: &str) -> Result<FlagListing> {
    ctx.viewer().staff_page()?;
    listing(conn, id)
}

/// Every flag of one body's report of a year (staff only), for its review.
pub fn of_report(conn: &mut DbConn, ctx: &Ctx, body_id: &str, year: i32) -> Result<Vec<FlagRow>> {
    ctx.viewer().staff_page()?;
    Ok(FlagRow::of_report(conn, body_id, year)?)
}

/// The requests for evidence a body's report of a year is waiting on: what the body sees (its
/// own, or staff), each with the field and the analyst's comment.
pub fn evidence_requests(
    conn: &mut DbConn,
    ctx: &Ctx,
    body_id: &str,
    year: i32,
) -> Result<Vec<FlagRow>> {
    ctx.viewer().body_data(body_id)?;
    Ok(FlagRow::of_report(conn, body_id, year)?
        .into_iter()
        .filter(|f| f.status == FlagStatus::EvidenceRequested.as_str())
        .collect())
}

/// How many open flags each of these bodies' reports of the year has (staff only).
pub fn open_counts(
    conn: &mut DbConn,
    ctx: &Ctx,
    year: i32,
    body_ids: &[String],
) -> Result<HashMap<String, i64>> {
    ctx.viewer().staff_page()?;
    Ok(FlagRow::open_counts(conn, year, body_ids)?)
}

/// How many bodies' reports of the year have open flags (需复核), for staff.
pub fn flagged_reports(conn: &mut DbConn, ctx: &Ctx, year: i32) -> Result<i64> {
    ctx.viewer().staff_page()?;
    Ok(FlagRow::count_bodies_with_open(conn, year)?)
}

/// The bodies whose report of the year has open flags now (what an evaluation's summary
/// counts at the time of its run).
pub fn bodies_with_open_flags(conn: &mut DbConn, year: i32) -> Result<Vec<String>> {
    Ok(FlagRow::bodies_with_open(conn, year)?)
}

/// A note or comment: trimmed, 1 to 2000 characters, else 422 naming `field`.
fn required_text(field: &str, what_zh: &str, value: Option<&str>) -> Result<String> {
    let v = value.map(str::trim).unwrap_or_default();
    if v.is_empty() || v.chars().count() > MAX_TEXT {
        return Err(Error::validation(&[Problem::new(
            field,
            "length",
            format!("{what_zh}须为 1 至 {MAX_TEXT} 个字符"),
            format!("{field} must be 1 to {MAX_TEXT} characters"),
        )]));
    }
    Ok(v.to_string())
}

/// (Chinese, English) of what an analyst's action does, for messages.
fn words(action: FlagAction) -> (&'static str, &'static str) {
    match action {
        FlagAction::Clear => ("核实通过", "be cleared"),
        FlagAction::RequestEvidence => ("要求补充说明", "have evidence requested"),
        FlagAction::Reopen => ("重新复核", "be reopened"),
        FlagAction::Resolve => ("关闭", "be resolved"),
    }
}

/// Where the action leads from `from`, or the 409 naming the current status.
fn target(from: FlagStatus, action: FlagAction) -> Result<FlagStatus> {
    let (zh, en) = words(action);
    from.apply(action, zh).map_err(|_| {
        Error::conflict(
            ErrorCode::InvalidTransition,
            format!("核查标记当前状态为“{}”，不能{zh}", from.label_zh()),
            format!("the flag is {}, so it cannot {en}", from.as_str()),
        )
    })
}

/// The flag with its body's approval number and name.
fn listing(conn: &mut DbConn, id: &str) -> Result<FlagListing> {
    let flag = FlagRow::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Flag))?;
    let body = crate::db::models::body::Body::by_id(conn, &flag.body_id)?
        .ok_or_else(|| Error::not_found(Noun::Body))?;
    Ok(FlagListing {
        flag,
        approval_no: body.approval_no,
        name: body.name,
    })
}

/// Moves an open flag by an analyst's action in the caller's transaction: the status, the
/// note or comment, who and when, and the audit entry.
fn decide(
    conn: &mut DbConn,
    ctx: &Ctx,
    flag: &FlagRow,
    action: FlagAction,
    decision: Decision,
    extra: serde_json::Value,
) -> Result<()> {
    let from = FlagStatus::parse_stored(&flag.status)?;
    let to = target(from, action)?;
    if FlagRow::set_status(conn, &flag.id, from, to, &decision, ctx.now())? == 0 {
        // Decided by someone else meanwhile (PostgreSQL; SQLite writes are serial).
        return Err(Error::of(ErrorCode::Conflict));
    }
    let mut detail = json!({
        "year": flag.year,
        "body_id": flag.body_id,
        "rule": flag.rule,
        "field": flag.field,
        "value": flag.value,
        "reference": flag.reference,
        "from": from,
        "to": to,
        "note": decision.note,
        "comment": decision.comment,
    });
    if let (Some(d), Some(e)) = (detail.as_object_mut(), extra.as_object()) {
        d.extend(e.clone());
    }
    let action = match action {
        FlagAction::Clear => "flag.clear",
        FlagAction::RequestEvidence => "flag.request_evidence",
        FlagAction::Reopen => "flag.reopen",
        FlagAction::Resolve => "flag.resolve",
    };
    audit::record(conn, ctx, action, "flag", &flag.id, detail)
}

/// Clears an open flag (staff): the analyst looked at the figure and found it plausible,
/// saying why in `note` (required).
pub fn clear(conn: &mut DbConn, ctx: &Ctx, id: &str, note: Option<&str>) -> Result<FlagListing> {
    if !ctx.viewer().is_staff() {
        return Err(Error::forbidden());
    }
    let note = required_text("note", "核实说明", note)?;
    write_transaction(conn, |conn| {
        let flag = FlagRow::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Flag))?;
        let decision = Decision {
            note: Some(note.clone()),
            comment: flag.comment.clone(),
            decided_by: Some(ctx.actor()),
        };
        decide(conn, ctx, &flag, FlagAction::Clear, decision, json!({}))?;
        listing(conn, id)
    })
}

/// The Chinese label of a flag's field in the year's scheme (the field's name without one).
fn field_label(conn: &mut DbConn, flag: &FlagRow) -> Result<String> {
    let cycle = require_cycle(conn, flag.year)?;
    let scheme = crate::domain::schemes::scheme_of(conn, &cycle.scheme_id)?;
    Ok(scheme
        .field(&flag.field)
        .map_or_else(|| flag.field.clone(), |f| f.label.clone()))
}

/// Asks the body for evidence of a flagged figure (staff): the flag becomes
/// `evidence_requested` and the report goes back to the body with the comment, naming the
/// field (【field】comment). A report already back with the body (returned, or a draft since)
/// is not returned again; an accepted one cannot be (409).
pub fn request_evidence(
    conn: &mut DbConn,
    ctx: &Ctx,
    id: &str,
    comment: Option<&str>,
) -> Result<FlagListing> {
    if !ctx.viewer().is_staff() {
        return Err(Error::forbidden());
    }
    let comment = required_text("comment", "补充说明要求", comment)?;
    write_transaction(conn, |conn| {
        let flag = FlagRow::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Flag))?;
        // Refuse a flag not open before touching the report.
        target(
            FlagStatus::parse_stored(&flag.status)?,
            FlagAction::RequestEvidence,
        )?;
        let current = Revision::current(conn, &flag.body_id, flag.year)?
            .ok_or_else(|| Error::not_found(Noun::Report))?;
        let label = field_label(conn, &flag)?;
        let returned = match SubmissionStatus::parse_stored(&current.status)? {
            SubmissionStatus::Submitted => {
                let text = format!("【{label}】{comment}");
                let r = crate::domain::submissions::return_in(
                    conn,
                    ctx,
                    &flag.body_id,
                    flag.year,
                    text,
                )?;
                Some(r.revision)
            }
            SubmissionStatus::Returned | SubmissionStatus::Draft => None,
            SubmissionStatus::Accepted => {
                return Err(Error::conflict(
                    ErrorCode::InvalidTransition,
                    "报告已被接收，不能再退回要求补充说明；请核实后以书面说明关闭此标记",
                    "the report is accepted and cannot be returned for evidence; clear the flag \
                     with a note instead",
                ));
            }
        };
        let decision = Decision {
            note: flag.note.clone(),
            comment: Some(comment.clone()),
            decided_by: Some(ctx.actor()),
        };
        decide(
            conn,
            ctx,
            &flag,
            FlagAction::RequestEvidence,
            decision,
            json!({"returned_revision": returned, "field_label": label}),
        )?;
        listing(conn, id)
    })
}

/// A resubmission reopens the report's flags that asked for evidence, for a fresh look (in
/// the submission's transaction); the ids reopened.
pub(crate) fn reopen_on_resubmission(
    conn: &mut DbConn,
    ctx: &Ctx,
    body_id: &str,
    year: i32,
    revision: i32,
) -> Result<Vec<String>> {
    let mut reopened = Vec::new();
    for flag in FlagRow::of_report(conn, body_id, year)? {
        if flag.status != FlagStatus::EvidenceRequested.as_str() {
            continue;
        }
        // The comment stays: the flag's history says what was asked.
        let decision = Decision::default();
        decide(
            conn,
            ctx,
            &flag,
            FlagAction::Reopen,
            decision,
            json!({"reason": "resubmitted", "revision": revision}),
        )?;
        reopened.push(flag.id);
    }
    Ok(reopened)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_status_word_is_checked_and_blank_is_none() {
        assert_eq!(parse_status(None).unwrap(), None);
        assert_eq!(parse_status(Some(" ")).unwrap(), None);
        assert_eq!(
            parse_status(Some(FlagStatus::EvidenceRequested.as_str())).unwrap(),
            Some(FlagStatus::EvidenceRequested)
        );
        let e = parse_status(Some("dismissed")).unwrap_err();
        assert_eq!(e.code, ErrorCode::ValidationFailed);
        assert_eq!(e.details[0].field, "status");
    }

    #[test]
    fn notes_are_trimmed_and_bounded() {
        assert_eq!(required_text("note", "说明", Some("  ok ")).unwrap(), "ok");
        assert!(required_text("note", "说明", Some("  ")).is_err());
        assert!(required_text("note", "说明", None).is_err());
        let long = "字".repeat(MAX_TEXT + 1);
        assert_eq!(
            required_text("note", "说明", Some(&long))
                .unwrap_err()
                .details[0]
                .field,
            "note"
        );
    }
}
