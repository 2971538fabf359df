//! Incidents (要情报告): a body self-reports its own (article 20: within the scheme's limit,
//! 48 hours); analysts record what they learn elsewhere, correct a kind or severity with a
//! reason and void with a reason. Nothing is deleted and every change is in the audit log
//! (DESIGN.md §2–§4, SCHEME.md §3).

mod change;
mod read;
mod report;

use chrono::{DateTime, DurationRound, FixedOffset, NaiveDateTime, TimeDelta, Utc};
use pubeval_scoring::scheme::Reporting;
use pubeval_scoring::{Problem, Scheme};
use serde::Deserialize;
use utoipa::ToSchema;

pub use change::{correct, void};
pub use read::{get, page, page_of_body};
pub(crate) use report::analyst_row;
pub use report::{record, self_report};

use crate::db::DbConn;
use crate::db::models::incident::{IncidentCorrection, IncidentRow};
use crate::db::models::scheme::SchemeRow;
use crate::domain::clock::utc;
use crate::domain::states::IncidentSource;
use crate::domain::{Error, ErrorCode, Result};

/// How far ahead of the server's clock an occurrence may lie (clocks of other systems drift).
pub const CLOCK_SKEW_MINUTES: i64 = 5;
/// The longest description, in characters.
const MAX_DESCRIPTION: usize = 4000;
/// The longest evidence text, in characters.
const MAX_EVIDENCE: usize = 4000;
/// The longest reason of a correction or a voiding, in characters.
const MAX_REASON: usize = 1000;

/// A body's report of its own incident; the server stamps `reported_at` with its clock.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SelfReport {
    /// Incident kind, one of the active scheme's `incident_kinds`.
    #[schema(example = "major_event")]
    pub kind: String,
    /// Severity, one of the active scheme's `severities`.
    #[schema(example = "general")]
    pub severity: String,
    /// When it happened (RFC 3339, any offset; not in the future).
    #[schema(value_type = String, format = DateTime, example = "2026-03-01T09:30:00+08:00")]
    pub occurred_at: DateTime<FixedOffset>,
    /// What happened.
    pub description: String,
    /// Evidence (references, links, file numbers).
    pub evidence: Option<String>,
}

/// An incident an analyst records about a body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIncident {
    /// The body it concerns.
    pub body_id: String,
    /// Incident kind, one of the active scheme's `incident_kinds`.
    #[schema(example = "negative_opinion")]
    pub kind: String,
    /// Severity, one of the active scheme's `severities`.
    #[schema(example = "major")]
    pub severity: String,
    /// When it happened (RFC 3339, any offset; not in the future).
    #[schema(value_type = String, format = DateTime, example = "2026-03-01T09:30:00+08:00")]
    pub occurred_at: DateTime<FixedOffset>,
    /// When the body reported it through another channel (RFC 3339, not before `occurred_at`),
    /// or null when it never did.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub reported_at: Option<DateTime<FixedOffset>>,
    /// What happened.
    pub description: String,
    /// Evidence (references, links, file numbers).
    pub evidence: Option<String>,
}

/// A correction of an incident's kind or severity (never its times); absent fields stay.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentCorrectionRequest {
    /// The corrected kind.
    pub kind: Option<String>,
    /// The corrected severity.
    pub severity: Option<String>,
    /// Why (required).
    pub reason: String,
}

/// The voiding of an incident.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidRequest {
    /// Why (required).
    pub reason: String,
}

/// What a list of incidents is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct IncidentSearch {
    /// Only this kind.
    pub kind: Option<String>,
    /// Only incidents that occurred in this evaluation year (China Standard Time).
    pub year: Option<i32>,
    /// Only this source.
    pub source: Option<IncidentSource>,
    /// Voided incidents too.
    pub include_voided: bool,
}

/// An incident with what follows from it under the scheme's reporting limit.
#[derive(Debug, Clone)]
pub struct Incident {
    /// The stored row.
    pub row: IncidentRow,
    /// Where it came from.
    pub source: IncidentSource,
    /// How the body reported it: on time (exactly at the limit is on time), late or never.
    pub reporting: Reporting,
    /// The evaluation year it counts toward (China Standard Time).
    pub evaluation_year: i32,
    /// Its corrections, oldest first, when one incident is read (`None` in lists).
    pub corrections: Option<Vec<IncidentCorrection>>,
}

