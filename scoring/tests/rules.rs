//! SCHEME.md §2: every rule kind at and around each boundary, through the engine, and the
//! reference `Rule::points` agreeing with it. Expected points are worked out from the formulas
//! of §2, never read off the engine.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
use common::*;
use pubeval_scoring::scheme::{Rule, Tier, ValueSource};
use serde_json::{Value, json};

/// Every bool indicator with its field and points (SCHEME.md §2 table).
const BOOLS: [(&str, &str, f64); 11] = [
    ("policy_approved", "D1.1", 4.0),
    ("leadership_designated", "D1.2", 3.0),
    ("spokesperson_system", "D1.3", 3.0),
    ("annual_plan", "D1.4", 3.0),
    ("three_reviews", "D1.5", 4.0),
    ("major_event_reporting_system", "D1.6", 3.0),
    ("opinion_monitoring", "D2.6", 4.0),
    ("account_security", "D4.5", 3.0),
    ("target_responsibility", "D5.1", 4.0),
    ("incentive_mechanism", "D5.2", 3.0),
    ("in_annual_report", "D5.3", 3.0),
];

const CHANNELS: [&str; 6] = [
    "website",
    "wechat",
    "video",
    "online_course",
    "weibo",
    "other",
];
const CAMPAIGNS: [&str; 6] = [
    "world_accreditation_day",
    "lab_open_day",
    "quality_cert_week",
    "green_product_week",
    "organic_product_week",
    "service_cert_week",
];
const DISCLOSED: [&str; 6] = [
    "cert_fields",
    "basic_norms",
    "cert_rules",
    "fee_standards",
    "cert_and_mark_samples",
    "cert_status",
];

fn first(members: &[&str], n: usize) -> Value {
    json!(members[..n])
}

fn one(field: &str, value: Value) -> Value {
    let mut m = serde_json::Map::new();
    m.insert(field.into(), value);
    Value::Object(m)
}

/// Points of `code` when `field` of the full-marks report is `value`.
fn full_points(field: &str, value: Value, code: &str) -> f64 {
    points(full_with(one(field, value)), code)
}

/// Points of `code` when `field` of the empty report is `value`.
fn empty_points(field: &str, value: Value, code: &str) -> f64 {
    points(empty_with(one(field, value)), code)
}

#[test]
fn the_reference_reports_score_100_and_0() {
    assert_approx(total(full_marks_payload()), 100.0, "full marks");
    assert_approx(total(empty_payload()), 0.0, "empty report");
}

// ---- bool ----

#[test]
fn bool_rules_give_their_points_when_true_and_nothing_when_false() {
    for (field, code, p) in BOOLS {
        assert_approx(full_points(field, json!(true), code), p, code);
        assert_approx(full_points(field, json!(false), code), 0.0, code);
        assert_approx(empty_points(field, json!(true), code), p, code);
        assert_approx(empty_points(field, json!(false), code), 0.0, code);
        // The rest of the report is untouched: the total moves by exactly p.
        assert_approx(total(full_with(one(field, json!(false)))), 100.0 - p, field);
        assert_approx(total(empty_with(one(field, json!(true)))), p, field);
    }
}

#[test]
fn the_bool_indicators_add_up_to_d1_and_d5() {
    let r = Case::year(2025)
        .body(
            "b",
            empty_with(json!({
                "policy_approved": true, "leadership_designated": true, "spokesperson_system": true,
                "annual_plan": true, "three_reviews": true, "major_event_reporting_system": true,
                "target_responsibility": true, "incentive_mechanism": true, "in_annual_report": true
            })),
        )
        .result("b");
    let dims = r.dimensions.unwrap();
    assert_approx(dims["D1"], 20.0, "D1");
    assert_approx(dims["D5"], 10.0, "D5");
    assert_approx(dims["D2"], 0.0, "D2");
    assert_approx(r.total.unwrap(), 30.0, "total");
}

// ---- per_item ----

