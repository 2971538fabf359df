//! The result format: one body's result as `pubeval score` prints it and the API stores it,
//! with its warning, explanation and uncertainty figures. Plain data with no dependency on the
//! modules that build each part (`warning`, `explain`, `uncertainty`): they depend on it, not
//! on each other.

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::category::Category;
use crate::points::PointsMap;

/// One body's result, as `pubeval score` prints it and the API stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BodyResult {
    /// The body's identifier.
    pub body_id: String,
    /// The body's name.
    pub name: String,
    /// Its approval number, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval_no: Option<String>,
    /// Its category.
    pub category: Category,
    /// Whether a report counted.
    pub submitted: bool,
    /// Total points, unrounded (null without a report).
    pub total: Option<f64>,
    /// Grade (null without a report).
    pub grade: Option<String>,
    /// Competition rank overall (null without a report).
    pub rank: Option<u32>,
    /// Competition rank within the category (null without a report).
    pub category_rank: Option<u32>,
    /// Points per dimension (null without a report).
    pub dimensions: Option<PointsMap>,
    /// Points per indicator (null without a report).
    pub indicators: Option<PointsMap>,
    /// The deductions that apply, as negative points.
    pub deductions: IndexMap<String, f64>,
    /// The vetoes that apply.
    pub vetoes: Vec<String>,
    /// The total in the previous year's final evaluation.
    pub previous_total: Option<f64>,
    /// The risk warning, when a rule fires.
    pub warning: Option<Warning>,
    /// The uncertainty analysis (SCHEME.md §6), when it was run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<Uncertainty>,
    /// Every point explained, when asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
}

impl BodyResult {
    /// The warning level, 0 when no rule fires.
    pub fn warning_level(&self) -> u8 {
        self.warning.as_ref().map_or(0, |w| w.level)
    }
}

/// How much of each result `Engine::results` builds; `Engine::evaluate` takes `Options`, which
/// add the uncertainty analysis.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResultOptions {
    /// Include the point-by-point explanation.
    pub explain: bool,
}

// ---- the risk warning (SCHEME.md §5) ----

/// A body's risk warning: the highest level triggered and every rule that fired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// The highest level triggered (1 提示, 2 警示, 3 严重警示).
    pub level: u8,
    /// The level's Chinese name.
    pub level_name: String,
    /// The codes of the rules that fired, in the scheme's order.
    pub reasons: Vec<String>,
    /// One finding per rule that fired, with its articles and evidence.
    pub findings: Vec<Finding>,
    /// Whether issuing it needs an analyst's written confirmation: every rule that fired rests
    /// on the total or grade alone and the body is borderline (SCHEME.md §6).
    pub review_required: bool,
}

/// One rule that fired.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule's code.
    pub rule: String,
    /// The rule's level.
    pub level: u8,
    /// The finding in Chinese.
    pub name: String,
    /// The articles it rests on.
    pub articles: Vec<u32>,
    /// The articles as a notice cites them (第二十条).
    pub articles_text: String,
    /// Whether it rests on the total or grade alone.
    pub depends_on_total: bool,
    /// The evidence in one Chinese sentence.
    pub summary: String,
    /// The incidents behind it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<IncidentEvidence>,
}

/// An incident cited as evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentEvidence {
    /// The incident's id, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its kind.
    pub kind: String,
    /// Its severity.
    pub severity: String,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// When the body reported it (null: never).
    pub reported_at: Option<DateTime<Utc>>,
    /// Hours from occurrence to report (null: never reported).
    pub hours_to_report: Option<f64>,
}

// ---- the explanation ----

/// Every point of one body explained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// One entry per indicator, in scheme order.
    pub indicators: Vec<IndicatorPoints>,
    /// One entry per deduction that counted an incident.
    pub deductions: Vec<DeductionPoints>,
    /// One entry per veto that applies.
    pub vetoes: Vec<VetoApplied>,
}

/// How one indicator scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorPoints {
    /// Indicator code.
    pub code: String,
    /// Indicator name.
    pub name: String,
    /// Its dimension's code.
    pub dimension: String,
    /// The value used (bools 0/1, sets their count, ratios the quotient); null when a ratio's
    /// denominator is zero or there is no report.
    pub value: Option<f64>,
    /// The value in words.
    pub value_text: String,
    /// The rule in words.
    pub rule: String,
    /// Points given.
    pub points: f64,
    /// Maximum points.
    pub max: f64,
    /// Articles it rests on.
    pub articles: Vec<u32>,
    /// The articles as cited in text.
    pub articles_text: String,
}

/// How one deduction applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeductionPoints {
    /// Deduction code.
    pub code: String,
    /// Deduction name.
    pub name: String,
    /// Incidents counted.
    pub incidents: u32,
    /// Points per incident.
    pub points_each: f64,
    /// Cap.
    pub cap: f64,
    /// Points taken (negative).
    pub points: f64,
    /// Articles breached.
    pub articles: Vec<u32>,
    /// Ids of the incidents counted, where they have ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incident_ids: Vec<String>,
}

/// A veto that applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VetoApplied {
    /// Veto code.
    pub code: String,
    /// Veto name.
    pub name: String,
    /// Incidents behind it.
    pub incidents: u32,
    /// Articles breached.
    pub articles: Vec<u32>,
}

// ---- the uncertainty analysis (SCHEME.md §6) ----

/// One body's uncertainty figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Uncertainty {
    /// The nominal overall rank.
    pub rank: u32,
    /// Median overall rank over the draws (nearest rank).
    pub rank_median: u32,
    /// 5th percentile of the overall rank (nearest rank).
    pub rank_q05: u32,
    /// 95th percentile of the overall rank (nearest rank).
    pub rank_q95: u32,
    /// Share of draws in which each grade occurs.
    pub grade_shares: IndexMap<String, f64>,
    /// Whether another grade than the nominal one occurs in at least the scheme's share of
    /// draws.
    pub borderline: bool,
}

/// SCHEME.md §4: rank order, equal ranks in approval-number order, bodies without a report
/// last.
pub fn sort_in_ranking_order(results: &mut [BodyResult]) {
    results.sort_by(|a, b| {
        let key = |r: &BodyResult| (r.rank.is_none(), r.rank.unwrap_or(u32::MAX));
        key(a)
            .cmp(&key(b))
            .then_with(|| listing_key(a).cmp(listing_key(b)))
    });
}

fn listing_key(r: &BodyResult) -> &str {
    r.approval_no.as_deref().unwrap_or(&r.body_id)
}
