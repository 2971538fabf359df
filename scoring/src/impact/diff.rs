//! The differences between two scheme documents, each with a Chinese sentence for the meeting
//! that approves a revision ("等级 B 的最低分由 75 调整为 80").
//!
//! The walk is generic over JSON, so it covers every section of a scheme, also sections added
//! after this module was written: objects are compared key by key, arrays of objects that carry
//! an identity (`code`, `grade`, `level` or `name`) are matched by it (a reordering is one
//! change, an insertion does not shift every later element), other arrays of objects by
//! position, and arrays of plain values as one value. The sentences name what they know (grade
//! bands, dimensions, indicators, rules, deductions, vetoes, warning rules, report fields) and
//! fall back to the path for what they do not.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::scheme::text::{format_articles, format_number};

/// One difference between two schemes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Where, as the scheme's validation names fields (`grades[1].min`); the index is the
    /// element's position in the new scheme (in the old one for a removed element).
    pub path: String,
    /// The value before (null when it was added).
    pub old: Value,
    /// The value after (null when it was removed).
    pub new: Value,
    /// The change in one Chinese sentence.
    pub zh: String,
}

/// Every difference between two scheme documents (as JSON), in document order.
pub fn scheme_changes(old: &Value, new: &Value) -> Vec<Change> {
    let mut walk = Walk {
        changes: Vec::new(),
    };
    walk.value(&mut Vec::new(), old, new);
    walk.changes
}

/// One step of a path: an object's key, or an array's element with what identifies it.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Item {
        index: usize,
        /// The element as it reads in Chinese, when the array's elements have identities.
        label: Option<String>,
    },
}

fn path_text(steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Item { index, .. } => out.push_str(&format!("[{index}]")),
        }
    }
    out
}

struct Walk {
    changes: Vec<Change>,
}

/// The top-level sections in the order of the scheme document (SCHEME.md), so that changes
/// read from the header to the warning rules whatever order the JSON keeps its keys in.
const DOCUMENT_ORDER: [&str; 18] = [
    "code",
    "version",
    "name",
    "basis",
    "total_max",
    "comparison_decimals",
    "report_limit_hours",
    "fields",
    "dimensions",
    "incident_kinds",
    "severities",
    "deductions",
    "vetoes",
    "grades",
    "veto_grade",
    "warning_levels",
    "warnings",
    "uncertainty",
];

/// The keys that identify an element of an array of objects, tried in this order.
const IDENTITY_KEYS: [&str; 4] = ["code", "grade", "level", "name"];

/// The identity key shared by every element, when each has a distinct value for it.
fn identity_key<'a>(old: &'a [Value], new: &'a [Value]) -> Option<&'static str> {
    IDENTITY_KEYS.into_iter().find(|key| {
        [old, new].iter().all(|items| {
            let mut seen = std::collections::HashSet::new();
            items.iter().all(|item| {
                item.get(key)
                    .filter(|v| v.is_string() || v.is_number())
                    .is_some_and(|v| seen.insert(identity_text(v)))
            })
        })
    })
}

fn identity_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), format_number),
        other => other.to_string(),
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        // 75 and 75.0 are the same number.
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y,
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

impl Walk {
    fn value(&mut self, steps: &mut Vec<Step>, old: &Value, new: &Value) {
        match (old, new) {
            (Value::Object(o), Value::Object(n)) => self.object(steps, o, n),
            (Value::Array(o), Value::Array(n))
                if o.iter().chain(n).all(Value::is_object) && !(o.is_empty() && n.is_empty()) =>
            {
                self.array(steps, o, n)
            }
            _ if same(old, new) => {}
            _ => self.push(steps, old.clone(), new.clone()),
        }
    }

    fn object(
        &mut self,
        steps: &mut Vec<Step>,
        old: &Map<String, Value>,
        new: &Map<String, Value>,
    ) {
        let mut keys: Vec<&String> = old.keys().collect();
        keys.extend(new.keys().filter(|k| !old.contains_key(*k)));
        if steps.is_empty() {
            // The scheme's own order, then sections this module does not know.
            let place = |k: &str| {
                DOCUMENT_ORDER
                    .iter()
                    .position(|d| *d == k)
                    .unwrap_or(usize::MAX)
            };
            keys.sort_by_key(|k| place(k));
        }
        for key in keys {
            steps.push(Step::Key(key.clone()));
            match (old.get(key), new.get(key)) {
                (Some(o), Some(n)) => self.value(steps, o, n),
                (Some(o), None) => self.push(steps, o.clone(), Value::Null),
                (None, Some(n)) => self.push(steps, Value::Null, n.clone()),
                (None, None) => {}
            }
            steps.pop();
        }
    }