#[test]
fn per_item_media_channels_below_at_and_above_the_cap() {
    // per_item(1.5, 6): 1.5 per channel, capped at 6 (reached at 4 channels).
    let expected = [0.0, 1.5, 3.0, 4.5, 6.0, 6.0, 6.0];
    for (n, want) in expected.iter().enumerate() {
        let got = empty_points("media_channels", first(&CHANNELS, n), "D2.2");
        assert_approx(got, *want, &format!("D2.2 with {n} channels"));
    }
    // The worked example's 3 channels are 4.5, 4 are 6, 5 are 6.
    assert_approx(
        full_points("media_channels", first(&CHANNELS, 3), "D2.2"),
        4.5,
        "3",
    );
    assert_approx(
        full_points("media_channels", first(&CHANNELS, 4), "D2.2"),
        6.0,
        "4",
    );
    assert_approx(
        full_points("media_channels", first(&CHANNELS, 5), "D2.2"),
        6.0,
        "5",
    );
}

#[test]
fn per_item_counts_distinct_members_not_their_order() {
    let a = empty_points("media_channels", json!(["other", "weibo"]), "D2.2");
    let b = empty_points("media_channels", json!(["website", "wechat"]), "D2.2");
    assert_approx(a, 3.0, "two channels");
    assert_approx(b, 3.0, "two channels");
}

#[test]
fn per_item_campaigns_and_disclosed_items() {
    // D2.4 per_item(1, 6): the cap is reached only with all 6 campaigns.
    for n in 0..=6 {
        let got = empty_points("campaigns", first(&CAMPAIGNS, n), "D2.4");
        assert_approx(got, n as f64, &format!("D2.4 with {n} campaigns"));
    }
    // D3.1 per_item(2, 12).
    for n in 0..=6 {
        let got = empty_points("disclosed_items", first(&DISCLOSED, n), "D3.1");
        assert_approx(got, 2.0 * n as f64, &format!("D3.1 with {n} items"));
    }
}

// ---- log ----

#[test]
fn log_press_releases_at_0_at_cap_above_and_between() {
    // D2.1 log(50, 6): 6 * min(1, ln(1+v)/ln(51)).
    assert_approx(empty_points("press_releases", json!(0), "D2.1"), 0.0, "0");
    assert_approx(
        empty_points("press_releases", json!(50), "D2.1"),
        6.0,
        "at cap",
    );
    assert_approx(
        empty_points("press_releases", json!(51), "D2.1"),
        6.0,
        "above cap",
    );
    assert_approx(
        empty_points("press_releases", json!(100000), "D2.1"),
        6.0,
        "range max",
    );
    // 6 ln 11 / ln 51 = 3.659209; 6 ln 50 / ln 51 = 5.969781; 6 ln 2 / ln 51 = 1.057749.
    assert_approx(
        empty_points("press_releases", json!(10), "D2.1"),
        3.659209,
        "10",
    );
    assert_approx(
        empty_points("press_releases", json!(49), "D2.1"),
        5.969781,
        "49",
    );
    assert_approx(
        empty_points("press_releases", json!(1), "D2.1"),
        1.057749,
        "1",
    );
    for v in [2u32, 7, 25, 33, 48] {
        let want = 6.0 * (1.0 + f64::from(v)).ln() / 51f64.ln();
        assert_approx(
            empty_points("press_releases", json!(v), "D2.1"),
            want,
            "between",
        );
    }
}

