//! What a revision of the scheme would change, shown on a past year before it applies to
//! anyone (Article 32: the regulator keeps improving the evaluation system).
//!
//! [`compare`] scores one year's inputs under a baseline scheme and under a draft, and answers
//! per body the old and new total, grade, ranks and warning; the grade and warning transitions;
//! the bodies that gain or lose a warning; how far ranks move (median, 90th percentile and
//! largest shift, Spearman's ρ and Kendall's τ-b between the rankings); per indicator its
//! share of the variance of the total under each scheme (its effective weight, as the
//! OECD/JRC Handbook on composite indicators measures importance) and how far the new ranks
//! move without it (the draft with that indicator's points set to zero); and the differences
//! between the two documents in Chinese ([`diff`]).
//!
//! Deterministic: the same inputs and schemes give the same value, field for field.

pub mod diff;
mod sensitivity;
pub mod stats;

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde::Serialize;

use crate::category::Category;
use crate::engine::view::TableView;
use crate::engine::{Engine, EngineError, ScoreInput};
use crate::problem::Problem;
use crate::scheme::Scheme;

pub use diff::{Change, scheme_changes};

/// One side of a comparison: a scheme's engine and the inputs as that scheme reads them (the
/// same bodies in the same order on both sides; a report is validated against each scheme).
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// The scheme, prepared.
    pub engine: &'a Engine,
    /// The year's inputs.
    pub input: ScoreInput<'a>,
}

/// A body's standing under one scheme.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    /// Total, unrounded (null without a report).
    pub total: Option<f64>,
    /// Grade (null without a report).
    pub grade: Option<String>,
    /// Competition rank overall (null without a report).
    pub rank: Option<u32>,
    /// Competition rank in the category (null without a report).
    pub category_rank: Option<u32>,
    /// The highest warning level triggered, 0 for none.
    pub warning_level: u8,
    /// The warning rules that fire, in the scheme's order.
    pub warning_rules: Vec<String>,
}

/// One body under both schemes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BodyImpact {
    /// The body's identifier.
    pub body_id: String,
    /// Its approval number (批准号).
    pub approval_no: Option<String>,
    /// Its name.
    pub name: String,
    /// Its category.
    pub category: Category,
    /// Whether its report counted.
    pub submitted: bool,
    /// Under the baseline.
    pub old: Standing,
    /// Under the draft.
    pub new: Standing,
}

/// How far ranks move between the two schemes, over the bodies ranked under both.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankShift {
    /// Bodies ranked under both schemes.
    pub bodies: usize,
    /// Bodies whose overall rank changes.
    pub moved: usize,
    /// Median of |Δrank| (nearest rank).
    pub median: u32,
    /// 90th percentile of |Δrank| (nearest rank).
    pub p90: u32,
    /// Largest |Δrank|.
    pub max: u32,
    /// Spearman's ρ between the rankings (null for fewer than two ranked bodies).
    pub spearman: Option<f64>,
    /// Kendall's τ-b between the rankings (null for fewer than two ranked bodies).
    pub kendall: Option<f64>,
}

/// One indicator's weight under each scheme and the ranking's sensitivity to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IndicatorImpact {
    /// Its name (in the draft, else in the baseline).
    pub name: String,
    /// Its maximum in the baseline (null when the baseline lacks it).
    pub max_old: Option<f64>,
    /// Its maximum in the draft (null when the draft lacks it).
    pub max_new: Option<f64>,
    /// Its share of the variance of the total under the baseline: Cov(points, total) /
    /// Var(total) over the scored bodies (null when it is absent or the totals do not vary).
    pub effective_weight_old: Option<f64>,
    /// The same under the draft.
    pub effective_weight_new: Option<f64>,
    /// The median |Δrank| between the draft's ranking and the draft's ranking with this
    /// indicator's points set to zero (null when the draft lacks it).
    pub drop_one_median_rank_shift: Option<u32>,
    /// The largest such |Δrank|.
    pub drop_one_max_rank_shift: Option<u32>,
}

