//! Each rule kind on small frames whose answer is worked out by hand.

use serde_json::{Map, Value, json};

use super::*;
use crate::scheme::plausibility::PlausibilityRule;

/// The default scheme with these rules instead of its own.
fn scheme_with(rules: Value) -> Scheme {
    let mut doc: Value = serde_json::from_str(crate::scheme::DEFAULT_SCHEME_JSON).unwrap();
    doc["plausibility"] = rules;
    Scheme::from_json(&doc.to_string()).unwrap()
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("an object"),
    }
}

/// One report: its category and its fields (only those the rules read matter).
struct Report {
    category: &'static str,
    current: Value,
    previous: Option<Value>,
}

fn report(category: &'static str, current: Value) -> Report {
    Report {
        category,
        current,
        previous: None,
    }
}

fn run(scheme: &Scheme, reports: &[Report]) -> Vec<Hit> {
    let mut frame = ReportFrame::new(scheme, reports.len());
    for r in reports {
        let previous = r.previous.clone().map(object);
        frame.push_json(
            Peers {
                category: r.category,
                province: "北京",
            },
            &object(r.current.clone()),
            previous.as_ref(),
        );
    }
    compute(scheme, frame).unwrap()
}

fn yoy_scheme() -> Scheme {
    scheme_with(json!([{
        "code": "yoy.press", "kind": "yoy_ratio", "field": "press_releases", "max_ratio": 2,
        "min_change": 5, "severity": "review", "articles": [15],
        "message": "{label}为 {value}，上年 {previous}，变化 {change}，为上年的 {ratio} 倍"
    }]))
}

#[test]
fn yoy_fires_on_a_big_change_in_either_direction_and_not_on_a_small_one() {
    let s = yoy_scheme();
    let with = |now: i64, before: Option<i64>| Report {
        category: "product",
        current: json!({"press_releases": now}),
        previous: before.map(|b| json!({"press_releases": b})),
    };
    let hits = run(
        &s,
        &[
            with(100, Some(10)), // ×10, +90: fires
            with(3, Some(1)),    // ×3 but only +2: below min_change
            with(12, Some(7)),   // +5 but less than ×2
            with(2, Some(40)),   // fell to a twentieth: fires
            with(100, None),     // no report last year: never
            with(9, Some(0)),    // from nothing, +9: fires
        ],
    );
    let rows: Vec<usize> = hits.iter().map(|h| h.row).collect();
    assert_eq!(rows, vec![0, 3, 5]);
    let first = &hits[0];
    assert_eq!(first.rule, "yoy.press");
    assert_eq!(first.field, "press_releases");
    assert_eq!(first.severity, Severity::Review);
    assert_eq!((first.value, first.reference), (100.0, 10.0));
    assert_eq!(
        first.message,
        "新闻发布会及新闻稿件数为 100，上年 10，变化 90，为上年的 10 倍"
    );
    assert_eq!(
        hits[2].message,
        "新闻发布会及新闻稿件数为 9，上年 0，变化 9，为上年的 — 倍"
    );
}

#[test]
fn a_body_without_last_years_value_gets_no_yoy_flag() {
    let s = yoy_scheme();
    let hits = run(
        &s,
        &[Report {
            category: "product",
            current: json!({"press_releases": 1000}),
            // A report last year, without the field (an older scheme).
            previous: Some(json!({"original_posts": 3})),
        }],
    );
    assert!(hits.is_empty(), "{hits:?}");
}

fn peer_scheme(transform: &str) -> Scheme {
    scheme_with(json!([{
        "code": "peer.press", "kind": "peer_outlier", "field": "press_releases", "by": "category",
        "transform": transform, "severity": "review",
        "message": "{label}为 {value}，{group}中位数 {median}，z={score}，同组 {peers} 家"
    }]))
}

fn press(category: &'static str, values: &[i64]) -> Vec<Report> {
    values
        .iter()
        .map(|v| report(category, json!({"press_releases": v})))
        .collect()
}

#[test]
fn peer_outliers_use_the_modified_z_score_within_the_category() {
    let s = peer_scheme("none");
    // Median 10, absolute deviations 0,1,1,2,2,3,3,4,4,90 → MAD 2.5; z(100) = 0.6745·90/2.5.
    let mut reports = press("product", &[10, 9, 11, 8, 12, 7, 13, 6, 14, 100]);
    // The same values in another category of 10: the 100 there is an outlier of its own.
    reports.extend(press("service", &[10, 9, 11, 8, 12, 7, 13, 6, 14, 100]));
    let hits = run(&s, &reports);
    assert_eq!(hits.len(), 2, "{hits:?}");
    assert_eq!((hits[0].row, hits[1].row), (9, 19));
    assert_eq!((hits[0].value, hits[0].reference), (100.0, 10.5));
    let z = 0.6745 * (100.0 - 10.5) / 2.5;
    assert!(
        hits[0].message.contains(&format!("z={z:.1}")),
        "{}",
        hits[0].message
    );
    assert!(
        hits[0].message.contains("产品认证机构中位数 10.5"),
        "{}",
        hits[0].message
    );
    assert!(
        hits[0].message.contains("同组 10 家"),
        "{}",
        hits[0].message
    );
}

#[test]
fn a_group_smaller_than_ten_fires_nothing() {
    let s = peer_scheme("none");
    let hits = run(
        &s,
        &press("product", &[10, 9, 11, 8, 12, 7, 13, 6, 100_000]),
    );
    assert!(hits.is_empty(), "{hits:?}");
}

