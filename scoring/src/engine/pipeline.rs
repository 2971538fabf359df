//! The lazy polars pipeline from input frames to the result table.

use polars::prelude::*;

use super::columns::{self as c, Columns};
use super::exprs;
use crate::scheme::{Scheme, Trigger};

/// Runs the pipeline over the bodies frame.
pub(super) fn run(scheme: &Scheme, cols: &Columns, bodies: DataFrame) -> PolarsResult<DataFrame> {
    // Few stages, each of independent expressions: polars' fixed cost per stage is what
    // dominates at 1,250 bodies.
    let mut points = Vec::new();
    for ((_, ind), (v, p)) in scheme.indicators().zip(&cols.indicators) {
        if matches!(ind.value, crate::scheme::ValueSource::Ratio(_)) {
            points.push(exprs::value(scheme, cols, ind).alias(v.as_str()));
        }
        points.push(exprs::points(scheme, cols, ind).alias(p.as_str()));
    }
    let total = when(col(c::SUBMITTED))
        .then((col(c::POINTS_SUM) + col(c::DEDUCTION_SUM)).clip(lit(0.0), lit(scheme.total_max)))
        .otherwise(lit(NULL).cast(DataType::Float64));
    let key = comparison_key(scheme, total.clone());
    let warnings = warning_exprs(scheme, cols);
    let mut ranks_and_warnings = rank_exprs(scheme)?;
    ranks_and_warnings.push(level_expr(scheme, &warnings)?.alias(c::LEVEL));
    ranks_and_warnings.extend(
        warnings
            .into_iter()
            .zip(&cols.warnings)
            .map(|(w, name)| w.alias(name.as_str())),
    );

    let lf = bodies.lazy().with_columns(points);
    let lf = lf.with_columns(dimension_and_deduction_exprs(scheme, cols));
    let lf = lf.with_columns(vec![
        sum_of(cols.dimensions.iter()).alias(c::POINTS_SUM),
        sum_of(cols.deductions.iter().map(|(_, x)| x)).alias(c::DEDUCTION_SUM),
        any_of(cols.vetoes.iter().map(|n| col(n.as_str()).gt(lit(0u32)))).alias(c::VETOED),
    ]);
    let lf = lf.with_columns(vec![
        total.alias(c::TOTAL),
        key.clone().alias(c::TOTAL_KEY),
        grade_expr(scheme, key).alias(c::GRADE),
    ]);
    let lf = lf.with_columns(ranks_and_warnings);
    lf.collect()
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
    conditions
        .reduce(|a, b| a.or(b))
        .unwrap_or_else(|| lit(false))
}

/// A value as an integer at the comparison precision (SCHEME.md §4): equal at 6 decimals means
/// equal, whatever floating-point noise lies below.
fn comparison_key(scheme: &Scheme, value: Expr) -> Expr {
    (value * lit(scheme.comparison_scale()))
        .round(0, RoundMode::HalfAwayFromZero)
        .cast(DataType::Int64)
}

/// The grade's position among the bands, from the total's comparison key; the veto grade
/// whenever a veto applies.
fn grade_expr(scheme: &Scheme, key: Expr) -> Expr {
    let veto = scheme.grade_index(&scheme.veto_grade).unwrap_or(0) as u8;
    let first = when(col(c::VETOED).and(col(c::SUBMITTED))).then(lit(veto));
    let reaches = |min: f64| key.clone().gt_eq(lit(scheme.comparison_key(min)));
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
    Ok(vec![
        rank.alias(c::RANK),
        category_rank.alias(c::CATEGORY_RANK),
    ])
}

/// Whether each warning rule fires.
fn warning_exprs(scheme: &Scheme, cols: &Columns) -> Vec<Expr> {
    scheme
        .warnings
        .iter()
        .map(|rule| {
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
            fires.fill_null(lit(false))
        })
        .collect()
}

/// The highest level among the rules that fire; 0 when none does.
fn level_expr(scheme: &Scheme, warnings: &[Expr]) -> PolarsResult<Expr> {
    let levels: Vec<Expr> = scheme
        .warnings
        .iter()
        .zip(warnings)
        .map(|(rule, fires)| {
            when(fires.clone())
                .then(lit(rule.level))
                .otherwise(lit(0u8))
        })
        .chain(std::iter::once(lit(0u8)))
        .collect();
    Ok(polars::lazy::dsl::max_horizontal(levels)?.cast(DataType::UInt8))
}
