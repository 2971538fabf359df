//! The statistics of an impact analysis: competition ranks, nearest-rank quantiles, Spearman's
//! ρ on mid-ranks and Kendall's τ-b (Knight's O(n log n) algorithm, so that 60,000 bodies take
//! milliseconds), and each indicator's share of the variance of the total.

/// Competition ranks (1, 2, 2, 4) of keys, highest first.
pub fn competition_ranks(keys: &[i64]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..keys.len() as u32).collect();
    order.sort_unstable_by_key(|&i| std::cmp::Reverse(keys[i as usize]));
    let mut ranks = vec![0u32; keys.len()];
    let mut current = 0u32;
    for (position, &i) in order.iter().enumerate() {
        if position == 0 || keys[i as usize] != keys[order[position - 1] as usize] {
            current = position as u32 + 1;
        }
        ranks[i as usize] = current;
    }
    ranks
}

/// The nearest-rank percentile of sorted values: the ceil(p/100 · N)-th smallest, computed in
/// integers (SCHEME.md §6); 0 for no values.
pub fn nearest_rank(sorted: &[u32], percent: usize) -> u32 {
    let n = sorted.len();
    if n == 0 {
        return 0;
    }
    let k = (percent * n).div_ceil(100).max(1);
    sorted[k.min(n) - 1]
}

/// Ranks with ties replaced by the mean of the positions they share (1, 2.5, 2.5, 4), the ranks
/// Spearman's ρ is defined on; `ranks` are competition ranks of one set of items.
fn mid_ranks(ranks: &[u32]) -> Vec<f64> {
    let mut counts = std::collections::HashMap::with_capacity(ranks.len());
    for r in ranks {
        *counts.entry(*r).or_insert(0u32) += 1;
    }
    ranks
        .iter()
        .map(|r| f64::from(*r) + f64::from(counts[r] - 1) / 2.0)
        .collect()
}

/// `a / sqrt(b · c)`, exactly 1 when `a == b == c` (floating point would not promise it);
/// `None` when either spread is zero.
fn normalised(a: f64, b: f64, c: f64) -> Option<f64> {
    let denominator = if b == c { b } else { (b * c).sqrt() };
    (denominator > 0.0).then(|| (a / denominator).clamp(-1.0, 1.0))
}

/// Spearman's ρ between two rankings of the same items (competition ranks, ties allowed): the
/// Pearson correlation of their mid-ranks. `None` for fewer than two items or a ranking in
/// which every item ties.
pub fn spearman_rho(x: &[u32], y: &[u32]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    let (x, y) = (mid_ranks(x), mid_ranks(y));
    let n = x.len() as f64;
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(&y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    normalised(sxy, sxx, syy)
}

/// Pairs among `t` tied items.
fn pairs(t: u64) -> u64 {
    t * t.saturating_sub(1) / 2
}

/// Pairs within runs of equal adjacent values.
fn tied_pairs<T: PartialEq>(sorted: &[T]) -> u64 {
    let mut total = 0;
    let mut run = 1u64;
    for w in sorted.windows(2) {
        if w[0] == w[1] {
            run += 1;
        } else {
            total += pairs(run);
            run = 1;
        }
    }
    if !sorted.is_empty() {
        total += pairs(run);
    }
    total
}

/// Sorts `values` ascending and returns the number of inversions (pairs i < j with
/// values[i] > values[j]; equal values are not inverted).
fn count_inversions(values: &mut [u32]) -> u64 {
    let n = values.len();
    let mut buffer = vec![0u32; n];
    let mut inversions = 0u64;
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j, mut k) = (start, mid, start);
            while i < mid && j < end {
                if values[j] < values[i] {
                    buffer[k] = values[j];
                    inversions += (mid - i) as u64;
                    j += 1;
                } else {
                    buffer[k] = values[i];
                    i += 1;
                }
                k += 1;
            }
            buffer[k..k + (mid - i)].copy_from_slice(&values[i..mid]);
            k += mid - i;
            buffer[k..k + (end - j)].copy_from_slice(&values[j..end]);
            start = end;
        }
        values.copy_from_slice(&buffer);
        width *= 2;
    }
    inversions
}

/// Kendall's τ-b between two rankings of the same items, ties allowed (Knight 1966:
/// O(n log n)). `None` for fewer than two items or a ranking in which every item ties.
pub fn kendall_tau_b(x: &[u32], y: &[u32]) -> Option<f64> {
    let n = x.len();
    if n != y.len() || n < 2 {
        return None;
    }
    let mut pairs_xy: Vec<(u32, u32)> = x.iter().copied().zip(y.iter().copied()).collect();
    pairs_xy.sort_unstable();
    let all = pairs(n as u64);
    let xs: Vec<u32> = pairs_xy.iter().map(|p| p.0).collect();
    let tied_x = tied_pairs(&xs);
    let tied_xy = tied_pairs(&pairs_xy);
    let mut ys: Vec<u32> = pairs_xy.iter().map(|p| p.1).collect();
    let swaps = count_inversions(&mut ys);
    let tied_y = tied_pairs(&ys);
    // Concordant minus discordant pairs.
    let s = all as f64 - tied_x as f64 - tied_y as f64 + tied_xy as f64 - 2.0 * swaps as f64;
    normalised(s, (all - tied_x) as f64, (all - tied_y) as f64)
}

