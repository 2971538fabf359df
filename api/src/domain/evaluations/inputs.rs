//! What an evaluation reads: the cycle's scheme, every body the year expects, each body's
//! report when it counts, the year's incidents that are not voided, and the previous year's
//! final totals.

use std::collections::HashMap;

use diesel::prelude::*;
use pubeval_scoring::{
    BodyInput, BodyResult, Category, Completeness, Engine, Incident, Scheme, validate_payload,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::db::DbConn;
use crate::db::models::body::{Body, BodyFilter};
use crate::db::models::cycle::Cycle;
use crate::db::models::evaluation::{Evaluation, ResultRow};
use crate::db::models::incident::IncidentRow;
use crate::db::models::scheme::SchemeRow;
use crate::db::schema::{evaluations, late_entry_exceptions, submissions};
use crate::states::{EvaluationStatus, SubmissionStatus, TextEnum};

/// The inputs of one evaluation.
#[derive(Debug)]
pub struct Inputs {
    /// The scheme's document as stored (part of the digest).
    pub scheme_definition: String,
    /// The scheme.
    pub scheme: Scheme,
    /// Every expected body, with its report when it counts and last year's total.
    pub bodies: Vec<BodyInput>,
    /// Province by body id (results list it).
    pub provinces: HashMap<String, String>,
    /// The year's incidents that are not voided.
    pub incidents: Vec<Incident>,
    /// Reports submitted before the cycle closed (not through an exception).
    pub on_time: usize,
    /// Reports that did not count, with why.
    pub excluded: Vec<(String, String)>,
    /// Reports evaluated that had open plausibility flags when the run read its inputs.
    pub flagged_reports: usize,
}

/// Loads the inputs of an evaluation.
pub fn load_inputs(conn: &mut DbConn, evaluation: &Evaluation) -> Result<Inputs, String> {
    load_inputs_as_of(conn, evaluation, None)
}

/// Loads the inputs of an evaluation as the database stood at `as_of` (now when `None`): the
/// bodies registered by then, report revisions, late-entry exceptions and incidents recorded
/// by then, incidents not yet voided then with the kind and severity they had then, and the
/// previous year's evaluation that was final then. Registry entries, the cycle's window and the scheme are read as they
/// are now; the digest ([`Inputs::digest`]) tells whether the result equals what a run saw.
pub fn load_inputs_as_of(
    conn: &mut DbConn,
    evaluation: &Evaluation,
    as_of: Option<chrono::NaiveDateTime>,
) -> Result<Inputs, String> {
    let year = evaluation.year;
    let scheme_row = SchemeRow::by_id(conn, &evaluation.scheme_id)
        .map_err(|e| e.to_string())?
        .ok_or("方案不存在 / the scheme is missing")?;
    let scheme = scheme_row.parsed().map_err(|e| e.to_string())?;
    let cycle = Cycle::by_year(conn, year)
        .map_err(|e| e.to_string())?
        .ok_or("没有评价周期 / no cycle")?;
    let mut exceptions_query = late_entry_exceptions::table
        .filter(late_entry_exceptions::cycle_id.eq(&cycle.id))
        .into_boxed();
    if let Some(t) = as_of {
        exceptions_query = exceptions_query.filter(late_entry_exceptions::created_at.le(t));
    }
    let exceptions: HashMap<String, chrono::NaiveDateTime> = exceptions_query
        .select((
            late_entry_exceptions::body_id,
            late_entry_exceptions::closes_at,
        ))
        .load(conn)
        .map_err(|e| e.to_string())?
        .into_iter()
        .collect();

    let (all_bodies, _) =
        Body::page(conn, &BodyFilter::default(), 0, i64::MAX).map_err(|e| e.to_string())?;
    let expected: Vec<Body> = all_bodies
        .into_iter()
        .filter(|b| b.expected_in(year))
        // A body registered since was not in the registry then.
        .filter(|b| as_of.is_none_or(|t| b.created_at <= t))
        .collect();

    // Every revision's status and time (without payloads), to find each body's current status
    // and when it was last submitted.
    let revisions_query = || {
        let q = submissions::table
            .filter(submissions::year.eq(year))
            .into_boxed();
        match as_of {
            Some(t) => q.filter(submissions::created_at.le(t)),
            None => q,
        }
    };
    let revisions: Vec<(String, i32, String, chrono::NaiveDateTime)> = revisions_query()
        .select((
            submissions::body_id,
            submissions::revision,
            submissions::status,
            submissions::created_at,
        ))
        .load(conn)
        .map_err(|e| e.to_string())?;
    struct State {
        current: i32,
        status: String,
        last_submitted: Option<chrono::NaiveDateTime>,
    }
    let mut states: HashMap<String, State> = HashMap::new();
    for (body_id, revision, status, at) in revisions {
        let s = states.entry(body_id).or_insert(State {
            current: 0,
            status: String::new(),
            last_submitted: None,
        });
        if status == SubmissionStatus::Submitted.as_str() && s.last_submitted.is_none_or(|t| at > t)
        {
            s.last_submitted = Some(at);
        }
        if revision > s.current {
            s.current = revision;
            s.status = status;
        }
    }
    // Payloads of the current revisions that count.
    let counted: Vec<&str> = <SubmissionStatus as TextEnum>::ALL
        .iter()
        .filter(|s| s.counts())
        .map(|s| s.as_str())
        .collect();
    let payloads: HashMap<String, String> = revisions_query()
        .filter(submissions::status.eq_any(counted))
        .select((
            submissions::body_id,
            submissions::revision,
            submissions::payload,
        ))
        .load::<(String, i32, String)>(conn)
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|(body, revision, _)| states.get(body).is_some_and(|s| s.current == *revision))
        .map(|(body, _, payload)| (body, payload))
        .collect();

    let previous_final = match as_of {
        Some(t) => final_of_year_as_of(conn, year - 1, t),
        None => Evaluation::final_of_year(conn, year - 1),
    };
    let previous: HashMap<String, f64> = match previous_final.map_err(|e| e.to_string())? {
        Some(prev) => ResultRow::totals(conn, &prev.id)
            .map_err(|e| e.to_string())?
            .into_iter()
            .filter_map(|(b, t)| t.map(|t| (b, t)))
            .collect(),
        None => HashMap::new(),
    };

    let mut on_time = 0;
    let mut excluded = Vec::new();
    let mut bodies = Vec::with_capacity(expected.len());
    let mut provinces = HashMap::with_capacity(expected.len());
    for b in expected {
        let mut payload = None;
        if let Some(s) = states.get(&b.id)
            && SubmissionStatus::parse(&s.status).is_some_and(SubmissionStatus::counts)
        {
            let closes = exceptions
                .get(&b.id)
                .copied()
                .filter(|e| *e > cycle.closes_at)
                .unwrap_or(cycle.closes_at);
            match (s.last_submitted, payloads.get(&b.id)) {
                (Some(at), Some(text)) if at < closes => {
                    let parsed: serde_json::Value =
                        serde_json::from_str(text).map_err(|e| e.to_string())?;
                    match validate_payload(&scheme, &parsed, Completeness::Submitted) {
                        Ok(p) => {
                            if at < cycle.closes_at {
                                on_time += 1;
                            }
                            payload = Some(p);
                        }
                        Err(problems) => excluded.push((
                            b.id.clone(),
                            format!(
                                "报告不符合本方案 / the report does not fit the scheme: {}",
                                pubeval_scoring::problem::join(&problems)
                            ),
                        )),
                    }
                }
                (Some(_), Some(_)) => excluded.push((
                    b.id.clone(),
                    "报送期后提交 / submitted after the window".into(),
                )),
                _ => excluded.push((b.id.clone(), "报告数据缺失 / report data missing".into())),
            }
        }
        provinces.insert(b.id.clone(), b.province.clone());
        bodies.push(BodyInput {
            previous_total: previous.get(&b.id).copied(),
            category: Category::from_code(&b.category).unwrap_or(Category::ManagementSystem),
            approval_no: Some(b.approval_no),
            name: b.name,
            body_id: b.id,
            payload,
        });
    }
    let body_ids: std::collections::HashSet<&str> =
        bodies.iter().map(|b| b.body_id.as_str()).collect();
    // Flags never change points; the summary says how many evaluated reports still await a
    // second look.
    let scored: std::collections::HashSet<&str> = bodies
        .iter()
        .filter(|b| b.payload.is_some())
        .map(|b| b.body_id.as_str())
        .collect();
    let flagged_reports = crate::domain::flags::bodies_with_open_flags(conn, year)
        .map_err(|e| e.to_string())?
        .iter()
        .filter(|b| scored.contains(b.as_str()))
        .count();
    // Incidents of bodies the year does not expect (approved later, revoked earlier) do not count.
    let counted = match as_of {
        Some(t) => IncidentRow::counted_in_year_as_of(conn, year, t),
        None => IncidentRow::counted_in_year(conn, year),
    };
    let incidents: Vec<Incident> = counted
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|i| body_ids.contains(i.body_id.as_str()))
        .collect();
    Ok(Inputs {
        scheme_definition: scheme_row.definition,
        scheme,
        bodies,
        provinces,
        incidents,
        on_time,
        excluded,
        flagged_reports,
    })
}

