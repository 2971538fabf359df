//! The fields of a scheme a draft's form edits — weights (each dimension's and indicator's
//! maximum and its rule's parameters), deduction thresholds, grade bands and warning rules —
//! named by the same paths the scheme's validation names problems with (`grades[1].min`), so
//! that each problem the API reports stands beside its field. Everything else in the document
//! (report fields, incident kinds, sections added later) is kept as it is.

use std::collections::BTreeMap;

use pubeval_scoring::Problem;
use serde_json::Value;

use crate::console::warnings_staff::kit::{Choice, FieldErrors};

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Any number.
    Number,
    /// A whole number.
    Whole,
    /// A grade code, chosen among the scheme's grades.
    Grade,
}

/// One editable field as the page shows it.
#[derive(Debug, Clone)]
pub struct FieldView {
    /// The field's path in the document, also the form's field name.
    pub path: String,
    /// The HTML id.
    pub id: String,
    /// What the field is, in Chinese.
    pub label: String,
    /// The value shown (as typed, after a refusal).
    pub value: String,
    /// The problem to show beside it.
    pub error: String,
    /// Whether it is a number input.
    pub number: bool,
    /// The choices of a grade.
    pub options: Vec<Choice>,
}

/// An indicator's row: its weight and its rule's parameters.
#[derive(Debug, Clone)]
pub struct Row {
    /// Code, e.g. `D2.5`, or a grade or rule code.
    pub code: String,
    /// Name.
    pub name: String,
    /// What kind of rule or trigger, in Chinese.
    pub kind: String,
    /// Its fields.
    pub fields: Vec<FieldView>,
}

/// A dimension with its indicators.
#[derive(Debug, Clone)]
pub struct Block {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// The dimension's maximum.
    pub max: FieldView,
    /// Its indicators.
    pub rows: Vec<Row>,
}

/// Every editable field of a document, grouped as the page shows them.
#[derive(Debug, Clone, Default)]
pub struct Sections {
    /// Dimensions and indicators.
    pub dimensions: Vec<Block>,
    /// Deductions.
    pub deductions: Vec<Row>,
    /// Grade bands.
    pub grades: Vec<Row>,
    /// Warning rules.
    pub warnings: Vec<Row>,
}