#[test]
fn a_group_with_mad_zero_uses_the_mean_absolute_deviation() {
    let s = peer_scheme("none");
    // Seven of twelve equal: the median is 5 and so is more than half the group, so MAD is 0.
    // Mean absolute deviation from the median: (0·7 + 1 + 1 + 2 + 3 + 45) / 12 = 52/12.
    let hits = run(
        &s,
        &press("product", &[5, 5, 5, 5, 5, 5, 5, 6, 4, 7, 8, 50]),
    );
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].row, 11);
    assert_eq!(hits[0].reference, 5.0);
    let z = 45.0 / (1.253_314 * 52.0 / 12.0);
    assert!(z > 3.5);
    assert!(
        hits[0].message.contains(&format!("z={z:.1}")),
        "{}",
        hits[0].message
    );
    // The 8 is 3/(1.2533·4.33) ≈ 0.55 from the median: not an outlier.
}

#[test]
fn a_group_of_equal_values_fires_nothing() {
    let s = peer_scheme("none");
    let hits = run(&s, &press("product", &[7; 15]));
    assert!(hits.is_empty(), "{hits:?}");
}

#[test]
fn log1p_compares_orders_of_magnitude_and_only_the_high_side_fires() {
    let s = peer_scheme("log1p");
    let spread = [10, 20, 40, 80, 15, 60, 30, 45, 25];
    let with = |extra: &[i64]| {
        let mut values = spread.to_vec();
        values.extend_from_slice(extra);
        press("management_system", &values)
    };
    // On the log scale 5000 is far out; 0 is far below, but a small figure inflates nothing.
    let hits = run(&s, &with(&[5000, 0]));
    assert_eq!(hits.iter().map(|h| h.row).collect::<Vec<_>>(), vec![9]);
    // 300 is ten times the median: an outlier as reported, not in orders of magnitude.
    assert!(run(&s, &with(&[300])).is_empty());
    let hits = run(&peer_scheme("none"), &with(&[300]));
    assert_eq!(hits.iter().map(|h| h.row).collect::<Vec<_>>(), vec![9]);
}

#[test]
fn ratios_fire_beyond_their_limit_and_never_on_a_zero_denominator() {
    let s = scheme_with(json!([
        {"code": "ratio.budget", "kind": "ratio_max", "numerator": "publicity_budget_wan",
         "denominator": "revenue_wan", "max": 0.05, "severity": "review",
         "message": "{label} {numerator} 万元占{denominator_label} {denominator} 万元的 {ratio_pct}，上限 {limit_pct}"},
        {"code": "ratio.staff", "kind": "ratio_min", "numerator": "revenue_wan",
         "denominator": "dedicated_staff", "field": "dedicated_staff", "min": 20,
         "severity": "info", "message": "{label} {denominator} 人，人均收入 {ratio} 万元，不足 {limit}"}
    ]));
    let row = |budget: f64, revenue: f64, staff: i64| {
        report(
            "product",
            json!({"publicity_budget_wan": budget, "revenue_wan": revenue, "dedicated_staff": staff}),
        )
    };
    let hits = run(
        &s,
        &[
            row(200.0, 1000.0, 2), // 20% of revenue
            row(50.0, 1000.0, 2),  // exactly 5%: not above
            row(10.0, 100.0, 10),  // 10% of revenue; 10 万元 per staff member
            row(10.0, 1000.0, 0),  // no staff: no ratio
        ],
    );
    let found: Vec<(usize, &str, &str)> = hits
        .iter()
        .map(|h| (h.row, h.rule.as_str(), h.field.as_str()))
        .collect();
    assert_eq!(
        found,
        vec![
            (0, "ratio.budget", "publicity_budget_wan"),
            (2, "ratio.budget", "publicity_budget_wan"),
            (2, "ratio.staff", "dedicated_staff"),
        ]
    );
    assert_eq!((hits[0].value, hits[0].reference), (0.2, 0.05));
    assert_eq!(
        hits[0].message,
        "年度宣传预算 200 万元占年度认证业务收入 1000 万元的 20%，上限 5%"
    );
    assert_eq!(
        hits[2].message,
        "专职宣传人员数 10 人，人均收入 10 万元，不足 20"
    );
}

#[test]
fn requires_fires_when_the_backing_is_missing() {
    let s = scheme_with(json!([{
        "code": "requires.spokesperson", "kind": "requires", "if_field": "press_releases",
        "if_min": 20, "then_field": "spokesperson_system", "then_min": 1, "severity": "info",
        "message": "{if_label}为 {if_value}，{then_label}：{then_value}"
    }]));
    let row = |press: i64, spokesperson: bool| {
        report(
            "service",
            json!({"press_releases": press, "spokesperson_system": spokesperson}),
        )
    };
    let hits = run(&s, &[row(30, false), row(30, true), row(19, false)]);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!((hits[0].row, hits[0].field.as_str()), (0, "press_releases"));
    assert_eq!((hits[0].value, hits[0].reference), (30.0, 0.0));
    assert_eq!(
        hits[0].message,
        "新闻发布会及新闻稿件数为 30，实行新闻发言人制度：否"
    );
}

#[test]
fn a_scheme_without_rules_raises_no_flags() {
    let s = scheme_with(json!([]));
    let hits = run(&s, &press("product", &[1, 100_000]));
    assert!(hits.is_empty());
}

#[test]
fn the_default_rules_cover_every_kind_and_name_fields_of_the_scheme() {
    use crate::scheme::PlausibilityKind as K;
    let s = Scheme::default_scheme();
    for kind in [
        K::YoyRatio,
        K::PeerOutlier,
        K::RatioMax,
        K::RatioMin,
        K::Requires,
    ] {
        assert!(
            s.plausibility.iter().any(|r| r.kind == kind),
            "{kind:?} missing from the default scheme"
        );
    }
    let rule: &PlausibilityRule = s.plausibility_rule("ratio.budget_revenue").unwrap();
    assert_eq!(rule.flagged_field(), Some("publicity_budget_wan"));
}
