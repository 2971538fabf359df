//! Incidents (要情与舆情事件) and the regulator's calendar they are counted on (SCHEME.md §3).

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::problem::{Problem, shown};
use crate::scheme::{IncidentMatch, Reporting, Scheme};

/// China Standard Time (UTC+8), the calendar an incident's evaluation year is read on.
pub const REGULATOR_TIMEZONE: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// One incident tied to a body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// The incident's identifier where it has one (the API's id, or the input line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The body it concerns.
    pub body_id: String,
    /// Incident kind, one of the scheme's `incident_kinds`.
    pub kind: String,
    /// Severity, one of the scheme's `severities`.
    pub severity: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// When the body reported it, or `None` when it never did.
    pub reported_at: Option<DateTime<Utc>>,
}

/// The instants `[start, end)` of evaluation year `year` on the regulator's calendar.
pub fn year_bounds(year: i32) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let tz = REGULATOR_TIMEZONE;
    let at = |y: i32| -> Option<DateTime<Utc>> {
        let midnight = NaiveDate::from_ymd_opt(y, 1, 1)?.and_hms_opt(0, 0, 0)?;
        Some(
            tz.from_local_datetime(&midnight)
                .single()?
                .with_timezone(&Utc),
        )
    };
    Some((at(year)?, at(year.checked_add(1)?)?))
}

/// The evaluation year an instant belongs to on the regulator's calendar.
pub fn evaluation_year(at: DateTime<Utc>) -> i32 {
    use chrono::Datelike;
    at.with_timezone(&REGULATOR_TIMEZONE).year()
}

impl Incident {
    /// How the body reported it, given the limit in hours (exactly at the limit is on time).
    pub fn reporting(&self, limit_hours: u32) -> Reporting {
        match self.reported_at {
            None => Reporting::Never,
            Some(at) => {
                if at - self.occurred_at > chrono::Duration::hours(i64::from(limit_hours)) {
                    Reporting::Late
                } else {
                    Reporting::OnTime
                }
            }
        }
    }

    /// Whether a deduction's or veto's matcher counts this incident.
    pub fn matches(&self, m: &IncidentMatch, limit_hours: u32) -> bool {
        self.kind == m.kind
            && m.severity.as_ref().is_none_or(|s| *s == self.severity)
            && m.reporting.is_none_or(|r| r == self.reporting(limit_hours))
    }

    /// Checks the incident's vocabulary and times against the scheme; `path` prefixes fields.
    pub fn validate(&self, scheme: &Scheme, path: &str) -> Vec<Problem> {
        let mut problems = Vec::new();
        if !scheme.incident_kinds.iter().any(|k| k.code == self.kind) {
            let allowed: Vec<&str> = scheme
                .incident_kinds
                .iter()
                .map(|k| k.code.as_str())
                .collect();
            problems.push(Problem::new(
                format!("{path}kind"),
                "unknown_kind",
                format!(
                    "未知的事件类型 {}，可选：{}",
                    shown(&self.kind),
                    allowed.join("、")
                ),
                format!(
                    "unknown incident kind {}; one of {}",
                    shown(&self.kind),
                    allowed.join(", ")
                ),
            ));
        }
        if !scheme.severities.iter().any(|k| k.code == self.severity) {
            let allowed: Vec<&str> = scheme.severities.iter().map(|k| k.code.as_str()).collect();
            problems.push(Problem::new(
                format!("{path}severity"),
                "unknown_severity",
                format!(
                    "未知的严重程度 {}，可选：{}",
                    shown(&self.severity),
                    allowed.join("、")
                ),
                format!(
                    "unknown severity {}; one of {}",
                    shown(&self.severity),
                    allowed.join(", ")
                ),
            ));
        }
        if let Some(reported) = self.reported_at
            && reported < self.occurred_at
        {
            problems.push(Problem::new(
                format!("{path}reported_at"),
                "before_occurrence",
                "报告时间早于事件发生时间",
                "reported_at is before occurred_at",
            ));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("test instant")
            .with_timezone(&Utc)
    }

    #[test]
    fn the_year_turns_at_midnight_china_standard_time() {
        let (start, end) = year_bounds(2025).expect("bounds");
        assert_eq!(start, at("2024-12-31T16:00:00Z"));
        assert_eq!(end, at("2025-12-31T16:00:00Z"));
        assert_eq!(evaluation_year(at("2025-12-31T17:00:00Z")), 2026);
        assert_eq!(evaluation_year(at("2025-12-31T15:59:59Z")), 2025);
        assert_eq!(evaluation_year(at("2024-12-31T16:00:00Z")), 2025);
    }
}
