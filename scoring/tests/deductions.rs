//! SCHEME.md §3: deductions X1–X5 per incident and at their caps, the 48-hour limit, the
//! clamp at 0 and the evaluation year on China Standard Time.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
use common::*;
use pubeval_scoring::BodyResult;

const OCCURRED: &str = "2025-05-01T00:00:00Z";
const ON_TIME: Option<&str> = Some("2025-05-02T00:00:00Z"); // 24 h
const LATE: Option<&str> = Some("2025-05-04T00:00:00Z"); // 72 h

/// A full-marks body (100 points) with `n` incidents of this kind, severity and reporting.
fn full_with_incidents(n: usize, kind: &str, severity: &str, reported: Option<&str>) -> BodyResult {
    let mut case = Case::year(2025).body("b", full_marks_payload());
    for _ in 0..n {
        case = case.incident("b", kind, severity, OCCURRED, reported);
    }
    case.result("b")
}

/// The deduction `code` of a result (0 when it does not apply).
fn deduction(r: &BodyResult, code: &str) -> f64 {
    r.deductions.get(code).copied().unwrap_or(0.0)
}

/// Checks a deduction for 0..=n incidents: `each` per incident up to `cap`.
fn check_deduction(
    code: &str,
    kind: &str,
    severity: &str,
    reported: Option<&str>,
    each: f64,
    cap: f64,
    counts: &[usize],
) {
    for &n in counts {
        let r = full_with_incidents(n, kind, severity, reported);
        let want = (each * n as f64).max(cap);
        assert_approx(
            deduction(&r, code),
            want,
            &format!("{code} with {n} incidents"),
        );
        assert_approx(
            r.total.unwrap(),
            100.0 + want,
            &format!("total, {code} x{n}"),
        );
        // No other deduction applies.
        let others: Vec<&String> = r.deductions.keys().filter(|k| *k != code).collect();
        assert!(others.is_empty(), "{code} x{n}: also {others:?}");
        if n > 0 {
            let ex = r.explanation.unwrap();
            let d = ex.deductions.iter().find(|d| d.code == code).unwrap();
            assert_eq!(
                d.incidents as usize, n,
                "{code}: incidents counted before the cap"
            );
            assert_approx(d.points, want, "explained points");
            assert_eq!(d.incident_ids.len(), n);
        } else {
            assert!(r.deductions.is_empty());
        }
    }
}

#[test]
fn x1_late_report_three_each_capped_at_nine() {
    check_deduction(
        "X1",
        "major_event",
        "general",
        LATE,
        -3.0,
        -9.0,
        &[0, 1, 2, 3, 4, 6],
    );
}

#[test]
fn x2_never_reported_five_each_capped_at_fifteen() {
    check_deduction(
        "X2",
        "major_event",
        "general",
        None,
        -5.0,
        -15.0,
        &[1, 2, 3, 4],
    );
}

#[test]
fn x3_major_negative_opinion_five_each_capped_at_fifteen() {
    check_deduction(
        "X3",
        "negative_opinion",
        "major",
        ON_TIME,
        -5.0,
        -15.0,
        &[1, 3, 4],
    );
    // The body's own report time plays no part for X3.
    check_deduction("X3", "negative_opinion", "major", None, -5.0, -15.0, &[2]);
}

#[test]
fn x3_ignores_general_negative_opinion() {
    for n in [1, 2, 5] {
        let r = full_with_incidents(n, "negative_opinion", "general", ON_TIME);
        assert!(r.deductions.is_empty(), "{:?}", r.deductions);
        assert_approx(r.total.unwrap(), 100.0, "total");
    }
}

#[test]
fn x4_unauthorized_release_five_each_capped_at_ten() {
    check_deduction(
        "X4",
        "unauthorized_release",
        "general",
        ON_TIME,
        -5.0,
        -10.0,
        &[1, 2, 3],
    );
    // Severity is not named in X4's row, so a major one counts the same.
    check_deduction(
        "X4",
        "unauthorized_release",
        "major",
        None,
        -5.0,
        -10.0,
        &[1, 3],
    );
}

