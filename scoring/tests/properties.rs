//! Properties over random valid reports and incidents, checked against SCHEME.md worked
//! independently in this file (its tables written out by hand, not read from the scheme).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
use chrono::{DateTime, Utc};
use common::*;
use proptest::prelude::*;
use pubeval_scoring::{BodyResult, Category, Incident};
use serde_json::{Value, json};

const BOOL_FIELDS: [(&str, f64); 11] = [
    ("policy_approved", 4.0),
    ("leadership_designated", 3.0),
    ("spokesperson_system", 3.0),
    ("annual_plan", 3.0),
    ("three_reviews", 4.0),
    ("major_event_reporting_system", 3.0),
    ("opinion_monitoring", 4.0),
    ("account_security", 3.0),
    ("target_responsibility", 4.0),
    ("incentive_mechanism", 3.0),
    ("in_annual_report", 3.0),
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
const KINDS: [&str; 7] = [
    "major_event",
    "negative_opinion",
    "unauthorized_release",
    "administrative_penalty",
    "secret_leak",
    "false_publicity",
    "paid_deletion",
];

/// 2024-12-31T16:00:00Z and 2025-12-31T16:00:00Z: evaluation year 2025 in Beijing.
const YEAR_START: i64 = 1_735_660_800;
const YEAR_END: i64 = 1_767_196_800;

// ---- generators ----

fn members(all: &[&str; 6], mask: u8) -> Value {
    json!(
        all.iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, m)| *m)
            .collect::<Vec<_>>()
    )
}

/// A count: mostly around the scheme's thresholds, sometimes anywhere in its range.
fn count(max: u32) -> impl Strategy<Value = u32> {
    prop_oneof![4 => 0u32..=12, 1 => 0..=max]
}

fn complaints() -> impl Strategy<Value = (u32, u32)> {
    prop_oneof![
        3 => (0u32..=20).prop_flat_map(|r| (Just(r), 0..=r)),
        1 => (0u32..=1_000_000).prop_flat_map(|r| (Just(r), 0..=r)),
    ]
}

/// A random valid report: every field within its range.
fn payload() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(any::<bool>(), 11),
        (0u8..64, 0u8..64, 0u8..64),
        (
            count(100_000),
            count(1_000_000),
            count(10_000),
            count(10_000),
        ),
        (count(10_000), count(10_000)),
        complaints(),
        (
            prop_oneof![Just(0.0), 0.0..200.0, 0.0..1e7],
            prop_oneof![0.01..20_000.0, 1e-3..1e9],
            prop_oneof![Just(0.0), Just(16.0), 0.0..=40.0, 0.0..=2000.0],
        ),
    )
        .prop_map(
            |(
                bools,
                (ch, ca, di),
                (press, posts, experts, media),
                (staff, welfare),
                (rec, res),
                (budget, revenue, hours),
            )| {
                let mut p = json!({
                    "press_releases": press, "media_channels": members(&CHANNELS, ch),
                    "original_posts": posts, "campaigns": members(&CAMPAIGNS, ca),
                    "expert_interpretations": experts, "disclosed_items": members(&DISCLOSED, di),
                    "complaints_received": rec, "complaints_resolved_on_time": res,
                    "media_partnerships": media, "publicity_budget_wan": budget,
                    "revenue_wan": revenue, "dedicated_staff": staff, "training_hours": hours,
                    "public_welfare_activities": welfare
                });
                for ((field, _), b) in BOOL_FIELDS.iter().zip(bools) {
                    p[*field] = json!(b);
                }
                p
            },
        )
}

#[derive(Debug, Clone)]
struct GenIncident {
    body: usize,
    kind: usize,
    major: bool,
    occurred: i64,
    delay: Option<i64>,
}

fn instant() -> impl Strategy<Value = i64> {
    prop_oneof![
        6 => YEAR_START..YEAR_END,
        1 => YEAR_START - 5..YEAR_START + 5,
        1 => YEAR_END - 5..YEAR_END + 5,
        1 => YEAR_START - 40 * 86_400..YEAR_END + 40 * 86_400,
    ]
}

