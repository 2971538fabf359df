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

use crate::scheme::text::format_number;

mod words;

use words::{element_label, section_name, sentence};

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
pub(super) enum Step {
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
pub(super) const IDENTITY_KEYS: [&str; 4] = ["code", "grade", "level", "name"];

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

pub(super) fn identity_text(v: &Value) -> String {
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
        } else {
            // An element's own settings before what it holds: a dimension's maximum before
            // its indicators.
            let nested = |k: &str| {
                [old.get(k), new.get(k)].into_iter().flatten().any(|v| {
                    v.is_object() || v.as_array().is_some_and(|a| a.iter().any(Value::is_object))
                })
            };
            keys.sort_by_key(|k| nested(k));
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

#[cfg(test)]
mod tests;