#[test]
fn log_original_posts_at_0_at_cap_above_and_between() {
    // D2.3 log(500, 5): 5 * min(1, ln(1+v)/ln(501)).
    assert_approx(empty_points("original_posts", json!(0), "D2.3"), 0.0, "0");
    assert_approx(
        empty_points("original_posts", json!(500), "D2.3"),
        5.0,
        "at cap",
    );
    assert_approx(
        empty_points("original_posts", json!(501), "D2.3"),
        5.0,
        "above cap",
    );
    assert_approx(
        empty_points("original_posts", json!(1_000_000), "D2.3"),
        5.0,
        "max",
    );
    // 5 ln 121 / ln 501 = 3.857242 (SCHEME.md §7); 5 ln 2 / ln 501 = 0.557496;
    // 5 ln 500 / ln 501 = 4.998393; 5 ln 51 / ln 501 = 3.162357.
    assert_approx(
        empty_points("original_posts", json!(120), "D2.3"),
        3.857242,
        "120",
    );
    assert_approx(
        empty_points("original_posts", json!(1), "D2.3"),
        0.557496,
        "1",
    );
    assert_approx(
        empty_points("original_posts", json!(499), "D2.3"),
        4.998393,
        "499",
    );
    assert_approx(
        empty_points("original_posts", json!(50), "D2.3"),
        3.162357,
        "50",
    );
}

// ---- tiers ----

/// `(value, points)` pairs for a tiers indicator, checked on both reference reports.
fn check_tiers(field: &str, code: &str, cases: &[(u32, f64)]) {
    for (v, want) in cases {
        assert_approx(
            empty_points(field, json!(v), code),
            *want,
            &format!("{code} at {v}"),
        );
        assert_approx(
            full_points(field, json!(v), code),
            *want,
            &format!("{code} at {v} (full report)"),
        );
    }
}

#[test]
fn tiers_expert_interpretations() {
    // D2.5 tiers((1,1),(3,2),(6,3)).
    check_tiers(
        "expert_interpretations",
        "D2.5",
        &[
            (0, 0.0),
            (1, 1.0),
            (2, 1.0),
            (3, 2.0),
            (4, 2.0),
            (5, 2.0),
            (6, 3.0),
            (7, 3.0),
            (10000, 3.0),
        ],
    );
}

#[test]
fn tiers_media_partnerships() {
    // D3.3 tiers((1,2),(3,3),(5,5)).
    check_tiers(
        "media_partnerships",
        "D3.3",
        &[
            (0, 0.0),
            (1, 2.0),
            (2, 2.0),
            (3, 3.0),
            (4, 3.0),
            (5, 5.0),
            (6, 5.0),
            (10000, 5.0),
        ],
    );
}

#[test]
fn tiers_dedicated_staff() {
    // D4.2 tiers((1,2),(3,3)).
    check_tiers(
        "dedicated_staff",
        "D4.2",
        &[
            (0, 0.0),
            (1, 2.0),
            (2, 2.0),
            (3, 3.0),
            (4, 3.0),
            (10000, 3.0),
        ],
    );
}

#[test]
fn tiers_public_welfare_activities() {
    // D4.4 tiers((1,1),(3,2),(6,3)).
    check_tiers(
        "public_welfare_activities",
        "D4.4",
        &[
            (0, 0.0),
            (1, 1.0),
            (2, 1.0),
            (3, 2.0),
            (5, 2.0),
            (6, 3.0),
            (9, 3.0),
            (10000, 3.0),
        ],
    );
}

// ---- linear ----

fn complaints(received: u32, resolved: u32) -> Value {
    full_with(json!({ "complaints_received": received, "complaints_resolved_on_time": resolved }))
}

#[test]
fn linear_complaint_ratio_at_below_and_above_its_bounds() {
    // D3.2 linear(0.6, 1.0, 8) on resolved / received.
    let cases = [
        ((10, 10), 8.0), // at hi
        ((10, 6), 0.0),  // at lo
        ((10, 5), 0.0),  // below lo
        ((10, 0), 0.0),  // far below lo
        ((10, 9), 6.0),  // 8 * 0.3 / 0.4
        ((10, 8), 4.0),  // 8 * 0.2 / 0.4
        ((4, 3), 3.0),   // 0.75: 8 * 0.15 / 0.4
        ((40, 36), 6.0), // the worked example
        ((1000, 999), 8.0 * (0.999 - 0.6) / 0.4),
        ((1, 1), 8.0),
    ];
    for ((received, resolved), want) in cases {
        assert_approx(
            points(complaints(received, resolved), "D3.2"),
            want,
            &format!("D3.2 with {resolved}/{received}"),
        );
    }
}

