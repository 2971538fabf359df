//! Dimensions and indicators: where each indicator's value comes from and the rule that turns
//! it into points (SCHEME.md §2).

use serde::{Deserialize, Serialize};

/// A dimension (一级指标) with its indicators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    /// Code, e.g. `D2`.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// Maximum points; the indicators' maxima add up to it.
    pub max: f64,
    /// Articles this dimension rests on.
    #[serde(default)]
    pub articles: Vec<u32>,
    /// The indicators (二级指标).
    pub indicators: Vec<Indicator>,
}

/// An indicator: a value taken from the report and the rule that turns it into points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    /// Code, e.g. `D2.5`.
    pub code: String,
    /// Chinese name.
    pub name: String,
    /// Where the value comes from.
    pub value: ValueSource,
    /// How the value becomes points.
    pub rule: Rule,
    /// Maximum points; equal to the most the rule can give.
    pub max: f64,
    /// Articles this indicator rests on.
    #[serde(default)]
    pub articles: Vec<u32>,
}

/// Where an indicator's value comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ValueSource {
    /// A bool or number field as reported.
    Field(String),
    /// The number of members in a set field.
    Count(String),
    /// One numeric field divided by another.
    Ratio(Ratio),
}

/// A ratio of two numeric fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ratio {
    /// The field on top.
    pub numerator: String,
    /// The field below.
    pub denominator: String,
    /// What a zero denominator gives.
    pub when_denominator_zero: ZeroDenominator,
}

/// The points a ratio indicator gives when its denominator is zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZeroDenominator {
    /// The indicator's maximum (nothing to fail at, e.g. no complaints received).
    FullPoints,
    /// No points.
    NoPoints,
}

/// A rule turning a value into points (SCHEME.md §2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Rule {
    /// `points` when true, else 0.
    Bool {
        /// Points for true.
        points: f64,
    },
    /// `points` per unit, capped at `max`.
    PerItem {
        /// Points per unit.
        points: f64,
        /// Cap.
        max: f64,
    },
    /// `max * min(1, ln(1+v) / ln(1+cap))`.
    Log {
        /// The value that earns full points.
        cap: f64,
        /// Full points.
        max: f64,
    },
    /// The points of the highest threshold reached, else 0.
    Tiers {
        /// Thresholds, ascending.
        tiers: Vec<Tier>,
    },
    /// `max * clamp((v-lo)/(hi-lo), 0, 1)`.
    Linear {
        /// Value giving 0 points.
        lo: f64,
        /// Value giving full points.
        hi: f64,
        /// Full points.
        max: f64,
    },
}

/// One threshold of a `tiers` rule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// The value from which these points are given.
    pub at: f64,
    /// The points.
    pub points: f64,
}

impl Rule {
    /// The most points this rule can give.
    pub fn attainable_max(&self) -> f64 {
        match self {
            Rule::Bool { points } => *points,
            Rule::PerItem { max, .. } | Rule::Log { max, .. } | Rule::Linear { max, .. } => *max,
            Rule::Tiers { tiers } => tiers.iter().map(|t| t.points).fold(0.0, f64::max),
        }
    }

    /// The points this rule gives for a value (the reference definition the engine's polars
    /// expressions must agree with).
    pub fn points(&self, value: f64) -> f64 {
        match self {
            Rule::Bool { points } => {
                if value != 0.0 {
                    *points
                } else {
                    0.0
                }
            }
            Rule::PerItem { points, max } => (points * value).min(*max),
            Rule::Log { cap, max } => max * ((1.0 + value).ln() / (1.0 + cap).ln()).min(1.0),
            Rule::Tiers { tiers } => tiers
                .iter()
                .rev()
                .find(|t| value >= t.at)
                .map_or(0.0, |t| t.points),
            Rule::Linear { lo, hi, max } => max * ((value - lo) / (hi - lo)).clamp(0.0, 1.0),
        }
    }
}
