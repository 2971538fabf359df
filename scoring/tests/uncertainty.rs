//! SCHEME.md §6: the uncertainty analysis of the ranking, and the review flag it puts on
//! warnings that rest on the total alone.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
use std::collections::HashMap;

use common::*;
use pubeval_scoring::{ResultOptions, Uncertainty};
use serde_json::{Value, json};

/// A report scoring D1 20, D2 30 and D3 25 (all full) and nothing in D4 and D5: 75 points,
/// right on the B/C edge, from dimensions that the weights move in opposite directions.
fn edge75() -> Value {
    full_with(json!({
        "publicity_budget_wan": 0, "dedicated_staff": 0, "training_hours": 0,
        "public_welfare_activities": 0, "account_security": false,
        "target_responsibility": false, "incentive_mechanism": false, "in_annual_report": false
    }))
}

/// D1 20, D2 30, D3 25, D4 4 (account security 3, one welfare activity 1): 79 points.
fn b79() -> Value {
    with(
        edge75(),
        json!({"account_security": true, "public_welfare_activities": 1}),
    )
}

/// D1 20, D2 30, D3 8 (four items disclosed, no complaint resolved, no partnership),
/// D4 1 (one welfare activity): 59 points, grade D.
fn d59() -> Value {
    with(
        edge75(),
        json!({
            "disclosed_items": ["cert_fields", "basic_norms", "cert_rules", "fee_standards"],
            "complaints_resolved_on_time": 0, "media_partnerships": 0,
            "public_welfare_activities": 1
        }),
    )
}

/// D1 20, D2 30, D3 11 (four items 8, three partnerships 3), D4 `welfare` (0 or 1).
fn d3_eleven(welfare: u32) -> Value {
    with(
        d59(),
        json!({"media_partnerships": 3, "public_welfare_activities": welfare}),
    )
}

/// The figures of a case by body id.
fn analyse(case: &Case, draws: u32, seed: u64) -> HashMap<String, Option<Uncertainty>> {
    let (engine, table) = case.table();
    let figures = engine.uncertainty(&table, draws, seed).unwrap();
    assert_eq!(
        figures.len(),
        case.bodies.len(),
        "one entry per row of the table"
    );
    case.bodies
        .iter()
        .map(|b| b.body_id.clone())
        .zip(figures)
        .collect()
}

/// SCHEME.md §6 worked independently: the share of draws giving each grade to an unvetoed
/// body with dimension scores `s` and deductions `ded`, from a plain xorshift generator.
fn simulated_shares(s: [f64; 5], ded: f64, draws: usize) -> [f64; 4] {
    let maxima = [20.0, 30.0, 25.0, 15.0, 10.0];
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut uniform = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut counts = [0usize; 4];
    for _ in 0..draws {
        let u: Vec<f64> = maxima.iter().map(|_| 0.75 + 0.5 * uniform()).collect();
        let sum_um: f64 = u.iter().zip(&maxima).map(|(u, m)| u * m).sum();
        let mut total = ded;
        for d in 0..5 {
            let m_prime = 100.0 * u[d] * maxima[d] / sum_um;
            total += s[d] * m_prime / maxima[d];
        }
        let key = (total.clamp(0.0, 100.0) * 1e6).round();
        let grade = if key >= 90e6 {
            0
        } else if key >= 75e6 {
            1
        } else if key >= 60e6 {
            2
        } else {
            3
        };
        counts[grade] += 1;
    }
    counts.map(|c| c as f64 / draws as f64)
}

fn shares(u: &Uncertainty) -> [f64; 4] {
    let keys: Vec<&str> = u.grade_shares.keys().map(String::as_str).collect();
    assert_eq!(keys, vec!["A", "B", "C", "D"]);
    [
        u.grade_shares["A"],
        u.grade_shares["B"],
        u.grade_shares["C"],
        u.grade_shares["D"],
    ]
}

