//! SCHEME.md §5: each risk-warning rule fires exactly when it should, the level is the highest
//! triggered and the reasons follow the table's order.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
use common::*;
use pubeval_scoring::BodyResult;
use serde_json::{Value, json};

const OCCURRED: &str = "2025-06-01T00:00:00Z";
const LATE: Option<&str> = Some("2025-06-04T00:00:00Z"); // 72 h
const ON_TIME: Option<&str> = Some("2025-06-02T00:00:00Z"); // 24 h

/// Full marks without D1 (20) and D5 (10): 70 points, grade C.
fn seventy() -> Value {
    full_with(json!({
        "policy_approved": false, "leadership_designated": false, "spokesperson_system": false,
        "annual_plan": false, "three_reviews": false, "major_event_reporting_system": false,
        "target_responsibility": false, "incentive_mechanism": false, "in_annual_report": false
    }))
}

/// 70 without D2.6 (4), D2.5 (3, no interpretations) and D4.5 (3): 60 points, grade C.
fn sixty() -> Value {
    with(
        seventy(),
        json!({"opinion_monitoring": false, "expert_interpretations": 0, "account_security": false}),
    )
}

/// 60 with 3 instead of 6 welfare activities (D4.4 2 instead of 3): 59 points, grade D.
fn fifty_nine() -> Value {
    with(sixty(), json!({"public_welfare_activities": 3}))
}

/// Full marks without D1 (20): 80 points, grade B.
fn eighty() -> Value {
    full_with(json!({
        "policy_approved": false, "leadership_designated": false, "spokesperson_system": false,
        "annual_plan": false, "three_reviews": false, "major_event_reporting_system": false
    }))
}

fn reasons(r: &BodyResult) -> Vec<String> {
    r.warning
        .as_ref()
        .map(|w| w.reasons.clone())
        .unwrap_or_default()
}

fn articles_of(r: &BodyResult, rule: &str) -> Vec<u32> {
    r.warning
        .as_ref()
        .unwrap()
        .findings
        .iter()
        .find(|f| f.rule == rule)
        .unwrap()
        .articles
        .clone()
}

#[test]
fn the_reference_totals_are_what_the_helpers_say() {
    assert_approx(total(seventy()), 70.0, "seventy");
    assert_approx(total(sixty()), 60.0, "sixty");
    assert_approx(total(fifty_nine()), 59.0, "fifty_nine");
    assert_approx(total(eighty()), 80.0, "eighty");
}

#[test]
fn no_rule_fires_for_a_clean_body() {
    for p in [
        full_marks_payload(),
        worked_example_payload(),
        seventy(),
        sixty(),
        eighty(),
    ] {
        let r = Case::year(2025)
            .body("b", p)
            .incident("b", "major_event", "major", OCCURRED, ON_TIME)
            .incident("b", "negative_opinion", "general", OCCURRED, None)
            .incident(
                "b",
                "administrative_penalty",
                "general",
                "2024-06-01T00:00:00Z",
                None,
            )
            .result("b");
        assert!(r.warning.is_none(), "{:?}", r.warning);
        assert_eq!(r.warning_level(), 0);
    }
}

// ---- W3.negative_impact ----

#[test]
fn two_major_negative_opinions_give_a_level_3_warning() {
    let r = Case::year(2025)
        .body("b", full_marks_payload())
        .incident("b", "negative_opinion", "major", OCCURRED, None)
        .incident(
            "b",
            "negative_opinion",
            "major",
            "2025-09-01T00:00:00Z",
            Some("2025-09-02T00:00:00Z"),
        )
        .result("b");
    // The body is still grade A (90): the warning rests on the incidents alone.
    assert_eq!(r.grade.as_deref(), Some("A"));
    let w = r.warning.as_ref().unwrap();
    assert_eq!(w.level, 3);
    assert_eq!(w.level_name, "严重警示");
    assert_eq!(w.reasons, vec!["W3.negative_impact"]);
    assert_eq!(articles_of(&r, "W3.negative_impact"), vec![32]);
    assert_eq!(w.findings[0].incidents.len(), 2);
    assert!(!w.findings[0].summary.is_empty());
}

