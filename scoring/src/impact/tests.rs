//! The impact analysis on generated years: an identical scheme moves nothing, a raised grade
//! band moves exactly the bodies in the gap, warnings agree with scoring each scheme alone, a
//! moved weight changes SCHEME.md §7's worked example as a hand calculation says, and the
//! drop-one ranking agrees with the engine scoring a scheme without the indicator.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

use super::sensitivity::ranks_without;
use super::*;
use crate::engine::BodyInput;
use crate::incident::Incident;
use crate::payload::{Completeness, validate_payload};
use crate::scheme::{Rule, Scheme};
use crate::{Options, ResultOptions};

struct Year {
    bodies: Vec<BodyInput>,
    incidents: Vec<Incident>,
}

impl Year {
    fn input(&self) -> ScoreInput<'_> {
        ScoreInput {
            year: 2025,
            bodies: &self.bodies,
            incidents: &self.incidents,
        }
    }
}

fn subset(rng: &mut ChaCha8Rng, members: &[&str]) -> Vec<String> {
    members
        .iter()
        .filter(|_| rng.random_bool(0.6))
        .map(|m| m.to_string())
        .collect()
}

fn random_payload(rng: &mut ChaCha8Rng) -> Value {
    let received = rng.random_range(0..50);
    json!({
        "policy_approved": rng.random_bool(0.9), "leadership_designated": rng.random_bool(0.85),
        "spokesperson_system": rng.random_bool(0.6), "annual_plan": rng.random_bool(0.8),
        "three_reviews": rng.random_bool(0.7), "major_event_reporting_system": rng.random_bool(0.75),
        "press_releases": rng.random_range(0..80),
        "media_channels": subset(rng, &["website", "wechat", "video", "online_course", "weibo", "other"]),
        "original_posts": rng.random_range(0..700),
        "campaigns": subset(rng, &["world_accreditation_day", "lab_open_day", "quality_cert_week", "green_product_week", "organic_product_week", "service_cert_week"]),
        "expert_interpretations": rng.random_range(0..8),
        "opinion_monitoring": rng.random_bool(0.7),
        "disclosed_items": subset(rng, &["cert_fields", "basic_norms", "cert_rules", "fee_standards", "cert_and_mark_samples", "cert_status"]),
        "complaints_received": received,
        "complaints_resolved_on_time": if received == 0 { 0 } else { rng.random_range(0..=received) },
        "media_partnerships": rng.random_range(0..7),
        "publicity_budget_wan": rng.random_range(0..60),
        "revenue_wan": rng.random_range(1000..20000),
        "dedicated_staff": rng.random_range(0..5),
        "training_hours": f64::from(rng.random_range(0..40u32)) / 2.0,
        "public_welfare_activities": rng.random_range(0..8),
        "account_security": rng.random_bool(0.8), "target_responsibility": rng.random_bool(0.6),
        "incentive_mechanism": rng.random_bool(0.6), "in_annual_report": rng.random_bool(0.7)
    })
}

/// `n` bodies in three categories, about 5% without a report, with last year's totals and
/// incidents of every kind that deducts, vetoes or warns.
fn year(scheme: &Scheme, n: usize, seed: u64) -> Year {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let categories = [
        Category::ManagementSystem,
        Category::Product,
        Category::Service,
    ];
    let bodies = (0..n)
        .map(|i| BodyInput {
            body_id: format!("b{i:05}"),
            name: format!("第{i}认证有限公司"),
            category: *categories.choose(&mut rng).unwrap(),
            approval_no: Some(format!("CNCA-R-2010-{i:05}")),
            payload: rng.random_bool(0.95).then(|| {
                validate_payload(scheme, &random_payload(&mut rng), Completeness::Submitted)
                    .unwrap()
            }),
            previous_total: rng
                .random_bool(0.8)
                .then(|| f64::from(rng.random_range(4000..10000u32)) / 100.0),
        })
        .collect();
    let start: DateTime<Utc> = Utc.with_ymd_and_hms(2025, 2, 1, 0, 0, 0).unwrap();
    let kinds = [
        ("major_event", "general", Some(60)),
        ("major_event", "general", None),
        ("major_event", "general", Some(10)),
        ("negative_opinion", "major", Some(1)),
        ("unauthorized_release", "general", Some(1)),
        ("administrative_penalty", "general", Some(1)),
        ("secret_leak", "general", Some(1)),
    ];
    let incidents = (0..n / 8)
        .map(|k| {
            let (kind, severity, hours) = *kinds.choose(&mut rng).unwrap();
            let occurred = start + Duration::days(rng.random_range(0..300));
            Incident {
                id: Some(format!("i{k}")),
                body_id: format!("b{:05}", rng.random_range(0..n)),
                kind: kind.into(),
                severity: severity.into(),
                occurred_at: occurred,
                reported_at: hours.map(|h| occurred + Duration::hours(h)),
            }
        })
        .collect();
    Year { bodies, incidents }
}

