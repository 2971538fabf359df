//! The lazy polars pipeline from input frames to the result table.

use chrono::{DateTime, Utc};
use polars::prelude::*;

use super::columns::{self as c, Columns};
use super::exprs;
use super::frame::{INC_BODY, INC_OCCURRED_MS};
use crate::scheme::{Scheme, Trigger};

/// Runs the pipeline. `bounds` is the evaluation year `[start, end)`.
pub(super) fn run(
    scheme: &Scheme,
    cols: &Columns,
    bodies: DataFrame,
    incidents: DataFrame,
    bounds: (DateTime<Utc>, DateTime<Utc>),
) -> PolarsResult<DataFrame> {
    let counts = incident_counts(scheme, cols, incidents, bounds);
    let join = JoinArgs {
        maintain_order: MaintainOrderJoin::Left,
        ..JoinArgs::new(JoinType::Left)
    };
    let count_names: Vec<&String> = cols
        .deductions
        .iter()
        .map(|(n, _)| n)
        .chain(cols.vetoes.iter())
        .collect();

    let lf = bodies
        .lazy()
        .join(counts, [col(c::IDX)], [col(INC_BODY)], join)
        .with_columns(
            count_names
                .iter()
                .map(|n| col(n.as_str()).fill_null(lit(0u32)))
                .collect::<Vec<_>>(),
        )
        // Indicator values, then points.
        .with_columns(
            scheme
                .indicators()
                .zip(&cols.indicators)
                .map(|((_, ind), (v, _))| exprs::value(scheme, cols, ind).alias(v.as_str()))
                .collect::<Vec<_>>(),
        )
        .with_columns(
            scheme
                .indicators()
                .zip(&cols.indicators)
                .map(|((_, ind), (v, p))| exprs::points(scheme, cols, ind, v).alias(p.as_str()))
                .collect::<Vec<_>>(),
        )
        // Dimension subtotals, deductions, vetoes.
        .with_columns(dimension_and_deduction_exprs(scheme, cols))
        .with_columns([
            sum_of(cols.dimensions.iter()).alias(c::POINTS_SUM),
            sum_of(cols.deductions.iter().map(|(_, x)| x)).alias(c::DEDUCTION_SUM),
            any_of(cols.vetoes.iter().map(|n| col(n.as_str()).gt(lit(0u32)))).alias(c::VETOED),
        ])
        .with_column(
            when(col(c::SUBMITTED))
                .then(
                    (col(c::POINTS_SUM) + col(c::DEDUCTION_SUM))
                        .clip(lit(0.0), lit(scheme.total_max)),
                )
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias(c::TOTAL),
        )
        .with_column(comparison_key(scheme, col(c::TOTAL)).alias(c::TOTAL_KEY))
        .with_column(grade_expr(scheme).alias(c::GRADE))
        .with_columns(rank_exprs(scheme)?)
        .with_columns(warning_exprs(scheme, cols))
        .with_column(level_expr(scheme, cols)?.alias(c::LEVEL));
    lf.collect()
}

/// Per body, how many incidents of the year each deduction and veto counts.
fn incident_counts(
    scheme: &Scheme,
    cols: &Columns,
    incidents: DataFrame,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
) -> LazyFrame {
    let occurred = col(INC_OCCURRED_MS);
    let in_year = occurred
        .clone()
        .gt_eq(lit(start.timestamp_millis()))
        .and(occurred.lt(lit(end.timestamp_millis())));
    let mut aggs = Vec::new();
    for (d, (n, _)) in scheme.deductions.iter().zip(&cols.deductions) {
        aggs.push(count_matching(scheme, &d.incidents).alias(n.as_str()));
    }
    for (v, n) in scheme.vetoes.iter().zip(&cols.vetoes) {
        aggs.push(count_matching(scheme, &v.incidents).alias(n.as_str()));
    }
    incidents
        .lazy()
        .filter(in_year)
        .group_by([col(INC_BODY)])
        .agg(aggs)
}

fn count_matching(scheme: &Scheme, m: &crate::scheme::IncidentMatch) -> Expr {
    exprs::incident_match(scheme, m)
        .cast(DataType::UInt32)
        .sum()
}

fn dimension_and_deduction_exprs(scheme: &Scheme, cols: &Columns) -> Vec<Expr> {
    let mut out = Vec::new();
    let mut points = cols.indicators.iter().map(|(_, p)| p);
    for (dimension, name) in scheme.dimensions.iter().zip(&cols.dimensions) {
        let members: Vec<&String> = points.by_ref().take(dimension.indicators.len()).collect();
        out.push(sum_of(members.into_iter()).alias(name.as_str()));
    }
    for (d, (n, x)) in scheme.deductions.iter().zip(&cols.deductions) {
        out.push(
            (col(n.as_str()).cast(DataType::Float64) * lit(d.points_each))
                .clip_min(lit(d.cap))
                .alias(x.as_str()),
        );
    }
    out
}