fn mixed_case() -> Case {
    Case::year(2025)
        .body("full", full_marks_payload())
        .body("edge75", edge75())
        .silent_body("silent")
        .body("b79", b79())
        .body("d59", d59())
        .body("vetoed", full_marks_payload())
        .body("zero", empty_payload())
        .incident(
            "vetoed",
            "secret_leak",
            "general",
            "2025-03-01T00:00:00Z",
            None,
        )
}

#[test]
fn the_reference_reports_score_what_their_names_say() {
    assert_approx(total(edge75()), 75.0, "edge75");
    assert_approx(total(b79()), 79.0, "b79");
    assert_approx(total(d59()), 59.0, "d59");
    assert_approx(total(d3_eleven(0)), 61.0, "d3_eleven(0)");
    assert_approx(total(d3_eleven(1)), 62.0, "d3_eleven(1)");
    let r = Case::year(2025).body("b", edge75()).result("b");
    let dims = r.dimensions.unwrap();
    let got: Vec<f64> = dims.values().copied().collect();
    assert_eq!(got, vec![20.0, 30.0, 25.0, 0.0, 0.0]);
}

#[test]
fn the_same_seed_gives_the_same_figures() {
    let case = mixed_case();
    let a = analyse(&case, 500, 42);
    let b = analyse(&case, 500, 42);
    assert_eq!(a, b);
}

#[test]
fn another_seed_generally_gives_other_figures() {
    let case = mixed_case();
    let base = analyse(&case, 500, 1);
    let differs = (2..6).any(|seed| analyse(&case, 500, seed) != base);
    assert!(differs, "five seeds gave identical figures");
    // A body at the edge has a share near one half; two seeds do not hit the same count
    // every time.
    let shares_b: Vec<f64> = (1..6)
        .map(|seed| {
            analyse(&case, 500, seed)["edge75"]
                .as_ref()
                .unwrap()
                .grade_shares["B"]
        })
        .collect();
    assert!(shares_b.iter().any(|s| *s != shares_b[0]), "{shares_b:?}");
}

#[test]
fn quantiles_are_ordered_and_shares_add_up_to_one() {
    let case = mixed_case();
    let results = case.score();
    for (id, u) in analyse(&case, 400, 7) {
        let Some(u) = u else { continue };
        assert!(u.rank_q05 <= u.rank_median, "{id}: {u:?}");
        assert!(u.rank_median <= u.rank_q95, "{id}: {u:?}");
        assert!(
            u.rank_q05 >= 1 && u.rank_q95 <= 6,
            "{id}: ranks among the 6 scored bodies"
        );
        let sum: f64 = shares(&u).iter().sum();
        assert!((sum - 1.0).abs() < 1e-12, "{id}: shares add up to {sum}");
        for s in shares(&u) {
            // Shares are fractions of 400 draws.
            assert!((s * 400.0 - (s * 400.0).round()).abs() < 1e-9, "{id}: {s}");
        }
        let nominal = results.iter().find(|r| r.body_id == id).unwrap();
        assert_eq!(Some(u.rank), nominal.rank, "{id}: the nominal rank");
    }
}

#[test]
fn bodies_without_a_report_get_no_figures() {
    let figures = analyse(&mixed_case(), 100, 3);
    assert_eq!(figures["silent"], None);
    assert_eq!(figures.values().filter(|u| u.is_none()).count(), 1);
}

#[test]
fn full_marks_are_never_borderline() {
    // Whatever the weights, a body with every dimension full keeps 100: the rescaled maxima
    // add up to 100 again.
    let u = analyse(&mixed_case(), 1000, 11)["full"].clone().unwrap();
    assert_eq!(shares(&u), [1.0, 0.0, 0.0, 0.0]);
    assert!(!u.borderline);
    assert_eq!((u.rank_q05, u.rank_median, u.rank_q95), (1, 1, 1));
}

#[test]
fn a_body_with_nothing_is_never_borderline() {
    let u = analyse(&mixed_case(), 1000, 11)["zero"].clone().unwrap();
    assert_eq!(shares(&u), [0.0, 0.0, 0.0, 1.0]);
    assert!(!u.borderline);
}