    fn array(&mut self, steps: &mut Vec<Step>, old: &[Value], new: &[Value]) {
        let container = match steps.last() {
            Some(Step::Key(k)) => k.clone(),
            _ => String::new(),
        };
        let Some(key) = identity_key(old, new) else {
            // By position: tiers of a rule, and any list without identities.
            for i in 0..old.len().max(new.len()) {
                steps.push(Step::Item {
                    index: i,
                    label: None,
                });
                match (old.get(i), new.get(i)) {
                    (Some(o), Some(n)) => self.value(steps, o, n),
                    (Some(o), None) => self.push(steps, o.clone(), Value::Null),
                    (None, Some(n)) => self.push(steps, Value::Null, n.clone()),
                    (None, None) => {}
                }
                steps.pop();
            }
            return;
        };
        let id = |v: &Value| v.get(key).map(identity_text).unwrap_or_default();
        let old_ids: Vec<String> = old.iter().map(id).collect();
        let new_ids: Vec<String> = new.iter().map(id).collect();
        let container_path = path_text(steps);
        for (i, n) in new.iter().enumerate() {
            let label = Some(element_label(&container, &container_path, n));
            steps.push(Step::Item { index: i, label });
            match old_ids.iter().position(|o| *o == new_ids[i]) {
                Some(j) => self.value(steps, &old[j], n),
                None => self.push(steps, Value::Null, n.clone()),
            }
            steps.pop();
        }
        for (j, o) in old.iter().enumerate() {
            if !new_ids.contains(&old_ids[j]) {
                let label = Some(element_label(&container, &container_path, o));
                steps.push(Step::Item { index: j, label });
                self.push(steps, o.clone(), Value::Null);
                steps.pop();
            }
        }
        // The order of what both keep (warning rules are listed in notices in this order).
        let kept_old: Vec<&String> = old_ids.iter().filter(|i| new_ids.contains(i)).collect();
        let kept_new: Vec<&String> = new_ids.iter().filter(|i| old_ids.contains(i)).collect();
        if kept_old != kept_new {
            let list = |ids: &[&String]| {
                Value::Array(ids.iter().map(|s| Value::String((*s).clone())).collect())
            };
            let (o, n) = (list(&kept_old), list(&kept_new));
            let zh = format!(
                "{}的顺序由 {} 调整为 {}",
                section_name(&container).unwrap_or(container.as_str()),
                join_ids(&kept_old),
                join_ids(&kept_new)
            );
            self.changes.push(Change {
                path: path_text(steps),
                old: o,
                new: n,
                zh,
            });
        }
    }

    fn push(&mut self, steps: &[Step], old: Value, new: Value) {
        let zh = sentence(steps, &old, &new);
        self.changes.push(Change {
            path: path_text(steps),
            old,
            new,
            zh,
        });
    }
}

fn join_ids(ids: &[&String]) -> String {
    ids.iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

/// Chinese names of the scheme's top-level sections and settings.
fn section_name(key: &str) -> Option<&'static str> {
    Some(match key {
        "code" => "方案代码",
        "version" => "方案版本",
        "name" => "方案名称",
        "basis" => "评价依据",
        "total_max" => "总分满分",
        "comparison_decimals" => "总分比较精度（小数位数）",
        "report_limit_hours" => "要情报告时限（小时）",
        "fields" => "报告字段",
        "dimensions" => "评价维度",
        "indicators" => "评价指标",
        "incident_kinds" => "事件类型",
        "severities" => "事件严重程度",
        "deductions" => "扣分项",
        "vetoes" => "否决项",
        "grades" => "等级",
        "veto_grade" => "否决项对应等级",
        "warning_levels" => "警示级别",
        "warnings" => "风险警示规则",
        "uncertainty" => "稳健性分析",
        "members" => "选项",
        "tiers" => "分档",
        _ => return None,
    })
}