#[test]
fn x5_administrative_penalty_five_each_capped_at_ten() {
    check_deduction(
        "X5",
        "administrative_penalty",
        "general",
        ON_TIME,
        -5.0,
        -10.0,
        &[1, 2, 3],
    );
    check_deduction(
        "X5",
        "administrative_penalty",
        "major",
        None,
        -5.0,
        -10.0,
        &[4],
    );
}

#[test]
fn on_time_major_events_and_general_incidents_deduct_nothing() {
    let r = full_with_incidents(5, "major_event", "major", ON_TIME);
    assert!(r.deductions.is_empty());
    assert_approx(r.total.unwrap(), 100.0, "total");
    assert!(r.warning.is_none());
}

#[test]
fn a_major_event_reported_exactly_48_hours_later_is_on_time() {
    let r = Case::year(2025)
        .body("b", full_marks_payload())
        .incident(
            "b",
            "major_event",
            "major",
            "2025-05-01T08:30:00Z",
            Some("2025-05-03T08:30:00Z"),
        )
        .result("b");
    assert!(r.deductions.is_empty(), "{:?}", r.deductions);
    assert_approx(r.total.unwrap(), 100.0, "total");
    assert!(r.warning.is_none());
}

#[test]
fn a_major_event_reported_48_hours_and_one_second_later_is_late() {
    let r = Case::year(2025)
        .body("b", full_marks_payload())
        .incident(
            "b",
            "major_event",
            "major",
            "2025-05-01T08:30:00Z",
            Some("2025-05-03T08:30:01Z"),
        )
        .result("b");
    assert_approx(deduction(&r, "X1"), -3.0, "X1");
    assert!(!r.deductions.contains_key("X2"));
    assert_approx(r.total.unwrap(), 97.0, "total");
}

#[test]
fn a_major_event_never_reported_is_x2_not_x1() {
    let r = full_with_incidents(1, "major_event", "general", None);
    assert_approx(deduction(&r, "X2"), -5.0, "X2");
    assert!(!r.deductions.contains_key("X1"));
    assert_approx(r.total.unwrap(), 95.0, "total");
}

#[test]
fn late_and_never_reported_events_are_counted_separately() {
    let r = Case::year(2025)
        .body("b", full_marks_payload())
        .incident("b", "major_event", "general", OCCURRED, LATE)
        .incident("b", "major_event", "general", OCCURRED, None)
        .incident("b", "major_event", "general", OCCURRED, ON_TIME)
        .result("b");
    assert_approx(deduction(&r, "X1"), -3.0, "X1");
    assert_approx(deduction(&r, "X2"), -5.0, "X2");
    assert_approx(r.total.unwrap(), 92.0, "total");
}

#[test]
fn every_cap_together_takes_59_points() {
    // -9 - 15 - 15 - 10 - 10 = -59.
    let mut case = Case::year(2025).body("b", full_marks_payload());
    for _ in 0..5 {
        case = case
            .incident("b", "major_event", "general", OCCURRED, LATE)
            .incident("b", "major_event", "general", OCCURRED, None)
            .incident("b", "negative_opinion", "major", OCCURRED, None)
            .incident("b", "unauthorized_release", "general", OCCURRED, None)
            .incident("b", "administrative_penalty", "general", OCCURRED, None);
    }
    let r = case.result("b");
    for (code, cap) in [
        ("X1", -9.0),
        ("X2", -15.0),
        ("X3", -15.0),
        ("X4", -10.0),
        ("X5", -10.0),
    ] {
        assert_approx(deduction(&r, code), cap, code);
    }
    assert_approx(r.total.unwrap(), 41.0, "total");
    assert_eq!(r.grade.as_deref(), Some("D"));
}

