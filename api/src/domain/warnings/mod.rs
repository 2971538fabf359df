//! Risk warnings (风险警示, SCHEME.md §5): drafts come from a final evaluation; analysts issue
//! them with a notice number (认宣警〔YYYY〕N号, NOTICE.md) and a deadline, or withdraw them with
//! a reason; the body acknowledges and submits its rectification report; analysts send it back,
//! close or escalate. Every transition is in the warning's history and the audit log
//! (DESIGN.md §3, §4).
//!
//! Who sees what: staff everything; a body user its own issued warnings (drafts and withdrawn
//! drafts are internal, and so is the staff note); an external client with `warnings:read`
//! issued warnings without the staff note and without their history.

mod drafts;
mod transitions;

use pubeval_scoring::Problem;

pub use self::drafts::{NewDraft, create_drafts, draft_for_evaluation};
pub use self::transitions::{
    DEFAULT_DEADLINE_DAYS, acknowledge, close, escalate, issue, rectification, send_back, withdraw,
};
use crate::db::DbConn;
pub use crate::db::models::warning::{WarningEvent, WarningListing};
use crate::db::models::warning::{WarningFilter, WarningRow};
use crate::domain::actors::ActorNames;
use crate::domain::policy::Viewer;
use crate::domain::states::{TextEnum, WarningStatus};
use crate::domain::{Ctx, Error, Noun, Result};

/// A warning as a viewer may see it: what only staff see is already removed.
#[derive(Debug, Clone)]
pub struct Warning {
    /// The warning with its year and body (`internal_note` empty for all but staff).
    pub listing: WarningListing,
    /// Issued or acknowledged, and today (China Standard Time) is after the deadline.
    pub overdue: bool,
    /// The history, oldest first, in the view of one warning for staff and the body (texts
    /// internal to staff removed); `None` in lists and for external clients.
    pub events: Option<Vec<WarningEvent>>,
}

/// What the list of warnings is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct WarningQuery {
    /// Only warnings of this evaluation.
    pub evaluation: Option<String>,
    /// Only this status.
    pub status: Option<WarningStatus>,
    /// Only this body (a body user may name only its own).
    pub body_id: Option<String>,
    /// Only this level (1–3).
    pub level: Option<i32>,
    /// `true`: only overdue warnings; `false`: only those not overdue.
    pub overdue: Option<bool>,
}

/// The Chinese name of a warning's status, as notices, messages and the annual report word it.
pub fn status_zh(status: WarningStatus) -> &'static str {
    // The one table of the states' words is beside the states.
    status.label_zh()
}

/// A page of the warnings the caller may see (latest evaluation year first, then highest
/// level, then approval number), with the total: staff all; a body user its own issued ones;
/// a client with `warnings:read` the issued ones.
pub fn list(
    conn: &mut DbConn,
    ctx: &Ctx,
    query: WarningQuery,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Warning>, i64)> {
    list_in_year(conn, ctx, query, None, offset, limit)
}

/// [`list`], narrowed to the warnings of one evaluation year when `year` is given.
pub fn list_in_year(
    conn: &mut DbConn,
    ctx: &Ctx,
    query: WarningQuery,
    year: Option<i32>,
    offset: i64,
    limit: i64,
) -> Result<(Vec<Warning>, i64)> {
    let viewer = ctx.viewer();
    viewer.warnings_reader()?;
    if let Some(level) = query.level
        && !(1..=3).contains(&level)
    {
        return Err(Error::invalid_field(
            "level",
            "级别须为 1 至 3",
            "level must be 1 to 3",
        ));
    }
    let named_body = query.body_id.filter(|b| !b.trim().is_empty());
    let body_id = match viewer.restricted_to_body() {
        Some(own) => {
            if named_body.as_deref().is_some_and(|b| b != own) {
                return Err(Error::not_found(Noun::Body));
            }
            Some(own.to_string())
        }
        None => named_body,
    };
    let today = ctx.today();
    let filter = WarningFilter {
        evaluation_id: query.evaluation.filter(|e| !e.trim().is_empty()),
        body_id,
        status: query.status,
        level: query.level,
        year,
        visible: (!viewer.is_staff()).then(|| WarningStatus::PUBLISHED.to_vec()),
        overdue: query.overdue.map(|o| (o, today)),
    };
    let (items, total) = WarningRow::page(conn, &filter, offset, limit)?;
    let items = items.into_iter().map(|l| seen(l, &viewer, today)).collect();
    Ok((items, total))
}