fn default_scheme() -> Scheme {
    Scheme::default_scheme()
}

fn impact(old: &Scheme, new: &Scheme, year: &Year) -> Impact {
    let (a, b) = (
        Engine::new(Arc::new(old.clone())),
        Engine::new(Arc::new(new.clone())),
    );
    compare(
        Side {
            engine: &a,
            input: year.input(),
        },
        Side {
            engine: &b,
            input: year.input(),
        },
    )
    .unwrap()
}

#[test]
fn an_identical_scheme_moves_nothing() {
    let old = default_scheme();
    let mut new = old.clone();
    new.version = 2;
    let year = year(&old, 400, 1);
    let i = impact(&old, &new, &year);
    assert_eq!(i.bodies.len(), 400);
    assert!(i.bodies.iter().all(|b| b.old == b.new));
    assert!(i.grade_transitions.is_empty());
    assert!(i.warning_transitions.is_empty());
    assert!(i.warnings_gained.is_empty() && i.warnings_lost.is_empty());
    assert_eq!(i.rank_shift.spearman, Some(1.0));
    assert_eq!(i.rank_shift.kendall, Some(1.0));
    assert_eq!(
        (i.rank_shift.median, i.rank_shift.p90, i.rank_shift.max),
        (0, 0, 0)
    );
    assert_eq!(i.summary.grade_changed + i.summary.total_changed, 0);
    assert_eq!(i.changes.len(), 1);
    assert_eq!(i.changes[0].path, "version");
    for (code, w) in &i.indicators {
        assert_eq!(w.effective_weight_old, w.effective_weight_new, "{code}");
    }
    // Some warnings and grades exist, so that "nothing moves" says something.
    assert!(i.summary.warning_levels_old.get("0").copied().unwrap_or(0) < 400);
    assert!(i.summary.grades_old.values().filter(|n| **n > 0).count() >= 3);
}

#[test]
fn raising_band_b_to_80_moves_exactly_the_gap_from_b_to_c() {
    let old = default_scheme();
    let mut new = old.clone();
    new.version = 2;
    new.grades[1].min = 80.0;
    let year = year(&old, 600, 2);
    let i = impact(&old, &new, &year);
    let vetoed: std::collections::HashSet<&str> = year
        .incidents
        .iter()
        .filter(|x| x.kind == "secret_leak")
        .map(|x| x.body_id.as_str())
        .collect();
    assert!(!vetoed.is_empty());
    // 75 ≤ total < 80 at 6 decimals, unvetoed.
    let in_gap = |b: &BodyImpact| {
        let key = b.old.total.map(|t| (t * 1e6).round() as i64);
        key.is_some_and(|k| (75_000_000..80_000_000).contains(&k))
            && !vetoed.contains(b.body_id.as_str())
    };
    let expected: Vec<&str> = i
        .bodies
        .iter()
        .filter(|b| in_gap(b))
        .map(|b| b.body_id.as_str())
        .collect();
    assert!(
        expected.len() > 10,
        "too few bodies in the gap: {}",
        expected.len()
    );
    for b in &i.bodies {
        if in_gap(b) {
            assert_eq!(
                (b.old.grade.as_deref(), b.new.grade.as_deref()),
                (Some("B"), Some("C")),
                "{}",
                b.body_id
            );
        } else {
            assert_eq!(b.old.grade, b.new.grade, "{}", b.body_id);
        }
        assert_eq!(b.old.rank, b.new.rank);
        assert_eq!(b.old.category_rank, b.new.category_rank);
        assert_eq!(b.old.total, b.new.total);
    }
    assert_eq!(i.grade_transitions.len(), 1);
    assert_eq!(i.grade_transitions["B->C"], expected.len());
    assert_eq!(i.rank_shift.max, 0);
    assert_eq!(i.rank_shift.kendall, Some(1.0));
    let changes: Vec<(&str, &str)> = i
        .changes
        .iter()
        .map(|c| (c.path.as_str(), c.zh.as_str()))
        .collect();
    assert_eq!(
        changes,
        vec![
            ("version", "方案版本由 1 调整为 2"),
            ("grades[1].min", "等级 B 的最低分由 75 调整为 80")
        ]
    );
}