fn delay() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![
        1 => Just(None),
        1 => (48 * 3600 - 2..=48 * 3600 + 2i64).prop_map(Some),
        2 => (0..200 * 3600i64).prop_map(Some),
    ]
}

fn incidents(bodies: usize, max: usize) -> impl Strategy<Value = Vec<GenIncident>> {
    prop::collection::vec(
        (0..bodies, 0..KINDS.len(), any::<bool>(), instant(), delay()).prop_map(
            |(body, kind, major, occurred, delay)| GenIncident {
                body,
                kind,
                major,
                occurred,
                delay,
            },
        ),
        0..=max,
    )
}

#[derive(Debug, Clone)]
struct GenBody {
    payload: Option<Value>,
    category: Category,
    previous: Option<f64>,
}

fn body() -> impl Strategy<Value = GenBody> {
    (
        prop_oneof![6 => payload().prop_map(Some), 1 => Just(None)],
        prop::sample::select(Category::ALL.to_vec()),
        prop_oneof![Just(None), (0.0..=100.0f64).prop_map(Some)],
    )
        .prop_map(|(payload, category, previous)| GenBody {
            payload,
            category,
            previous,
        })
}

fn at_secs(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap()
}

fn build(bodies: &[GenBody], incidents: &[GenIncident]) -> Case {
    let mut case = Case::year(2025);
    for (i, b) in bodies.iter().enumerate() {
        let id = format!("b{i}");
        case = match &b.payload {
            Some(p) => case.body_in(&id, b.category, p.clone()),
            None => case.silent_body(&id),
        };
        let last = case.bodies.last_mut().unwrap();
        last.category = b.category;
        last.previous_total = b.previous;
    }
    for (k, x) in incidents.iter().enumerate() {
        case.incidents.push(Incident {
            id: Some(format!("x{k}")),
            body_id: format!("b{}", x.body),
            kind: KINDS[x.kind].into(),
            severity: if x.major { "major" } else { "general" }.into(),
            occurred_at: at_secs(x.occurred),
            reported_at: x.delay.map(|d| at_secs(x.occurred + d)),
        });
    }
    case
}

// ---- SCHEME.md, worked by hand ----

fn num(p: &Value, field: &str) -> f64 {
    p[field].as_f64().unwrap()
}

fn on(p: &Value, field: &str) -> bool {
    p[field].as_bool().unwrap()
}

fn len(p: &Value, field: &str) -> f64 {
    p[field].as_array().unwrap().len() as f64
}

fn log_rule(v: f64, cap: f64, max: f64) -> f64 {
    max * ((1.0 + v).ln() / (1.0 + cap).ln()).min(1.0)
}

fn tiers(v: f64, tiers: &[(f64, f64)]) -> f64 {
    tiers
        .iter()
        .rev()
        .find(|(t, _)| v >= *t)
        .map_or(0.0, |(_, p)| *p)
}

fn linear(v: f64, lo: f64, hi: f64, max: f64) -> f64 {
    max * ((v - lo) / (hi - lo)).clamp(0.0, 1.0)
}

