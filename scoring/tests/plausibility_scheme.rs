//! The `plausibility` section of a scheme: optional (a scheme stored before it existed loads
//! as it did), and checked on load like the rest, every problem named by its path.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use pubeval_scoring::scheme::DEFAULT_SCHEME_JSON;
use pubeval_scoring::{Scheme, SchemeError};
use serde_json::{Value, json};

fn default_doc() -> Value {
    serde_json::from_str(DEFAULT_SCHEME_JSON).unwrap()
}

/// The default scheme with these rules; the problems as (path, code).
fn problems_of(rules: Value) -> Vec<(String, &'static str)> {
    let mut doc = default_doc();
    doc["plausibility"] = rules;
    match Scheme::from_json(&doc.to_string()) {
        Ok(_) => Vec::new(),
        Err(SchemeError::Invalid(problems)) => {
            for p in &problems {
                assert!(
                    p.message
                        .chars()
                        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
                );
                assert!(p.message_en.is_ascii(), "{p:?}");
            }
            problems.into_iter().map(|p| (p.field, p.code)).collect()
        }
        Err(e) => panic!("malformed, not invalid: {e}"),
    }
}

fn yoy(extra: Value) -> Value {
    let mut rule = json!({
        "code": "yoy.x", "kind": "yoy_ratio", "field": "press_releases", "max_ratio": 5,
        "min_change": 10, "severity": "review", "message": "{label}：{value}，上年 {previous}"
    });
    for (k, v) in extra.as_object().unwrap() {
        if v.is_null() {
            rule.as_object_mut().unwrap().remove(k);
        } else {
            rule[k] = v.clone();
        }
    }
    rule
}

#[test]
fn a_scheme_stored_before_the_section_existed_still_loads_with_no_rules() {
    let mut doc = default_doc();
    doc.as_object_mut().unwrap().remove("plausibility");
    let scheme = Scheme::from_json(&doc.to_string()).unwrap();
    assert!(scheme.plausibility.is_empty());
    // Written back, it stays without the section.
    assert!(
        serde_json::to_value(&scheme)
            .unwrap()
            .get("plausibility")
            .is_none()
    );
}

#[test]
fn the_default_scheme_ships_rules_that_pass_their_checks() {
    let scheme = Scheme::default_scheme();
    assert!(scheme.plausibility.len() >= 5);
    for rule in &scheme.plausibility {
        assert!(rule.check().is_some(), "{}", rule.code);
        assert!(!rule.articles.is_empty(), "{} cites no article", rule.code);
    }
}

#[test]
fn a_sound_rule_passes() {
    assert_eq!(problems_of(json!([yoy(json!({}))])), vec![]);
}

#[test]
fn missing_and_foreign_parameters_are_named() {
    assert_eq!(
        problems_of(json!([yoy(json!({"max_ratio": null, "threshold": 3}))])),
        vec![
            ("plausibility[0].max_ratio".to_string(), "missing_parameter"),
            (
                "plausibility[0].threshold".to_string(),
                "unexpected_parameter"
            ),
        ]
    );
    assert_eq!(
        problems_of(json!([{
            "code": "req", "kind": "requires", "if_field": "press_releases", "if_min": 1,
            "then_field": "spokesperson_system", "severity": "info", "message": "x"
        }])),
        vec![("plausibility[0].then_min".to_string(), "missing_parameter")]
    );
}

#[test]
fn fields_must_exist_and_hold_numbers_where_the_kind_compares_numbers() {
    assert_eq!(
        problems_of(json!([
            yoy(json!({"field": "no_such_field"})),
            yoy(json!({"code": "yoy.y", "field": "spokesperson_system"})),
            {"code": "r", "kind": "ratio_max", "numerator": "press_releases",
             "denominator": "press_releases", "max": 2, "severity": "info", "message": "x"},
            {"code": "r2", "kind": "ratio_min", "numerator": "revenue_wan",
             "denominator": "dedicated_staff", "field": "press_releases", "min": 2,
             "severity": "info", "message": "x"},
        ])),
        vec![
            ("plausibility[0].field".to_string(), "unknown_field"),
            ("plausibility[1].field".to_string(), "not_a_number"),
            ("plausibility[2].denominator".to_string(), "same_field"),
            ("plausibility[3].field".to_string(), "unknown_field"),
        ]
    );
    // `requires` reads bools (1 when true) and sets (their size) as well.
    assert_eq!(
        problems_of(json!([{
            "code": "req", "kind": "requires", "if_field": "campaigns", "if_min": 3,
            "then_field": "spokesperson_system", "then_min": 1, "severity": "info", "message": "x"
        }])),
        vec![]
    );
}

#[test]
fn limits_must_be_sane() {
    assert_eq!(
        problems_of(json!([
            yoy(json!({"max_ratio": 1, "min_change": -1})),
            {"code": "p", "kind": "peer_outlier", "field": "press_releases", "threshold": 0,
             "severity": "review", "message": "x"},
            {"code": "r", "kind": "ratio_max", "numerator": "publicity_budget_wan",
             "denominator": "revenue_wan", "max": -0.05, "severity": "info", "message": "x"},
        ])),
        vec![
            ("plausibility[0].max_ratio".to_string(), "out_of_range"),
            ("plausibility[0].min_change".to_string(), "out_of_range"),
            ("plausibility[1].threshold".to_string(), "not_positive"),
            ("plausibility[2].max".to_string(), "not_positive"),
        ]
    );
}

#[test]
fn codes_are_unique_among_every_code_of_the_scheme_and_articles_exist() {
    assert_eq!(
        problems_of(json!([
            yoy(json!({})),
            yoy(json!({})),
            yoy(json!({"code": "D1", "articles": [37]})),
        ])),
        vec![
            ("plausibility[1].code".to_string(), "duplicate_code"),
            ("plausibility[2].code".to_string(), "duplicate_code"),
            ("plausibility[2].articles[0]".to_string(), "unknown_article"),
        ]
    );
}

#[test]
fn messages_use_only_the_placeholders_of_their_kind() {
    assert_eq!(
        problems_of(json!([
            yoy(json!({"message": "{label} 高于同类中位数 {median}"})),
            yoy(json!({"code": "yoy.y", "message": "未闭合 {label"})),
            yoy(json!({"code": "yoy.z", "message": "  "})),
        ])),
        vec![
            ("plausibility[0].message".to_string(), "unknown_placeholder"),
            ("plausibility[1].message".to_string(), "malformed_template"),
            ("plausibility[2].message".to_string(), "empty"),
        ]
    );
}

#[test]
fn an_unknown_kind_severity_or_key_is_malformed_and_named() {
    for (rule, path) in [
        (yoy(json!({"kind": "median_jump"})), "plausibility[0].kind"),
        (
            yoy(json!({"severity": "urgent"})),
            "plausibility[0].severity",
        ),
        (yoy(json!({"colour": "red"})), "plausibility[0]"),
        (
            yoy(json!({"transform": "sqrt"})),
            "plausibility[0].transform",
        ),
    ] {
        let mut doc = default_doc();
        doc["plausibility"] = json!([rule]);
        match Scheme::from_json(&doc.to_string()) {
            Err(SchemeError::Malformed { path: p, .. }) => assert!(p.starts_with(path), "{p}"),
            other => panic!("expected malformed at {path}, got {other:?}"),
        }
    }
}