#[test]
fn the_total_clamps_at_zero() {
    let r = Case::year(2025)
        .body("b", empty_payload())
        .incident("b", "major_event", "general", OCCURRED, None)
        .result("b");
    assert_approx(deduction(&r, "X2"), -5.0, "X2 still shown");
    assert_eq!(r.total, Some(0.0), "not negative");
    assert_eq!(r.grade.as_deref(), Some("D"));

    // A 3-point body with a 5-point deduction: 0, not -2.
    let r = Case::year(2025)
        .body("b", empty_with(serde_json::json!({"annual_plan": true})))
        .incident("b", "administrative_penalty", "general", OCCURRED, None)
        .result("b");
    assert_eq!(r.total, Some(0.0));
}

#[test]
fn incidents_of_other_bodies_do_not_count() {
    let case = Case::year(2025)
        .body("a", full_marks_payload())
        .body("b", full_marks_payload())
        .incident("b", "administrative_penalty", "general", OCCURRED, None);
    assert!(case.result("a").deductions.is_empty());
    assert_approx(case.result("a").total.unwrap(), 100.0, "a");
    assert_approx(case.result("b").total.unwrap(), 95.0, "b");
}

/// The X5 deduction of a full-marks body for 2025 with one penalty at `occurred`.
fn x5_for_2025(occurred: &str) -> f64 {
    let r = Case::year(2025)
        .body("b", full_marks_payload())
        .incident("b", "administrative_penalty", "general", occurred, None)
        .result("b");
    deduction(&r, "X5")
}

#[test]
fn the_evaluation_year_is_read_in_china_standard_time() {
    // 2024-12-31T15:59:59Z is 23:59:59 on 31 December 2024 in Beijing: last year.
    assert_eq!(x5_for_2025("2024-12-31T15:59:59Z"), 0.0);
    // 2024-12-31T16:00:00Z is midnight on 1 January 2025 in Beijing: this year.
    assert_approx(x5_for_2025("2024-12-31T16:00:00Z"), -5.0, "start of 2025");
    assert_approx(x5_for_2025("2025-12-31T15:59:59Z"), -5.0, "end of 2025");
    // 2025-12-31T16:00:00Z is midnight on 1 January 2026 in Beijing: next year.
    assert_eq!(x5_for_2025("2025-12-31T16:00:00Z"), 0.0);
    // SCHEME.md §3's own example: 2025-12-31T17:00:00Z belongs to 2026.
    assert_eq!(x5_for_2025("2025-12-31T17:00:00Z"), 0.0);
    // Far outside.
    assert_eq!(x5_for_2025("2023-06-01T00:00:00Z"), 0.0);
}

#[test]
fn an_incident_counts_in_the_year_it_occurred_not_the_year_it_was_reported() {
    // Occurred on 31 December 2025 in Beijing, reported (late) in January 2026: a 2025 X1,
    // and nothing in 2026.
    let case = |year| {
        Case::year(year)
            .body("b", full_marks_payload())
            .incident(
                "b",
                "major_event",
                "general",
                "2025-12-31T15:00:00Z",
                Some("2026-01-05T00:00:00Z"),
            )
            .result("b")
    };
    assert_approx(deduction(&case(2025), "X1"), -3.0, "2025");
    assert!(case(2026).deductions.is_empty());
    assert!(case(2026).warning.is_none());
}

#[test]
fn incidents_of_last_year_leave_no_trace_in_this_years_result() {
    let r = Case::year(2025)
        .body("b", full_marks_payload())
        .incident("b", "major_event", "general", "2024-12-31T15:59:59Z", None)
        .incident("b", "secret_leak", "major", "2024-12-31T15:59:59Z", None)
        .incident("b", "major_event", "general", "2025-03-01T00:00:00Z", LATE)
        .result("b");
    assert!(!r.deductions.contains_key("X2"));
    assert!(r.vetoes.is_empty());
    assert_approx(r.total.unwrap(), 97.0, "only this year's late report");
    let w = r.warning.unwrap();
    assert_eq!(w.reasons, vec!["W1.late_report"]);
    assert_eq!(w.findings[0].incidents.len(), 1);
    let ex = r.explanation.unwrap();
    assert_eq!(ex.deductions.len(), 1);
    assert_eq!(ex.deductions[0].incident_ids, vec!["i3"]);
}