/// SCHEME.md §2: the points of every indicator, in table order.
fn expected_points(p: &Value) -> Vec<(&'static str, f64)> {
    let b = |f: &str, pts: f64| if on(p, f) { pts } else { 0.0 };
    let received = num(p, "complaints_received");
    let d32 = if received == 0.0 {
        8.0
    } else {
        linear(
            num(p, "complaints_resolved_on_time") / received,
            0.6,
            1.0,
            8.0,
        )
    };
    vec![
        ("D1.1", b("policy_approved", 4.0)),
        ("D1.2", b("leadership_designated", 3.0)),
        ("D1.3", b("spokesperson_system", 3.0)),
        ("D1.4", b("annual_plan", 3.0)),
        ("D1.5", b("three_reviews", 4.0)),
        ("D1.6", b("major_event_reporting_system", 3.0)),
        ("D2.1", log_rule(num(p, "press_releases"), 50.0, 6.0)),
        ("D2.2", (1.5 * len(p, "media_channels")).min(6.0)),
        ("D2.3", log_rule(num(p, "original_posts"), 500.0, 5.0)),
        ("D2.4", len(p, "campaigns").min(6.0)),
        (
            "D2.5",
            tiers(
                num(p, "expert_interpretations"),
                &[(1.0, 1.0), (3.0, 2.0), (6.0, 3.0)],
            ),
        ),
        ("D2.6", b("opinion_monitoring", 4.0)),
        ("D3.1", (2.0 * len(p, "disclosed_items")).min(12.0)),
        ("D3.2", d32),
        (
            "D3.3",
            tiers(
                num(p, "media_partnerships"),
                &[(1.0, 2.0), (3.0, 3.0), (5.0, 5.0)],
            ),
        ),
        (
            "D4.1",
            linear(
                num(p, "publicity_budget_wan") / num(p, "revenue_wan"),
                0.0,
                0.005,
                4.0,
            ),
        ),
        (
            "D4.2",
            tiers(num(p, "dedicated_staff"), &[(1.0, 2.0), (3.0, 3.0)]),
        ),
        ("D4.3", linear(num(p, "training_hours"), 0.0, 16.0, 2.0)),
        (
            "D4.4",
            tiers(
                num(p, "public_welfare_activities"),
                &[(1.0, 1.0), (3.0, 2.0), (6.0, 3.0)],
            ),
        ),
        ("D4.5", b("account_security", 3.0)),
        ("D5.1", b("target_responsibility", 4.0)),
        ("D5.2", b("incentive_mechanism", 3.0)),
        ("D5.3", b("in_annual_report", 3.0)),
    ]
}

/// SCHEME.md §3 for one body: incidents counted per deduction X1..X5, and whether any veto.
fn expected_counts(body: usize, incidents: &[GenIncident]) -> ([u32; 5], bool) {
    let mut n = [0u32; 5];
    let mut veto = false;
    for x in incidents {
        if x.body != body || x.occurred < YEAR_START || x.occurred >= YEAR_END {
            continue;
        }
        match (KINDS[x.kind], x.delay) {
            ("major_event", Some(d)) if d > 48 * 3600 => n[0] += 1,
            ("major_event", None) => n[1] += 1,
            ("negative_opinion", _) if x.major => n[2] += 1,
            ("unauthorized_release", _) => n[3] += 1,
            ("administrative_penalty", _) => n[4] += 1,
            ("secret_leak" | "false_publicity" | "paid_deletion", _) => veto = true,
            _ => {}
        }
    }
    (n, veto)
}

fn expected_deductions(n: [u32; 5]) -> [f64; 5] {
    let rules = [
        (-3.0, -9.0),
        (-5.0, -15.0),
        (-5.0, -15.0),
        (-5.0, -10.0),
        (-5.0, -10.0),
    ];
    let mut out = [0.0; 5];
    for k in 0..5 {
        out[k] = (rules[k].0 * f64::from(n[k])).max(rules[k].1);
    }
    out
}

fn key(total: f64) -> i64 {
    (total * 1e6).round() as i64
}

fn expected_grade(total: f64, veto: bool) -> &'static str {
    let k = key(total);
    if veto {
        "D"
    } else if k >= 90_000_000 {
        "A"
    } else if k >= 75_000_000 {
        "B"
    } else if k >= 60_000_000 {
        "C"
    } else {
        "D"
    }
}

/// Everything SCHEME.md says about one body, worked by hand.
struct Expected {
    total: Option<f64>,
    grade: Option<&'static str>,
    vetoed: bool,
    reasons: Vec<&'static str>,
    level: u8,
}

