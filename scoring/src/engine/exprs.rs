//! The scheme's rules as polars expressions.

use polars::prelude::*;

use super::columns::Columns;
use crate::scheme::{Indicator, Rule, Scheme, ValueSource, ZeroDenominator};

/// The value an indicator reads, as a Float64 expression (null without a report, and null for
/// a ratio whose denominator is zero).
pub(super) fn value(scheme: &Scheme, cols: &Columns, indicator: &Indicator) -> Expr {
    let field = |name: &str| col(cols.field(scheme, name).unwrap_or(name));
    match &indicator.value {
        ValueSource::Field(name) | ValueSource::Count(name) => field(name),
        ValueSource::Ratio(r) => {
            let den = field(&r.denominator);
            when(den.clone().eq(lit(0.0)))
                .then(lit(NULL).cast(DataType::Float64))
                .otherwise(field(&r.numerator) / den)
        }
    }
}

/// The points an indicator gives, computed from its source fields.
pub(super) fn points(scheme: &Scheme, cols: &Columns, indicator: &Indicator) -> Expr {
    let v = value(scheme, cols, indicator);
    let by_rule = rule_points(&indicator.rule, v);
    match &indicator.value {
        ValueSource::Ratio(r) => {
            let den = col(cols.field(scheme, &r.denominator).unwrap_or(&r.denominator));
            let zero_points = match r.when_denominator_zero {
                ZeroDenominator::FullPoints => indicator.max,
                ZeroDenominator::NoPoints => 0.0,
            };
            when(den.eq(lit(0.0)))
                .then(lit(zero_points))
                .otherwise(by_rule)
        }
        _ => by_rule,
    }
}

/// SCHEME.md §2's rule kinds; must agree with [`Rule::points`].
fn rule_points(rule: &Rule, v: Expr) -> Expr {
    match rule {
        Rule::Bool { points } => when(v.clone().neq(lit(0.0)))
            .then(lit(*points))
            .otherwise(lit(0.0)),
        Rule::PerItem { points, max } => (v * lit(*points)).clip_max(lit(*max)),
        Rule::Log { cap, max } => {
            (v.log1p() / lit((1.0 + cap).ln())).clip_max(lit(1.0)) * lit(*max)
        }
        Rule::Tiers { tiers } => {
            // Highest threshold first: the first that the value reaches wins.
            let mut descending = tiers.iter().rev();
            let reaches = |at: f64| v.clone().gt_eq(lit(at));
            let Some(top) = descending.next() else {
                return lit(0.0);
            };
            let first = when(reaches(top.at)).then(lit(top.points));
            match descending.next() {
                None => first.otherwise(lit(0.0)),
                Some(second) => {
                    let mut chain = first.when(reaches(second.at)).then(lit(second.points));
                    for tier in descending {
                        chain = chain.when(reaches(tier.at)).then(lit(tier.points));
                    }
                    chain.otherwise(lit(0.0))
                }
            }
        }
        Rule::Linear { lo, hi, max } => {
            ((v - lit(*lo)) / lit(hi - lo)).clip(lit(0.0), lit(1.0)) * lit(*max)
        }
    }
}