fn text(v: &Value) -> String {
    match v {
        Value::Number(n) => n.as_f64().map_or_else(
            || n.to_string(),
            pubeval_scoring::scheme::text::format_number,
        ),
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn items(v: &Value, key: &str) -> Vec<Value> {
    v.get(key)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// Builds the sections of `document`, showing `typed` values where given and `errors` beside
/// their fields.
pub struct Builder<'a> {
    document: &'a Value,
    typed: &'a BTreeMap<String, String>,
    errors: &'a FieldErrors,
    grades: Vec<String>,
    /// Every editable path with its kind, for reading the form back.
    pub kinds: BTreeMap<String, Kind>,
}

impl<'a> Builder<'a> {
    /// A builder over a document.
    pub fn new(
        document: &'a Value,
        typed: &'a BTreeMap<String, String>,
        errors: &'a FieldErrors,
    ) -> Builder<'a> {
        let grades = items(document, "grades")
            .iter()
            .map(|g| str_at(g, "grade").to_string())
            .collect();
        Builder {
            document,
            typed,
            errors,
            grades,
            kinds: BTreeMap::new(),
        }
    }

    fn field(&mut self, path: String, label: &str, value: &Value, kind: Kind) -> FieldView {
        self.kinds.insert(path.clone(), kind);
        let shown = self
            .typed
            .get(&path)
            .cloned()
            .unwrap_or_else(|| text(value));
        let options = if kind == Kind::Grade {
            self.grades
                .iter()
                .map(|g| Choice::new(g.clone(), format!("{g} 级"), &shown))
                .collect()
        } else {
            Vec::new()
        };
        FieldView {
            id: format!(
                "f-{}",
                path.chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                    .collect::<String>()
            ),
            label: label.to_string(),
            error: self.errors.get(&path).cloned().unwrap_or_default(),
            number: kind != Kind::Grade,
            value: shown,
            options,
            path,
        }
    }

    /// The sections of the document.
    pub fn sections(&mut self) -> Sections {
        let document = self.document;
        let mut out = Sections::default();
        for (d, dimension) in items(document, "dimensions").iter().enumerate() {
            let base = format!("dimensions[{d}]");
            let max = self.field(
                format!("{base}.max"),
                "维度满分",
                &dimension["max"],
                Kind::Number,
            );
            let mut rows = Vec::new();
            for (i, indicator) in items(dimension, "indicators").iter().enumerate() {
                let at = format!("{base}.indicators[{i}]");
                let rule = &indicator["rule"];
                let mut fields =
                    vec![self.field(format!("{at}.max"), "满分", &indicator["max"], Kind::Number)];
                let (kind, params): (&str, Vec<(&str, &str)>) = match str_at(rule, "kind") {
                    "bool" => ("是否型", vec![("points", "分值")]),
                    "per_item" => (
                        "按项计分",
                        vec![("points", "每项分值"), ("max", "规则满分")],
                    ),
                    "log" => ("对数", vec![("cap", "满分对应值"), ("max", "规则满分")]),
                    "linear" => (
                        "线性",
                        vec![
                            ("lo", "零分对应值"),
                            ("hi", "满分对应值"),
                            ("max", "规则满分"),
                        ],
                    ),
                    "tiers" => ("分档", Vec::new()),
                    other => (other, Vec::new()),
                };
                for (key, label) in params {
                    fields.push(self.field(
                        format!("{at}.rule.{key}"),
                        label,
                        &rule[key],
                        Kind::Number,
                    ));
                }
                for (t, tier) in items(rule, "tiers").iter().enumerate() {
                    let n = t + 1;
                    fields.push(self.field(
                        format!("{at}.rule.tiers[{t}].at"),
                        &format!("第{n}档门槛"),
                        &tier["at"],
                        Kind::Number,
                    ));
                    fields.push(self.field(
                        format!("{at}.rule.tiers[{t}].points"),
                        &format!("第{n}档分值"),
                        &tier["points"],
                        Kind::Number,
                    ));
                }
                rows.push(Row {
                    code: str_at(indicator, "code").to_string(),
                    name: str_at(indicator, "name").to_string(),
                    kind: kind.to_string(),
                    fields,
                });
            }
            out.dimensions.push(Block {
                code: str_at(dimension, "code").to_string(),
                name: str_at(dimension, "name").to_string(),
                max,
                rows,
            });
        }
        for (x, deduction) in items(document, "deductions").iter().enumerate() {
            let at = format!("deductions[{x}]");
            let fields = vec![
                self.field(
                    format!("{at}.points_each"),
                    "每起扣分",
                    &deduction["points_each"],
                    Kind::Number,
                ),
                self.field(
                    format!("{at}.cap"),
                    "扣分上限",
                    &deduction["cap"],
                    Kind::Number,
                ),
            ];
            out.deductions.push(Row {
                code: str_at(deduction, "code").to_string(),
                name: str_at(deduction, "name").to_string(),
                kind: "扣分".into(),
                fields,
            });
        }
        for (g, band) in items(document, "grades").iter().enumerate() {
            let fields = vec![self.field(
                format!("grades[{g}].min"),
                "最低分",
                &band["min"],
                Kind::Number,
            )];
            out.grades.push(Row {
                code: str_at(band, "grade").to_string(),
                name: str_at(band, "name").to_string(),
                kind: "等级".into(),
                fields,
            });
        }
        for (w, rule) in items(document, "warnings").iter().enumerate() {
            let at = format!("warnings[{w}]");
            let trigger = &rule["trigger"];
            let mut fields = vec![self.field(
                format!("{at}.level"),
                "警示级别",
                &rule["level"],
                Kind::Whole,
            )];
            let kind = match str_at(trigger, "when") {
                "incidents" => {
                    fields.push(self.field(
                        format!("{at}.trigger.at_least"),
                        "触发所需事件数",
                        &trigger["at_least"],
                        Kind::Whole,
                    ));
                    format!("事件（{}）", str_at(trigger, "deduction"))
                }
                "grade" => {
                    fields.push(self.field(
                        format!("{at}.trigger.grade"),
                        "触发等级",
                        &trigger["grade"],
                        Kind::Grade,
                    ));
                    "等级".to_string()
                }
                "decline" => {
                    fields.push(self.field(
                        format!("{at}.trigger.grade"),
                        "触发等级",
                        &trigger["grade"],
                        Kind::Grade,
                    ));
                    fields.push(self.field(
                        format!("{at}.trigger.points"),
                        "下滑分数",
                        &trigger["points"],
                        Kind::Number,
                    ));
                    "明显下滑".to_string()
                }
                "veto" => "否决项".to_string(),
                "not_submitted" => "未报送".to_string(),
                other => other.to_string(),
            };
            out.warnings.push(Row {
                code: str_at(rule, "code").to_string(),
                name: str_at(rule, "name").to_string(),
                kind,
                fields,
            });
        }
        out
    }
}

/// One step of a path: a key or an index.
enum Step {
    Key(String),
    Index(usize),
}

fn steps(path: &str) -> Option<Vec<Step>> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let (key, rest) = part.split_once('[').unwrap_or((part, ""));
        if !key.is_empty() {
            out.push(Step::Key(key.to_string()));
        }
        for index in rest.split('[').filter(|s| !s.is_empty()) {
            out.push(Step::Index(index.trim_end_matches(']').parse().ok()?));
        }
    }
    Some(out)
}