fn expected(bodies: &[GenBody], incidents: &[GenIncident], i: usize) -> Expected {
    let (n, vetoed) = expected_counts(i, incidents);
    let deductions: f64 = expected_deductions(n).iter().sum();
    let total = bodies[i].payload.as_ref().map(|p| {
        let points: f64 = expected_points(p).iter().map(|(_, x)| x).sum();
        (points + deductions).clamp(0.0, 100.0)
    });
    let grade = total.map(|t| expected_grade(t, vetoed));
    let mut reasons = Vec::new();
    let mut level = 0;
    let mut fire = |rule: &'static str, l: u8, when: bool| {
        if when {
            reasons.push(rule);
            level = level.max(l);
        }
    };
    fire("W3.veto", 3, vetoed);
    fire("W3.negative_impact", 3, n[2] >= 2);
    fire("W2.grade_d", 2, grade == Some("D") && !vetoed);
    fire("W2.not_submitted", 2, total.is_none());
    fire("W2.unreported", 2, n[1] >= 1);
    let declined = match (grade, total, bodies[i].previous) {
        (Some("C"), Some(t), Some(prev)) => key(prev - t) >= 10_000_000,
        _ => false,
    };
    fire("W1.decline", 1, declined);
    fire("W1.late_report", 1, n[0] >= 1);
    fire("W1.unauthorized_release", 1, n[3] >= 1);
    Expected {
        total,
        grade,
        vetoed,
        reasons,
        level,
    }
}

