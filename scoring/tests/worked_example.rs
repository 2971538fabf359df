//! SCHEME.md §7, checked by hand: 80.757242, grade B, a level-1 warning for the late report.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
use common::*;

fn case() -> Case {
    Case::year(2025)
        .body("b1", worked_example_payload())
        .incident(
            "b1",
            "major_event",
            "general",
            "2025-05-01T00:00:00Z",
            Some("2025-05-03T12:00:00Z"),
        )
}

#[test]
fn the_worked_example_scores_80_757242() {
    let r = case().result("b1");
    let dims = r.dimensions.as_ref().unwrap();
    assert!(approx(dims["D1"], 20.0), "{dims:?}");
    assert!(approx(dims["D2"], 24.357242), "{dims:?}");
    assert!(approx(dims["D3"], 18.0), "{dims:?}");
    assert!(approx(dims["D4"], 11.4), "{dims:?}");
    assert!(approx(dims["D5"], 10.0), "{dims:?}");
    assert!(approx(r.deductions["X1"], -3.0));
    let total = r.total.unwrap();
    assert!((total - 80.757242).abs() < 1e-6, "total {total}");
    assert_eq!(r.grade.as_deref(), Some("B"));
    assert_eq!(r.rank, Some(1));
    let warning = r.warning.unwrap();
    assert_eq!(warning.level, 1);
    assert_eq!(warning.reasons, vec!["W1.late_report"]);
    assert_eq!(warning.findings[0].articles, vec![20]);
    assert_eq!(warning.findings[0].incidents.len(), 1);
    assert_eq!(warning.findings[0].incidents[0].hours_to_report, Some(60.0));
}

#[test]
fn the_worked_example_explains_every_indicator() {
    let r = case().result("b1");
    let explanation = r.explanation.unwrap();
    assert_eq!(explanation.indicators.len(), 23);
    let d23 = explanation
        .indicators
        .iter()
        .find(|i| i.code == "D2.3")
        .unwrap();
    assert_eq!(d23.value, Some(120.0));
    assert!(approx(d23.points, 3.857242));
    assert_eq!(d23.max, 5.0);
    assert_eq!(d23.articles, vec![17]);
    let d32 = explanation
        .indicators
        .iter()
        .find(|i| i.code == "D3.2")
        .unwrap();
    assert!(approx(d32.value.unwrap(), 0.9));
    assert!(approx(d32.points, 6.0));
    let sum: f64 = explanation.indicators.iter().map(|i| i.points).sum();
    assert!(approx(sum, 83.757242));
    assert_eq!(explanation.deductions.len(), 1);
    assert_eq!(explanation.deductions[0].code, "X1");
    assert_eq!(explanation.deductions[0].incident_ids, vec!["i1"]);
}
