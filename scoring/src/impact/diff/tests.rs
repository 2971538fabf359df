//! The scheme diff on the default scheme and a few revisions of it.
#![allow(clippy::unwrap_used)]

use serde_json::json;

use super::*;
use crate::Scheme;

fn default_json() -> Value {
    serde_json::to_value(Scheme::default_scheme()).unwrap()
}

#[test]
fn the_same_scheme_has_no_change_and_a_new_version_only_that() {
    let old = default_json();
    assert!(scheme_changes(&old, &old).is_empty());
    let mut new = old.clone();
    new["version"] = json!(2);
    let changes = scheme_changes(&old, &new);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].path, "version");
    assert_eq!(changes[0].zh, "方案版本由 1 调整为 2");
}

#[test]
fn a_grade_band_reads_as_the_issue_says() {
    let old = default_json();
    let mut new = old.clone();
    new["grades"][1]["min"] = json!(80.0);
    let changes = scheme_changes(&old, &new);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].path, "grades[1].min");
    assert_eq!(changes[0].old, json!(75.0));
    assert_eq!(changes[0].new, json!(80.0));
    assert_eq!(changes[0].zh, "等级 B 的最低分由 75 调整为 80");
}

#[test]
fn indicator_rules_tiers_and_warning_rules_are_named() {
    let old = default_json();
    let mut new = old.clone();
    new["dimensions"][0]["indicators"][0]["rule"]["points"] = json!(3.0);
    new["dimensions"][1]["indicators"][4]["rule"]["tiers"][1]["at"] = json!(4.0);
    new["warnings"][5]["trigger"]["points"] = json!(8.0);
    new["deductions"][0]["points_each"] = json!(-4.0);
    let zh: Vec<String> = scheme_changes(&old, &new)
        .into_iter()
        .map(|c| c.zh)
        .collect();
    assert_eq!(
        zh,
        vec![
            "指标 D1.1（方针制度经批准）的分值由 4 调整为 3",
            "指标 D2.5（专家解读）的第 2 档门槛由 3 调整为 4",
            "扣分项 X1（迟报）的每起扣分由 -3 调整为 -4",
            "警示规则 W1.decline（评价结果明显下滑）的下滑分数由 10 调整为 8",
        ]
    );
}

#[test]
fn elements_are_matched_by_identity_not_position() {
    let old = default_json();
    let mut new = old.clone();
    let grades = new["grades"].as_array_mut().unwrap();
    grades.insert(1, json!({"grade": "A-", "name": "较优", "min": 85.0}));
    let changes = scheme_changes(&old, &new);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].path, "grades[1]");
    assert_eq!(changes[0].zh, "新增等级 A-");
    let removed = scheme_changes(&new, &old);
    assert_eq!(removed[0].zh, "删除等级 A-");
}

#[test]
fn a_reordering_is_one_change() {
    let old = default_json();
    let mut new = old.clone();
    new["warnings"].as_array_mut().unwrap().swap(0, 1);
    let changes = scheme_changes(&old, &new);
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(changes[0].path, "warnings");
    assert!(
        changes[0]
            .zh
            .starts_with("风险警示规则的顺序由 W3.veto、W3.negative_impact")
    );
}

#[test]
fn unknown_sections_are_compared_too() {
    let old = default_json();
    let mut new = old.clone();
    new["review_notes"] = json!({"max_ratio": 0.5, "rules": [{"code": "P1", "limit": 3}]});
    let mut newer = new.clone();
    newer["review_notes"]["max_ratio"] = json!(0.6);
    newer["review_notes"]["rules"][0]["limit"] = json!(4);
    let added = scheme_changes(&old, &new);
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].path, "review_notes");
    assert!(
        added[0].zh.starts_with("review_notes 设为 {"),
        "{}",
        added[0].zh
    );
    let changed = scheme_changes(&new, &newer);
    assert_eq!(changed.len(), 2, "{changed:?}");
    assert_eq!(changed[0].path, "review_notes.max_ratio");
    assert_eq!(changed[0].zh, "review_notes.max_ratio 由 0.5 调整为 0.6");
    assert_eq!(changed[1].path, "review_notes.rules[0].limit");
    assert_eq!(
        changed[1].zh,
        "review_notes.rules P1 的 limit 由 3 调整为 4"
    );
}

#[test]
fn articles_read_as_articles() {
    let old = default_json();
    let mut new = old.clone();
    new["vetoes"][2]["articles"] = json!([22, 23]);
    let changes = scheme_changes(&old, &new);
    assert_eq!(
        changes[0].zh,
        "否决项 V3（有偿删帖）的依据条款由 第二十二条 调整为 第二十二条、第二十三条"
    );
}

#[test]
fn numbers_equal_in_value_are_equal() {
    assert!(scheme_changes(&json!({"a": 75}), &json!({"a": 75.0})).is_empty());
}