/// `a + b + …` over named Float64 columns (null stays null); 0 for none.
fn sum_of<'a>(names: impl Iterator<Item = &'a String>) -> Expr {
    names
        .map(|n| col(n.as_str()))
        .reduce(|a, b| a + b)
        .unwrap_or_else(|| lit(0.0))
}

fn any_of(conditions: impl Iterator<Item = Expr>) -> Expr {
    conditions.reduce(|a, b| a.or(b)).unwrap_or_else(|| lit(false))
}

/// A value as an integer at the comparison precision (SCHEME.md §4): equal at 6 decimals means
/// equal, whatever floating-point noise lies below.
fn comparison_key(scheme: &Scheme, value: Expr) -> Expr {
    (value * lit(scheme.comparison_scale()))
        .round(0, RoundMode::HalfAwayFromZero)
        .cast(DataType::Int64)
}

/// The grade's position among the bands; the veto grade whenever a veto applies.
fn grade_expr(scheme: &Scheme) -> Expr {
    let veto = scheme.grade_index(&scheme.veto_grade).unwrap_or(0) as u8;
    let first = when(col(c::VETOED).and(col(c::SUBMITTED))).then(lit(veto));
    let reaches = |min: f64| col(c::TOTAL_KEY).gt_eq(lit(scheme.comparison_key(min)));
    let mut bands = scheme.grades.iter().enumerate();
    let no_grade = lit(NULL).cast(DataType::UInt8);
    let Some((i0, b0)) = bands.next() else {
        return first.otherwise(no_grade);
    };
    let mut chain = first.when(reaches(b0.min)).then(lit(i0 as u8));
    for (i, band) in bands {
        chain = chain.when(reaches(band.min)).then(lit(i as u8));
    }
    chain.otherwise(no_grade).cast(DataType::UInt8)
}

/// Competition ranks on the comparison key, vetoed bodies after every other, overall and per
/// category; null without a report.
fn rank_exprs(scheme: &Scheme) -> PolarsResult<Vec<Expr>> {
    // Every unvetoed key is above every vetoed one.
    let offset = scheme.comparison_key(scheme.total_max) + 1;
    let key = when(col(c::VETOED))
        .then(col(c::TOTAL_KEY))
        .otherwise(col(c::TOTAL_KEY) + lit(offset));
    let options = RankOptions {
        method: RankMethod::Min,
        descending: true,
    };
    let rank = key.clone().rank(options, None).cast(DataType::UInt32);
    let category_rank = key
        .rank(options, None)
        .over([col(c::CATEGORY)])?
        .cast(DataType::UInt32);
    Ok(vec![rank.alias(c::RANK), category_rank.alias(c::CATEGORY_RANK)])
}

/// One boolean column per warning rule.
fn warning_exprs(scheme: &Scheme, cols: &Columns) -> Vec<Expr> {
    scheme
        .warnings
        .iter()
        .zip(&cols.warnings)
        .map(|(rule, name)| {
            let fires = match &rule.trigger {
                Trigger::Veto => col(c::VETOED),
                Trigger::NotSubmitted => col(c::SUBMITTED).not(),
                Trigger::Incidents {
                    deduction,
                    at_least,
                } => {
                    let count = scheme
                        .deductions
                        .iter()
                        .position(|d| &d.code == deduction)
                        .map(|i| cols.deductions[i].0.as_str())
                        .unwrap_or(deduction);
                    col(count).gt_eq(lit(*at_least))
                }
                Trigger::Grade {
                    grade,
                    without_veto,
                } => {
                    let g = scheme.grade_index(grade).unwrap_or(0) as u8;
                    let mut e = col(c::SUBMITTED).and(col(c::GRADE).eq(lit(g)));
                    if *without_veto {
                        e = e.and(col(c::VETOED).not());
                    }
                    e
                }
                Trigger::Decline { grade, points } => {
                    let g = scheme.grade_index(grade).unwrap_or(0) as u8;
                    let fall = comparison_key(scheme, col(c::PREVIOUS_TOTAL) - col(c::TOTAL));
                    col(c::SUBMITTED)
                        .and(col(c::GRADE).eq(lit(g)))
                        .and(fall.gt_eq(lit(scheme.comparison_key(*points))))
                }
            };
            fires.fill_null(lit(false)).alias(name.as_str())
        })
        .collect()
}

/// The highest level among the rules that fire; 0 when none does.
fn level_expr(scheme: &Scheme, cols: &Columns) -> PolarsResult<Expr> {
    let levels: Vec<Expr> = scheme
        .warnings
        .iter()
        .zip(&cols.warnings)
        .map(|(rule, name)| {
            when(col(name.as_str()))
                .then(lit(rule.level))
                .otherwise(lit(0u8))
        })
        .chain(std::iter::once(lit(0u8)))
        .collect();
    Ok(polars::lazy::dsl::max_horizontal(levels)?.cast(DataType::UInt8))
}