fn result_of(results: &[BodyResult], i: usize) -> &BodyResult {
    results
        .iter()
        .find(|r| r.body_id == format!("b{i}"))
        .unwrap()
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 64,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn totals_lie_within_0_and_100_and_follow_scheme_md(
        payload in payload(),
        incidents in incidents(1, 12),
    ) {
        let bodies = vec![GenBody { payload: Some(payload.clone()), category: Category::Service, previous: None }];
        let case = build(&bodies, &incidents);
        let r = case.result("b0");
        let total = r.total.unwrap();
        prop_assert!((0.0..=100.0).contains(&total), "total {}", total);

        let want = expected(&bodies, &incidents, 0);
        prop_assert!((total - want.total.unwrap()).abs() < 1e-9, "total {} expected {:?}", total, want.total);
        prop_assert_eq!(r.grade.as_deref(), want.grade);

        let indicators = r.indicators.as_ref().unwrap();
        for (code, points) in expected_points(&payload) {
            prop_assert!((indicators[code] - points).abs() < 1e-9, "{} {} expected {}", code, indicators[code], points);
        }
        let (n, _) = expected_counts(0, &incidents);
        for (k, d) in expected_deductions(n).iter().enumerate() {
            let code = format!("X{}", k + 1);
            let got = r.deductions.get(&code).copied().unwrap_or(0.0);
            prop_assert!((got - d).abs() < 1e-12, "{} {} expected {}", code, got, d);
        }
    }

    #[test]
    fn turning_a_bool_on_never_lowers_the_total(
        payload in payload(),
        field in 0..BOOL_FIELDS.len(),
        incidents in incidents(1, 6),
    ) {
        let (name, points) = BOOL_FIELDS[field];
        let mut off = payload.clone();
        off[name] = json!(false);
        let mut on = payload;
        on[name] = json!(true);
        let bodies = vec![
            GenBody { payload: Some(off), category: Category::Product, previous: None },
        ];
        let total_off = build(&bodies, &incidents).result("b0").total.unwrap();
        let bodies = vec![
            GenBody { payload: Some(on), category: Category::Product, previous: None },
        ];
        let total_on = build(&bodies, &incidents).result("b0").total.unwrap();
        prop_assert!(total_on >= total_off, "{}: {} on, {} off", name, total_on, total_off);
        // By exactly its points, unless the clamp at 0 swallows part of them.
        if total_off > 0.0 {
            prop_assert!((total_on - total_off - points).abs() < 1e-9);
        }
    }

    #[test]
    fn ranks_agree_with_totals_within_each_veto_group(
        (bodies, incidents) in prop::collection::vec(body(), 2..=8)
            .prop_flat_map(|bodies| {
                let n = bodies.len();
                (Just(bodies), incidents(n, 10))
            }),
    ) {
        let case = build(&bodies, &incidents);
        let results = case.score();
        prop_assert_eq!(results.len(), bodies.len());
        for i in 0..bodies.len() {
            let r = result_of(&results, i);
            let want = expected(&bodies, &incidents, i);
            prop_assert_eq!(r.vetoes.is_empty(), !want.vetoed);
            let Some(total) = r.total else {
                prop_assert!(bodies[i].payload.is_none());
                prop_assert_eq!(r.rank, None);
                prop_assert_eq!(r.category_rank, None);
                continue;
            };
            prop_assert!((total - want.total.unwrap()).abs() < 1e-9);
            // Competition rank: one more than the bodies strictly ahead, where every unvetoed
            // body is ahead of every vetoed one and, within a group, a higher total is ahead.
            let ahead = |j: usize, same_category: bool| -> bool {
                let other = result_of(&results, j);
                let Some(t) = other.total else { return false };
                if same_category && other.category != r.category {
                    return false;
                }
                let other_vetoed = !other.vetoes.is_empty();
                (!other_vetoed && want.vetoed) || (other_vetoed == want.vetoed && key(t) > key(total))
            };
            let rank = 1 + (0..bodies.len()).filter(|&j| ahead(j, false)).count() as u32;
            let category_rank = 1 + (0..bodies.len()).filter(|&j| ahead(j, true)).count() as u32;
            prop_assert_eq!(r.rank, Some(rank), "b{}", i);
            prop_assert_eq!(r.category_rank, Some(category_rank), "b{}", i);
        }
        // Pairwise: a higher total never has a worse rank within a group, and every vetoed body
        // ranks after every unvetoed one.
        let scored: Vec<&BodyResult> = results.iter().filter(|r| r.total.is_some()).collect();
        for a in &scored {
            for b in &scored {
                let (va, vb) = (!a.vetoes.is_empty(), !b.vetoes.is_empty());
                if va == vb && key(a.total.unwrap()) > key(b.total.unwrap()) {
                    prop_assert!(a.rank < b.rank);
                }
                if va == vb && key(a.total.unwrap()) == key(b.total.unwrap()) {
                    prop_assert_eq!(a.rank, b.rank);
                }
                if !va && vb {
                    prop_assert!(a.rank < b.rank);
                }
            }
        }
        // Listing order: by rank, equal ranks by id (no approval numbers here), unranked last.
        let listed: Vec<(bool, u32, String)> = results
            .iter()
            .map(|r| (r.rank.is_none(), r.rank.unwrap_or(0), r.body_id.clone()))
            .collect();
        let mut sorted = listed.clone();
        sorted.sort();
        prop_assert_eq!(listed, sorted);
    }

    #[test]
    fn warnings_follow_the_table_of_scheme_md(
        (bodies, incidents) in prop::collection::vec(body(), 1..=4)
            .prop_flat_map(|bodies| {
                let n = bodies.len();
                (Just(bodies), incidents(n, 10))
            }),
    ) {
        let results = build(&bodies, &incidents).score();
        for i in 0..bodies.len() {
            let r = result_of(&results, i);
            let want = expected(&bodies, &incidents, i);
            prop_assert_eq!(r.grade.as_deref(), want.grade, "b{}", i);
            let reasons: Vec<&str> = r
                .warning
                .as_ref()
                .map(|w| w.reasons.iter().map(String::as_str).collect())
                .unwrap_or_default();
            prop_assert_eq!(&reasons, &want.reasons, "b{}", i);
            prop_assert_eq!(r.warning_level(), want.level, "b{}", i);
            if let Some(w) = &r.warning {
                for f in &w.findings {
                    prop_assert!(f.articles.contains(&32) || !f.articles.is_empty());
                    prop_assert!(f.level <= w.level);
                }
            }
        }
    }
}