/// How an element of the array under `container` reads: 等级 B, 指标 D1.1（方针制度经批准）.
/// Elements of arrays this module does not know read as their path and identity
/// (`plausibility.rules P1`).
fn element_label(container: &str, container_path: &str, item: &Value) -> String {
    let text = |k: &str| item.get(k).map(identity_text).unwrap_or_default();
    let with_name = |kind: &str, id: &str, name_key: &str| {
        let name = text(name_key);
        if name.is_empty() {
            format!("{kind} {}", text(id))
        } else {
            format!("{kind} {}（{name}）", text(id))
        }
    };
    match container {
        "grades" => format!("等级 {}", text("grade")),
        "dimensions" => with_name("维度", "code", "name"),
        "indicators" => with_name("指标", "code", "name"),
        "deductions" => with_name("扣分项", "code", "name"),
        "vetoes" => with_name("否决项", "code", "name"),
        "warnings" => with_name("警示规则", "code", "name"),
        "warning_levels" => format!("{}级警示", text("level")),
        "fields" => with_name("报告字段", "name", "label"),
        "incident_kinds" => with_name("事件类型", "code", "label"),
        "severities" => with_name("严重程度", "code", "label"),
        "members" => with_name("选项", "code", "label"),
        other => {
            let id = IDENTITY_KEYS
                .iter()
                .map(|k| text(k))
                .find(|t| !t.is_empty())
                .unwrap_or_default();
            format!("{} {id}", section_name(other).unwrap_or(container_path))
        }
    }
}

/// The rule kind of the indicator a path runs through, for naming its parameters.
fn attribute_name(keys: &[&str], last_container: Option<&str>) -> String {
    let known = match keys {
        ["min"] if last_container == Some("grades") => "最低分",
        ["min"] => "最小值",
        ["max"] if matches!(last_container, Some("dimensions" | "indicators")) => "满分",
        ["max"] => "最大值",
        ["name" | "label"] => "名称",
        ["grade"] => "等级代码",
        ["articles"] => "依据条款",
        ["type"] => "类型",
        ["unit"] => "单位",
        ["min_exclusive"] => "下限是否不含本数",
        ["max_field"] => "不得超过的字段",
        ["value", "field"] => "取值字段",
        ["value", "count"] => "计数字段",
        ["value", "ratio", "numerator"] => "比值的分子字段",
        ["value", "ratio", "denominator"] => "比值的分母字段",
        ["value", "ratio", "when_denominator_zero"] => "分母为零时的得分",
        ["value"] => "取值方式",
        ["rule", "kind"] => "评分规则类型",
        ["rule", "points"] => "分值",
        ["rule", "max"] => "规则满分",
        ["rule", "cap"] => "满分对应值",
        ["rule", "lo"] => "零分对应值",
        ["rule", "hi"] => "满分对应值",
        ["rule", "tiers"] => "评分分档",
        ["rule"] => "评分规则",
        ["points_each"] => "每起扣分",
        ["cap"] => "扣分上限",
        ["incidents", "kind"] => "计入的事件类型",
        ["incidents", "severity"] => "计入的事件严重程度",
        ["incidents", "reporting"] => "计入的报告情形",
        ["incidents"] => "计入的事件",
        ["level"] => "警示级别",
        ["trigger", "when"] => "触发条件",
        ["trigger", "grade"] => "触发等级",
        ["trigger", "points"] => "下滑分数",
        ["trigger", "at_least"] => "触发所需事件数",
        ["trigger", "deduction"] => "计数的扣分项",
        ["trigger", "without_veto"] => "是否仅限无否决项",
        ["trigger"] => "触发条件",
        ["members"] => "选项",
        ["draws"] => "抽样次数",
        ["multiplier_low"] => "权重乘数下限",
        ["multiplier_high"] => "权重乘数上限",
        ["borderline_share"] => "临界判定比例",
        _ => "",
    };
    if known.is_empty() {
        keys.join(".")
    } else {
        known.to_string()
    }
}

/// A value as a sentence shows it.
fn shown(value: &Value, articles: bool) -> String {
    match value {
        Value::Null => "（无）".into(),
        Value::Bool(true) => "是".into(),
        Value::Bool(false) => "否".into(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), format_number),
        Value::String(s) => s.clone(),
        Value::Array(items) if articles => {
            let numbers: Vec<u32> = items
                .iter()
                .filter_map(|v| v.as_u64().and_then(|n| u32::try_from(n).ok()))
                .collect();
            if numbers.is_empty() {
                "（无）".into()
            } else {
                format_articles(&numbers)
            }
        }
        Value::Array(items) if items.iter().all(|v| !v.is_object() && !v.is_array()) => {
            let parts: Vec<String> = items.iter().map(|v| shown(v, false)).collect();
            format!("[{}]", parts.join(", "))
        }
        other => other.to_string(),
    }
}

