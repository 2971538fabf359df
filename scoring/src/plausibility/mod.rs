//! Plausibility flags (合理性核查): the scheme's `plausibility` rules run with polars over all
//! of a year's submitted reports at once, giving for every rule that fires on a report the
//! field it concerns, the value, the figure it was compared against and the rule's message
//! filled in.
//!
//! - `yoy_ratio`: fires when this year's value is more than `max_ratio` times last year's (or
//!   less than 1/`max_ratio` of it) and differs by at least `min_change`; a body without a
//!   report last year, or without the value, is never flagged. Reference: last year's value.
//! - `peer_outlier`: the modified z-score of Iglewicz and Hoaglin, `0.6745·(x − median)/MAD`,
//!   of the (optionally `log1p`-transformed) value among the reports of its peer group; it
//!   fires above `threshold` (only the high side: the ranking rewards big numbers). A group
//!   whose MAD is 0 — more than half its values equal — uses the mean absolute deviation from
//!   the median instead, `(x − median)/(1.253314·MeanAD)` (both scale to the standard deviation
//!   of a normal distribution); a group whose values are all equal, or that holds fewer than
//!   [`MIN_PEERS`] values, fires nothing. Reference: the group's median of the value as
//!   reported.
//! - `ratio_max` / `ratio_min`: `numerator / denominator` above `max` / below `min`; a zero (or
//!   missing) denominator fires nothing. Value: the ratio; reference: the limit.
//! - `requires`: `if_field >= if_min` and `then_field < then_min`. Value: `if_field`'s value;
//!   reference: `then_field`'s value.
//!
//! Flags never change points: they decide where people look.

mod frame;
mod pick;
mod text;

use polars::prelude::*;

pub use self::frame::{Peers, ROW, ReportFrame, current_column, json_number, previous_column};
pub use self::pick::numbers as json_numbers;
pub use self::text::show as show_number;
use crate::scheme::Scheme;
use crate::scheme::plausibility::{Check, PlausibilityRule, Severity, Transform};

/// A peer group smaller than this fires nothing: a median and a MAD of a handful of values say
/// little.
pub const MIN_PEERS: u32 = 10;

/// The constant of the modified z-score: 0.6745 ≈ Φ⁻¹(0.75), so that MAD/0.6745 estimates the
/// standard deviation of a normal distribution.
pub const MAD_SCALE: f64 = 0.6745;

/// When MAD is 0: the mean absolute deviation times √(π/2) ≈ 1.253314 estimates the standard
/// deviation of a normal distribution.
pub const MEAN_AD_SCALE: f64 = 1.253_314;

/// One rule firing on one report.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The report's row in the frame (the order reports were added in).
    pub row: usize,
    /// The rule's code.
    pub rule: String,
    /// The field the flag is placed on.
    pub field: String,
    /// The rule's severity.
    pub severity: Severity,
    /// The value looked at (for a ratio rule, the ratio).
    pub value: f64,
    /// The figure compared against: last year's value, the peer group's median, the ratio's
    /// limit, or the backing field's value.
    pub reference: f64,
    /// The rule's message, filled in.
    pub message: String,
}

