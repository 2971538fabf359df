//! SCHEME.md §1 payload validation, and the validation of scheme documents: every problem at
//! once, each named by its path, with a Chinese and an English message.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
use common::*;
use pubeval_scoring::scheme::{DEFAULT_SCHEME_JSON, FieldType, Rule, ValueSource};
use pubeval_scoring::{Completeness, FieldValue, Problem, Scheme, SchemeError, validate_payload};
use serde_json::{Value, json};

// ---- payloads ----

fn submitted(payload: &Value) -> Result<pubeval_scoring::Payload, Vec<Problem>> {
    validate_payload(&scheme(), payload, Completeness::Submitted)
}

fn draft(payload: &Value) -> Result<pubeval_scoring::Payload, Vec<Problem>> {
    validate_payload(&scheme(), payload, Completeness::Draft)
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// Every problem has a path and messages in both languages.
#[track_caller]
fn assert_well_formed(problems: &[Problem]) {
    assert!(!problems.is_empty());
    for p in problems {
        assert!(!p.field.is_empty(), "{p:?}");
        assert!(!p.code.is_empty(), "{p:?}");
        assert!(has_cjk(&p.message), "Chinese message expected: {p:?}");
        assert!(!p.message_en.trim().is_empty(), "{p:?}");
        assert!(p.message_en.is_ascii(), "English message expected: {p:?}");
    }
}

/// The problems of a submitted payload, as (field, code), checked for well-formed messages.
#[track_caller]
fn problems(payload: &Value) -> Vec<(String, &'static str)> {
    let problems = submitted(payload).expect_err("the payload should be refused");
    assert_well_formed(&problems);
    problems.into_iter().map(|p| (p.field, p.code)).collect()
}

#[track_caller]
fn one_problem(payload: &Value, field: &str, code: &str) {
    assert_eq!(
        problems(payload),
        vec![(field.to_string(), code)],
        "payload refused for one reason"
    );
}

#[test]
fn the_reference_payloads_are_valid() {
    for p in [
        full_marks_payload(),
        empty_payload(),
        worked_example_payload(),
    ] {
        submitted(&p).unwrap();
        draft(&p).unwrap();
    }
}

#[test]
fn a_valid_payload_keeps_every_value() {
    let scheme = scheme();
    let payload = submitted(&worked_example_payload()).unwrap();
    assert_eq!(payload.values().len(), 25);
    let get = |name: &str| payload.get(scheme.field_index(name).unwrap());
    assert_eq!(get("policy_approved"), FieldValue::Bool(true));
    assert_eq!(get("press_releases"), FieldValue::Integer(50));
    assert_eq!(get("publicity_budget_wan"), FieldValue::Decimal(30.0));
    assert_eq!(get("media_channels").as_number(), Some(3.0));
    assert_eq!(get("disclosed_items").as_number(), Some(5.0));
    // And it reads back as the JSON sent (decimals as JSON floats).
    assert_eq!(
        Value::Object(payload.to_json(&scheme)),
        with(
            worked_example_payload(),
            json!({"publicity_budget_wan": 30.0, "revenue_wan": 10000.0, "training_hours": 8.0})
        )
    );
}

#[test]
fn every_problem_is_returned_at_once() {
    let p = full_with(json!({
        "press_releases": "12",
        "media_channels": ["website", "tiktok"],
        "training_hours": 2000.5,
        "complaints_resolved_on_time": 11,
        "colour": "red"
    }));
    let mut got = problems(&p);
    got.sort();
    let mut want = vec![
        ("payload.press_releases".to_string(), "wrong_type"),
        ("payload.media_channels[1]".to_string(), "unknown_member"),
        ("payload.training_hours".to_string(), "out_of_range"),
        (
            "payload.complaints_resolved_on_time".to_string(),
            "exceeds_field",
        ),
        ("payload.colour".to_string(), "unknown_field"),
    ];
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn wrong_types_are_refused() {
    one_problem(
        &full_with(json!({"press_releases": "12"})),
        "payload.press_releases",
        "wrong_type",
    );
    one_problem(
        &full_with(json!({"policy_approved": 1})),
        "payload.policy_approved",
        "wrong_type",
    );
    one_problem(
        &full_with(json!({"policy_approved": "true"})),
        "payload.policy_approved",
        "wrong_type",
    );
    one_problem(
        &full_with(json!({"media_channels": "website"})),
        "payload.media_channels",
        "wrong_type",
    );
    one_problem(
        &full_with(json!({"training_hours": "8"})),
        "payload.training_hours",
        "wrong_type",
    );
    one_problem(
        &full_with(json!({"revenue_wan": true})),
        "payload.revenue_wan",
        "wrong_type",
    );
    one_problem(
        &full_with(json!({"campaigns": {"lab_open_day": true}})),
        "payload.campaigns",
        "wrong_type",
    );
}

#[test]
fn an_integer_field_refuses_a_number_with_a_decimal_point() {
    one_problem(
        &full_with(json!({"press_releases": 50.0})),
        "payload.press_releases",
        "wrong_type",
    );
    one_problem(
        &full_with(json!({"dedicated_staff": 2.5})),
        "payload.dedicated_staff",
        "wrong_type",
    );
    // Parsed from text, as the API receives it.
    let text = full_marks_payload()
        .to_string()
        .replace("\"press_releases\":50", "\"press_releases\":50.0");
    assert!(text.contains("50.0"));
    one_problem(
        &serde_json::from_str(&text).unwrap(),
        "payload.press_releases",
        "wrong_type",
    );
}

#[test]
fn a_decimal_field_accepts_fractions_and_whole_numbers() {
    submitted(&full_with(json!({"training_hours": 12.5}))).unwrap();
    submitted(&full_with(json!({"training_hours": 12}))).unwrap();
    submitted(&full_with(
        json!({"publicity_budget_wan": 0.01, "revenue_wan": 0.5}),
    ))
    .unwrap();
}

#[test]
fn values_out_of_range_are_refused_and_the_bounds_accepted() {
    one_problem(
        &full_with(json!({"press_releases": 100001})),
        "payload.press_releases",
        "out_of_range",
    );
    submitted(&full_with(json!({"press_releases": 100000}))).unwrap();
    one_problem(
        &full_with(json!({"press_releases": -1})),
        "payload.press_releases",
        "out_of_range",
    );
    submitted(&full_with(json!({"press_releases": 0}))).unwrap();

    // revenue_wan must be greater than 0.
    one_problem(
        &full_with(json!({"revenue_wan": 0})),
        "payload.revenue_wan",
        "out_of_range",
    );
    one_problem(
        &full_with(json!({"revenue_wan": 0.0})),
        "payload.revenue_wan",
        "out_of_range",
    );
    one_problem(
        &full_with(json!({"revenue_wan": -10})),
        "payload.revenue_wan",
        "out_of_range",
    );
    submitted(&full_with(json!({"revenue_wan": 0.0001}))).unwrap();

    one_problem(
        &full_with(json!({"training_hours": 2000.5})),
        "payload.training_hours",
        "out_of_range",
    );
    one_problem(
        &full_with(json!({"training_hours": -0.5})),
        "payload.training_hours",
        "out_of_range",
    );
    submitted(&full_with(json!({"training_hours": 2000}))).unwrap();
    submitted(&full_with(json!({"training_hours": 0}))).unwrap();

    one_problem(
        &full_with(json!({"publicity_budget_wan": -0.01})),
        "payload.publicity_budget_wan",
        "out_of_range",
    );
    submitted(&full_with(json!({"publicity_budget_wan": 0}))).unwrap();

    for (field, max) in [
        ("original_posts", 1_000_000),
        ("expert_interpretations", 10_000),
        ("complaints_received", 1_000_000),
        ("media_partnerships", 10_000),
        ("dedicated_staff", 10_000),
        ("public_welfare_activities", 10_000),
    ] {
        let mut p = full_marks_payload();
        p[field] = json!(max);
        submitted(&p).unwrap_or_else(|e| panic!("{field} = {max}: {e:?}"));
        p[field] = json!(max + 1);
        one_problem(&p, &format!("payload.{field}"), "out_of_range");
        p[field] = json!(-1);
        // complaints_received -1 is out of range; the cross-field rule cannot be judged on it.
        one_problem(&p, &format!("payload.{field}"), "out_of_range");
    }
}

#[test]
fn set_members_must_be_known_and_distinct() {
    one_problem(
        &full_with(json!({"media_channels": ["website", "tiktok"]})),
        "payload.media_channels[1]",
        "unknown_member",
    );
    one_problem(
        &full_with(json!({"campaigns": [1]})),
        "payload.campaigns[0]",
        "unknown_member",
    );
    one_problem(
        &full_with(json!({"media_channels": ["website", "wechat", "website"]})),
        "payload.media_channels[2]",
        "repeated_member",
    );
    // Two problems in one set, both named.
    let got = problems(&full_with(
        json!({"disclosed_items": ["cert_rules", "cert_rules", "prices"]}),
    ));
    assert_eq!(
        got,
        vec![
            ("payload.disclosed_items[1]".to_string(), "repeated_member"),
            ("payload.disclosed_items[2]".to_string(), "unknown_member"),
        ]
    );
    // A member of another set is unknown here.
    one_problem(
        &full_with(json!({"campaigns": ["website"]})),
        "payload.campaigns[0]",
        "unknown_member",
    );
}

#[test]
fn unknown_fields_are_refused() {
    one_problem(
        &full_with(json!({"press_release": 3})),
        "payload.press_release",
        "unknown_field",
    );
    let draft_problems = draft(&json!({"foo": 1})).unwrap_err();
    assert_well_formed(&draft_problems);
    assert_eq!(draft_problems[0].field, "payload.foo");
    assert_eq!(draft_problems[0].code, "unknown_field");
}

#[test]
fn resolved_complaints_may_not_exceed_those_received() {
    one_problem(
        &full_with(json!({"complaints_received": 10, "complaints_resolved_on_time": 11})),
        "payload.complaints_resolved_on_time",
        "exceeds_field",
    );
    one_problem(
        &full_with(json!({"complaints_received": 0, "complaints_resolved_on_time": 1})),
        "payload.complaints_resolved_on_time",
        "exceeds_field",
    );
    submitted(&full_with(
        json!({"complaints_received": 10, "complaints_resolved_on_time": 10}),
    ))
    .unwrap();
    submitted(&full_with(
        json!({"complaints_received": 0, "complaints_resolved_on_time": 0}),
    ))
    .unwrap();
    one_problem(
        &full_with(json!({"complaints_resolved_on_time": -1})),
        "payload.complaints_resolved_on_time",
        "out_of_range",
    );
    // In a draft too, when both are present.
    let err =
        draft(&json!({"complaints_received": 3, "complaints_resolved_on_time": 4})).unwrap_err();
    assert_eq!(err.len(), 1);
    assert_eq!(err[0].field, "payload.complaints_resolved_on_time");
}

#[test]
fn a_submitted_report_needs_every_field_a_draft_does_not() {
    let mut p = full_marks_payload();
    p.as_object_mut().unwrap().remove("press_releases");
    p.as_object_mut().unwrap().remove("media_channels");
    let mut got = problems(&p);
    got.sort();
    assert_eq!(
        got,
        vec![
            ("payload.media_channels".to_string(), "required"),
            ("payload.press_releases".to_string(), "required"),
        ]
    );
    let d = draft(&p).unwrap();
    let scheme = scheme();
    assert_eq!(
        d.get(scheme.field_index("press_releases").unwrap()),
        FieldValue::Missing
    );
    assert_eq!(
        d.get(scheme.field_index("policy_approved").unwrap()),
        FieldValue::Bool(true)
    );

    // null counts as missing.
    let p = full_with(json!({"training_hours": null}));
    one_problem(&p, "payload.training_hours", "required");
    draft(&p).unwrap();

    // An empty draft is fine; an empty submission lists all 25 fields.
    draft(&json!({})).unwrap();
    let all = problems(&json!({}));
    assert_eq!(all.len(), 25);
    assert!(all.iter().all(|(_, code)| *code == "required"));
}

#[test]
fn a_draft_still_refuses_invalid_values() {
    let err =
        draft(&json!({"press_releases": 100001, "media_channels": ["x"], "policy_approved": 0}))
            .unwrap_err();
    assert_well_formed(&err);
    let mut fields: Vec<String> = err.into_iter().map(|p| p.field).collect();
    fields.sort();
    assert_eq!(
        fields,
        vec![
            "payload.media_channels[0]",
            "payload.policy_approved",
            "payload.press_releases"
        ]
    );
}

#[test]
fn a_payload_must_be_an_object() {
    for p in [
        json!([]),
        json!("report"),
        json!(42),
        json!(null),
        json!([{"press_releases": 1}]),
    ] {
        for completeness in [Completeness::Submitted, Completeness::Draft] {
            let err = validate_payload(&scheme(), &p, completeness).unwrap_err();
            assert_well_formed(&err);
            assert_eq!(err.len(), 1);
            assert_eq!(err[0].field, "payload");
            assert_eq!(err[0].code, "not_an_object");
        }
    }
}

// ---- schemes ----

fn default_value() -> Value {
    serde_json::from_str(DEFAULT_SCHEME_JSON).unwrap()
}

/// The problems of a mutated default scheme, which must be refused as `Invalid`.
#[track_caller]
fn scheme_problems(mutate: impl FnOnce(&mut Value)) -> Vec<Problem> {
    let mut v = default_value();
    mutate(&mut v);
    match Scheme::from_json(&v.to_string()) {
        Ok(_) => panic!("the mutated scheme should be refused"),
        Err(SchemeError::Malformed { path, message }) => {
            panic!("expected Invalid, got Malformed at {path}: {message}")
        }
        Err(SchemeError::Invalid(problems)) => {
            assert_well_formed(&problems);
            problems
        }
    }
}

/// The mutated scheme is refused with exactly these (path, code) problems, in any order.
#[track_caller]
fn scheme_refused(mutate: impl FnOnce(&mut Value), want: &[(&str, &str)]) {
    let mut got: Vec<(String, &str)> = scheme_problems(mutate)
        .into_iter()
        .map(|p| (p.field, p.code))
        .collect();
    got.sort();
    let mut want: Vec<(String, &str)> = want.iter().map(|(f, c)| (f.to_string(), *c)).collect();
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn the_default_scheme_loads() {
    let s = Scheme::from_json(DEFAULT_SCHEME_JSON).unwrap();
    assert_eq!(s, Scheme::default_scheme());
    assert_eq!(s.code, "cnca-publicity");
    assert_eq!(s.version, 1);
    assert_eq!(s.total_max, 100.0);
    assert_eq!(s.comparison_decimals, 6);
    assert_eq!(s.report_limit_hours, 48);
    // Round trip: serialised and loaded again, it is the same scheme.
    let again = Scheme::from_json(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(again, s);
}

/// SCHEME.md §1–§5 tables, against the scheme as data.
#[test]
fn the_default_scheme_is_the_one_of_scheme_md() {
    let s = Scheme::default_scheme();
    assert_eq!(s.fields.len(), 25);
    let field_types = [
        (
            "press_releases",
            FieldType::Integer,
            Some(0.0),
            Some(100000.0),
        ),
        (
            "original_posts",
            FieldType::Integer,
            Some(0.0),
            Some(1_000_000.0),
        ),
        (
            "expert_interpretations",
            FieldType::Integer,
            Some(0.0),
            Some(10000.0),
        ),
        (
            "complaints_received",
            FieldType::Integer,
            Some(0.0),
            Some(1_000_000.0),
        ),
        (
            "media_partnerships",
            FieldType::Integer,
            Some(0.0),
            Some(10000.0),
        ),
        ("publicity_budget_wan", FieldType::Decimal, Some(0.0), None),
        ("revenue_wan", FieldType::Decimal, Some(0.0), None),
        (
            "dedicated_staff",
            FieldType::Integer,
            Some(0.0),
            Some(10000.0),
        ),
        (
            "training_hours",
            FieldType::Decimal,
            Some(0.0),
            Some(2000.0),
        ),
        (
            "public_welfare_activities",
            FieldType::Integer,
            Some(0.0),
            Some(10000.0),
        ),
    ];
    for (name, t, min, max) in field_types {
        let f = s.field(name).unwrap();
        assert_eq!((f.field_type, f.min, f.max), (t, min, max), "{name}");
    }
    assert!(s.field("revenue_wan").unwrap().min_exclusive);
    assert_eq!(
        s.field("complaints_resolved_on_time")
            .unwrap()
            .max_field
            .as_deref(),
        Some("complaints_received")
    );
    for set in ["media_channels", "campaigns", "disclosed_items"] {
        let f = s.field(set).unwrap();
        assert_eq!(f.field_type, FieldType::Set);
        assert_eq!(f.members.len(), 6, "{set}");
    }

    let dims: Vec<(&str, f64, usize)> = s
        .dimensions
        .iter()
        .map(|d| (d.code.as_str(), d.max, d.indicators.len()))
        .collect();
    assert_eq!(
        dims,
        vec![
            ("D1", 20.0, 6),
            ("D2", 30.0, 6),
            ("D3", 25.0, 3),
            ("D4", 15.0, 5),
            ("D5", 10.0, 3)
        ]
    );
    let rule_of = |code: &str| s.indicators().find(|(_, i)| i.code == code).unwrap().1;
    assert!(matches!(rule_of("D2.1").rule, Rule::Log { cap, max } if cap == 50.0 && max == 6.0));
    assert!(matches!(rule_of("D2.3").rule, Rule::Log { cap, max } if cap == 500.0 && max == 5.0));
    assert!(
        matches!(rule_of("D3.2").rule, Rule::Linear { lo, hi, max } if lo == 0.6 && hi == 1.0 && max == 8.0)
    );
    assert!(
        matches!(rule_of("D4.1").rule, Rule::Linear { lo, hi, max } if lo == 0.0 && hi == 0.005 && max == 4.0)
    );
    assert!(matches!(&rule_of("D3.2").value, ValueSource::Ratio(r)
        if r.numerator == "complaints_resolved_on_time" && r.denominator == "complaints_received"));

    let deductions: Vec<(&str, f64, f64)> = s
        .deductions
        .iter()
        .map(|d| (d.code.as_str(), d.points_each, d.cap))
        .collect();
    assert_eq!(
        deductions,
        vec![
            ("X1", -3.0, -9.0),
            ("X2", -5.0, -15.0),
            ("X3", -5.0, -15.0),
            ("X4", -5.0, -10.0),
            ("X5", -5.0, -10.0)
        ]
    );
    let kinds: Vec<&str> = s.incident_kinds.iter().map(|k| k.code.as_str()).collect();
    assert_eq!(
        kinds,
        vec![
            "major_event",
            "negative_opinion",
            "unauthorized_release",
            "administrative_penalty",
            "secret_leak",
            "false_publicity",
            "paid_deletion"
        ]
    );
    let grades: Vec<(&str, f64)> = s.grades.iter().map(|g| (g.grade.as_str(), g.min)).collect();
    assert_eq!(
        grades,
        vec![("A", 90.0), ("B", 75.0), ("C", 60.0), ("D", 0.0)]
    );
    let warnings: Vec<(&str, u8)> = s
        .warnings
        .iter()
        .map(|w| (w.code.as_str(), w.level))
        .collect();
    assert_eq!(
        warnings,
        vec![
            ("W3.veto", 3),
            ("W3.negative_impact", 3),
            ("W2.grade_d", 2),
            ("W2.not_submitted", 2),
            ("W2.unreported", 2),
            ("W1.decline", 1),
            ("W1.late_report", 1),
            ("W1.unauthorized_release", 1)
        ]
    );
    assert_eq!(s.uncertainty.draws, 1000);
    assert_eq!(
        (s.uncertainty.multiplier_low, s.uncertainty.multiplier_high),
        (0.75, 1.25)
    );
    assert_eq!(s.uncertainty.borderline_share, 0.1);
}

#[test]
fn a_duplicate_indicator_code_is_named() {
    scheme_refused(
        |v| v["dimensions"][0]["indicators"][1]["code"] = json!("D1.1"),
        &[("dimensions[0].indicators[1].code", "duplicate_code")],
    );
    // Codes share one namespace: a veto may not take an indicator's code.
    scheme_refused(
        |v| v["vetoes"][0]["code"] = json!("D2.3"),
        &[("vetoes[0].code", "duplicate_code")],
    );
    // Renaming X1 leaves W1.late_report pointing at nothing: both are named.
    scheme_refused(
        |v| v["deductions"][0]["code"] = json!("D2.3"),
        &[
            ("deductions[0].code", "duplicate_code"),
            ("warnings[6].trigger.deduction", "unknown_deduction"),
        ],
    );
}

#[test]
fn dimension_maxima_must_add_up_to_100() {
    // D1 raised to 24 with its first indicator: the dimensions add up to 104.
    scheme_refused(
        |v| {
            v["dimensions"][0]["max"] = json!(24);
            v["dimensions"][0]["indicators"][0]["max"] = json!(8);
            v["dimensions"][0]["indicators"][0]["rule"]["points"] = json!(8);
        },
        &[("dimensions", "maxima_do_not_add_up")],
    );
    // total_max changed instead.
    scheme_refused(
        |v| v["total_max"] = json!(90),
        &[("dimensions", "maxima_do_not_add_up")],
    );
}

#[test]
fn indicator_maxima_must_add_up_to_their_dimension() {
    // D1.1 worth 5: D1's indicators add up to 21, not 20.
    scheme_refused(
        |v| {
            v["dimensions"][0]["indicators"][0]["max"] = json!(5);
            v["dimensions"][0]["indicators"][0]["rule"]["points"] = json!(5);
        },
        &[("dimensions[0].max", "maxima_do_not_add_up")],
    );
    // Changing only the dimension's max breaks both sums.
    scheme_refused(
        |v| v["dimensions"][4]["max"] = json!(11),
        &[
            ("dimensions", "maxima_do_not_add_up"),
            ("dimensions[4].max", "maxima_do_not_add_up"),
        ],
    );
}

#[test]
fn an_indicator_max_must_equal_its_rules_max() {
    scheme_refused(
        |v| v["dimensions"][1]["indicators"][0]["rule"]["max"] = json!(7),
        &[("dimensions[1].indicators[0].max", "maxima_do_not_add_up")],
    );
    // Tiers: the top tier's points.
    scheme_refused(
        |v| v["dimensions"][3]["indicators"][1]["rule"]["tiers"][1]["points"] = json!(4),
        &[("dimensions[3].indicators[1].max", "maxima_do_not_add_up")],
    );
}

#[test]
fn an_unknown_field_is_named() {
    scheme_refused(
        |v| v["dimensions"][0]["indicators"][0]["value"] = json!({"field": "policy_aproved"}),
        &[("dimensions[0].indicators[0].value.field", "unknown_field")],
    );
    scheme_refused(
        |v| {
            v["dimensions"][2]["indicators"][1]["value"]["ratio"]["denominator"] =
                json!("complaints")
        },
        &[(
            "dimensions[2].indicators[1].value.ratio.denominator",
            "unknown_field",
        )],
    );
}

#[test]
fn count_needs_a_set_field() {
    scheme_refused(
        |v| v["dimensions"][1]["indicators"][1]["value"] = json!({"count": "press_releases"}),
        &[("dimensions[1].indicators[1].value.count", "wrong_type")],
    );
}

#[test]
fn a_bool_rule_needs_a_bool_field_and_a_number_rule_a_number() {
    scheme_refused(
        |v| v["dimensions"][0]["indicators"][0]["value"] = json!({"field": "press_releases"}),
        &[("dimensions[0].indicators[0].rule", "wrong_type")],
    );
    scheme_refused(
        |v| v["dimensions"][1]["indicators"][0]["value"] = json!({"field": "policy_approved"}),
        &[("dimensions[1].indicators[0].rule", "wrong_type")],
    );
    scheme_refused(
        |v| v["dimensions"][1]["indicators"][1]["value"] = json!({"field": "media_channels"}),
        &[("dimensions[1].indicators[1].rule", "wrong_type")],
    );
}

#[test]
fn linear_needs_lo_below_hi() {
    scheme_refused(
        |v| v["dimensions"][2]["indicators"][1]["rule"]["lo"] = json!(1.0),
        &[("dimensions[2].indicators[1].rule.hi", "lo_not_below_hi")],
    );
    scheme_refused(
        |v| v["dimensions"][3]["indicators"][2]["rule"]["lo"] = json!(20),
        &[("dimensions[3].indicators[2].rule.hi", "lo_not_below_hi")],
    );
}

#[test]
fn tiers_must_ascend() {
    // D2.5's second threshold moved down to the first's.
    scheme_refused(
        |v| v["dimensions"][1]["indicators"][4]["rule"]["tiers"][1]["at"] = json!(1),
        &[(
            "dimensions[1].indicators[4].rule.tiers[1]",
            "tiers_not_ascending",
        )],
    );
    // Points that do not ascend.
    scheme_refused(
        |v| v["dimensions"][1]["indicators"][4]["rule"]["tiers"][1]["points"] = json!(1),
        &[(
            "dimensions[1].indicators[4].rule.tiers[1]",
            "tiers_not_ascending",
        )],
    );
    // Thresholds in reverse order (the max stays 3).
    scheme_refused(
        |v| {
            v["dimensions"][1]["indicators"][4]["rule"]["tiers"] = json!([{ "at": 6, "points": 1 }, { "at": 3, "points": 2 }, { "at": 1, "points": 3 }])
        },
        &[
            (
                "dimensions[1].indicators[4].rule.tiers[1]",
                "tiers_not_ascending",
            ),
            (
                "dimensions[1].indicators[4].rule.tiers[2]",
                "tiers_not_ascending",
            ),
        ],
    );
}

#[test]
fn deductions_must_be_negative() {
    scheme_refused(
        |v| v["deductions"][0]["points_each"] = json!(3),
        &[("deductions[0].points_each", "not_negative")],
    );
    scheme_refused(
        |v| v["deductions"][1]["cap"] = json!(15),
        &[("deductions[1].cap", "not_negative")],
    );
    scheme_refused(
        |v| v["deductions"][2]["points_each"] = json!(0),
        &[("deductions[2].points_each", "not_negative")],
    );
}

#[test]
fn a_deduction_must_name_a_known_incident_kind() {
    scheme_refused(
        |v| v["deductions"][3]["incidents"]["kind"] = json!("rumour"),
        &[("deductions[3].incidents.kind", "unknown_kind")],
    );
    scheme_refused(
        |v| v["vetoes"][0]["incidents"]["kind"] = json!("leak"),
        &[("vetoes[0].incidents.kind", "unknown_kind")],
    );
}

#[test]
fn grades_must_descend() {
    scheme_refused(
        |v| v["grades"][1]["min"] = json!(95),
        &[("grades[1].min", "grades_not_descending")],
    );
    scheme_refused(
        |v| v["grades"][2]["min"] = json!(75),
        &[("grades[2].min", "grades_not_descending")],
    );
}

#[test]
fn a_warning_trigger_must_name_a_known_grade_and_deduction() {
    scheme_refused(
        |v| v["warnings"][2]["trigger"]["grade"] = json!("E"),
        &[("warnings[2].trigger.grade", "unknown_grade")],
    );
    scheme_refused(
        |v| v["warnings"][5]["trigger"]["grade"] = json!("c"),
        &[("warnings[5].trigger.grade", "unknown_grade")],
    );
    scheme_refused(
        |v| v["warnings"][1]["trigger"]["deduction"] = json!("X9"),
        &[("warnings[1].trigger.deduction", "unknown_deduction")],
    );
}

#[test]
fn articles_must_exist_in_the_guideline() {
    scheme_refused(
        |v| v["dimensions"][0]["indicators"][0]["articles"] = json!([7, 0]),
        &[("dimensions[0].indicators[0].articles[1]", "unknown_article")],
    );
    scheme_refused(
        |v| v["warnings"][0]["articles"] = json!([37]),
        &[("warnings[0].articles[0]", "unknown_article")],
    );
    // 1 and 36 are the first and last articles.
    let mut v = default_value();
    v["warnings"][0]["articles"] = json!([1, 36]);
    Scheme::from_json(&v.to_string()).unwrap();
}

#[test]
fn several_problems_are_all_listed() {
    scheme_refused(
        |v| {
            v["dimensions"][0]["indicators"][1]["code"] = json!("D1.1");
            v["dimensions"][2]["indicators"][1]["rule"]["lo"] = json!(1.0);
            v["deductions"][0]["points_each"] = json!(3);
            v["deductions"][3]["incidents"]["kind"] = json!("rumour");
            v["grades"][1]["min"] = json!(95);
            v["warnings"][1]["trigger"]["deduction"] = json!("X9");
            v["warnings"][0]["articles"] = json!([37]);
        },
        &[
            ("dimensions[0].indicators[1].code", "duplicate_code"),
            ("dimensions[2].indicators[1].rule.hi", "lo_not_below_hi"),
            ("deductions[0].points_each", "not_negative"),
            ("deductions[3].incidents.kind", "unknown_kind"),
            ("grades[1].min", "grades_not_descending"),
            ("warnings[1].trigger.deduction", "unknown_deduction"),
            ("warnings[0].articles[0]", "unknown_article"),
        ],
    );
}

#[test]
fn an_unknown_key_is_malformed_with_its_path() {
    let mut v = default_value();
    v["dimensions"][0]["maxx"] = json!(20);
    match Scheme::from_json(&v.to_string()) {
        Err(SchemeError::Malformed { path, message }) => {
            assert_eq!(path, "dimensions[0].maxx");
            assert!(message.contains("maxx"), "{message}");
        }
        other => panic!("expected Malformed, got {other:?}"),
    }

    let mut v = default_value();
    v["uncertainty"]["drawz"] = json!(10);
    match Scheme::from_json(&v.to_string()) {
        Err(SchemeError::Malformed { path, .. }) => assert_eq!(path, "uncertainty.drawz"),
        other => panic!("expected Malformed, got {other:?}"),
    }

    // Inside a rule (an internally tagged enum) the path reaches the rule.
    let mut v = default_value();
    v["dimensions"][1]["indicators"][2]["rule"]["maxx"] = json!(5);
    match Scheme::from_json(&v.to_string()) {
        Err(e @ SchemeError::Malformed { .. }) => {
            let SchemeError::Malformed { path, message } = &e else {
                unreachable!()
            };
            assert!(
                path.starts_with("dimensions[1].indicators[2].rule"),
                "{path}"
            );
            assert!(message.contains("maxx"), "{message}");
            let problems = e.problems();
            assert_eq!(problems.len(), 1);
            assert_well_formed(&problems);
        }
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn a_document_of_the_wrong_shape_is_malformed() {
    let mut v = default_value();
    v["version"] = json!("one");
    assert!(matches!(
        Scheme::from_json(&v.to_string()),
        Err(SchemeError::Malformed { path, .. }) if path == "version"
    ));
    let mut v = default_value();
    v["dimensions"][0]["indicators"][0]["rule"]["kind"] = json!("sqrt");
    assert!(matches!(
        Scheme::from_json(&v.to_string()),
        Err(SchemeError::Malformed { .. })
    ));
    assert!(matches!(
        Scheme::from_json("not json"),
        Err(SchemeError::Malformed { .. })
    ));
}
