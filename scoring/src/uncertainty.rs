//! Robustness of the ranking (SCHEME.md §6): how ranks and grades move when the dimensions'
//! weights are drawn anew, seeded and reproducible.
//!
//! Each draw multiplies every dimension's maximum by u_d ~ U(low, high), rescales the maxima to
//! add up to the scheme's total again and rescores every body with the same deductions and
//! vetoes. The multipliers are drawn in one sequence from the seed before the draws are
//! scored in parallel, so the result does not depend on the number of threads.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::engine::view::TableView;
use crate::engine::{Engine, EngineError, ScoreTable};
use crate::impact::stats::{competition_ranks, nearest_rank};
use crate::result::BodyResult;
use crate::scheme::Scheme;

pub use crate::result::Uncertainty;

/// What the analysis needs of one scored body.
#[derive(Debug, Clone)]
struct Scored {
    row: usize,
    dimensions: Vec<f64>,
    deduction_sum: f64,
    vetoed: bool,
    rank: u32,
    grade: u8,
}

impl Engine {
    /// Runs the analysis with `draws` draws from `seed` over the scored bodies of `table`;
    /// returns the figures by row of the table (`None` for bodies without a report).
    pub fn uncertainty(
        &self,
        table: &ScoreTable,
        draws: u32,
        seed: u64,
    ) -> Result<Vec<Option<Uncertainty>>, EngineError> {
        let view = TableView::new(self, table)?;
        let scored: Vec<Scored> = (0..view.submitted.len())
            .filter(|&i| view.submitted[i])
            .map(|i| Scored {
                row: i,
                dimensions: view.dimensions.iter().map(|d| d[i]).collect(),
                deduction_sum: view.deduction_sum[i],
                vetoed: view.vetoed[i],
                rank: view.rank[i].unwrap_or(0),
                grade: view.grade[i].unwrap_or(0),
            })
            .collect();
        let figures = analyse(self.scheme(), &scored, draws, seed);
        let mut out = vec![None; view.submitted.len()];
        for (body, u) in scored.iter().zip(figures) {
            out[body.row] = Some(u);
        }
        Ok(out)
    }
}

/// Attaches the figures to results (matched by body id), and marks for review
/// the warnings of borderline bodies whose every rule rests on the total or grade.
pub fn attach(results: &mut [BodyResult], by_body: &std::collections::HashMap<&str, Uncertainty>) {
    for r in results.iter_mut() {
        let Some(u) = by_body.get(r.body_id.as_str()) else {
            continue;
        };
        if let Some(w) = r.warning.as_mut() {
            w.review_required = u.borderline && w.findings.iter().all(|f| f.depends_on_total);
        }
        r.uncertainty = Some(u.clone());
    }
}

fn analyse(scheme: &Scheme, bodies: &[Scored], draws: u32, seed: u64) -> Vec<Uncertainty> {
    let n = bodies.len();
    let draws = draws as usize;
    if n == 0 || draws == 0 {
        return Vec::new();
    }
    let maxima: Vec<f64> = scheme.dimensions.iter().map(|d| d.max).collect();
    let (low, high) = (
        scheme.uncertainty.multiplier_low,
        scheme.uncertainty.multiplier_high,
    );
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    // factors[d][k]: S'_k = S_k * factor, with factor = total_max * u_k / sum_j(u_j * M_j).
    let factors: Vec<Vec<f64>> = (0..draws)
        .map(|_| {
            let u: Vec<f64> = maxima.iter().map(|_| rng.random_range(low..high)).collect();
            let weighted: f64 = u.iter().zip(&maxima).map(|(u, m)| u * m).sum();
            u.iter().map(|u| scheme.total_max * u / weighted).collect()
        })
        .collect();

    let offset = scheme.comparison_key(scheme.total_max) + 1;
    let veto_grade = scheme.grade_index(&scheme.veto_grade).unwrap_or(0) as u8;
    let band_keys: Vec<i64> = scheme
        .grades
        .iter()
        .map(|g| scheme.comparison_key(g.min))
        .collect();
    let grade_of = |key: i64, vetoed: bool| -> u8 {
        if vetoed {
            return veto_grade;
        }
        band_keys
            .iter()
            .position(|min| key >= *min)
            .unwrap_or(band_keys.len() - 1) as u8
    };

    // One draw: every body's rank and grade.
    let per_draw: Vec<(Vec<u32>, Vec<u8>)> = factors
        .par_iter()
        .map(|factor| {
            let mut keys = Vec::with_capacity(n);
            let mut grades = Vec::with_capacity(n);
            for b in bodies {
                let points: f64 = b.dimensions.iter().zip(factor).map(|(s, f)| s * f).sum();
                let total = (points + b.deduction_sum).clamp(0.0, scheme.total_max);
                let key = scheme.comparison_key(total);
                grades.push(grade_of(key, b.vetoed));
                keys.push(if b.vetoed { key } else { key + offset });
            }
            (competition_ranks(&keys), grades)
        })
        .collect();

    let grade_count = scheme.grades.len();
    let share_needed = scheme.uncertainty.borderline_share;
    (0..n)
        .into_par_iter()
        .map(|i| {
            let mut ranks: Vec<u32> = per_draw.iter().map(|(r, _)| r[i]).collect();
            ranks.sort_unstable();
            let mut counts = vec![0u32; grade_count];
            for (_, g) in &per_draw {
                counts[g[i] as usize] += 1;
            }
            let nominal = bodies[i].grade as usize;
            let other = draws as u32 - counts[nominal];
            Uncertainty {
                rank: bodies[i].rank,
                rank_median: nearest_rank(&ranks, 50),
                rank_q05: nearest_rank(&ranks, 5),
                rank_q95: nearest_rank(&ranks, 95),
                grade_shares: scheme
                    .grades
                    .iter()
                    .zip(&counts)
                    .map(|(g, c)| (g.grade.clone(), f64::from(*c) / draws as f64))
                    .collect(),
                borderline: f64::from(other) / draws as f64 >= share_needed,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles_of_1000_draws() {
        let values: Vec<u32> = (1..=1000).collect();
        assert_eq!(nearest_rank(&values, 50), 500);
        assert_eq!(nearest_rank(&values, 5), 50);
        assert_eq!(nearest_rank(&values, 95), 950);
        assert_eq!(nearest_rank(&[7], 5), 7);
    }
}
