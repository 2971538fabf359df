//! How the ranking depends on each indicator: its share of the variance of the total (its
//! effective weight) and how far ranks move without it (drop-one).

use indexmap::IndexMap;
use rayon::prelude::*;

use super::{IndicatorImpact, stats};
use crate::engine::view::TableView;
use crate::scheme::Scheme;

/// The draft's overall ranks with one indicator's points set to zero (`None`: none is), by
/// input row; null without a report. Sums are formed in the engine's order (indicators within
/// a dimension, then dimensions, then the deductions) so that dropping nothing reproduces the
/// engine's ranks exactly.
pub(super) fn ranks_without(
    scheme: &Scheme,
    view: &TableView,
    dropped: Option<usize>,
) -> Vec<Option<u32>> {
    let offset = scheme.comparison_key(scheme.total_max) + 1;
    let rows: Vec<usize> = (0..view.submitted.len())
        .filter(|&i| view.submitted[i])
        .collect();
    let keys: Vec<i64> = rows
        .iter()
        .map(|&i| {
            let mut next = 0;
            let mut points_sum: Option<f64> = None;
            for dimension in &scheme.dimensions {
                let mut sum: Option<f64> = None;
                for _ in &dimension.indicators {
                    let p = if dropped == Some(next) {
                        0.0
                    } else {
                        view.points[next][i]
                    };
                    sum = Some(sum.map_or(p, |s| s + p));
                    next += 1;
                }
                let d = sum.unwrap_or(0.0);
                points_sum = Some(points_sum.map_or(d, |s| s + d));
            }
            let total =
                (points_sum.unwrap_or(0.0) + view.deduction_sum[i]).clamp(0.0, scheme.total_max);
            let key = scheme.comparison_key(total);
            if view.vetoed[i] { key } else { key + offset }
        })
        .collect();
    let ranks = stats::competition_ranks(&keys);
    let mut out = vec![None; view.submitted.len()];
    for (row, rank) in rows.into_iter().zip(ranks) {
        out[row] = Some(rank);
    }
    out
}

/// |Δrank| of the bodies ranked in both, sorted ascending.
pub(super) fn shifts(a: &[Option<u32>], b: &[Option<u32>]) -> Vec<u32> {
    let mut out: Vec<u32> = a
        .iter()
        .zip(b)
        .filter_map(|(x, y)| Some(x.as_ref()?.abs_diff(*y.as_ref()?)))
        .collect();
    out.sort_unstable();
    out
}

/// Each indicator's share of the variance of the total, in scheme order.
pub(super) fn effective_weights(view: &TableView) -> Vec<Option<f64>> {
    let rows: Vec<usize> = (0..view.submitted.len())
        .filter(|&i| view.submitted[i])
        .collect();
    let total: Vec<f64> = rows.iter().map(|&i| view.total[i].unwrap_or(0.0)).collect();
    let columns: Vec<Vec<f64>> = view
        .points
        .iter()
        .map(|column| rows.iter().map(|&i| column[i]).collect())
        .collect();
    stats::variance_shares(&columns, &total)
}

/// Effective weights under both schemes and the drop-one sensitivity of the draft's ranking.
pub(super) fn indicators(
    old_scheme: &Scheme,
    old_view: &TableView,
    new_scheme: &Scheme,
    new_view: &TableView,
    new_ranks: &[Option<u32>],
) -> IndexMap<String, IndicatorImpact> {
    let old_weights = effective_weights(old_view);
    let new_weights = effective_weights(new_view);
    let new_indicators: Vec<_> = new_scheme.indicators().map(|(_, i)| i).collect();
    // One ranking per indicator, on every core: 23 rankings of 60,000 bodies.
    let dropped: Vec<(u32, u32)> = (0..new_indicators.len())
        .into_par_iter()
        .map(|k| {
            let without = ranks_without(new_scheme, new_view, Some(k));
            let moved = shifts(new_ranks, &without);
            (
                stats::nearest_rank(&moved, 50),
                moved.last().copied().unwrap_or(0),
            )
        })
        .collect();
    let old_position = |code: &str| old_scheme.indicators().position(|(_, i)| i.code == code);
    let mut out = IndexMap::new();
    for (k, indicator) in new_indicators.iter().enumerate() {
        let old_at = old_position(&indicator.code);
        let old_max = old_at.and_then(|j| old_scheme.indicators().nth(j).map(|(_, i)| i.max));
        out.insert(
            indicator.code.clone(),
            IndicatorImpact {
                name: indicator.name.clone(),
                max_old: old_max,
                max_new: Some(indicator.max),
                effective_weight_old: old_at.and_then(|j| old_weights[j]),
                effective_weight_new: new_weights[k],
                drop_one_median_rank_shift: Some(dropped[k].0),
                drop_one_max_rank_shift: Some(dropped[k].1),
            },
        );
    }
    for (j, (_, indicator)) in old_scheme.indicators().enumerate() {
        if out.contains_key(&indicator.code) {
            continue;
        }
        out.insert(
            indicator.code.clone(),
            IndicatorImpact {
                name: indicator.name.clone(),
                max_old: Some(indicator.max),
                max_new: None,
                effective_weight_old: old_weights[j],
                effective_weight_new: None,
                drop_one_median_rank_shift: None,
                drop_one_max_rank_shift: None,
            },
        );
    }
    out
}