/// The counts a summary or a meeting reads first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Bodies the year expects.
    pub bodies: usize,
    /// Bodies with a report that counted.
    pub scored: usize,
    /// Bodies whose grade changes.
    pub grade_changed: usize,
    /// Bodies whose overall rank changes.
    pub rank_changed: usize,
    /// Bodies whose total changes (compared at the scheme's comparison precision).
    pub total_changed: usize,
    /// Bodies whose warning level changes.
    pub warning_level_changed: usize,
    /// Bodies that gain a warning.
    pub warnings_gained: usize,
    /// Bodies that lose their warning.
    pub warnings_lost: usize,
    /// Bodies per grade under the baseline, best first.
    pub grades_old: IndexMap<String, usize>,
    /// Bodies per grade under the draft, best first.
    pub grades_new: IndexMap<String, usize>,
    /// Bodies per warning level under the baseline ("0" for none).
    pub warning_levels_old: BTreeMap<String, usize>,
    /// Bodies per warning level under the draft.
    pub warning_levels_new: BTreeMap<String, usize>,
}

/// The impact of a draft scheme on one year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Impact {
    /// The counts.
    pub summary: Summary,
    /// Every body under both schemes, in the baseline's ranking order (equal ranks by approval
    /// number, bodies without a report last).
    pub bodies: Vec<BodyImpact>,
    /// Bodies per grade change, keyed `"B->C"` (only changes).
    pub grade_transitions: BTreeMap<String, usize>,
    /// Bodies per warning-level change, keyed `"0->1"` (only changes).
    pub warning_transitions: BTreeMap<String, usize>,
    /// Bodies with no warning under the baseline and one under the draft.
    pub warnings_gained: Vec<String>,
    /// Bodies with a warning under the baseline and none under the draft.
    pub warnings_lost: Vec<String>,
    /// How far ranks move.
    pub rank_shift: RankShift,
    /// Per indicator code (the draft's order, then those only the baseline has).
    pub indicators: IndexMap<String, IndicatorImpact>,
    /// The differences between the two schemes.
    pub changes: Vec<Change>,
}

/// Every body's standing under one scheme, by input row.
fn standings(scheme: &Scheme, view: &TableView) -> Vec<Standing> {
    (0..view.submitted.len())
        .map(|i| Standing {
            total: view.total[i],
            grade: view.grade[i].map(|g| scheme.grades[g as usize].grade.clone()),
            rank: view.rank[i],
            category_rank: view.category_rank[i],
            warning_level: view.level[i],
            warning_rules: scheme
                .warnings
                .iter()
                .zip(&view.warnings)
                .filter(|(_, fires)| fires[i])
                .map(|(rule, _)| rule.code.clone())
                .collect(),
        })
        .collect()
}

fn grade_counts(scheme: &Scheme, standings: &[Standing]) -> IndexMap<String, usize> {
    scheme
        .grades
        .iter()
        .map(|band| {
            let n = standings
                .iter()
                .filter(|s| s.grade.as_deref() == Some(band.grade.as_str()))
                .count();
            (band.grade.clone(), n)
        })
        .collect()
}

fn level_counts(standings: &[Standing]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for s in standings {
        *out.entry(s.warning_level.to_string()).or_insert(0) += 1;
    }
    out
}

fn bodies_differ(old: &ScoreInput<'_>, new: &ScoreInput<'_>) -> Option<Problem> {
    let same = old.year == new.year
        && old.bodies.len() == new.bodies.len()
        && old
            .bodies
            .iter()
            .zip(new.bodies)
            .all(|(a, b)| a.body_id == b.body_id);
    (!same).then(|| {
        Problem::new(
            "bodies",
            "inputs_differ",
            "两个方案须在同一年度、同一批机构上比较",
            "both schemes must be compared on the same year and bodies",
        )
    })
}