#[test]
fn one_major_negative_opinion_is_not_enough() {
    let r = Case::year(2025)
        .body("b", full_marks_payload())
        .incident("b", "negative_opinion", "major", OCCURRED, None)
        .result("b");
    assert_approx(r.deductions["X3"], -5.0, "X3 still applies");
    assert!(r.warning.is_none(), "{:?}", r.warning);
}

#[test]
fn general_negative_opinions_do_not_count_toward_negative_impact() {
    let r = Case::year(2025)
        .body("b", full_marks_payload())
        .incident("b", "negative_opinion", "major", OCCURRED, None)
        .incident("b", "negative_opinion", "general", OCCURRED, None)
        .incident("b", "negative_opinion", "general", OCCURRED, None)
        .result("b");
    assert!(r.warning.is_none(), "{:?}", r.warning);
}

#[test]
fn negative_impact_counts_incidents_beyond_the_deduction_cap() {
    // Four counted incidents: X3 is capped at -15, the rule still sees them all.
    let mut case = Case::year(2025).body("b", full_marks_payload());
    for _ in 0..4 {
        case = case.incident("b", "negative_opinion", "major", OCCURRED, None);
    }
    let r = case.result("b");
    assert_approx(r.total.unwrap(), 85.0, "total");
    assert_eq!(reasons(&r), vec!["W3.negative_impact"]);
    assert_eq!(r.warning.unwrap().findings[0].incidents.len(), 4);
}

// ---- W2.grade_d ----

#[test]
fn grade_d_without_a_veto_gives_a_level_2_warning() {
    let r = Case::year(2025).body("b", fifty_nine()).result("b");
    assert_eq!(r.grade.as_deref(), Some("D"));
    let w = r.warning.as_ref().unwrap();
    assert_eq!(w.level, 2);
    assert_eq!(w.level_name, "警示");
    assert_eq!(w.reasons, vec!["W2.grade_d"]);
    assert_eq!(articles_of(&r, "W2.grade_d"), vec![32]);
    assert!(w.findings[0].depends_on_total);
    assert!(!w.review_required, "no uncertainty analysis was attached");
}

#[test]
fn exactly_60_is_grade_c_and_not_warned() {
    let r = Case::year(2025).body("b", sixty()).result("b");
    assert_eq!(r.grade.as_deref(), Some("C"));
    assert!(r.warning.is_none());
}

#[test]
fn grade_d_is_judged_on_the_total_rounded_to_6_decimals() {
    // D4.3 gives hours/8: 15.999992 hours lose 0.000001 points, 15.9999968 lose 0.0000004.
    let r = Case::year(2025)
        .body("b", with(sixty(), json!({"training_hours": 15.999992})))
        .result("b");
    assert_approx(r.total.unwrap(), 59.999999, "total");
    assert_eq!(r.grade.as_deref(), Some("D"));
    assert_eq!(reasons(&r), vec!["W2.grade_d"]);

    let r = Case::year(2025)
        .body("b", with(sixty(), json!({"training_hours": 15.9999968})))
        .result("b");
    assert!(
        r.total.unwrap() < 60.0,
        "the stored total keeps full precision"
    );
    assert_eq!(
        r.grade.as_deref(),
        Some("C"),
        "59.9999996 is 60.000000 at 6 decimals"
    );
    assert!(r.warning.is_none());
}

#[test]
fn grade_d_from_deductions_is_warned_too() {
    // 100 - 10 (two penalties) - 10 (two unauthorized releases) - 15 (three never reported)
    // - 9 (three late) = 56.
    let mut case = Case::year(2025).body("b", full_marks_payload());
    for _ in 0..3 {
        case = case
            .incident("b", "major_event", "general", OCCURRED, LATE)
            .incident("b", "major_event", "general", OCCURRED, None);
    }
    for _ in 0..2 {
        case = case
            .incident("b", "administrative_penalty", "general", OCCURRED, None)
            .incident("b", "unauthorized_release", "general", OCCURRED, None);
    }
    let r = case.result("b");
    assert_approx(r.total.unwrap(), 56.0, "total");
    assert_eq!(
        reasons(&r),
        vec![
            "W2.grade_d",
            "W2.unreported",
            "W1.late_report",
            "W1.unauthorized_release"
        ]
    );
    assert_eq!(r.warning.unwrap().level, 2);
}

