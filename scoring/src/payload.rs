//! A body's annual report (the submission payload), validated against a scheme (SCHEME.md §1).
//!
//! Validation returns every problem at once (the first hundred, then how many more: see
//! [`Problems`]), each with its field path and a message in Chinese and English. A set longer
//! than its member list is one problem, found before its items are looked at. A valid payload is kept compactly, one [`FieldValue`] per scheme field, which is
//! what the engine reads: 60,000 reports fit in a few tens of megabytes.

use serde_json::{Map, Value};

use crate::problem::{Problem, Problems, shown};
use crate::scheme::{FieldDef, FieldType, Scheme};

/// The prefix of every payload field path, as the API and the CLI nest the payload.
pub const PAYLOAD_PATH: &str = "payload";

/// Whether a payload is a draft (fields may be missing) or submitted (every field required).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completeness {
    /// A draft: fields may be left out, those present must be valid.
    Draft,
    /// A submitted report: every field is required.
    Submitted,
}

/// One field's validated value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldValue {
    /// Left out (only in a draft).
    Missing,
    /// A bool field.
    Bool(bool),
    /// An integer field.
    Integer(i64),
    /// A decimal field.
    Decimal(f64),
    /// A set field: bit i set when the scheme's member i is present.
    Set(u64),
}

impl FieldValue {
    /// The value as a number for scoring: bools are 0 or 1, sets count their members.
    pub fn as_number(&self) -> Option<f64> {
        match *self {
            FieldValue::Missing => None,
            FieldValue::Bool(b) => Some(if b { 1.0 } else { 0.0 }),
            FieldValue::Integer(i) => Some(i as f64),
            FieldValue::Decimal(d) => Some(d),
            FieldValue::Set(bits) => Some(f64::from(bits.count_ones())),
        }
    }
}

/// A validated payload: one value per field of the scheme it was validated against, in the
/// scheme's field order.
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    values: Vec<FieldValue>,
}

impl Payload {
    /// Builds a payload from values in scheme field order (generators and tests; the API and
    /// the CLI use [`validate_payload`]).
    pub fn from_values(values: Vec<FieldValue>) -> Payload {
        Payload { values }
    }

    /// The value of the field at `index` in the scheme's field list.
    pub fn get(&self, index: usize) -> FieldValue {
        self.values
            .get(index)
            .copied()
            .unwrap_or(FieldValue::Missing)
    }

    /// All values in scheme field order.
    pub fn values(&self) -> &[FieldValue] {
        &self.values
    }

    /// The payload back as JSON, as a body would have sent it.
    pub fn to_json(&self, scheme: &Scheme) -> Map<String, Value> {
        let mut map = Map::new();
        for (field, value) in scheme.fields.iter().zip(&self.values) {
            let json = match *value {
                FieldValue::Missing => continue,
                FieldValue::Bool(b) => Value::Bool(b),
                FieldValue::Integer(i) => Value::from(i),
                FieldValue::Decimal(d) => Value::from(d),
                FieldValue::Set(bits) => Value::Array(
                    field
                        .members
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| bits & (1u64 << i) != 0)
                        .map(|(_, m)| Value::String(m.code.clone()))
                        .collect(),
                ),
            };
            map.insert(field.name.clone(), json);
        }
        map
    }
}

/// Validates a payload against the scheme; every problem is returned, not just the first.
pub fn validate_payload(
    scheme: &Scheme,
    payload: &Value,
    completeness: Completeness,
) -> Result<Payload, Vec<Problem>> {
    let Some(object) = payload.as_object() else {
        return Err(vec![Problem::new(
            PAYLOAD_PATH,
            "not_an_object",
            "报告内容应为 JSON 对象",
            "the payload must be a JSON object",
        )]);
    };
    let mut problems = Problems::new();
    for key in object.keys() {
        if scheme.field(key).is_some() {
            continue;
        }
        if problems.is_full() {
            problems.count_one();
            continue;
        }
        let key = shown(key);
        problems.push(Problem::new(
            format!("{PAYLOAD_PATH}.{key}"),
            "unknown_field",
            format!("未知字段 {key}"),
            format!("unknown field {key}"),
        ));
    }
    let mut values = Vec::with_capacity(scheme.fields.len());
    for field in &scheme.fields {
        let path = format!("{PAYLOAD_PATH}.{}", field.name);
        let value = match object.get(&field.name) {
            None | Some(Value::Null) => {
                if completeness == Completeness::Submitted {
                    problems.push(Problem::new(
                        path,
                        "required",
                        format!("必填字段“{}”未填写", field.label),
                        format!("{} is required in a submitted report", field.name),
                    ));
                }
                FieldValue::Missing
            }
            Some(v) => match field_value(field, v, &path, &mut problems) {
                Some(value) => value,
                None => FieldValue::Missing,
            },
        };
        values.push(value);
    }
    cross_field_rules(scheme, &values, &mut problems);
    if problems.is_empty() {
        Ok(Payload { values })
    } else {
        Err(problems.into_vec(PAYLOAD_PATH))
    }
}