#[test]
fn a_vetoed_body_stays_d_and_ranks_last() {
    let figures = analyse(&mixed_case(), 1000, 5);
    let u = figures["vetoed"].clone().unwrap();
    assert_eq!(
        shares(&u),
        [0.0, 0.0, 0.0, 1.0],
        "vetoes are unchanged in every draw"
    );
    assert!(!u.borderline);
    // Five unvetoed scored bodies rank before it in every draw.
    assert_eq!(
        (u.rank, u.rank_q05, u.rank_median, u.rank_q95),
        (6, 6, 6, 6)
    );
}

#[test]
fn a_total_right_at_a_band_edge_is_borderline() {
    let u = analyse(&mixed_case(), 2000, 9)["edge75"].clone().unwrap();
    assert!(u.borderline, "{u:?}");
    let got = shares(&u);
    let want = simulated_shares([20.0, 30.0, 25.0, 0.0, 0.0], 0.0, 200_000);
    // About half of the draws give B, the others C.
    assert!(
        (want[1] - 0.5).abs() < 0.05,
        "independent simulation: {want:?}"
    );
    for g in 0..4 {
        assert!(
            (got[g] - want[g]).abs() < 0.04,
            "grade {g}: engine {got:?}, simulated {want:?}"
        );
    }
}

#[test]
fn a_grade_kept_in_more_than_90_percent_of_draws_is_not_borderline() {
    // 79 points: about 3% of the draws fall below 75.
    let want = simulated_shares([20.0, 30.0, 25.0, 4.0, 0.0], 0.0, 200_000);
    assert!(want[2] > 0.01 && want[2] < 0.06, "{want:?}");
    let u = analyse(&mixed_case(), 2000, 13)["b79"].clone().unwrap();
    assert!(!u.borderline, "{u:?}");
    let got = shares(&u);
    assert!(got[2] > 0.0, "some draws do fall to C: {got:?}");
    for g in 0..4 {
        assert!(
            (got[g] - want[g]).abs() < 0.02,
            "grade {g}: engine {got:?}, simulated {want:?}"
        );
    }
}

#[test]
fn shares_with_deductions_follow_scheme_md() {
    // 62 points less a late report (-3): 59, and the deduction is not reweighted.
    let case = Case::year(2025).body("b", d3_eleven(1)).incident(
        "b",
        "major_event",
        "general",
        "2025-03-01T00:00:00Z",
        Some("2025-03-05T00:00:00Z"),
    );
    let u = analyse(&case, 2000, 21)["b"].clone().unwrap();
    let want = simulated_shares([20.0, 30.0, 11.0, 1.0, 0.0], -3.0, 200_000);
    let got = shares(&u);
    for g in 0..4 {
        assert!(
            (got[g] - want[g]).abs() < 0.04,
            "grade {g}: engine {got:?}, simulated {want:?}"
        );
    }
    assert!(u.borderline);
}

#[test]
fn ranks_move_with_the_weights() {
    // p has 20 points in D1 only, q 20 points in D2 only: tied nominally. In a draw p's total
    // is 100 * u1 * 20 / sum and q's 100 * u2 * 20 / sum, so p is ahead exactly when u1 > u2,
    // about half of the draws.
    let p = empty_with(json!({
        "policy_approved": true, "leadership_designated": true, "spokesperson_system": true,
        "annual_plan": true, "three_reviews": true, "major_event_reporting_system": true,
        "complaints_received": 10, "complaints_resolved_on_time": 0
    }));
    let q = empty_with(json!({
        "opinion_monitoring": true, "press_releases": 50,
        "media_channels": ["website", "wechat", "video", "online_course"],
        "campaigns": ["world_accreditation_day", "lab_open_day", "quality_cert_week", "green_product_week"]
    }));
    let case = Case::year(2025).body("p", p).body("q", q);
    let results = case.score();
    assert!(
        results.iter().all(|r| r.rank == Some(1)),
        "nominal tie at 20"
    );
    let figures = analyse(&case, 1000, 17);
    for id in ["p", "q"] {
        let u = figures[id].clone().unwrap();
        assert_eq!(u.rank, 1);
        assert_eq!((u.rank_q05, u.rank_q95), (1, 2), "{id}: {u:?}");
        assert_eq!(shares(&u), [0.0, 0.0, 0.0, 1.0]);
        assert!(!u.borderline);
    }
}