#[test]
fn no_complaints_received_gives_full_points_and_no_value() {
    // "0 received gives full points": the ratio is undefined, the indicator gives its max.
    assert_approx(points(complaints(0, 0), "D3.2"), 8.0, "0/0");
    assert_approx(
        points(
            empty_with(json!({"complaints_received": 0, "complaints_resolved_on_time": 0})),
            "D3.2",
        ),
        8.0,
        "0/0 on the empty report",
    );
    let r = Case::year(2025).body("b", complaints(0, 0)).result("b");
    assert_approx(r.total.unwrap(), 100.0, "total");
    let d32 = r
        .explanation
        .unwrap()
        .indicators
        .into_iter()
        .find(|i| i.code == "D3.2")
        .unwrap();
    assert_eq!(d32.value, None, "an undefined ratio has no value");
    assert_approx(d32.points, 8.0, "explained points");
    assert!(!d32.value_text.is_empty());
}

#[test]
fn linear_budget_ratio() {
    // D4.1 linear(0, 0.005, 4) on publicity_budget_wan / revenue_wan.
    let budget = |b: f64, r: f64| {
        points(
            full_with(json!({ "publicity_budget_wan": b, "revenue_wan": r })),
            "D4.1",
        )
    };
    assert_approx(budget(0.0, 10000.0), 0.0, "at lo");
    assert_approx(budget(50.0, 10000.0), 4.0, "at hi");
    assert_approx(budget(100.0, 10000.0), 4.0, "above hi");
    assert_approx(budget(1e9, 0.5), 4.0, "far above hi");
    assert_approx(budget(30.0, 10000.0), 2.4, "the worked example: 0.003");
    assert_approx(budget(25.0, 10000.0), 2.0, "half way");
    assert_approx(budget(1.0, 10000.0), 0.08, "0.0001");
    // The ratio, not the budget alone: the same budget on twice the revenue gives half.
    assert_approx(budget(25.0, 20000.0), 1.0, "0.00125");
}

#[test]
fn linear_training_hours() {
    // D4.3 linear(0, 16, 2).
    let cases = [
        (0.0, 0.0),
        (16.0, 2.0),
        (16.5, 2.0),
        (2000.0, 2.0),
        (8.0, 1.0),
        (4.0, 0.5),
        (0.5, 0.0625),
        (12.5, 1.5625),
        (15.999, 2.0 * 15.999 / 16.0),
    ];
    for (h, want) in cases {
        assert_approx(
            full_points("training_hours", json!(h), "D4.3"),
            want,
            &format!("D4.3 at {h} hours"),
        );
    }
}

#[test]
fn the_worked_example_indicators_one_by_one() {
    let p = worked_example_payload();
    let expected = [
        ("D2.1", 6.0),
        ("D2.2", 4.5),
        ("D2.3", 3.857242),
        ("D2.4", 4.0),
        ("D2.5", 2.0),
        ("D3.1", 10.0),
        ("D3.2", 6.0),
        ("D3.3", 2.0),
        ("D4.1", 2.4),
        ("D4.2", 2.0),
        ("D4.3", 1.0),
        ("D4.4", 3.0),
    ];
    let r = Case::year(2025).body("b", p).result("b");
    let indicators = r.indicators.unwrap();
    for (code, want) in expected {
        assert_approx(indicators[code], want, code);
    }
    assert_eq!(indicators.len(), 23);
}

// ---- Rule::points, the reference function ----