/// The evaluation of a year that was final at `as_of`: the one final now if it was
/// finalised by then, else the latest finalised by then that has been superseded since.
fn final_of_year_as_of(
    conn: &mut DbConn,
    year: i32,
    as_of: chrono::NaiveDateTime,
) -> QueryResult<Option<Evaluation>> {
    if let Some(e) = Evaluation::final_of_year(conn, year)?
        && e.finalized_at.is_some_and(|t| t <= as_of)
    {
        return Ok(Some(e));
    }
    evaluations::table
        .filter(evaluations::year.eq(year))
        .filter(evaluations::status.eq(EvaluationStatus::Superseded.as_str()))
        .filter(evaluations::finalized_at.le(as_of))
        .order(evaluations::finalized_at.desc())
        .select(Evaluation::as_select())
        .first(conn)
        .optional()
}

/// An evaluation's summary figures, as stored and shown.
#[derive(Debug, serde::Serialize)]
struct Summary {
    bodies: usize,
    submitted: usize,
    not_submitted: usize,
    submission_rate: f64,
    on_time: usize,
    on_time_rate: f64,
    grades: serde_json::Map<String, serde_json::Value>,
    warning_levels: serde_json::Map<String, serde_json::Value>,
    borderline: usize,
    incidents: usize,
    excluded_reports: Vec<serde_json::Value>,
    /// Reports evaluated with open plausibility flags at the time of the run.
    flagged_reports: usize,
}

