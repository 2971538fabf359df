//! SCHEME.md §3 and §4: vetoes V1–V3 force grade D and a level-3 warning, and vetoed bodies
//! rank after every other body.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
use common::*;
use serde_json::json;

const OCCURRED: &str = "2025-07-01T00:00:00Z";

/// (veto code, incident kind, the veto's articles) of SCHEME.md §3.
const VETOES: [(&str, &str, &[u32]); 3] = [
    ("V1", "secret_leak", &[5, 16]),
    ("V2", "false_publicity", &[5, 25]),
    ("V3", "paid_deletion", &[22]),
];

#[test]
fn each_veto_forces_grade_d_even_with_full_marks() {
    for (code, kind, articles) in VETOES {
        for severity in ["general", "major"] {
            let r = Case::year(2025)
                .body("b", full_marks_payload())
                .incident("b", kind, severity, OCCURRED, Some(OCCURRED))
                .result("b");
            assert_eq!(r.grade.as_deref(), Some("D"), "{code} ({severity})");
            assert_eq!(r.vetoes, vec![code.to_string()]);
            // The veto does not change the points: the total is still 100.
            assert_approx(r.total.unwrap(), 100.0, code);
            assert!(r.deductions.is_empty());

            let w = r.warning.expect("a vetoed body is warned");
            assert_eq!(w.level, 3, "{code}");
            assert_eq!(w.level_name, "严重警示");
            assert_eq!(w.reasons, vec!["W3.veto"], "{code}");
            let finding = &w.findings[0];
            assert_eq!(finding.rule, "W3.veto");
            for a in articles.iter().chain(&[32]) {
                assert!(
                    finding.articles.contains(a),
                    "{code}: article {a} missing from {:?}",
                    finding.articles
                );
            }
            let mut want: Vec<u32> = articles.to_vec();
            want.push(32);
            want.sort_unstable();
            assert_eq!(
                finding.articles, want,
                "{code}: exactly the veto's articles and 32"
            );
            assert_eq!(finding.incidents.len(), 1);
            assert_eq!(finding.incidents[0].kind, kind);
            assert!(!finding.depends_on_total);

            let ex = r.explanation.unwrap();
            assert_eq!(ex.vetoes.len(), 1);
            assert_eq!(ex.vetoes[0].code, code);
            assert_eq!(ex.vetoes[0].articles, articles);
        }
    }
}

#[test]
fn several_vetoes_cite_every_article() {
    let r = Case::year(2025)
        .body("b", full_marks_payload())
        .incident("b", "secret_leak", "general", OCCURRED, None)
        .incident("b", "paid_deletion", "general", OCCURRED, None)
        .result("b");
    assert_eq!(r.vetoes, vec!["V1", "V3"]);
    let w = r.warning.unwrap();
    assert_eq!(w.reasons, vec!["W3.veto"]);
    assert_eq!(w.findings[0].articles, vec![5, 16, 22, 32]);
    assert_eq!(w.findings[0].incidents.len(), 2);
}

#[test]
fn a_vetoed_body_ranks_after_every_unvetoed_body_even_a_lower_one() {
    // "low" scores 3 points; "top" scores 100 but is vetoed.
    let case = Case::year(2025)
        .body("top", full_marks_payload())
        .body("low", empty_with(json!({"annual_plan": true})))
        .incident("top", "false_publicity", "general", OCCURRED, None);
    let results = case.score();
    let low = results.iter().find(|r| r.body_id == "low").unwrap();
    let top = results.iter().find(|r| r.body_id == "top").unwrap();
    assert_approx(low.total.unwrap(), 3.0, "low");
    assert_eq!(low.rank, Some(1));
    assert_eq!(top.rank, Some(2));
    assert_eq!(low.category_rank, Some(1));
    assert_eq!(top.category_rank, Some(2));
    assert_eq!(case.order(), vec!["low", "top"]);
}

#[test]
fn a_vetoed_body_ranks_after_an_unvetoed_body_with_zero_points() {
    let case = Case::year(2025)
        .body("zero", empty_payload())
        .body("top", full_marks_payload())
        .incident("top", "paid_deletion", "general", OCCURRED, None);
    assert_eq!(case.result("zero").rank, Some(1));
    assert_eq!(case.result("top").rank, Some(2));
}