/// The Chinese sentence of one change.
fn sentence(steps: &[Step], old: &Value, new: &Value) -> String {
    // The owner: the innermost element with an identity; for an option of a set field, the
    // field too.
    let labelled: Vec<usize> = steps
        .iter()
        .enumerate()
        .filter(|(_, s)| matches!(s, Step::Item { label: Some(_), .. }))
        .map(|(i, _)| i)
        .collect();
    let owner_at = labelled.last().copied();
    let label_of = |i: usize| match &steps[i] {
        Step::Item { label: Some(l), .. } => l.clone(),
        _ => String::new(),
    };
    let container_of = |i: usize| match i.checked_sub(1).map(|j| &steps[j]) {
        Some(Step::Key(k)) => Some(k.as_str()),
        _ => None,
    };
    let owner = owner_at.map(|i| {
        let own = label_of(i);
        match (container_of(i), labelled.len()) {
            (Some("members"), n) if n >= 2 => format!("{}的{own}", label_of(labelled[n - 2])),
            _ => own,
        }
    });
    let rest = &steps[owner_at.map_or(0, |i| i + 1)..];
    let whole_element = rest.is_empty();
    if whole_element {
        let owner = owner.unwrap_or_default();
        return match (old.is_null(), new.is_null()) {
            (true, _) => format!("新增{owner}"),
            (_, true) => format!("删除{owner}"),
            _ => format!("{owner}调整"),
        };
    }
    // The attribute: keys after the owner, with tiers named by position.
    let mut keys: Vec<&str> = Vec::new();
    let mut tier: Option<usize> = None;
    for step in rest {
        match step {
            Step::Key(k) => keys.push(k.as_str()),
            Step::Item { index, .. } => tier = Some(*index),
        }
    }
    let last_container = owner_at.and_then(container_of);
    let attribute = match (tier, keys.as_slice()) {
        (Some(t), ["rule", "tiers", "at"]) => format!("第 {} 档门槛", t + 1),
        (Some(t), ["rule", "tiers", "points"]) => format!("第 {} 档分值", t + 1),
        (Some(t), ["rule", "tiers"]) => format!("第 {} 档", t + 1),
        _ if owner.is_none() => {
            // A top-level setting or section: 总分满分, 稳健性分析的抽样次数, or the path.
            match keys.as_slice() {
                [one] => section_name(one).map_or_else(|| one.to_string(), str::to_string),
                [first, more @ ..] => match section_name(first) {
                    Some(section) => format!("{section}的{}", attribute_name(more, None)),
                    None => keys.join("."),
                },
                [] => String::new(),
            }
        }
        _ => attribute_name(&keys, last_container),
    };
    let articles = keys.last() == Some(&"articles");
    let subject = match &owner {
        Some(owner) => glue(&glue(owner, "的"), &attribute),
        None => attribute,
    };
    match (old.is_null(), new.is_null()) {
        (true, false) => format!("{} {}", glue(&subject, "设为"), shown(new, articles)),
        (false, true) => format!(
            "{}（原为 {}）",
            glue("删除", &subject),
            shown(old, articles)
        ),
        _ => format!(
            "{} {} 调整为 {}",
            glue(&subject, "由"),
            shown(old, articles),
            shown(new, articles)
        ),
    }
}

/// `a` and `b` joined, with a space where Latin letters or digits meet Chinese (等级 B 的).
fn glue(a: &str, b: &str) -> String {
    let latin = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let wide = |c: Option<char>| c.is_some_and(|c| !c.is_ascii());
    let (end, start) = (a.chars().last(), b.chars().next());
    if (latin(end) && wide(start)) || (wide(end) && latin(start)) {
        format!("{a} {b}")
    } else {
        format!("{a}{b}")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
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
        new["plausibility"] = json!({"max_ratio": 0.5, "rules": [{"code": "P1", "limit": 3}]});
        let mut newer = new.clone();
        newer["plausibility"]["max_ratio"] = json!(0.6);
        newer["plausibility"]["rules"][0]["limit"] = json!(4);
        let added = scheme_changes(&old, &new);
        assert_eq!(added.len(), 1);
        assert_eq!(added[0].path, "plausibility");
        assert!(
            added[0].zh.starts_with("plausibility 设为 {"),
            "{}",
            added[0].zh
        );
        let changed = scheme_changes(&new, &newer);
        assert_eq!(changed.len(), 2, "{changed:?}");
        assert_eq!(changed[0].path, "plausibility.max_ratio");
        assert_eq!(changed[0].zh, "plausibility.max_ratio 由 0.5 调整为 0.6");
        assert_eq!(changed[1].path, "plausibility.rules[0].limit");
        assert_eq!(
            changed[1].zh,
            "plausibility.rules P1 的 limit 由 3 调整为 4"
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
}
