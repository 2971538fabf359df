//! SCHEME.md §4: competition ranks on the total rounded to 6 decimals, overall and within each
//! category, and the listing order.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
use common::*;
use pubeval_scoring::Category;
use serde_json::{Value, json};

/// A full-marks report brought down to `total` points by turning D1 and D5 bools off.
fn scoring(total: u32) -> Value {
    // The bools in an order whose prefixes reach every multiple of 10 exactly:
    // 4+3+3 = 10, +3+4+3 = 20, +4+3+3 = 30, ...
    let bools = [
        ("policy_approved", 4),
        ("leadership_designated", 3),
        ("spokesperson_system", 3),
        ("annual_plan", 3),
        ("three_reviews", 4),
        ("major_event_reporting_system", 3),
        ("target_responsibility", 4),
        ("incentive_mechanism", 3),
        ("in_annual_report", 3),
    ];
    let mut lost = 100 - total;
    let mut p = full_marks_payload();
    for (field, points) in bools {
        if lost >= points {
            p[field] = json!(false);
            lost -= points;
        }
    }
    assert_eq!(lost, 0, "scoring({total}) cannot be built from the bools");
    p
}

#[test]
fn the_helper_builds_the_totals_it_names() {
    for t in [100, 90, 80, 70] {
        assert_approx(total(scoring(t)), f64::from(t), "scoring");
    }
}

#[test]
fn competition_ranks_share_the_best_rank() {
    let case = Case::year(2025)
        .body("d", scoring(70))
        .body("b", scoring(80))
        .body("a", scoring(90))
        // 80 by another route: full marks less D5 (10), D2.6 (4), D4.5 (3) and D2.5 (3).
        .body(
            "c",
            full_with(json!({
                "target_responsibility": false, "incentive_mechanism": false,
                "in_annual_report": false, "opinion_monitoring": false,
                "account_security": false, "expert_interpretations": 0
            })),
        );
    let ranks: Vec<(String, Option<u32>)> = case
        .score()
        .into_iter()
        .map(|r| (r.body_id, r.rank))
        .collect();
    assert_eq!(
        ranks,
        vec![
            ("a".to_string(), Some(1)),
            ("b".to_string(), Some(2)),
            ("c".to_string(), Some(2)),
            ("d".to_string(), Some(4)),
        ]
    );
}

#[test]
fn three_way_tie_then_the_next_rank_skips_two() {
    let case = Case::year(2025)
        .body("x", scoring(90))
        .body("y", scoring(90))
        .body("z", scoring(90))
        .body("w", scoring(80))
        .body("top", scoring(100));
    let got: Vec<Option<u32>> = ["top", "x", "y", "z", "w"]
        .iter()
        .map(|id| case.result(id).rank)
        .collect();
    assert_eq!(got, vec![Some(1), Some(2), Some(2), Some(2), Some(5)]);
}

#[test]
fn totals_equal_at_6_decimals_tie() {
    // D4.3 gives hours/8: 8 hours give 1, 8.000001 hours give 1.000000125. The totals differ
    // by 1.25e-7 and are equal at 6 decimals.
    let case = Case::year(2025)
        .body("a", full_with(json!({"training_hours": 8})))
        .body("b", full_with(json!({"training_hours": 8.000001})))
        .body("c", full_with(json!({"training_hours": 7.99})));
    let (a, b, c) = (case.result("a"), case.result("b"), case.result("c"));
    assert!(
        b.total.unwrap() > a.total.unwrap(),
        "the stored totals keep full precision"
    );
    assert_eq!(a.rank, Some(1));
    assert_eq!(b.rank, Some(1));
    assert_eq!(c.rank, Some(3));
    assert_eq!(a.grade, b.grade);
}

#[test]
fn totals_differing_by_floating_point_noise_tie() {
    // In decimal arithmetic D4.1 = 4 * (budget / 10000) / 0.005 and D4.3 = 2 * hours / 16:
    // a has budget 2.7 and 8 hours: 0.216 + 1 = 1.216; b has budget 3.0 and 7.808 hours:
    // 0.24 + 0.976 = 1.216. Both totals are 95.216 exactly in decimal; in binary the sums of
    // their parts land on neighbouring doubles (95.21600000000001 and 95.216), which must not
    // separate them.
    let pa = full_with(json!({"publicity_budget_wan": 2.7, "training_hours": 8}));
    let pb = full_with(json!({"publicity_budget_wan": 3.0, "training_hours": 7.808}));
    // The same sums worked in f64 as SCHEME.md writes them, part by part.
    let parts = |budget: f64, hours: f64| -> f64 {
        let d4 = 4.0 * (budget / 10000.0 / 0.005) + 3.0 + 2.0 * (hours / 16.0) + 3.0 + 3.0;
        20.0 + 30.0 + 25.0 + d4 + 10.0
    };
    let (fa, fb) = (parts(2.7, 8.0), parts(3.0, 7.808));
    assert!((fa - 95.216).abs() < 1e-9 && (fb - 95.216).abs() < 1e-9);
    let case = Case::year(2025).body("a", pa).body("b", pb).body(
        "c",
        full_with(json!({"publicity_budget_wan": 2.7, "training_hours": 7.99})),
    );
    let (a, b, c) = (case.result("a"), case.result("b"), case.result("c"));
    assert_approx(a.total.unwrap(), 95.216, "a");
    assert_approx(b.total.unwrap(), 95.216, "b");
    assert_eq!(a.rank, Some(1));
    assert_eq!(b.rank, Some(1));
    assert_eq!(c.rank, Some(3));
}

