//! The report form as the template shows it: the scheme's fields in its order, grouped under
//! the dimension they feed, each with its Chinese label, the articles it reports on, the input
//! its type calls for, the value shown (saved, or as typed) and the problems found in it.

use std::collections::BTreeMap;

use pubeval_scoring::Scheme;
use pubeval_scoring::scheme::text::{describe_field_range, format_number};
use pubeval_scoring::scheme::{FieldDef, FieldType, ValueSource, format_articles};
use serde_json::Value;

use super::convert::input_name;
use crate::console::page::chinese_part;
use crate::domain::Detail;

/// The input a field calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A checkbox.
    Bool,
    /// A number input.
    Number,
    /// A group of checkboxes.
    Set,
}

/// One member of a set, as a checkbox.
#[derive(Debug, Clone)]
pub struct MemberView {
    /// The input's id.
    pub id: String,
    /// The member's code (the checkbox's value).
    pub code: String,
    /// Its Chinese name.
    pub label: String,
    /// Ticked.
    pub checked: bool,
}

/// One field of the form.
#[derive(Debug, Clone)]
pub struct FieldView {
    /// The input's id (for a set: its group's).
    pub id: String,
    /// The input's name.
    pub name: String,
    /// The Chinese label.
    pub label: String,
    /// Which input.
    pub kind: Kind,
    /// The articles it reports on, e.g. 《指引》第七条、第八条.
    pub articles: String,
    /// What is allowed, e.g. 0 至 100000 的整数.
    pub range: String,
    /// A number's unit, e.g. 万元.
    pub unit: String,
    /// `min`, `max` and `step` of a number input (empty when none).
    pub min: String,
    /// See `min`.
    pub max: String,
    /// See `min`.
    pub step: &'static str,
    /// A number's text, as saved or as typed.
    pub text: String,
    /// A checkbox ticked.
    pub checked: bool,
    /// A set's members.
    pub members: Vec<MemberView>,
    /// The problems of this field, in Chinese.
    pub errors: Vec<String>,
    /// What the analyst asked the body to explain about this figure ("" when nothing).
    pub request: String,
}

impl FieldView {
    /// The ids the input is described by: its help, the analyst's request, its problems.
    pub fn described_by(&self) -> String {
        let mut ids = format!("{}-help", self.id);
        if !self.request.is_empty() {
            ids.push_str(&format!(" {}-request", self.id));
        }
        if !self.errors.is_empty() {
            ids.push_str(&format!(" {}-error", self.id));
        }
        ids
    }

    /// Whether it is a checkbox.
    pub fn is_bool(&self) -> bool {
        self.kind == Kind::Bool
    }

    /// Whether it is a group of checkboxes.
    pub fn is_set(&self) -> bool {
        self.kind == Kind::Set
    }
}

/// The fields of one dimension (一级指标), as a section of the form.
#[derive(Debug, Clone)]
pub struct Section {
    /// Its heading, e.g. 一、工作机制与管理制度.
    pub heading: String,
    /// Its fields, in the scheme's order.
    pub fields: Vec<FieldView>,
}

/// A problem listed in the summary above the form, linking to its field.
#[derive(Debug, Clone)]
pub struct SummaryLine {
    /// `#id` of the field, or empty when it names none.
    pub href: String,
    /// The field's label.
    pub label: String,
    /// What is wrong, in Chinese.
    pub message: String,
}

/// The problems by field name (`payload.media_channels[1]` is `media_channels`); those that name
/// no field of the scheme under the empty name.
pub fn problems_by_field(scheme: &Scheme, details: &[Detail]) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for d in details {
        let path = d.field.strip_prefix("payload.").unwrap_or(&d.field);
        let name = path.split('[').next().unwrap_or(path);
        let key = if scheme.field(name).is_some() {
            name
        } else {
            ""
        };
        let message = chinese_part(&d.problem).to_string();
        let list = map.entry(key.to_string()).or_default();
        if !list.contains(&message) {
            list.push(message);
        }
    }
    map
}

/// The summary of every problem, in the form's order.
pub fn summary(sections: &[Section], others: &[String]) -> Vec<SummaryLine> {
    let mut lines: Vec<SummaryLine> = sections
        .iter()
        .flat_map(|s| &s.fields)
        .flat_map(|f| {
            f.errors.iter().map(|m| SummaryLine {
                href: format!("#{}", f.id),
                label: f.label.clone(),
                message: m.clone(),
            })
        })
        .collect();
    lines.extend(others.iter().map(|m| SummaryLine {
        href: String::new(),
        label: String::new(),
        message: m.clone(),
    }));
    lines
}

/// The dimension whose indicators first take their value from this field.
fn dimension_of<'a>(
    scheme: &'a Scheme,
    field: &str,
) -> Option<&'a pubeval_scoring::scheme::Dimension> {
    scheme
        .indicators()
        .find(|(_, i)| match &i.value {
            ValueSource::Field(f) | ValueSource::Count(f) => f == field,
            ValueSource::Ratio(r) => r.numerator == field || r.denominator == field,
        })
        .map(|(d, _)| d)
}