#[test]
fn a_vetoed_body_gets_w3_veto_and_not_w2_grade_d() {
    let r = Case::year(2025)
        .body("b", fifty_nine())
        .incident("b", "false_publicity", "general", OCCURRED, None)
        .result("b");
    assert_eq!(r.grade.as_deref(), Some("D"));
    assert_eq!(reasons(&r), vec!["W3.veto"]);
    assert_eq!(r.warning.unwrap().level, 3);
}

// ---- W2.not_submitted and the rules that still fire without a report ----

#[test]
fn a_body_without_a_report_is_warned_and_not_scored() {
    let r = Case::year(2025)
        .body("a", full_marks_payload())
        .silent_body("s")
        .previous("s", 95.0)
        .result("s");
    assert!(!r.submitted);
    assert_eq!(r.total, None);
    assert_eq!(r.grade, None);
    assert_eq!(r.rank, None);
    assert_eq!(r.category_rank, None);
    assert_eq!(r.dimensions, None);
    assert_eq!(r.indicators, None);
    let w = r.warning.as_ref().unwrap();
    assert_eq!(w.level, 2);
    assert_eq!(
        w.reasons,
        vec!["W2.not_submitted"],
        "no W2.grade_d, no W1.decline"
    );
    assert_eq!(articles_of(&r, "W2.not_submitted"), vec![32]);
    assert!(!w.findings[0].depends_on_total);
}

#[test]
fn incident_rules_still_fire_for_a_body_without_a_report() {
    // Incidents added in reverse order of the table: the reasons follow the table.
    let r = Case::year(2025)
        .body("a", full_marks_payload())
        .silent_body("s")
        .previous("s", 100.0)
        .incident("s", "unauthorized_release", "general", OCCURRED, None)
        .incident("s", "major_event", "general", OCCURRED, LATE)
        .incident("s", "major_event", "general", OCCURRED, None)
        .incident("s", "secret_leak", "general", OCCURRED, None)
        .result("s");
    assert_eq!(r.total, None);
    assert_eq!(r.grade, None, "a veto gives no grade without a report");
    assert_eq!(r.rank, None);
    assert_eq!(r.vetoes, vec!["V1"]);
    let w = r.warning.as_ref().unwrap();
    assert_eq!(w.level, 3);
    assert_eq!(
        w.reasons,
        vec![
            "W3.veto",
            "W2.not_submitted",
            "W2.unreported",
            "W1.late_report",
            "W1.unauthorized_release"
        ]
    );
    assert_eq!(articles_of(&r, "W3.veto"), vec![5, 16, 32]);
    assert_eq!(articles_of(&r, "W2.unreported"), vec![14, 20]);
    assert_eq!(articles_of(&r, "W1.late_report"), vec![20]);
    assert_eq!(articles_of(&r, "W1.unauthorized_release"), vec![14, 16]);
}

#[test]
fn each_incident_rule_alone_for_a_body_without_a_report() {
    let cases: [(&str, Option<&str>, &str, u8); 3] = [
        ("major_event", None, "W2.unreported", 2),
        ("major_event", LATE, "W1.late_report", 2),
        (
            "unauthorized_release",
            ON_TIME,
            "W1.unauthorized_release",
            2,
        ),
    ];
    for (kind, reported, rule, level) in cases {
        let r = Case::year(2025)
            .silent_body("s")
            .incident("s", kind, "general", OCCURRED, reported)
            .result("s");
        assert_eq!(reasons(&r), vec!["W2.not_submitted", rule], "{rule}");
        assert_eq!(r.warning.unwrap().level, level);
    }
}

// ---- W2.unreported, W1.late_report, W1.unauthorized_release ----

/// An incident kind, when it was reported, the rule it fires, its level and articles.
type RuleCase = (
    &'static str,
    Option<&'static str>,
    &'static str,
    u8,
    &'static [u32],
);

