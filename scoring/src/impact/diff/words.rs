//! How a change reads in Chinese: the names of the scheme's sections, elements and attributes,
//! values as sentences show them, and the sentence itself.

use serde_json::Value;

use super::{IDENTITY_KEYS, Step, identity_text};
use crate::scheme::text::{format_articles, format_number};

/// Chinese names of the scheme's top-level sections and settings.
pub(super) fn section_name(key: &str) -> Option<&'static str> {
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
pub(super) fn element_label(container: &str, container_path: &str, item: &Value) -> String {
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
pub(super) fn sentence(steps: &[Step], old: &Value, new: &Value) -> String {
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