impl Inputs {
    /// SHA-256 over everything the evaluation reads, in a fixed order: equal digests mean a
    /// re-run would see the same data.
    pub fn digest(&self) -> String {
        let mut h = Sha256::new();
        let mut put = |part: &str| {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        };
        put(&self.scheme_definition);
        let mut bodies: Vec<&BodyInput> = self.bodies.iter().collect();
        bodies.sort_by(|a, b| a.body_id.cmp(&b.body_id));
        for b in bodies {
            put(&b.body_id);
            put(b.category.code());
            put(b.approval_no.as_deref().unwrap_or(""));
            put(&b.payload.as_ref().map_or_else(
                || "-".to_string(),
                |p| serde_json::Value::Object(p.to_json(&self.scheme)).to_string(),
            ));
            put(&b
                .previous_total
                .map_or_else(|| "-".to_string(), |t| format!("{:016x}", t.to_bits())));
        }
        let mut incidents: Vec<&Incident> = self.incidents.iter().collect();
        incidents.sort_by(|a, b| a.id.cmp(&b.id));
        for i in incidents {
            put(i.id.as_deref().unwrap_or(""));
            put(&i.body_id);
            put(&i.kind);
            put(&i.severity);
            put(&i.occurred_at.to_rfc3339());
            put(&i
                .reported_at
                .map_or_else(|| "-".to_string(), |t| t.to_rfc3339()));
        }
        hex::encode(h.finalize())
    }

    /// The summary figures: counts per grade and warning level, submission and on-time rates.
    pub fn summary(&self, results: &[BodyResult], engine: &Engine) -> serde_json::Value {
        let expected = self.bodies.len();
        let submitted = results.iter().filter(|r| r.submitted).count();
        let rate = |n: usize| {
            if expected == 0 {
                0.0
            } else {
                n as f64 / expected as f64
            }
        };
        let grades: serde_json::Map<String, serde_json::Value> = engine
            .scheme()
            .grades
            .iter()
            .map(|g| {
                (
                    g.grade.clone(),
                    json!(
                        results
                            .iter()
                            .filter(|r| r.grade.as_deref() == Some(g.grade.as_str()))
                            .count()
                    ),
                )
            })
            .collect();
        let levels: serde_json::Map<String, serde_json::Value> = (0..=3u8)
            .map(|l| {
                (
                    l.to_string(),
                    json!(results.iter().filter(|r| r.warning_level() == l).count()),
                )
            })
            .collect();
        let summary = Summary {
            bodies: expected,
            submitted,
            not_submitted: expected - submitted,
            submission_rate: rate(submitted),
            on_time: self.on_time,
            on_time_rate: rate(self.on_time),
            grades,
            warning_levels: levels,
            borderline: results
                .iter()
                .filter(|r| r.uncertainty.as_ref().is_some_and(|u| u.borderline))
                .count(),
            incidents: self.incidents.len(),
            excluded_reports: self
                .excluded
                .iter()
                .map(|(b, why)| json!({"body_id": b, "reason": why}))
                .collect(),
            flagged_reports: self.flagged_reports,
        };
        serde_json::to_value(summary).unwrap_or_default()
    }
}