/// Scores the year under both schemes and compares them.
pub fn compare(old: Side<'_>, new: Side<'_>) -> Result<Impact, EngineError> {
    if let Some(problem) = bodies_differ(&old.input, &new.input) {
        return Err(EngineError::Input(vec![problem]));
    }
    let (old_table, new_table) = rayon::join(
        || old.engine.score(&old.input),
        || new.engine.score(&new.input),
    );
    let (old_table, new_table) = (old_table?, new_table?);
    let old_view = TableView::new(old.engine, &old_table)?;
    let new_view = TableView::new(new.engine, &new_table)?;
    let (old_scheme, new_scheme) = (old.engine.scheme(), new.engine.scheme());
    let old_standings = standings(old_scheme, &old_view);
    let new_standings = standings(new_scheme, &new_view);

    // The baseline's ranking order.
    let mut order: Vec<usize> = (0..old.input.bodies.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |i: usize| {
            let r = old_standings[i].rank;
            let body = &old.input.bodies[i];
            (
                r.is_none(),
                r.unwrap_or(u32::MAX),
                body.approval_no.as_deref().unwrap_or(&body.body_id),
            )
        };
        key(a).cmp(&key(b))
    });

    let mut grade_transitions = BTreeMap::new();
    let mut warning_transitions = BTreeMap::new();
    let mut warnings_gained = Vec::new();
    let mut warnings_lost = Vec::new();
    let mut bodies = Vec::with_capacity(order.len());
    let (mut grade_changed, mut total_changed) = (0, 0);
    for &i in &order {
        let body = &old.input.bodies[i];
        let (o, n) = (&old_standings[i], &new_standings[i]);
        if let (Some(a), Some(b)) = (&o.grade, &n.grade)
            && a != b
        {
            *grade_transitions.entry(format!("{a}->{b}")).or_insert(0) += 1;
        }
        if o.grade != n.grade {
            grade_changed += 1;
        }
        let key = |t: Option<f64>, s: &Scheme| t.map(|t| s.comparison_key(t));
        if key(o.total, old_scheme) != key(n.total, new_scheme) {
            total_changed += 1;
        }
        if o.warning_level != n.warning_level {
            *warning_transitions
                .entry(format!("{}->{}", o.warning_level, n.warning_level))
                .or_insert(0) += 1;
        }
        match (o.warning_level > 0, n.warning_level > 0) {
            (false, true) => warnings_gained.push(body.body_id.clone()),
            (true, false) => warnings_lost.push(body.body_id.clone()),
            _ => {}
        }
        bodies.push(BodyImpact {
            body_id: body.body_id.clone(),
            approval_no: body.approval_no.clone(),
            name: body.name.clone(),
            category: body.category,
            submitted: old_view.submitted[i],
            old: o.clone(),
            new: n.clone(),
        });
    }

    // Ranks of the bodies ranked under both.
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for (o, n) in old_standings.iter().zip(&new_standings) {
        if let (Some(a), Some(b)) = (o.rank, n.rank) {
            xs.push(a);
            ys.push(b);
        }
    }
    let old_ranks: Vec<Option<u32>> = old_standings.iter().map(|s| s.rank).collect();
    let new_ranks: Vec<Option<u32>> = new_standings.iter().map(|s| s.rank).collect();
    let moved = sensitivity::shifts(&old_ranks, &new_ranks);
    let (spearman, kendall) = rayon::join(
        || stats::spearman_rho(&xs, &ys),
        || stats::kendall_tau_b(&xs, &ys),
    );
    let rank_shift = RankShift {
        bodies: moved.len(),
        moved: moved.iter().filter(|d| **d > 0).count(),
        median: stats::nearest_rank(&moved, 50),
        p90: stats::nearest_rank(&moved, 90),
        max: moved.last().copied().unwrap_or(0),
        spearman,
        kendall,
    };

    let indicators =
        sensitivity::indicators(old_scheme, &old_view, new_scheme, &new_view, &new_ranks);
    let summary = Summary {
        bodies: bodies.len(),
        scored: old_view.submitted.iter().filter(|s| **s).count(),
        grade_changed,
        rank_changed: rank_shift.moved,
        total_changed,
        warning_level_changed: warning_transitions.values().sum(),
        warnings_gained: warnings_gained.len(),
        warnings_lost: warnings_lost.len(),
        grades_old: grade_counts(old_scheme, &old_standings),
        grades_new: grade_counts(new_scheme, &new_standings),
        warning_levels_old: level_counts(&old_standings),
        warning_levels_new: level_counts(&new_standings),
    };
    let document = |s: &Scheme| serde_json::to_value(s).unwrap_or(serde_json::Value::Null);
    Ok(Impact {
        summary,
        bodies,
        grade_transitions,
        warning_transitions,
        warnings_gained,
        warnings_lost,
        rank_shift,
        indicators,
        changes: scheme_changes(&document(old_scheme), &document(new_scheme)),
    })
}

#[cfg(test)]
mod tests;
