//! Reading `pubeval score`'s JSONL inputs, with every problem named by file, line and field.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use pubeval_scoring::{
    BodyInput, Category, Completeness, Incident, Problem, Scheme, validate_payload,
};
use serde::Deserialize;
use serde_json::Value;

use super::error::LineProblem;

/// Everything `pubeval score` reads, checked.
#[derive(Debug)]
pub struct Inputs {
    /// Bodies with their report and previous total.
    pub bodies: Vec<BodyInput>,
    /// Incidents.
    pub incidents: Vec<Incident>,
}

/// Collects problems across files so that one run shows them all.
struct Reader {
    problems: Vec<LineProblem>,
}

impl Reader {
    fn problem(&mut self, file: &Path, line: usize, problem: Problem) {
        self.problems.push(LineProblem {
            file: file.to_path_buf(),
            line,
            problem,
        });
    }

    /// The non-empty lines of a file as JSON objects, with their line numbers.
    fn lines(&mut self, file: &Path) -> Vec<(usize, Value)> {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(e) => {
                self.problem(
                    file,
                    0,
                    Problem::new(
                        "file",
                        "unreadable",
                        format!("无法读取文件：{e}"),
                        format!("cannot read the file: {e}"),
                    ),
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = line.trim().trim_start_matches('\u{feff}');
            if line.is_empty() {
                continue;
            }
            match serde_json::from_str::<Value>(line) {
                Ok(v) if v.is_object() => out.push((line_no, v)),
                Ok(_) => self.problem(
                    file,
                    line_no,
                    Problem::new(
                        "line",
                        "not_an_object",
                        "每行应为一个 JSON 对象",
                        "each line must be a JSON object",
                    ),
                ),
                Err(e) => self.problem(
                    file,
                    line_no,
                    Problem::new(
                        "line",
                        "malformed_json",
                        format!("不是有效的 JSON：{e}"),
                        format!("not valid JSON: {e}"),
                    ),
                ),
            }
        }
        out
    }

    /// Deserialises one line into `T`, naming the field that is wrong.
    fn record<T: for<'de> Deserialize<'de>>(
        &mut self,
        file: &Path,
        line: usize,
        value: Value,
    ) -> Option<T> {
        match serde_path_to_error::deserialize(value) {
            Ok(record) => Some(record),
            Err(e) => {
                let path = e.path().to_string();
                let message = e.inner().to_string();
                let field = if path == "." {
                    missing_field(&message).unwrap_or_else(|| "line".to_string())
                } else {
                    path
                };
                self.problem(
                    file,
                    line,
                    Problem::new(
                        field,
                        "invalid",
                        format!("字段有误：{message}"),
                        message.clone(),
                    ),
                );
                None
            }
        }
    }
}

/// serde names a missing field only in its message: "missing field `name`".
fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_string())
}

#[derive(Deserialize)]
struct BodyLine {
    body_id: String,
    name: String,
    category: String,
    #[serde(default)]
    approval_no: Option<String>,
}

#[derive(Deserialize)]
struct SubmissionLine {
    body_id: String,
    payload: Value,
}

#[derive(Deserialize)]
struct IncidentLine {
    #[serde(default)]
    id: Option<String>,
    body_id: String,
    kind: String,
    severity: String,
    occurred_at: DateTime<chrono::FixedOffset>,
    reported_at: Option<DateTime<chrono::FixedOffset>>,
}

#[derive(Deserialize)]
struct PreviousLine {
    body_id: String,
    total: f64,
}

/// The files `pubeval score` reads.
pub struct InputFiles<'a> {
    /// Bodies.
    pub bodies: &'a Path,
    /// Submissions.
    pub submissions: &'a Path,
    /// Incidents.
    pub incidents: Option<&'a PathBuf>,
    /// Previous totals.
    pub previous: Option<&'a PathBuf>,
}