/// The flags could not be computed (a polars error: a bug, not bad data).
#[derive(Debug, thiserror::Error)]
pub enum PlausibilityError {
    /// polars failed.
    #[error("合理性核查计算错误 / plausibility engine error: {0}")]
    Polars(#[from] PolarsError),
}

/// Column names of one rule's outputs.
struct Outputs {
    hit: String,
    value: String,
    reference: String,
    score: String,
    peers: String,
}

impl Outputs {
    fn of(i: usize) -> Outputs {
        Outputs {
            hit: format!("h.{i}"),
            value: format!("v.{i}"),
            reference: format!("r.{i}"),
            score: format!("z.{i}"),
            peers: format!("n.{i}"),
        }
    }
}

fn null_f64() -> Expr {
    lit(NULL).cast(DataType::Float64)
}

fn field(name: &str) -> Expr {
    col(current_column(name).as_str())
}

/// The expressions of every rule, staged: what the peer rules need computed first (the
/// transformed value, its group median), then their deviations, then every rule's outputs.
struct Stages {
    first: Vec<Expr>,
    second: Vec<Expr>,
    last: Vec<Expr>,
}

fn stages(scheme: &Scheme) -> PolarsResult<Stages> {
    let mut s = Stages {
        first: Vec::new(),
        second: Vec::new(),
        last: Vec::new(),
    };
    for (i, rule) in scheme.plausibility.iter().enumerate() {
        let out = Outputs::of(i);
        let Some(check) = rule.check() else {
            // A scheme that passed its checks always has its parameters.
            s.last.push(lit(false).alias(out.hit.as_str()));
            continue;
        };
        match check {
            Check::YoyRatio {
                field: name,
                max_ratio,
                min_change,
            } => {
                let cur = field(name);
                let prev = col(previous_column(name).as_str());
                let grew = cur.clone().gt(prev.clone() * lit(max_ratio));
                let fell = prev.clone().gt(cur.clone() * lit(max_ratio));
                let hit = cur
                    .clone()
                    .is_not_null()
                    .and(prev.clone().is_not_null())
                    .and((cur.clone() - prev.clone()).abs().gt_eq(lit(min_change)))
                    .and(grew.or(fell))
                    .fill_null(lit(false));
                s.last.push(hit.alias(out.hit.as_str()));
                s.last.push(cur.alias(out.value.as_str()));
                s.last.push(prev.alias(out.reference.as_str()));
            }
            Check::PeerOutlier {
                field: name,
                by,
                threshold,
                transform,
            } => {
                let group = [col(frame::group_column(by))];
                let x = field(name);
                let t_name = format!("t.{i}");
                let med_name = format!("m.{i}");
                let t = match transform {
                    Transform::None => x.clone(),
                    Transform::Log1p => x.clone().log1p(),
                };
                // A stage's columns exist only after it: the median reads the transformed
                // value as an expression, the later stages by name.
                s.first.push(
                    t.clone()
                        .median()
                        .over(group.clone())?
                        .alias(med_name.as_str()),
                );
                s.first.push(t.alias(t_name.as_str()));
                s.first.push(
                    x.clone()
                        .median()
                        .over(group.clone())?
                        .alias(out.reference.as_str()),
                );
                let dev = (col(t_name.as_str()) - col(med_name.as_str())).abs();
                let mad_name = format!("mad.{i}");
                let mean_name = format!("mean.{i}");
                s.second.push(
                    dev.clone()
                        .median()
                        .over(group.clone())?
                        .alias(mad_name.as_str()),
                );
                s.second
                    .push(dev.mean().over(group.clone())?.alias(mean_name.as_str()));
                s.second.push(
                    col(t_name.as_str())
                        .count()
                        .over(group)?
                        .cast(DataType::UInt32)
                        .alias(out.peers.as_str()),
                );
                let diff = col(t_name.as_str()) - col(med_name.as_str());
                let mad = col(mad_name.as_str());
                let mean = col(mean_name.as_str());
                let z = when(mad.clone().gt(lit(0.0)))
                    .then(lit(MAD_SCALE) * diff.clone() / mad)
                    .when(mean.clone().gt(lit(0.0)))
                    .then(diff / (lit(MEAN_AD_SCALE) * mean))
                    .otherwise(null_f64());
                let hit = col(out.peers.as_str())
                    .gt_eq(lit(MIN_PEERS))
                    .and(z.clone().is_not_null())
                    .and(z.clone().gt(lit(threshold)));
                s.last
                    .push(hit.fill_null(lit(false)).alias(out.hit.as_str()));
                s.last.push(z.alias(out.score.as_str()));
                s.last.push(x.alias(out.value.as_str()));
            }
            Check::Ratio {
                numerator,
                denominator,
                limit,
                upper,
                ..
            } => {
                let den = field(denominator);
                let ratio = when(den.clone().gt(lit(0.0)))
                    .then(field(numerator) / den)
                    .otherwise(null_f64());
                let beyond = if upper {
                    ratio.clone().gt(lit(limit))
                } else {
                    ratio.clone().lt(lit(limit))
                };
                s.last
                    .push(beyond.fill_null(lit(false)).alias(out.hit.as_str()));
                s.last.push(ratio.alias(out.value.as_str()));
                s.last.push(lit(limit).alias(out.reference.as_str()));
            }
            Check::Requires {
                if_field,
                if_min,
                then_field,
                then_min,
            } => {
                let claim = field(if_field);
                let backing = field(then_field);
                let hit = claim
                    .clone()
                    .gt_eq(lit(if_min))
                    .and(backing.clone().lt(lit(then_min)));
                s.last
                    .push(hit.fill_null(lit(false)).alias(out.hit.as_str()));
                s.last.push(claim.alias(out.value.as_str()));
                s.last.push(backing.alias(out.reference.as_str()));
            }
        }
    }
    Ok(s)
}

/// A Float64 column as values (nulls as NaN), or `None` when the rule has no such column.
fn floats(frame: &DataFrame, name: &str) -> PolarsResult<Option<Vec<f64>>> {
    match frame.column(name) {
        Ok(c) => Ok(Some(
            c.cast(&DataType::Float64)?
                .f64()?
                .iter()
                .map(|v| v.unwrap_or(f64::NAN))
                .collect(),
        )),
        Err(_) => Ok(None),
    }
}

/// Every flag the scheme's rules raise over a frame built by [`ReportFrame`], ordered by row
/// and then by the rules' order in the scheme.
pub fn flags(scheme: &Scheme, frame: DataFrame) -> Result<Vec<Hit>, PlausibilityError> {
    if scheme.plausibility.is_empty() || frame.height() == 0 {
        return Ok(Vec::new());
    }
    let s = stages(scheme)?;
    let mut lf = frame.lazy();
    if !s.first.is_empty() {
        lf = lf.with_columns(s.first);
    }
    if !s.second.is_empty() {
        lf = lf.with_columns(s.second);
    }
    let out = lf.with_columns(s.last).collect()?;
    let text = text::Texts::new(scheme, &out)?;
    let mut hits = Vec::new();
    for (i, rule) in scheme.plausibility.iter().enumerate() {
        let names = Outputs::of(i);
        let fired: Vec<usize> = out
            .column(&names.hit)?
            .bool()?
            .iter()
            .enumerate()
            .filter_map(|(row, h)| (h == Some(true)).then_some(row))
            .collect();
        if fired.is_empty() {
            continue;
        }
        let values = floats(&out, &names.value)?.unwrap_or_default();
        let references = floats(&out, &names.reference)?.unwrap_or_default();
        let scores = floats(&out, &names.score)?;
        let peers = floats(&out, &names.peers)?;
        let Some(field) = rule.flagged_field() else {
            continue;
        };
        for row in fired {
            let value = values.get(row).copied().unwrap_or(f64::NAN);
            let reference = references.get(row).copied().unwrap_or(f64::NAN);
            let facts = text::Facts {
                row,
                value,
                reference,
                score: scores.as_ref().and_then(|z| z.get(row).copied()),
                peers: peers.as_ref().and_then(|n| n.get(row).copied()),
            };
            hits.push(Hit {
                row,
                rule: rule.code.clone(),
                field: field.to_string(),
                severity: rule.severity,
                value,
                reference,
                message: text.message(rule, &facts),
            });
        }
    }
    hits.sort_by_key(|h| h.row);
    Ok(hits)
}

/// Builds the frame and computes the flags in one call.
pub fn compute(scheme: &Scheme, reports: ReportFrame) -> Result<Vec<Hit>, PlausibilityError> {
    flags(scheme, reports.into_frame()?)
}

/// The rules of a scheme that read a field, in the scheme's order.
pub fn rules_on<'a>(scheme: &'a Scheme, field: &str) -> Vec<&'a PlausibilityRule> {
    scheme
        .plausibility
        .iter()
        .filter(|r| r.flagged_field() == Some(field))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