#[test]
fn warnings_gained_and_lost_agree_with_scoring_each_scheme_alone() {
    let old = default_scheme();
    let mut new = old.clone();
    new.version = 2;
    // A stricter decline rule (any C that fell 5 points) and a lower band for C.
    new.warnings[5].trigger = crate::scheme::Trigger::Decline {
        grade: "C".into(),
        points: 5.0,
    };
    new.grades[2].min = 55.0;
    let year = year(&old, 600, 3);
    let i = impact(&old, &new, &year);
    let alone = |s: &Scheme| {
        let engine = Engine::new(Arc::new(s.clone()));
        engine
            .evaluate(&year.input(), &Options::default())
            .unwrap()
            .into_iter()
            .map(|r| (r.body_id.clone(), r))
            .collect::<std::collections::HashMap<_, _>>()
    };
    let (a, b) = (alone(&old), alone(&new));
    let mut gained: Vec<String> = Vec::new();
    let mut lost: Vec<String> = Vec::new();
    for body in &i.bodies {
        let (o, n) = (&a[&body.body_id], &b[&body.body_id]);
        assert_eq!(body.old.warning_level, o.warning_level());
        assert_eq!(body.new.warning_level, n.warning_level());
        assert_eq!(body.old.grade, o.grade);
        assert_eq!(body.new.grade, n.grade);
        assert_eq!(body.new.rank, n.rank);
        let reasons =
            |r: &crate::BodyResult| r.warning.as_ref().map_or(vec![], |w| w.reasons.clone());
        assert_eq!(body.new.warning_rules, reasons(n));
        match (o.warning.is_some(), n.warning.is_some()) {
            (false, true) => gained.push(body.body_id.clone()),
            (true, false) => lost.push(body.body_id.clone()),
            _ => {}
        }
    }
    assert_eq!(i.warnings_gained, gained);
    assert_eq!(i.warnings_lost, lost);
    assert!(
        !gained.is_empty() && !lost.is_empty(),
        "{gained:?} {lost:?}"
    );
}

fn worked_example() -> Year {
    let scheme = default_scheme();
    let payload = json!({
        "policy_approved": true, "leadership_designated": true, "spokesperson_system": true,
        "annual_plan": true, "three_reviews": true, "major_event_reporting_system": true,
        "press_releases": 50, "media_channels": ["website", "wechat", "video"], "original_posts": 120,
        "campaigns": ["world_accreditation_day", "lab_open_day", "quality_cert_week", "green_product_week"],
        "expert_interpretations": 3, "opinion_monitoring": true,
        "disclosed_items": ["cert_fields", "basic_norms", "cert_rules", "fee_standards", "cert_and_mark_samples"],
        "complaints_received": 40, "complaints_resolved_on_time": 36, "media_partnerships": 2,
        "publicity_budget_wan": 30, "revenue_wan": 10000, "dedicated_staff": 2, "training_hours": 8,
        "public_welfare_activities": 6, "account_security": true, "target_responsibility": true,
        "incentive_mechanism": true, "in_annual_report": true
    });
    let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
    Year {
        bodies: vec![BodyInput {
            body_id: "b1".into(),
            name: "示例认证有限公司".into(),
            category: Category::ManagementSystem,
            approval_no: None,
            payload: Some(validate_payload(&scheme, &payload, Completeness::Submitted).unwrap()),
            previous_total: None,
        }],
        incidents: vec![Incident {
            id: Some("i1".into()),
            body_id: "b1".into(),
            kind: "major_event".into(),
            severity: "general".into(),
            occurred_at: at("2025-05-01T00:00:00Z"),
            reported_at: Some(at("2025-05-03T12:00:00Z")),
        }],
    }
}