/// Reads and checks every input file; on any problem, returns them all.
pub fn read(scheme: &Scheme, files: &InputFiles<'_>) -> Result<Inputs, Vec<LineProblem>> {
    let mut r = Reader {
        problems: Vec::new(),
    };
    let mut bodies = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (line, value) in r.lines(files.bodies) {
        let Some(b) = r.record::<BodyLine>(files.bodies, line, value) else {
            continue;
        };
        let Some(category) = Category::from_code(&b.category) else {
            r.problem(
                files.bodies,
                line,
                Problem::new(
                    "category",
                    "unknown_category",
                    format!(
                        "未知类别 {}，可选：management_system、product、service",
                        b.category
                    ),
                    format!(
                        "unknown category {}; one of management_system, product, service",
                        b.category
                    ),
                ),
            );
            continue;
        };
        if b.body_id.trim().is_empty() {
            r.problem(
                files.bodies,
                line,
                Problem::new(
                    "body_id",
                    "empty",
                    "机构编号不能为空",
                    "body_id must not be empty",
                ),
            );
            continue;
        }
        if index.insert(b.body_id.clone(), bodies.len()).is_some() {
            r.problem(
                files.bodies,
                line,
                Problem::new(
                    "body_id",
                    "duplicate_body",
                    format!("机构 {} 重复", b.body_id),
                    format!("body {} is listed twice", b.body_id),
                ),
            );
            continue;
        }
        bodies.push(BodyInput {
            body_id: b.body_id,
            name: b.name,
            category,
            approval_no: b.approval_no,
            payload: None,
            previous_total: None,
        });
    }

    let unknown_body = |id: &str| {
        Problem::new(
            "body_id",
            "unknown_body",
            format!("机构 {id} 不在机构名单中"),
            format!("body {id} is not in the bodies file"),
        )
    };

    for (line, value) in r.lines(files.submissions) {
        let Some(s) = r.record::<SubmissionLine>(files.submissions, line, value) else {
            continue;
        };
        let Some(&i) = index.get(&s.body_id) else {
            r.problem(files.submissions, line, unknown_body(&s.body_id));
            continue;
        };
        if bodies[i].payload.is_some() {
            r.problem(
                files.submissions,
                line,
                Problem::new(
                    "body_id",
                    "duplicate_submission",
                    format!("机构 {} 有多份报告", s.body_id),
                    format!("body {} has more than one report", s.body_id),
                ),
            );
            continue;
        }
        match validate_payload(scheme, &s.payload, Completeness::Submitted) {
            Ok(payload) => bodies[i].payload = Some(payload),
            Err(problems) => {
                for p in problems {
                    r.problem(files.submissions, line, p);
                }
            }
        }
    }

    let mut incidents = Vec::new();
    if let Some(file) = files.incidents {
        for (line, value) in r.lines(file) {
            let has_reported_at = value.get("reported_at").is_some();
            let Some(x) = r.record::<IncidentLine>(file, line, value) else {
                continue;
            };
            if !has_reported_at {
                r.problem(
                    file,
                    line,
                    Problem::new(
                        "reported_at",
                        "required",
                        "缺少 reported_at（机构从未报告时写 null）",
                        "reported_at is required (null when the body never reported it)",
                    ),
                );
                continue;
            }
            if !index.contains_key(&x.body_id) {
                r.problem(file, line, unknown_body(&x.body_id));
                continue;
            }
            let incident = Incident {
                id: Some(x.id.unwrap_or_else(|| format!("{}:{line}", file.display()))),
                body_id: x.body_id,
                kind: x.kind,
                severity: x.severity,
                occurred_at: x.occurred_at.with_timezone(&Utc),
                reported_at: x.reported_at.map(|t| t.with_timezone(&Utc)),
            };
            let problems = incident.validate(scheme, "");
            if problems.is_empty() {
                incidents.push(incident);
            } else {
                for p in problems {
                    r.problem(file, line, p);
                }
            }
        }
    }

    if let Some(file) = files.previous {
        let mut seen = HashMap::new();
        for (line, value) in r.lines(file) {
            let Some(p) = r.record::<PreviousLine>(file, line, value) else {
                continue;
            };
            let Some(&i) = index.get(&p.body_id) else {
                r.problem(file, line, unknown_body(&p.body_id));
                continue;
            };
            if !(p.total.is_finite() && (0.0..=scheme.total_max).contains(&p.total)) {
                r.problem(
                    file,
                    line,
                    Problem::new(
                        "total",
                        "out_of_range",
                        format!(
                            "上年度总分应在 0 至 {} 之间，实为 {}",
                            scheme.total_max, p.total
                        ),
                        format!(
                            "total must be within 0..={}, is {}",
                            scheme.total_max, p.total
                        ),
                    ),
                );
                continue;
            }
            if seen.insert(p.body_id.clone(), line).is_some() {
                r.problem(
                    file,
                    line,
                    Problem::new(
                        "body_id",
                        "duplicate_body",
                        format!("机构 {} 重复", p.body_id),
                        format!("body {} is listed twice", p.body_id),
                    ),
                );
                continue;
            }
            bodies[i].previous_total = Some(p.total);
        }
    }

    if r.problems.is_empty() {
        Ok(Inputs { bodies, incidents })
    } else {
        Err(r.problems)
    }
}
