//! The scheme's rules as polars expressions.

use polars::prelude::*;

use super::columns::Columns;
use super::frame::{INC_DELAY_MS, INC_KIND, INC_SEVERITY};
use crate::scheme::{IncidentMatch, Indicator, Reporting, Rule, Scheme, ValueSource, ZeroDenominator};

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

/// The points an indicator gives, from its value column.
pub(super) fn points(scheme: &Scheme, cols: &Columns, indicator: &Indicator, value_col: &str) -> Expr {
    let v = col(value_col);
    let by_rule = rule_points(&indicator.rule, v);
    match &indicator.value {
        ValueSource::Ratio(r) => {
            let den = col(cols.field(scheme, &r.denominator).unwrap_or(&r.denominator));
            let zero_points = match r.when_denominator_zero {
                ZeroDenominator::FullPoints => indicator.max,
                ZeroDenominator::NoPoints => 0.0,
            };
            when(den.eq(lit(0.0))).then(lit(zero_points)).otherwise(by_rule)
        }
        _ => by_rule,
    }
}

/// SCHEME.md §2's rule kinds; must agree with [`Rule::points`].
fn rule_points(rule: &Rule, v: Expr) -> Expr {
    match rule {
        Rule::Bool { points } => when(v.clone().neq(lit(0.0)))
            .then(lit(*points))
            .otherwise(lit(0.0))
            // Keep a missing value missing instead of scoring it as false.
            .and_null_of(v),
        Rule::PerItem { points, max } => (v * lit(*points)).clip_max(lit(*max)),
        Rule::Log { cap, max } => {
            (v.log1p() / lit((1.0 + cap).ln())).clip_max(lit(1.0)) * lit(*max)
        }
        Rule::Tiers { tiers } => {
            // Highest threshold first: the first that the value reaches wins.
            let mut descending = tiers.iter().rev();
            let reaches = |at: f64| v.clone().gt_eq(lit(at));
            let Some(top) = descending.next() else {
                return lit(0.0).and_null_of(v);
            };
            let first = when(reaches(top.at)).then(lit(top.points));
            let expr = match descending.next() {
                None => first.otherwise(lit(0.0)),
                Some(second) => {
                    let mut chain = first.when(reaches(second.at)).then(lit(second.points));
                    for tier in descending {
                        chain = chain.when(reaches(tier.at)).then(lit(tier.points));
                    }
                    chain.otherwise(lit(0.0))
                }
            };
            expr.and_null_of(v)
        }
        Rule::Linear { lo, hi, max } => {
            ((v - lit(*lo)) / lit(hi - lo)).clip(lit(0.0), lit(1.0)) * lit(*max)
        }
    }
}

/// A when/then chain turns a null condition into its `otherwise` value; this keeps null in.
trait AndNullOf {
    fn and_null_of(self, value: Expr) -> Expr;
}

impl AndNullOf for Expr {
    fn and_null_of(self, value: Expr) -> Expr {
        when(value.is_null())
            .then(lit(NULL).cast(DataType::Float64))
            .otherwise(self)
    }
}

/// Whether an incident row matches a deduction's or veto's matcher.
pub(super) fn incident_match(scheme: &Scheme, m: &IncidentMatch) -> Expr {
    let position = |list: &[crate::scheme::Labelled], code: &str| -> u8 {
        list.iter().position(|k| k.code == code).unwrap_or(0) as u8
    };
    let mut expr = col(INC_KIND).eq(lit(position(&scheme.incident_kinds, &m.kind)));
    if let Some(sev) = &m.severity {
        expr = expr.and(col(INC_SEVERITY).eq(lit(position(&scheme.severities, sev))));
    }
    let limit_ms = i64::from(scheme.report_limit_hours) * 3_600_000;
    if let Some(r) = m.reporting {
        expr = expr.and(match r {
            Reporting::Never => col(INC_DELAY_MS).is_null(),
            Reporting::Late => col(INC_DELAY_MS).gt(lit(limit_ms)).fill_null(lit(false)),
            Reporting::OnTime => col(INC_DELAY_MS).lt_eq(lit(limit_ms)).fill_null(lit(false)),
        });
    }
    expr
}
