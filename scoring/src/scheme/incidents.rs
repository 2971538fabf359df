//! Deductions and vetoes, and which incidents each counts (SCHEME.md §3).

use serde::{Deserialize, Serialize};

/// Which incidents a deduction or veto counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentMatch {
    /// Incident kind.
    pub kind: String,
    /// Only incidents of this severity, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
    /// Only incidents reported this way, if set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reporting: Option<Reporting>,
}

/// How the body reported an incident, relative to `report_limit_hours`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reporting {
    /// Reported within the limit (exactly at the limit counts as on time).
    OnTime,
    /// Reported strictly after the limit.
    Late,
    /// Never reported by the body.
    Never,
}

/// A deduction (扣分项).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deduction {
    /// Code, e.g. `X1`.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// The incidents counted.
    pub incidents: IncidentMatch,
    /// Points per counted incident (negative).
    pub points_each: f64,
    /// The most this deduction can take (negative).
    pub cap: f64,
    /// Articles breached.
    #[serde(default)]
    pub articles: Vec<u32>,
}

/// A veto (否决项).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Veto {
    /// Code, e.g. `V1`.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// The incidents that trigger it.
    pub incidents: IncidentMatch,
    /// Articles breached.
    #[serde(default)]
    pub articles: Vec<u32>,
}