/// Each column's share of the variance of `total` (Cov(column, total) / Var(total)), as the
/// OECD/JRC Handbook on composite indicators measures an indicator's importance: the shares
/// add up to 1 when the total is the columns' sum. `None` for each when the total does not
/// vary.
pub fn variance_shares(columns: &[Vec<f64>], total: &[f64]) -> Vec<Option<f64>> {
    let n = total.len();
    if n < 2 {
        return vec![None; columns.len()];
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / n as f64;
    let mt = mean(total);
    let var: f64 = total.iter().map(|t| (t - mt) * (t - mt)).sum();
    if var <= 0.0 {
        return vec![None; columns.len()];
    }
    columns
        .iter()
        .map(|c| {
            let mc = mean(c);
            let cov: f64 = c.iter().zip(total).map(|(a, t)| (a - mc) * (t - mt)).sum();
            Some(cov / var)
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

    /// Kendall's τ-b by its definition, over every pair.
    fn naive_tau_b(x: &[u32], y: &[u32]) -> Option<f64> {
        let n = x.len();
        let (mut c, mut d, mut tx, mut ty) = (0i64, 0i64, 0i64, 0i64);
        for i in 0..n {
            for j in i + 1..n {
                let a = i64::from(x[i]) - i64::from(x[j]);
                let b = i64::from(y[i]) - i64::from(y[j]);
                match (a == 0, b == 0) {
                    (true, true) => {}
                    (true, false) => tx += 1,
                    (false, true) => ty += 1,
                    (false, false) if (a > 0) == (b > 0) => c += 1,
                    _ => d += 1,
                }
            }
        }
        let denominator = (((c + d + tx) * (c + d + ty)) as f64).sqrt();
        (denominator > 0.0).then(|| (c - d) as f64 / denominator)
    }

    #[test]
    fn competition_ranks_share_the_best_rank() {
        assert_eq!(competition_ranks(&[10, 20, 20, 5]), vec![3, 1, 1, 4]);
    }

    #[test]
    fn nearest_rank_median_and_p90() {
        let values: Vec<u32> = (1..=10).collect();
        assert_eq!(nearest_rank(&values, 50), 5);
        assert_eq!(nearest_rank(&values, 90), 9);
        assert_eq!(nearest_rank(&[], 50), 0);
    }

    #[test]
    fn identical_rankings_correlate_exactly_one() {
        let ranks = vec![1, 2, 2, 4, 5, 5, 5, 8];
        assert_eq!(spearman_rho(&ranks, &ranks), Some(1.0));
        assert_eq!(kendall_tau_b(&ranks, &ranks), Some(1.0));
        let reversed: Vec<u32> = vec![8, 7, 6, 5, 4, 3, 2, 1];
        let forward: Vec<u32> = (1..=8).collect();
        assert_eq!(spearman_rho(&forward, &reversed), Some(-1.0));
        assert_eq!(kendall_tau_b(&forward, &reversed), Some(-1.0));
    }

    #[test]
    fn everything_tied_has_no_correlation() {
        assert_eq!(spearman_rho(&[1, 1, 1], &[1, 2, 3]), None);
        assert_eq!(kendall_tau_b(&[1, 1, 1], &[1, 2, 3]), None);
        assert_eq!(kendall_tau_b(&[1], &[1]), None);
    }

    #[test]
    fn spearman_without_ties_is_the_textbook_formula() {
        // 1 - 6 Σd² / (n(n²-1)) with d = (0, 1, -1, 0, 0): 1 - 12/120 = 0.9.
        let rho = spearman_rho(&[1, 2, 3, 4, 5], &[1, 3, 2, 4, 5]).unwrap();
        assert!((rho - 0.9).abs() < 1e-12, "{rho}");
    }

    #[test]
    fn knight_agrees_with_the_definition_on_rankings_with_ties() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for round in 0..200 {
            let n = rng.random_range(2..60);
            let spread = if round % 3 == 0 { 4 } else { 40 };
            let x: Vec<u32> = (0..n).map(|_| rng.random_range(1..spread)).collect();
            let y: Vec<u32> = (0..n).map(|_| rng.random_range(1..spread)).collect();
            let fast = kendall_tau_b(&x, &y);
            let slow = naive_tau_b(&x, &y);
            match (fast, slow) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-12, "{x:?} {y:?}: {a} {b}"),
                (a, b) => assert_eq!(a, b, "{x:?} {y:?}"),
            }
        }
    }

    #[test]
    fn inversions_are_counted_and_values_sorted() {
        let mut v = vec![3, 1, 2, 2, 0];
        assert_eq!(count_inversions(&mut v), 7);
        assert_eq!(v, vec![0, 1, 2, 2, 3]);
    }

    #[test]
    fn variance_shares_add_up_to_one_for_a_sum() {
        let a = vec![1.0, 2.0, 3.0, 4.0];
        let b = vec![0.0, 3.0, 1.0, 2.0];
        let total: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
        let shares = variance_shares(&[a, b], &total);
        let sum: f64 = shares.iter().map(|s| s.unwrap()).sum();
        assert!((sum - 1.0).abs() < 1e-12, "{shares:?}");
        assert_eq!(variance_shares(&[vec![1.0, 1.0]], &[5.0, 5.0]), vec![None]);
    }
}