impl Incident {
    fn new(row: IncidentRow, limit_hours: u32) -> Result<Incident> {
        let reporting = row.to_scoring().reporting(limit_hours);
        Ok(Incident {
            source: crate::domain::TextEnum::parse_stored(&row.source)?,
            evaluation_year: pubeval_scoring::incident::evaluation_year(row.occurred_at.and_utc()),
            reporting,
            row,
            corrections: None,
        })
    }

    /// The incident as stored now, with its corrections.
    fn reloaded(conn: &mut DbConn, id: &str, limit_hours: u32) -> Result<Incident> {
        let row = IncidentRow::by_id(conn, id)?
            .ok_or_else(|| Error::not_found(crate::domain::Noun::Incident))?;
        Incident::new(row, limit_hours)?.with_corrections(conn)
    }

    /// Adds the incident's corrections.
    fn with_corrections(mut self, conn: &mut DbConn) -> Result<Incident> {
        self.corrections = Some(IncidentCorrection::of_incident(conn, &self.row.id)?);
        Ok(self)
    }
}

/// An instant in UTC at the microsecond precision both backends store.
fn stored(at: DateTime<FixedOffset>) -> NaiveDateTime {
    let utc = at.with_timezone(&Utc).naive_utc();
    utc.duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(utc)
}

/// A required text field: trimmed, 1 to `max` characters.
fn required_text(problems: &mut Vec<Problem>, field: &str, value: &str, max: usize) -> String {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        problems.push(Problem::new(
            field,
            "length",
            format!("须为 1 至 {max} 个字符"),
            format!("must be 1 to {max} characters"),
        ));
    }
    v.to_string()
}

/// An optional text field: trimmed, empty as absent, at most `max` characters.
fn optional_text(
    problems: &mut Vec<Problem>,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Option<String> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    if v.chars().count() > max {
        problems.push(Problem::new(
            field,
            "length",
            format!("不得超过 {max} 个字符"),
            format!("must be at most {max} characters"),
        ));
    }
    Some(v.to_string())
}

/// An instant that must not lie in the future (beyond the allowed clock skew).
fn not_in_future(problems: &mut Vec<Problem>, field: &str, at: NaiveDateTime, now: NaiveDateTime) {
    if at > now + TimeDelta::minutes(CLOCK_SKEW_MINUTES) {
        problems.push(Problem::new(
            field,
            "in_future",
            "时间晚于当前时间",
            "must not be in the future",
        ));
    }
}

/// A reason, required.
fn reason(value: &str) -> Result<String> {
    let mut problems = Vec::new();
    let v = required_text(&mut problems, "reason", value, MAX_REASON);
    if problems.is_empty() {
        Ok(v)
    } else {
        Err(Error::validation(&problems))
    }
}

/// The active scheme, whose vocabulary incidents are checked against.
/// The scheme an incident reported now is checked against — its kinds, severities and
/// reporting limit, which a report form offers (409 when no scheme is active).
pub fn reporting_scheme(conn: &mut DbConn) -> Result<Scheme> {
    active_scheme(conn)
}

fn active_scheme(conn: &mut DbConn) -> Result<Scheme> {
    let row = SchemeRow::active(conn)?.ok_or_else(|| {
        Error::conflict(
            ErrorCode::NoActiveScheme,
            "没有生效的评价方案，无法登记事件",
            "no active scheme to check the incident against",
        )
    })?;
    row.parsed().map_err(Error::internal)
}

/// The reporting limit in hours of the active scheme (the default scheme's when none is
/// active). Only the limit is read, not the whole document, since every list needs it.
fn report_limit(conn: &mut DbConn) -> Result<u32> {
    #[derive(Deserialize)]
    struct Limit {
        report_limit_hours: u32,
    }
    match SchemeRow::active(conn)? {
        Some(row) => serde_json::from_str::<Limit>(&row.definition)
            .map(|l| l.report_limit_hours)
            .map_err(Error::internal),
        None => Ok(Scheme::default_scheme().report_limit_hours),
    }
}

fn audit_detail(row: &IncidentRow) -> serde_json::Value {
    serde_json::json!({
        "body_id": row.body_id,
        "kind": row.kind,
        "severity": row.severity,
        "occurred_at": utc(row.occurred_at),
        "reported_at": row.reported_at.map(utc),
        "source": row.source,
    })
}