#[test]
fn a_single_draw_gives_one_rank_for_every_quantile() {
    for (id, u) in analyse(&mixed_case(), 1, 99) {
        let Some(u) = u else { continue };
        assert_eq!(u.rank_q05, u.rank_median, "{id}");
        assert_eq!(u.rank_median, u.rank_q95, "{id}");
        assert!(shares(&u).iter().all(|s| *s == 0.0 || *s == 1.0));
    }
}

// ---- the review flag ----

/// Scores the case, runs the analysis and attaches it to the results.
fn attached(case: &Case, draws: u32, seed: u64) -> Vec<pubeval_scoring::BodyResult> {
    let (engine, table) = case.table();
    let mut results = engine
        .results(&case.input(), &table, ResultOptions { explain: false })
        .unwrap();
    let figures = engine.uncertainty(&table, draws, seed).unwrap();
    let by_body: HashMap<&str, Uncertainty> = case
        .bodies
        .iter()
        .zip(figures)
        .filter_map(|(b, u)| u.map(|u| (b.body_id.as_str(), u)))
        .collect();
    pubeval_scoring::uncertainty::attach(&mut results, &by_body);
    results
}

#[test]
fn a_borderline_warning_that_rests_on_the_total_alone_needs_review() {
    let case = Case::year(2025)
        // Grade D at 59, about a third of the draws reach C: W2.grade_d only.
        .body("d59", d59())
        // The same, with a late report: W2.grade_d and W1.late_report.
        .body("d59_late", d3_eleven(1))
        .incident(
            "d59_late",
            "major_event",
            "general",
            "2025-03-01T00:00:00Z",
            Some("2025-03-05T00:00:00Z"),
        )
        // Grade C at 61, 19 below last year: W1.decline only.
        .body("c61", d3_eleven(0))
        .previous("c61", 80.0)
        // Grade D at 0, never anything else: W2.grade_d, not borderline.
        .body("zero", empty_payload())
        // Grade A, a late report: W1.late_report, not borderline.
        .body("full_late", full_marks_payload())
        .incident(
            "full_late",
            "major_event",
            "general",
            "2025-03-01T00:00:00Z",
            Some("2025-03-05T00:00:00Z"),
        )
        .silent_body("silent");
    let results = attached(&case, 1000, 4);
    let get = |id: &str| results.iter().find(|r| r.body_id == id).unwrap();

    let d59 = get("d59");
    assert_eq!(d59.grade.as_deref(), Some("D"));
    assert!(d59.uncertainty.as_ref().unwrap().borderline);
    let w = d59.warning.as_ref().unwrap();
    assert_eq!(w.reasons, vec!["W2.grade_d"]);
    assert!(
        w.review_required,
        "borderline, and W2.grade_d rests on the total"
    );

    let late = get("d59_late");
    assert_approx(late.total.unwrap(), 59.0, "d59_late");
    assert!(late.uncertainty.as_ref().unwrap().borderline);
    let w = late.warning.as_ref().unwrap();
    assert_eq!(w.reasons, vec!["W2.grade_d", "W1.late_report"]);
    assert!(
        !w.review_required,
        "the late report stands whatever the weights"
    );

    let c61 = get("c61");
    assert!(c61.uncertainty.as_ref().unwrap().borderline);
    let w = c61.warning.as_ref().unwrap();
    assert_eq!(w.reasons, vec!["W1.decline"]);
    assert!(w.review_required, "W1.decline rests on the total");

    let zero = get("zero");
    assert!(!zero.uncertainty.as_ref().unwrap().borderline);
    assert_eq!(zero.warning.as_ref().unwrap().reasons, vec!["W2.grade_d"]);
    assert!(
        !zero.warning.as_ref().unwrap().review_required,
        "not borderline"
    );

    let full_late = get("full_late");
    assert!(!full_late.warning.as_ref().unwrap().review_required);

    let silent = get("silent");
    assert!(silent.uncertainty.is_none());
    assert!(!silent.warning.as_ref().unwrap().review_required);
}