#[test]
fn each_incident_rule_alone_for_a_full_marks_body() {
    let cases: [RuleCase; 3] = [
        ("major_event", None, "W2.unreported", 2, &[14, 20]),
        ("major_event", LATE, "W1.late_report", 1, &[20]),
        (
            "unauthorized_release",
            ON_TIME,
            "W1.unauthorized_release",
            1,
            &[14, 16],
        ),
    ];
    for (kind, reported, rule, level, articles) in cases {
        let r = Case::year(2025)
            .body("b", full_marks_payload())
            .incident("b", kind, "general", OCCURRED, reported)
            .result("b");
        assert_eq!(reasons(&r), vec![rule]);
        assert_eq!(r.warning_level(), level, "{rule}");
        assert_eq!(articles_of(&r, rule), articles, "{rule}");
        let w = r.warning.unwrap();
        assert_eq!(w.findings[0].incidents.len(), 1);
        assert_eq!(w.findings[0].incidents[0].id.as_deref(), Some("i1"));
        let name = if level == 1 { "提示" } else { "警示" };
        assert_eq!(w.level_name, name);
    }
}

#[test]
fn an_on_time_report_fires_no_rule_and_a_late_one_cites_its_hours() {
    let r = Case::year(2025)
        .body("b", full_marks_payload())
        .incident(
            "b",
            "major_event",
            "general",
            OCCURRED,
            Some("2025-06-03T00:00:00Z"),
        )
        .incident(
            "b",
            "major_event",
            "general",
            OCCURRED,
            Some("2025-06-03T00:00:01Z"),
        )
        .result("b");
    let w = r.warning.unwrap();
    assert_eq!(w.reasons, vec!["W1.late_report"]);
    let cited = &w.findings[0].incidents;
    assert_eq!(cited.len(), 1, "only the late report is evidence");
    assert_eq!(cited[0].id.as_deref(), Some("i2"));
    let hours = cited[0].hours_to_report.unwrap();
    assert!((hours - (48.0 + 1.0 / 3600.0)).abs() < 1e-9, "{hours}");
}

// ---- W1.decline ----

fn decline_case(payload: Value, previous: f64) -> BodyResult {
    Case::year(2025)
        .body("b", payload)
        .previous("b", previous)
        .result("b")
}

#[test]
fn a_fall_of_exactly_10_points_in_grade_c_fires_decline() {
    let r = decline_case(seventy(), 80.0);
    assert_eq!(r.grade.as_deref(), Some("C"));
    let w = r.warning.as_ref().unwrap();
    assert_eq!(w.level, 1);
    assert_eq!(w.level_name, "提示");
    assert_eq!(w.reasons, vec!["W1.decline"]);
    assert_eq!(articles_of(&r, "W1.decline"), vec![32]);
    assert!(w.findings[0].depends_on_total);
}

#[test]
fn decline_compares_the_difference_rounded_to_6_decimals() {
    // 10.0000004 rounds to 10.000000: fires.
    assert_eq!(
        reasons(&decline_case(seventy(), 80.0000004)),
        vec!["W1.decline"]
    );
    // 9.9999994 rounds to 9.999999: does not.
    assert!(decline_case(seventy(), 79.9999994).warning.is_none());
    assert!(decline_case(seventy(), 79.99999).warning.is_none());
    // A larger fall fires.
    assert_eq!(reasons(&decline_case(seventy(), 95.0)), vec!["W1.decline"]);
    // 69.999 (training 15.992 hours give 1.999) against 79.999: exactly 10 in decimal,
    // 9.99999999999999 in binary; rounded it is 10.000000 and fires.
    let p = with(seventy(), json!({"training_hours": 15.992}));
    let r = decline_case(p, 79.999);
    assert_approx(r.total.unwrap(), 69.999, "total");
    assert_eq!(reasons(&r), vec!["W1.decline"]);
}

#[test]
fn decline_needs_grade_c() {
    // Grade B with a 20-point fall.
    let r = decline_case(eighty(), 100.0);
    assert_eq!(r.grade.as_deref(), Some("B"));
    assert!(r.warning.is_none());
    // Grade A with a 10-point fall.
    let r = decline_case(
        full_with(
            json!({"target_responsibility": false, "incentive_mechanism": false, "in_annual_report": false}),
        ),
        100.0,
    );
    assert_eq!(r.grade.as_deref(), Some("A"));
    assert!(r.warning.is_none());
    // Grade D with a 41-point fall: W2.grade_d, not W1.decline.
    let r = decline_case(fifty_nine(), 100.0);
    assert_eq!(reasons(&r), vec!["W2.grade_d"]);
    // Grade C at exactly 60 with a 10-point fall fires.
    assert_eq!(reasons(&decline_case(sixty(), 70.0)), vec!["W1.decline"]);
}

