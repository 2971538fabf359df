//! What validation reports is bounded whatever was sent (issue 11, amplification): a set longer
//! than its member list is one problem, at most 100 problems then one "and N more", and a value
//! sent is repeated cut short.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;
use common::*;
use pubeval_scoring::problem::{MAX_PROBLEMS, MORE_PROBLEMS, total};
use pubeval_scoring::scheme::DEFAULT_SCHEME_JSON;
use pubeval_scoring::{Completeness, Problem, Scheme, SchemeError, validate_payload};
use serde_json::{Value, json};

fn draft(payload: &Value) -> Vec<Problem> {
    validate_payload(&scheme(), payload, Completeness::Draft).expect_err("refused")
}

/// No message or path is longer than a few hundred characters.
#[track_caller]
fn assert_short(problems: &[Problem]) {
    for p in problems {
        for text in [&p.field, &p.message, &p.message_en] {
            assert!(text.chars().count() <= 501, "{} characters", text.len());
        }
    }
}

#[test]
fn a_set_longer_than_its_members_is_one_problem() {
    let items = vec![Value::String(String::new()); 340_000];
    let got = draft(&json!({ "media_channels": items }));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].field, "payload.media_channels");
    assert_eq!(got[0].code, "too_many_items");
    assert!(got[0].message.contains("最多 6 项"), "{}", got[0].message);
    assert!(
        got[0].message_en.contains("at most 6 items"),
        "{}",
        got[0].message_en
    );

    // Seven repetitions of a member are too many as well, without a problem per repetition.
    let got = draft(&json!({ "media_channels": vec!["website"; 7] }));
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].code, "too_many_items");
}

#[test]
fn the_allowed_members_are_listed_once_per_set() {
    let got = draft(&json!({ "media_channels": ["a", "b", "c", "website", "website"] }));
    let codes: Vec<(&str, &str)> = got.iter().map(|p| (p.field.as_str(), p.code)).collect();
    assert_eq!(
        codes,
        [
            ("payload.media_channels[0]", "unknown_member"),
            ("payload.media_channels[1]", "unknown_member"),
            ("payload.media_channels[2]", "unknown_member"),
            ("payload.media_channels[4]", "repeated_member"),
        ]
    );
    assert!(got[0].message.contains("wechat"), "{}", got[0].message);
    assert!(!got[1].message.contains("wechat"), "{}", got[1].message);
    assert!(got[1].message.contains("\"b\""), "{}", got[1].message);
}

#[test]
fn fifty_thousand_unknown_fields_give_100_problems_and_one_more() {
    let payload: serde_json::Map<String, Value> =
        (0..50_000).map(|i| (format!("f{i}"), json!(0))).collect();
    let got = draft(&Value::Object(payload));
    assert_eq!(got.len(), MAX_PROBLEMS + 1);
    assert_eq!(total(&got), 50_000);
    let more = &got[MAX_PROBLEMS];
    assert_eq!(more.field, "payload");
    assert_eq!(more.code, MORE_PROBLEMS);
    assert_eq!(more.message, "以及另外 49900 个问题");
    assert_eq!(more.message_en, "and 49900 more");
}

#[test]
fn a_long_value_sent_is_not_repeated_in_full() {
    let long = "长".repeat(300_000);
    for payload in [
        json!({ long.clone(): 1 }),
        json!({ "media_channels": [long.clone()] }),
        json!({ "media_channels": [{ "a": long.clone() }] }),
    ] {
        let got = draft(&payload);
        assert_eq!(got.len(), 1, "{payload:.50}");
        assert_short(&got);
        assert!(got[0].message.contains('…'), "{}", got[0].message);
    }
}

#[test]
fn a_scheme_with_39999_problems_gives_100_and_one_more() {
    let mut v: Value = serde_json::from_str(DEFAULT_SCHEME_JSON).unwrap();
    let fields = v["fields"].as_array_mut().unwrap();
    for _ in 0..20_000 {
        fields.push(json!({"name": "X", "type": "bool", "label": "x"}));
    }
    let Err(SchemeError::Invalid(got)) = Scheme::from_json(&v.to_string()) else {
        panic!("the scheme should be invalid");
    };
    assert_eq!(got.len(), MAX_PROBLEMS + 1);
    assert_eq!(
        total(&got),
        39_999,
        "one invalid name each, the 19,999 after the first repeated"
    );
    assert_eq!(got[MAX_PROBLEMS].code, MORE_PROBLEMS);
    assert_eq!(got[MAX_PROBLEMS].field, ".");
    // The message of the error lists what is kept, not 39,999 problems.
    assert!(SchemeError::Invalid(got).to_string().len() < 64 * 1024);
}

#[test]
fn a_long_code_in_a_scheme_is_not_repeated_in_full() {
    let long = "t".repeat(300_000);
    let mut v: Value = serde_json::from_str(DEFAULT_SCHEME_JSON).unwrap();
    v["fields"][0]["type"] = json!(long);
    let Err(e @ SchemeError::Malformed { .. }) = Scheme::from_json(&v.to_string()) else {
        panic!("the scheme should be malformed");
    };
    assert!(e.to_string().len() < 2048, "{} bytes", e.to_string().len());
    assert_short(&e.problems());

    let mut v: Value = serde_json::from_str(DEFAULT_SCHEME_JSON).unwrap();
    v["fields"][0]["name"] = json!(long);
    let Err(SchemeError::Invalid(got)) = Scheme::from_json(&v.to_string()) else {
        panic!("the scheme should be invalid");
    };
    assert_short(&got);
}