#[test]
fn attach_sets_the_figures_on_each_result() {
    let case = mixed_case();
    let results = attached(&case, 200, 8);
    let figures = analyse(&case, 200, 8);
    for r in &results {
        assert_eq!(r.uncertainty, figures[&r.body_id], "{}", r.body_id);
    }
    // A vetoed body's warning is W3.veto: never for review.
    let vetoed = results.iter().find(|r| r.body_id == "vetoed").unwrap();
    assert!(!vetoed.warning.as_ref().unwrap().review_required);
}

#[test]
fn quantiles_are_nearest_rank() {
    // y has 60% of every dimension's maximum, so its total is 60 in every draw. x has 60
    // points from full D1 and D2, 8 of D3 and 2 of D4: in a draw x is grade C exactly when it
    // is level with or ahead of y, that is when its rank is 1; otherwise it is D and ranks 2.
    // So x's grade shares count its ranks, and the nearest-rank quantiles follow from them:
    // the q-quantile of N draws is 1 when at least ceil(q·N) draws gave rank 1.
    let y = empty_with(json!({
        "leadership_designated": true, "spokesperson_system": true, "annual_plan": true,
        "major_event_reporting_system": true,
        "press_releases": 50, "media_channels": ["website", "wechat", "video", "online_course"],
        "campaigns": ["world_accreditation_day", "lab_open_day", "quality_cert_week",
                      "green_product_week", "organic_product_week", "service_cert_week"],
        "disclosed_items": ["cert_fields", "basic_norms", "cert_rules", "fee_standards",
                            "cert_and_mark_samples", "cert_status"],
        "media_partnerships": 3,
        "dedicated_staff": 3, "public_welfare_activities": 6, "account_security": true,
        "incentive_mechanism": true, "in_annual_report": true
    }));
    let x = with(d59(), json!({"public_welfare_activities": 3}));
    let case = Case::year(2025).body("x", x).body("y", y);
    let r = case.result("y");
    let dims: Vec<f64> = r.dimensions.unwrap().values().copied().collect();
    assert_eq!(dims, vec![12.0, 18.0, 15.0, 9.0, 6.0]);
    assert_approx(case.result("x").total.unwrap(), 60.0, "x");

    let mut boundary_seen = false;
    for draws in [10u32, 20, 21, 39, 40] {
        for seed in 0..8 {
            let figures = analyse(&case, draws, seed);
            let u = figures["x"].clone().unwrap();
            let vy = figures["y"].clone().unwrap();
            assert_eq!(shares(&vy), [0.0, 0.0, 1.0, 0.0], "y stays at 60");
            let ahead = (u.grade_shares["C"] * f64::from(draws)).round() as u32;
            let quantile = |percent: u32| {
                let k = (percent * draws).div_ceil(100).max(1);
                if ahead >= k { 1 } else { 2 }
            };
            let got = (u.rank_q05, u.rank_median, u.rank_q95);
            assert_eq!(
                got,
                (quantile(5), quantile(50), quantile(95)),
                "{draws} draws, seed {seed}: x ahead in {ahead}"
            );
            // Borderline: another grade (D) in 10% or more of the draws.
            assert_eq!(
                u.borderline,
                (draws - ahead) * 10 >= draws,
                "{draws} draws, seed {seed}"
            );
            if ahead == (50 * draws).div_ceil(100) {
                boundary_seen = true;
            }
        }
    }
    assert!(
        boundary_seen,
        "no case put the median right at the boundary"
    );
}