#[test]
fn decline_needs_a_previous_total_and_a_fall() {
    let r = Case::year(2025).body("b", seventy()).result("b");
    assert!(r.warning.is_none(), "no previous total");
    assert!(decline_case(seventy(), 60.0).warning.is_none(), "a rise");
    assert!(decline_case(seventy(), 70.0).warning.is_none(), "no change");
}

#[test]
fn a_vetoed_body_never_gets_decline() {
    let r = Case::year(2025)
        .body("b", seventy())
        .previous("b", 100.0)
        .incident("b", "paid_deletion", "general", OCCURRED, None)
        .result("b");
    assert_eq!(reasons(&r), vec!["W3.veto"]);
}

// ---- several rules at once ----

#[test]
fn every_rule_that_fires_is_listed_in_the_tables_order_at_the_highest_level() {
    let r = Case::year(2025)
        .body("b", empty_payload())
        .incident("b", "unauthorized_release", "general", OCCURRED, None)
        .incident("b", "major_event", "general", OCCURRED, LATE)
        .incident("b", "major_event", "general", OCCURRED, None)
        .incident("b", "negative_opinion", "major", OCCURRED, None)
        .incident("b", "negative_opinion", "major", OCCURRED, None)
        .result("b");
    let w = r.warning.unwrap();
    assert_eq!(w.level, 3);
    assert_eq!(
        w.reasons,
        vec![
            "W3.negative_impact",
            "W2.grade_d",
            "W2.unreported",
            "W1.late_report",
            "W1.unauthorized_release"
        ]
    );
    let levels: Vec<u8> = w.findings.iter().map(|f| f.level).collect();
    assert_eq!(levels, vec![3, 2, 2, 1, 1]);
    let rules: Vec<&str> = w.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, w.reasons);
}

#[test]
fn a_veto_with_every_incident_rule() {
    let r = Case::year(2025)
        .body("b", empty_payload())
        .incident("b", "unauthorized_release", "general", OCCURRED, None)
        .incident("b", "major_event", "general", OCCURRED, LATE)
        .incident("b", "major_event", "general", OCCURRED, None)
        .incident("b", "negative_opinion", "major", OCCURRED, None)
        .incident("b", "negative_opinion", "major", OCCURRED, None)
        .incident("b", "false_publicity", "general", OCCURRED, None)
        .result("b");
    assert_eq!(
        reasons(&r),
        vec![
            "W3.veto",
            "W3.negative_impact",
            "W2.unreported",
            "W1.late_report",
            "W1.unauthorized_release"
        ]
    );
}

#[test]
fn the_level_is_the_highest_triggered() {
    // Grade D (2) and a late report (1): level 2.
    let r = Case::year(2025)
        .body("b", fifty_nine())
        .incident("b", "major_event", "general", OCCURRED, LATE)
        .result("b");
    // 59 - 3 = 56.
    assert_approx(r.total.unwrap(), 56.0, "total");
    assert_eq!(reasons(&r), vec!["W2.grade_d", "W1.late_report"]);
    assert_eq!(r.warning_level(), 2);

    // Decline (1) and an unauthorized release (1): level 1, decline first.
    let p = full_with(json!({
        "policy_approved": false, "leadership_designated": false, "spokesperson_system": false,
        "annual_plan": false, "three_reviews": false, "major_event_reporting_system": false,
        "target_responsibility": false, "incentive_mechanism": false, "in_annual_report": false
    }));
    let r = Case::year(2025)
        .body("b", with(p, json!({"expert_interpretations": 3})))
        .previous("b", 79.0)
        .incident("b", "unauthorized_release", "general", OCCURRED, None)
        .result("b");
    // 70 - 1 (D2.5: 2 instead of 3) - 5 = 64; 79 - 64 = 15.
    assert_approx(r.total.unwrap(), 64.0, "total");
    assert_eq!(reasons(&r), vec!["W1.decline", "W1.unauthorized_release"]);
    assert_eq!(r.warning_level(), 1);
}