/// The sections of the form: consecutive fields feeding the same dimension share one.
pub fn sections(
    scheme: &Scheme,
    values: &Value,
    problems: &BTreeMap<String, Vec<String>>,
) -> Vec<Section> {
    const ORDINALS: [&str; 10] = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    let mut sections: Vec<(Option<String>, Section)> = Vec::new();
    for field in &scheme.fields {
        let dimension = dimension_of(scheme, &field.name);
        let code = dimension.map(|d| d.code.clone());
        if sections.last().is_none_or(|(c, _)| *c != code) {
            let n = sections.len();
            let ordinal = ORDINALS
                .get(n)
                .map_or_else(|| (n + 1).to_string(), |s| s.to_string());
            let name = dimension.map_or("其他情况", |d| d.name.as_str());
            sections.push((
                code,
                Section {
                    heading: format!("{ordinal}、{name}"),
                    fields: Vec::new(),
                },
            ));
        }
        let errors = problems.get(&field.name).cloned().unwrap_or_default();
        if let Some((_, section)) = sections.last_mut() {
            section
                .fields
                .push(field_view(scheme, field, values.get(&field.name), errors));
        }
    }
    sections.into_iter().map(|(_, s)| s).collect()
}

fn field_view(
    scheme: &Scheme,
    field: &FieldDef,
    value: Option<&Value>,
    errors: Vec<String>,
) -> FieldView {
    let id = format!("f-{}", field.name);
    let kind = match field.field_type {
        FieldType::Bool => Kind::Bool,
        FieldType::Set => Kind::Set,
        FieldType::Integer | FieldType::Decimal => Kind::Number,
    };
    let ticked = |code: &str| {
        value
            .and_then(Value::as_array)
            .is_some_and(|items| items.iter().any(|v| v.as_str() == Some(code)))
    };
    let members = field
        .members
        .iter()
        .map(|m| MemberView {
            id: format!("{id}-{}", m.code),
            code: m.code.clone(),
            label: m.label.clone(),
            checked: ticked(&m.code),
        })
        .collect();
    let text = match value {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    };
    FieldView {
        name: input_name(&field.name),
        label: field.label.clone(),
        kind,
        articles: if field.articles.is_empty() {
            String::new()
        } else {
            format!("《指引》{}", format_articles(&field.articles))
        },
        range: range_of(scheme, field),
        unit: field.unit.clone().unwrap_or_default(),
        min: field.min.map(format_number).unwrap_or_default(),
        max: field.max.map(format_number).unwrap_or_default(),
        step: match field.field_type {
            FieldType::Integer => "1",
            _ => "any",
        },
        text,
        checked: value.and_then(Value::as_bool).unwrap_or(false),
        members,
        errors,
        request: String::new(),
        id,
    }
}

/// What a field admits, in Chinese.
fn range_of(scheme: &Scheme, field: &FieldDef) -> String {
    match field.field_type {
        FieldType::Bool => "已落实的请勾选".into(),
        FieldType::Set => "可多选，勾选所有适用项".into(),
        FieldType::Integer | FieldType::Decimal => format!(
            "填写{}",
            describe_field_range(scheme, field).unwrap_or_default()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_are_grouped_under_their_dimension_in_scheme_order() {
        let s = Scheme::default_scheme();
        let sections = sections(&s, &json!({}), &BTreeMap::new());
        let headings: Vec<&str> = sections.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(headings[0], "一、工作机制与管理制度");
        assert_eq!(sections.len(), 5, "{headings:?}");
        let count: usize = sections.iter().map(|s| s.fields.len()).sum();
        assert_eq!(count, s.fields.len());
        let first = &sections[0].fields[1];
        assert_eq!(first.label, "明确宣传工作主管负责人和主管部门");
        assert_eq!(first.articles, "《指引》第七条、第八条");
    }

    #[test]
    fn values_and_problems_appear_beside_their_field() {
        let s = Scheme::default_scheme();
        let details = vec![
            Detail::new(
                "payload.media_channels[1]",
                "“新媒体传播矩阵”重复填写了 weibo / weibo is listed more than once",
            ),
            Detail::new("payload.other", "未知字段 other / unknown field other"),
        ];
        let problems = problems_by_field(&s, &details);
        let sections = sections(
            &s,
            &json!({"press_releases": "许多", "media_channels": ["weibo"], "annual_plan": true}),
            &problems,
        );
        let fields: Vec<&FieldView> = sections.iter().flat_map(|s| &s.fields).collect();
        let find = |n: &str| fields.iter().find(|f| f.name == input_name(n)).copied();
        assert_eq!(
            find("press_releases").map(|f| f.text.as_str()),
            Some("许多")
        );
        assert!(find("annual_plan").is_some_and(|f| f.checked));
        let channels = find("media_channels").map(|f| (f.errors.clone(), f.members.clone()));
        let (errors, members) = channels.unwrap_or_default();
        assert_eq!(errors, vec!["“新媒体传播矩阵”重复填写了 weibo".to_string()]);
        assert!(members.iter().any(|m| m.code == "weibo" && m.checked));
        assert_eq!(problems[""], vec!["未知字段 other".to_string()]);
        assert_eq!(
            find("complaints_resolved_on_time").map(|f| f.range.clone()),
            Some("填写不小于 0、不大于“受理申投诉数”的整数".to_string())
        );
    }
}