#[test]
fn rule_points_follows_the_formulas_of_scheme_md() {
    let b = Rule::Bool { points: 4.0 };
    assert_eq!(b.points(1.0), 4.0);
    assert_eq!(b.points(0.0), 0.0);

    let per_item = Rule::PerItem {
        points: 1.5,
        max: 6.0,
    };
    assert_eq!(per_item.points(3.0), 4.5);
    assert_eq!(per_item.points(4.0), 6.0);
    assert_eq!(per_item.points(5.0), 6.0);

    let log = Rule::Log {
        cap: 50.0,
        max: 6.0,
    };
    assert_eq!(log.points(0.0), 0.0);
    assert_approx(log.points(50.0), 6.0, "log at cap");
    assert_eq!(log.points(1000.0), 6.0);
    assert_approx(log.points(10.0), 3.659209, "log between");

    let tiers = Rule::Tiers {
        tiers: vec![
            Tier {
                at: 1.0,
                points: 1.0,
            },
            Tier {
                at: 3.0,
                points: 2.0,
            },
            Tier {
                at: 6.0,
                points: 3.0,
            },
        ],
    };
    let want = [0.0, 1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0];
    for (v, p) in want.iter().enumerate() {
        assert_eq!(tiers.points(v as f64), *p, "tiers at {v}");
    }
    assert_eq!(tiers.points(0.999), 0.0);
    assert_eq!(tiers.points(2.999), 1.0);

    let linear = Rule::Linear {
        lo: 0.6,
        hi: 1.0,
        max: 8.0,
    };
    assert_eq!(linear.points(0.6), 0.0);
    assert_eq!(linear.points(0.2), 0.0);
    assert_eq!(linear.points(1.0), 8.0);
    assert_eq!(linear.points(1.5), 8.0);
    assert_approx(linear.points(0.9), 6.0, "linear between");
}

/// The value an indicator reads from a JSON report, worked out by hand.
fn value_of(payload: &Value, source: &ValueSource) -> Option<f64> {
    let num = |name: &str| -> f64 {
        match &payload[name] {
            Value::Bool(b) => f64::from(u8::from(*b)),
            v => v.as_f64().unwrap(),
        }
    };
    match source {
        ValueSource::Field(name) => Some(num(name)),
        ValueSource::Count(name) => Some(payload[name].as_array().unwrap().len() as f64),
        ValueSource::Ratio(r) => {
            let den = num(&r.denominator);
            (den != 0.0).then(|| num(&r.numerator) / den)
        }
    }
}

#[test]
fn rule_points_agrees_with_the_engine_on_every_indicator() {
    let payloads = [
        full_marks_payload(),
        empty_payload(),
        worked_example_payload(),
        with(
            worked_example_payload(),
            json!({
                "press_releases": 7, "original_posts": 33, "expert_interpretations": 4,
                "media_partnerships": 4, "dedicated_staff": 1, "training_hours": 3.3,
                "public_welfare_activities": 2, "complaints_received": 7,
                "complaints_resolved_on_time": 5, "publicity_budget_wan": 3.7,
                "revenue_wan": 1234.5, "policy_approved": false,
                "media_channels": ["weibo"], "campaigns": [], "disclosed_items": ["cert_status"]
            }),
        ),
    ];
    let scheme = scheme();
    let mut case = Case::year(2025);
    for (k, p) in payloads.iter().enumerate() {
        case = case.body(&format!("b{k}"), p.clone());
    }
    let results = case.score();
    for (k, p) in payloads.iter().enumerate() {
        let r = results
            .iter()
            .find(|r| r.body_id == format!("b{k}"))
            .unwrap();
        let indicators = r.indicators.as_ref().unwrap();
        let mut sum = 0.0;
        for (_, ind) in scheme.indicators() {
            let want = match value_of(p, &ind.value) {
                Some(v) => ind.rule.points(v),
                // Only D3.2's denominator can be zero here, and it gives full points.
                None => ind.max,
            };
            assert_approx(indicators[&ind.code], want, &format!("b{k} {}", ind.code));
            sum += want;
        }
        assert_approx(r.total.unwrap(), sum.clamp(0.0, 100.0), "total");
    }
}