#[test]
fn vetoed_bodies_rank_among_themselves_by_total() {
    // Unvetoed: u1 70, u2 30. Vetoed: v1 100, v2 90, v3 90, v4 20.
    let case = Case::year(2025)
        .body("v4", empty_with(json!({
            "policy_approved": true, "leadership_designated": true, "spokesperson_system": true,
            "annual_plan": true, "three_reviews": true, "major_event_reporting_system": true
        })))
        .body("u2", empty_with(json!({
            "policy_approved": true, "leadership_designated": true, "spokesperson_system": true,
            "annual_plan": true, "three_reviews": true, "major_event_reporting_system": true,
            "target_responsibility": true, "incentive_mechanism": true, "in_annual_report": true
        })))
        .body("v2", full_with(json!({"target_responsibility": false, "incentive_mechanism": false, "in_annual_report": false})))
        .body("v1", full_marks_payload())
        .body("u1", full_with(json!({
            "policy_approved": false, "leadership_designated": false, "spokesperson_system": false,
            "annual_plan": false, "three_reviews": false, "major_event_reporting_system": false,
            "target_responsibility": false, "incentive_mechanism": false, "in_annual_report": false
        })))
        .body("v3", full_with(json!({"policy_approved": false, "leadership_designated": false, "spokesperson_system": false})))
        .incident("v1", "secret_leak", "general", OCCURRED, None)
        .incident("v2", "false_publicity", "general", OCCURRED, None)
        .incident("v3", "paid_deletion", "general", OCCURRED, None)
        .incident("v4", "secret_leak", "major", OCCURRED, None);
    let expect = [
        ("u1", 70.0, 1),
        ("u2", 30.0, 2),
        ("v1", 100.0, 3),
        ("v2", 90.0, 4),
        ("v3", 90.0, 4),
        ("v4", 20.0, 6),
    ];
    for (id, total, rank) in expect {
        let r = case.result(id);
        assert_approx(r.total.unwrap(), total, id);
        assert_eq!(r.rank, Some(rank), "{id}");
        assert_eq!(r.category_rank, Some(rank), "{id} (one category)");
        let vetoed = id.starts_with('v');
        assert_eq!(
            r.grade.as_deref() == Some("D"),
            vetoed || total < 60.0,
            "{id}"
        );
    }
    assert_eq!(case.order(), vec!["u1", "u2", "v1", "v2", "v3", "v4"]);
}

#[test]
fn vetoed_bodies_are_ranked_after_the_others_within_their_category_too() {
    use pubeval_scoring::Category;
    let case = Case::year(2025)
        .body_in("p_vetoed", Category::Product, full_marks_payload())
        .body_in("p_low", Category::Product, empty_payload())
        .body_in(
            "m",
            Category::ManagementSystem,
            full_with(json!({"annual_plan": false})),
        )
        .incident("p_vetoed", "secret_leak", "general", OCCURRED, None);
    let p_vetoed = case.result("p_vetoed");
    let p_low = case.result("p_low");
    let m = case.result("m");
    assert_eq!(m.rank, Some(1));
    assert_eq!(p_low.rank, Some(2));
    assert_eq!(p_vetoed.rank, Some(3));
    assert_eq!(p_low.category_rank, Some(1));
    assert_eq!(p_vetoed.category_rank, Some(2));
    assert_eq!(m.category_rank, Some(1));
}

#[test]
fn a_veto_of_last_year_does_not_apply() {
    let r = Case::year(2025)
        .body("b", full_marks_payload())
        .incident("b", "secret_leak", "major", "2024-12-31T15:59:59Z", None)
        .result("b");
    assert_eq!(r.grade.as_deref(), Some("A"));
    assert!(r.vetoes.is_empty());
    assert!(r.warning.is_none());
}

#[test]
fn a_veto_alongside_deductions_keeps_the_deductions() {
    let r = Case::year(2025)
        .body("b", full_marks_payload())
        .incident("b", "paid_deletion", "general", OCCURRED, None)
        .incident("b", "administrative_penalty", "general", OCCURRED, None)
        .result("b");
    assert_approx(r.total.unwrap(), 95.0, "total");
    assert_eq!(r.grade.as_deref(), Some("D"));
    assert_eq!(r.warning.unwrap().reasons, vec!["W3.veto"]);
}