fn field_value(
    field: &FieldDef,
    value: &Value,
    path: &str,
    problems: &mut Problems,
) -> Option<FieldValue> {
    let wrong_type = |zh: &str, en: &str| {
        Problem::new(
            path,
            "wrong_type",
            format!("“{}”应为{zh}", field.label),
            format!("{} must be {en}", field.name),
        )
    };
    match field.field_type {
        FieldType::Bool => match value.as_bool() {
            Some(b) => Some(FieldValue::Bool(b)),
            None => {
                problems.push(wrong_type("布尔值（true 或 false）", "true or false"));
                None
            }
        },
        FieldType::Integer => match value.as_i64() {
            Some(i) => in_range(field, i as f64, path, problems).then_some(FieldValue::Integer(i)),
            None => {
                problems.push(wrong_type(
                    "整数（不带小数点）",
                    "a whole number without a decimal point",
                ));
                None
            }
        },
        FieldType::Decimal => match value.as_f64().filter(|d| d.is_finite()) {
            Some(d) if value.is_number() => {
                in_range(field, d, path, problems).then_some(FieldValue::Decimal(d))
            }
            _ => {
                problems.push(wrong_type("数值", "a number"));
                None
            }
        },
        FieldType::Set => {
            let Some(items) = value.as_array() else {
                problems.push(wrong_type("列表", "a list of members"));
                return None;
            };
            // Distinct members can be no more than the members: a longer list is refused as a
            // whole, before its items cost a problem each.
            let most = field.members.len();
            if items.len() > most {
                problems.push(Problem::new(
                    path,
                    "too_many_items",
                    format!("“{}”最多 {most} 项，实为 {} 项", field.label, items.len()),
                    format!(
                        "{} has at most {most} items, has {}",
                        field.name,
                        items.len()
                    ),
                ));
                return None;
            }
            set_value(field, items, path, problems)
        }
    }
}

/// The members of a set no longer than its member list; each unknown or repeated item is named
/// by its index, the allowed members listed once.
fn set_value(
    field: &FieldDef,
    items: &[Value],
    path: &str,
    problems: &mut Problems,
) -> Option<FieldValue> {
    let mut bits = 0u64;
    let mut ok = true;
    let mut allowed_listed = false;
    for (i, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{i}]");
        let member = item
            .as_str()
            .and_then(|s| field.members.iter().position(|m| m.code == s));
        let shown_item = || match item.as_str() {
            Some(s) => format!("\"{}\"", shown(s)),
            None => shown(&item.to_string()),
        };
        match member {
            None => {
                ok = false;
                let item = shown_item();
                let (zh, en) = if allowed_listed {
                    (
                        format!("“{}”不能取 {item}", field.label),
                        format!("{item} is not a member"),
                    )
                } else {
                    allowed_listed = true;
                    let allowed: Vec<&str> =
                        field.members.iter().map(|m| m.code.as_str()).collect();
                    (
                        format!(
                            "“{}”不能取 {item}，可选：{}",
                            field.label,
                            allowed.join("、")
                        ),
                        format!("{item} is not one of {}", allowed.join(", ")),
                    )
                };
                problems.push(Problem::new(item_path, "unknown_member", zh, en));
            }
            Some(m) if bits & (1u64 << m) != 0 => {
                ok = false;
                let item = shown_item();
                problems.push(Problem::new(
                    item_path,
                    "repeated_member",
                    format!("“{}”重复填写了 {item}", field.label),
                    format!("{item} is listed more than once"),
                ));
            }
            Some(m) => bits |= 1u64 << m,
        }
    }
    ok.then_some(FieldValue::Set(bits))
}

fn in_range(field: &FieldDef, v: f64, path: &str, problems: &mut Problems) -> bool {
    let below = field.min.is_some_and(|min| {
        if field.min_exclusive {
            v <= min
        } else {
            v < min
        }
    });
    let above = field.max.is_some_and(|max| v > max);
    if below || above {
        let range = describe_range(field);
        problems.push(Problem::new(
            path,
            "out_of_range",
            format!("“{}”应{range}，实为 {v}", field.label),
            format!(
                "{} must be {}, is {v}",
                field.name,
                describe_range_en(field)
            ),
        ));
        return false;
    }
    true
}

fn describe_range(field: &FieldDef) -> String {
    let lo = field.min.map(|m| {
        if field.min_exclusive {
            format!("大于 {m}")
        } else {
            format!("不小于 {m}")
        }
    });
    let hi = field.max.map(|m| format!("不大于 {m}"));
    match (lo, hi) {
        (Some(lo), Some(hi)) => format!("{lo}且{hi}"),
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => "为有效数值".into(),
    }
}

fn describe_range_en(field: &FieldDef) -> String {
    let lo = field.min.map(|m| {
        if field.min_exclusive {
            format!("> {m}")
        } else {
            format!(">= {m}")
        }
    });
    let hi = field.max.map(|m| format!("<= {m}"));
    match (lo, hi) {
        (Some(lo), Some(hi)) => format!("{lo} and {hi}"),
        (Some(x), None) | (None, Some(x)) => x,
        (None, None) => "a valid number".into(),
    }
}

/// `max_field`: a field may not exceed another (resolved on time <= received).
fn cross_field_rules(scheme: &Scheme, values: &[FieldValue], problems: &mut Problems) {
    for (i, field) in scheme.fields.iter().enumerate() {
        let Some(other_name) = &field.max_field else {
            continue;
        };
        let Some(j) = scheme.field_index(other_name) else {
            continue;
        };
        if let (FieldValue::Integer(v), FieldValue::Integer(limit)) = (values[i], values[j])
            && v > limit
        {
            let other = &scheme.fields[j];
            problems.push(Problem::new(
                format!("{PAYLOAD_PATH}.{}", field.name),
                "exceeds_field",
                format!(
                    "“{}”（{v}）不能大于“{}”（{limit}）",
                    field.label, other.label
                ),
                format!(
                    "{} ({v}) must not exceed {} ({limit})",
                    field.name, other.name
                ),
            ));
        }
    }
}