/// One warning with its history, under the visibility rules of the list (404 when the caller
/// may not see it); external clients get no history.
pub fn get(conn: &mut DbConn, ctx: &Ctx, id: &str) -> Result<Warning> {
    let viewer = ctx.viewer();
    viewer.warnings_reader()?;
    visible(conn, ctx, &viewer, id)
}

/// The warning with its history as `viewer` sees it; 404 when not visible.
fn visible(conn: &mut DbConn, ctx: &Ctx, viewer: &Viewer, id: &str) -> Result<Warning> {
    let listing = match WarningRow::listing_by_id(conn, id)? {
        Some(l) if sees(viewer, &l.warning)? => l,
        _ => return Err(Error::not_found(Noun::Warning)),
    };
    let events = WarningEvent::of_warning(conn, &listing.warning.id)?;
    let mut warning = seen(listing, viewer, ctx.today());
    if viewer.sees_history() {
        // Who took each step: for the body, staff are 国家认监委 (`domain::actors`).
        let mut names = ActorNames::new(viewer.clone());
        let mut shown = Vec::with_capacity(events.len());
        for mut e in events {
            // The text of the issuing step is the analyst's internal confirmation.
            if !viewer.sees_internal() && e.from_status == WarningStatus::Draft.as_str() {
                e.text = None;
            }
            e.actor = names.name(conn, &e.actor)?;
            shown.push(e);
        }
        warning.events = Some(shown);
    }
    Ok(warning)
}

/// Whether the viewer may see the warning row.
fn sees(viewer: &Viewer, row: &WarningRow) -> Result<bool> {
    let status = WarningStatus::parse_stored(&row.status)?;
    Ok(viewer.sees_warning(&row.body_id, status))
}

/// The listing as the viewer sees it, without history.
fn seen(mut listing: WarningListing, viewer: &Viewer, today: chrono::NaiveDate) -> Warning {
    if !viewer.sees_internal() {
        listing.warning.internal_note = None;
    }
    Warning {
        overdue: listing.warning.is_overdue(today),
        listing,
        events: None,
    }
}

/// A required text: trimmed, 1 to `max` characters, else 422 on `field`.
fn required_text(field: &str, value: Option<&str>, max: usize) -> Result<String> {
    let v = value.map(str::trim).unwrap_or_default();
    if v.is_empty() || v.chars().count() > max {
        return Err(Error::validation(&[Problem::new(
            field,
            "length",
            format!("须为 1 至 {max} 个字符"),
            format!("must be 1 to {max} characters"),
        )]));
    }
    Ok(v.to_string())
}

/// An optional text: trimmed, empty as absent, at most `max` characters, else 422 on `field`.
fn optional_text(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => required_text(field, Some(v), max).map(Some),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(required_text("reason", Some("  x "), 5).unwrap(), "x");
        assert!(required_text("reason", Some("   "), 5).is_err());
        assert!(required_text("reason", None, 5).is_err());
        assert!(required_text("reason", Some("abcdef"), 5).is_err());
        assert_eq!(optional_text("comment", Some("  "), 5).unwrap(), None);
        assert_eq!(
            optional_text("comment", Some("ok"), 5).unwrap().as_deref(),
            Some("ok")
        );
    }

    #[test]
    fn every_status_has_its_chinese_name() {
        for &s in <WarningStatus as TextEnum>::ALL {
            assert!(!status_zh(s).is_empty());
        }
    }
}