/// The value at `path`, to be replaced.
fn slot<'v>(document: &'v mut Value, path: &str) -> Option<&'v mut Value> {
    let mut at = document;
    for step in steps(path)? {
        at = match step {
            Step::Key(k) => at.get_mut(k.as_str())?,
            Step::Index(i) => at.get_mut(i)?,
        };
    }
    Some(at)
}

/// Writes what the form sent into the document: only the paths the form shows (`kinds`), each
/// read as its kind; a value that is not a number is a problem at its path.
pub fn apply(
    document: &mut Value,
    kinds: &BTreeMap<String, Kind>,
    sent: &BTreeMap<String, String>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (path, kind) in kinds {
        let Some(raw) = sent.get(path) else { continue };
        let raw = raw.trim();
        let value = match kind {
            Kind::Grade => Value::String(raw.to_string()),
            Kind::Whole => match raw.parse::<u64>() {
                Ok(n) => Value::from(n),
                Err(_) => {
                    problems.push(Problem::new(
                        path.clone(),
                        "not_whole",
                        "须为不小于 0 的整数",
                        "must be a whole number",
                    ));
                    continue;
                }
            },
            Kind::Number => match raw.parse::<f64>() {
                Ok(n) if n.is_finite() => Value::from(n),
                _ => {
                    problems.push(Problem::new(
                        path.clone(),
                        "not_a_number",
                        "须为数字",
                        "must be a number",
                    ));
                    continue;
                }
            },
        };
        if let Some(slot) = slot(document, path) {
            *slot = value;
        }
    }
    problems
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn default_document() -> Value {
        serde_json::from_str(pubeval_scoring::scheme::DEFAULT_SCHEME_JSON).unwrap()
    }

    #[test]
    fn every_weight_band_threshold_and_warning_rule_is_a_field() {
        let document = default_document();
        let (typed, errors) = (BTreeMap::new(), FieldErrors::new());
        let mut b = Builder::new(&document, &typed, &errors);
        let s = b.sections();
        assert_eq!(s.dimensions.len(), 5);
        assert_eq!(s.dimensions.iter().map(|d| d.rows.len()).sum::<usize>(), 23);
        assert_eq!(s.grades[1].fields[0].path, "grades[1].min");
        assert_eq!(s.grades[1].fields[0].value, "75");
        let d25 = &s.dimensions[1].rows[4];
        assert_eq!(d25.code, "D2.5");
        assert!(
            d25.fields
                .iter()
                .any(|f| f.path == "dimensions[1].indicators[4].rule.tiers[2].at")
        );
        let decline = &s.warnings[5];
        assert_eq!(decline.fields[2].path, "warnings[5].trigger.points");
        assert_eq!(b.kinds["warnings[5].trigger.grade"], Kind::Grade);
    }

    #[test]
    fn the_form_writes_only_its_fields_and_names_what_is_not_a_number() {
        let mut document = default_document();
        let (typed, errors) = (BTreeMap::new(), FieldErrors::new());
        let kinds = Builder::new(&document.clone(), &typed, &errors).pipe_kinds();
        let sent: BTreeMap<String, String> = [
            ("grades[1].min", "80"),
            ("warnings[5].trigger.grade", "D"),
            ("dimensions[0].max", "二十"),
            ("code", "evil"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let problems = apply(&mut document, &kinds, &sent);
        assert_eq!(document["grades"][1]["min"], 80.0);
        assert_eq!(document["warnings"][5]["trigger"]["grade"], "D");
        assert_eq!(document["code"], "cnca-publicity");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].field, "dimensions[0].max");
    }

    impl Builder<'_> {
        fn pipe_kinds(mut self) -> BTreeMap<String, Kind> {
            self.sections();
            self.kinds
        }
    }
}