#[test]
fn ranks_use_6_decimals_not_the_2_shown() {
    // 99.999 and 99.996 both show as 100.00 but are not equal.
    let case = Case::year(2025)
        .body("low", full_with(json!({"training_hours": 15.968}))) // D4.3 1.996
        .body("high", full_with(json!({"training_hours": 15.992}))); // D4.3 1.999
    let (low, high) = (case.result("low"), case.result("high"));
    assert_approx(high.total.unwrap(), 99.999, "high");
    assert_approx(low.total.unwrap(), 99.996, "low");
    assert_eq!(high.rank, Some(1));
    assert_eq!(low.rank, Some(2));
    assert_eq!(case.order(), vec!["high", "low"]);
}

#[test]
fn category_ranks_are_independent_per_category() {
    let case = Case::year(2025)
        .body_in("m90", Category::ManagementSystem, scoring(90))
        .body_in("m80", Category::ManagementSystem, scoring(80))
        .body_in("p70", Category::Product, scoring(70))
        .body_in("p100", Category::Product, scoring(100))
        .body_in("p80", Category::Product, scoring(80))
        .body_in("s70", Category::Service, scoring(70));
    let expect = [
        // id, overall, within the category
        ("p100", 1, 1),
        ("m90", 2, 1),
        ("m80", 3, 2),
        ("p80", 3, 2),
        ("p70", 5, 3),
        ("s70", 5, 1),
    ];
    for (id, overall, within) in expect {
        let r = case.result(id);
        assert_eq!(r.rank, Some(overall), "{id} overall");
        assert_eq!(r.category_rank, Some(within), "{id} in {}", r.category);
    }
    assert_eq!(
        case.order(),
        vec!["p100", "m90", "m80", "p80", "p70", "s70"]
    );
}

#[test]
fn bodies_without_a_report_have_no_rank_and_are_listed_last() {
    let case = Case::year(2025)
        .silent_body("s1")
        .body("a", scoring(70))
        .silent_body("s0")
        .body("b", scoring(90));
    let results = case.score();
    let order: Vec<&str> = results.iter().map(|r| r.body_id.as_str()).collect();
    assert_eq!(order, vec!["b", "a", "s0", "s1"]);
    assert_eq!(results[0].rank, Some(1));
    assert_eq!(
        results[1].rank,
        Some(2),
        "a body without a report takes no rank"
    );
    for r in &results[2..] {
        assert_eq!(r.rank, None);
        assert_eq!(r.category_rank, None);
        assert_eq!(r.total, None);
    }
}

#[test]
fn equal_ranks_are_listed_in_approval_number_order() {
    let case = Case::year(2025)
        .body("b1", scoring(90))
        .body("b2", scoring(90))
        .body("b3", scoring(100))
        .body("b4", scoring(80))
        .body("b5", scoring(90))
        .silent_body("s1")
        .silent_body("s2")
        .approval("b1", "CNCA-R-2003-010")
        .approval("b2", "CNCA-R-2002-001")
        .approval("b3", "CNCA-R-2009-001")
        .approval("b4", "CNCA-R-2001-001")
        .approval("b5", "CNCA-R-2002-007")
        .approval("s1", "CNCA-R-2008-001")
        .approval("s2", "CNCA-R-2000-001");
    assert_eq!(
        case.order(),
        vec!["b3", "b2", "b5", "b1", "b4", "s2", "s1"],
        "rank first, then approval number; bodies without a report last, by approval number"
    );
    let results = case.score();
    assert_eq!(results[1].approval_no.as_deref(), Some("CNCA-R-2002-001"));
    let ranks: Vec<Option<u32>> = results.iter().map(|r| r.rank).collect();
    assert_eq!(
        ranks,
        vec![Some(1), Some(2), Some(2), Some(2), Some(5), None, None]
    );
}

#[test]
fn the_listing_does_not_depend_on_input_order() {
    let build = |ids: &[&str]| {
        let mut case = Case::year(2025);
        for id in ids {
            let t = match *id {
                "a" | "b" => 90,
                "c" => 80,
                _ => 100,
            };
            case = case.body(id, scoring(t));
        }
        case.approval("a", "CNCA-R-2005-001")
            .approval("b", "CNCA-R-2004-001")
            .approval("c", "CNCA-R-2001-001")
            .approval("d", "CNCA-R-2009-001")
            .order()
    };
    let want = vec!["d", "b", "a", "c"];
    assert_eq!(build(&["a", "b", "c", "d"]), want);
    assert_eq!(build(&["d", "c", "b", "a"]), want);
    assert_eq!(build(&["c", "a", "d", "b"]), want);
}

#[test]
fn deductions_change_the_rank() {
    // 100 with a penalty (95) falls behind 97 without one.
    let case = Case::year(2025)
        .body("pen", scoring(100))
        .body("clean", full_with(json!({"annual_plan": false})))
        .incident(
            "pen",
            "administrative_penalty",
            "general",
            "2025-04-01T00:00:00Z",
            None,
        );
    assert_eq!(case.result("clean").rank, Some(1));
    assert_eq!(case.result("pen").rank, Some(2));
}

#[test]
fn an_evaluation_without_any_report_lists_every_body_unranked() {
    let case = Case::year(2025)
        .silent_body("b")
        .silent_body("a")
        .approval("a", "CNCA-R-2010-001")
        .approval("b", "CNCA-R-2002-001");
    assert_eq!(case.order(), vec!["b", "a"]);
    assert!(
        case.score()
            .iter()
            .all(|r| r.rank.is_none() && r.total.is_none())
    );
    assert!(Case::year(2025).score().is_empty());
}