#[test]
fn a_weight_moved_changes_the_worked_example_as_by_hand() {
    // One point from D1.1 (policy approved, bool 4 → 3) to D4.3 (training hours, linear 0–16
    // for 2 → 3 points). By hand: D1 20 → 19; D4.3 = 3 · 8/16 = 1.5 instead of 1, D4 11.4 →
    // 11.9; total 80.757242 − 1 + 0.5 = 80.257242, still B, the late report still warns.
    let old = default_scheme();
    let mut new = old.clone();
    new.version = 2;
    new.dimensions[0].max = 19.0;
    new.dimensions[0].indicators[0].rule = Rule::Bool { points: 3.0 };
    new.dimensions[0].indicators[0].max = 3.0;
    new.dimensions[3].max = 16.0;
    new.dimensions[3].indicators[2].rule = Rule::Linear {
        lo: 0.0,
        hi: 16.0,
        max: 3.0,
    };
    new.dimensions[3].indicators[2].max = 3.0;
    let checked = Scheme::from_json(&serde_json::to_string(&new).unwrap()).unwrap();
    let i = impact(&old, &checked, &worked_example());
    let b = &i.bodies[0];
    assert!(
        (b.old.total.unwrap() - 80.757242).abs() < 1e-6,
        "{:?}",
        b.old.total
    );
    assert!(
        (b.new.total.unwrap() - 80.257242).abs() < 1e-6,
        "{:?}",
        b.new.total
    );
    assert_eq!(b.new.grade.as_deref(), Some("B"));
    assert_eq!(b.new.warning_rules, vec!["W1.late_report"]);
    assert_eq!(i.indicators["D1.1"].max_new, Some(3.0));
    assert_eq!(i.indicators["D4.3"].max_old, Some(2.0));
    let zh: Vec<&str> = i.changes.iter().map(|c| c.zh.as_str()).collect();
    assert!(
        zh.contains(&"指标 D1.1（方针制度经批准）的分值由 4 调整为 3"),
        "{zh:?}"
    );
    assert!(
        zh.contains(&"维度 D4（宣传工作保障）的满分由 15 调整为 16"),
        "{zh:?}"
    );
}

#[test]
fn dropping_an_indicator_ranks_as_the_engine_scoring_it_at_zero() {
    let scheme = default_scheme();
    let year = year(&scheme, 500, 4);
    let engine = Engine::new(Arc::new(scheme.clone()));
    let table = engine.score(&year.input()).unwrap();
    let view = TableView::new(&engine, &table).unwrap();
    assert_eq!(ranks_without(&scheme, &view, None), view.rank);
    for k in [0, 7, 13, 16, 22] {
        // The same scheme with indicator k giving nothing (its dimension's maximum lowered to
        // match, which scoring does not read).
        let mut zeroed = scheme.clone();
        let mut next = 0;
        for d in &mut zeroed.dimensions {
            for i in &mut d.indicators {
                if next == k {
                    i.rule = Rule::PerItem {
                        points: 0.0,
                        max: 0.0,
                    };
                    i.max = 0.0;
                }
                next += 1;
            }
        }
        let engine_zeroed = Engine::new(Arc::new(zeroed));
        let table_zeroed = engine_zeroed.score(&year.input()).unwrap();
        let results = engine_zeroed
            .results(&year.input(), &table_zeroed, ResultOptions::default())
            .unwrap();
        let by_id: std::collections::HashMap<String, Option<u32>> =
            results.into_iter().map(|r| (r.body_id, r.rank)).collect();
        let expected: Vec<Option<u32>> = year.bodies.iter().map(|b| by_id[&b.body_id]).collect();
        assert_eq!(
            ranks_without(&scheme, &view, Some(k)),
            expected,
            "indicator {k}"
        );
    }
}

#[test]
fn effective_weights_add_up_to_one_without_deductions() {
    let scheme = default_scheme();
    let mut year = year(&scheme, 300, 5);
    year.incidents.clear();
    let i = impact(&scheme, &scheme, &year);
    let sum: f64 = i
        .indicators
        .values()
        .map(|w| w.effective_weight_new.unwrap())
        .sum();
    assert!((sum - 1.0).abs() < 1e-9, "{sum}");
    assert!(
        i.indicators
            .values()
            .all(|w| w.drop_one_median_rank_shift.is_some())
    );
    // Removing the widest-spread indicator moves ranks more than removing a near-constant one.
    let weight = |code: &str| i.indicators[code].effective_weight_new.unwrap();
    assert!(weight("D3.1") > weight("D1.1"));
}

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let old = default_scheme();
    let mut new = old.clone();
    new.version = 2;
    new.grades[0].min = 88.0;
    new.dimensions[1].indicators[0].rule = Rule::Log {
        cap: 40.0,
        max: 6.0,
    };
    let year = year(&old, 300, 6);
    let a = serde_json::to_string(&impact(&old, &new, &year)).unwrap();
    let b = serde_json::to_string(&impact(&old, &new, &year)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn different_bodies_cannot_be_compared() {
    let scheme = default_scheme();
    let a = year(&scheme, 10, 7);
    let mut b = year(&scheme, 10, 7);
    b.bodies.pop();
    let engine = Engine::new(Arc::new(scheme));
    let refused = compare(
        Side {
            engine: &engine,
            input: a.input(),
        },
        Side {
            engine: &engine,
            input: b.input(),
        },
    );
    assert!(matches!(refused, Err(EngineError::Input(_))));
}
