//! Revising the evaluation system with evidence (issue 14): what a draft scheme would change
//! on a past year, before it applies to anyone.
//!
//! The year's inputs are those its final evaluation used — the reports, incidents and previous
//! totals — and the evaluation's stored input digest proves it: the inputs are loaded as the
//! database stands now, else as it stood when the run finished or started (a report revised,
//! an incident voided or corrected since is undone), and only a load whose digest equals the
//! stored one is scored (409 `inputs_changed` when none does). They are scored under the draft
//! and under a baseline (by default the scheme of that final evaluation) by
//! [`pubeval_scoring::impact::compare`].

use std::borrow::Cow;
use std::sync::Arc;

use pubeval_scoring::impact::{Impact, Side};
use pubeval_scoring::{
    BodyInput, Completeness, Engine, EngineError, Problem, Scheme, ScoreInput, validate_payload,
};
use serde::Serialize;
use serde_json::json;

use crate::db::models::evaluation::Evaluation;
use crate::db::models::new_id;
use crate::db::models::scheme::SchemeRow;
use crate::db::models::scheme_impact::SchemeImpactRow;
use crate::db::{DbConn, write_transaction};
use crate::domain::evaluations::inputs::{Inputs, load_inputs_as_of};
use crate::domain::{Ctx, Error, ErrorCode, Noun, Result, audit};

/// What to analyse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImpactRequest {
    /// The year whose final evaluation's inputs are scored.
    pub year: i32,
    /// The scheme compared with; the final evaluation's scheme when `None`.
    pub baseline: Option<String>,
}

/// A scheme as an analysis names it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchemeRef {
    /// Its id (`None` for a document not stored, as `pubeval scheme impact --scheme` reads).
    pub id: Option<String>,
    /// Code.
    pub code: String,
    /// Version.
    pub version: u32,
    /// Name.
    pub name: String,
}

impl SchemeRef {
    /// A scheme with its id (`None` for a document not stored).
    pub fn of(id: Option<&str>, scheme: &Scheme) -> SchemeRef {
        SchemeRef {
            id: id.map(str::to_string),
            code: scheme.code.clone(),
            version: scheme.version,
            name: scheme.name.clone(),
        }
    }
}

/// An impact analysis: which year, on which evaluation's inputs (with their digest), the two
/// schemes, and the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct ImpactReport {
    /// The year.
    pub year: i32,
    /// The year's final evaluation whose inputs were scored.
    pub evaluation_id: String,
    /// The digest of those inputs, equal to the evaluation's.
    pub input_digest: String,
    /// The draft.
    pub scheme: SchemeRef,
    /// The scheme compared with.
    pub baseline: SchemeRef,
    /// The comparison.
    #[serde(flatten)]
    pub impact: Impact,
}

/// An analysis with the two schemes it compared, for the workbook and the brief.
#[derive(Debug, Clone)]
pub struct Analysed {
    /// The analysis.
    pub report: ImpactReport,
    /// The draft.
    pub scheme: Scheme,
    /// The baseline.
    pub baseline: Scheme,
}

fn staff_only(ctx: &Ctx) -> Result<()> {
    if ctx.viewer().is_staff() {
        Ok(())
    } else {
        Err(Error::forbidden())
    }
}

/// The year's final evaluation, or 409 `no_final_evaluation`.
fn final_evaluation(conn: &mut DbConn, year: i32) -> Result<Evaluation> {
    Evaluation::final_of_year(conn, year)?.ok_or_else(|| {
        Error::conflict(
            ErrorCode::NoFinalEvaluation,
            format!("{year} 年度没有最终评价结果，无法在该年度数据上测算方案调整的影响"),
            format!("{year} has no final evaluation whose inputs an analysis could score"),
        )
    })
}

/// The inputs the final evaluation used, proven by its digest: as the database stands now,
/// else as it stood when the run finished, else when it started. 409 `inputs_changed` when no
/// load reproduces the digest (the registry, the cycle's window or the previous year's result
/// changed in a way that cannot be undone).
pub fn verified_inputs(conn: &mut DbConn, evaluation: &Evaluation) -> Result<Inputs> {
    let stored = evaluation.input_digest.clone().ok_or_else(|| {
        Error::internal(format!("final evaluation {} has no digest", evaluation.id))
    })?;
    let mut moments = vec![None];
    moments.extend(evaluation.finished_at.map(Some));
    moments.push(Some(evaluation.started_at));
    for as_of in moments {
        let inputs = load_inputs_as_of(conn, evaluation, as_of).map_err(Error::internal)?;
        if inputs.digest() == stored {
            return Ok(inputs);
        }
    }
    Err(Error::conflict(
        ErrorCode::InputsChanged,
        format!(
            "{} 年度最终评价（{}）所用的数据已无法原样重建：其输入摘要与现有数据不符（机构名录、报送期或上一年度结果已变更），不能据此测算",
            evaluation.year, evaluation.id
        ),
        format!(
            "the inputs of the {} final evaluation ({}) can no longer be rebuilt: their digest does not match the data",
            evaluation.year, evaluation.id
        ),
    ))
}

/// The bodies as `scheme` reads them: the year's reports validated against it. They are
/// reused as they are when the scheme has the same report fields as the evaluation's; a
/// report that does not fit is a 422 naming the body and the field.
fn bodies_for<'a>(scheme: &Scheme, inputs: &'a Inputs) -> Result<Cow<'a, [BodyInput]>> {
    if scheme.fields == inputs.scheme.fields {
        return Ok(Cow::Borrowed(&inputs.bodies));
    }
    let mut problems = Vec::new();
    let mut bodies = Vec::with_capacity(inputs.bodies.len());
    for body in &inputs.bodies {
        let mut body = body.clone();
        if let Some(payload) = &body.payload {
            let document = serde_json::Value::Object(payload.to_json(&inputs.scheme));
            match validate_payload(scheme, &document, Completeness::Submitted) {
                Ok(p) => body.payload = Some(p),
                Err(found) => {
                    let who = body.approval_no.as_deref().unwrap_or(&body.body_id);
                    problems.extend(found.into_iter().take(3).map(|p| {
                        Problem::new(
                            format!("fields ({who}).{}", p.field),
                            p.code,
                            format!("{who} 的报告不符合本方案：{}", p.message),
                            format!(
                                "the report of {who} does not fit the scheme: {}",
                                p.message_en
                            ),
                        )
                    }));
                }
            }
        }
        bodies.push(body);
    }
    if problems.is_empty() {
        Ok(Cow::Owned(bodies))
    } else {
        let n = problems.len();
        problems.truncate(pubeval_scoring::problem::MAX_PROBLEMS);
        let mut e = Error::validation(&problems);
        e.message = format!(
            "方案的报告字段与该年度的报告不一致，无法在该年度数据上测算（{n} 处问题） / the scheme's report fields do not fit the year's reports ({n} problem(s))"
        );
        Err(e)
    }
}

fn engine_error(e: EngineError) -> Error {
    match e {
        EngineError::Input(problems) => {
            let mut e = Error::validation(&problems);
            e.message = format!(
                "该年度的数据不能按本方案评分（如事件类型不在方案中） / the year's data cannot be scored under this scheme: {}",
                pubeval_scoring::problem::join(&problems)
            );
            e
        }
        other => Error::internal(other),
    }
}

/// Scores a year under `scheme` (named `scheme_ref`) and a baseline, and compares them: the
/// whole analysis, stored nowhere (the command line's `pubeval scheme impact`).
pub fn analyse(
    conn: &mut DbConn,
    scheme: &Scheme,
    scheme_ref: SchemeRef,
    request: &ImpactRequest,
) -> Result<Analysed> {
    let evaluation = final_evaluation(conn, request.year)?;
    let inputs = verified_inputs(conn, &evaluation)?;
    let (baseline_id, baseline) = match &request.baseline {
        Some(id) => {
            let row = SchemeRow::by_id(conn, id)?.ok_or_else(|| {
                Error::invalid_field("baseline", "没有这个评价方案", "no scheme has this id")
            })?;
            let parsed = row.parsed().map_err(Error::internal)?;
            (row.id, parsed)
        }
        None => (evaluation.scheme_id.clone(), inputs.scheme.clone()),
    };
    let old_bodies = bodies_for(&baseline, &inputs)?;
    let new_bodies = bodies_for(scheme, &inputs)?;
    let (old_engine, new_engine) = (
        Engine::new(Arc::new(baseline.clone())),
        Engine::new(Arc::new(scheme.clone())),
    );
    let side = |engine, bodies| Side {
        engine,
        input: ScoreInput {
            year: request.year,
            bodies,
            incidents: &inputs.incidents,
        },
    };
    let impact = pubeval_scoring::impact::compare(
        side(&old_engine, &old_bodies),
        side(&new_engine, &new_bodies),
    )
    .map_err(engine_error)?;
    Ok(Analysed {
        report: ImpactReport {
            year: request.year,
            evaluation_id: evaluation.id.clone(),
            input_digest: evaluation.input_digest.clone().unwrap_or_default(),
            scheme: scheme_ref,
            baseline: SchemeRef::of(Some(&baseline_id), &baseline),
            impact,
        },
        scheme: scheme.clone(),
        baseline,
    })
}

/// The stored scheme `scheme_id` analysed on `request.year`, for staff (404 for an unknown
/// scheme); nothing is stored (the workbook and the brief).
pub fn analyse_stored(
    conn: &mut DbConn,
    ctx: &Ctx,
    scheme_id: &str,
    request: &ImpactRequest,
) -> Result<Analysed> {
    staff_only(ctx)?;
    let row = SchemeRow::by_id(conn, scheme_id)?.ok_or_else(|| Error::not_found(Noun::Scheme))?;
    let scheme = row.parsed().map_err(Error::internal)?;
    analyse(
        conn,
        &scheme,
        SchemeRef::of(Some(&row.id), &scheme),
        request,
    )
}

/// What an analysis stores and an activation shows: everything but the bodies and the
/// indicators.
fn stored_summary(report: &ImpactReport) -> serde_json::Value {
    let i = &report.impact;
    json!({
        "year": report.year,
        "evaluation_id": report.evaluation_id,
        "baseline": report.baseline,
        "summary": i.summary,
        "grade_transitions": i.grade_transitions,
        "warning_transitions": i.warning_transitions,
        "warnings_gained": i.warnings_gained.len(),
        "warnings_lost": i.warnings_lost.len(),
        "rank_shift": i.rank_shift,
        "changes": i.changes,
    })
}

/// Analyses a stored scheme on a year for staff (`POST /api/v1/schemes/{id}/impact`), and
/// records the analysis (with an audit entry) so that activating the scheme can show it.
pub fn impact(
    conn: &mut DbConn,
    ctx: &Ctx,
    scheme_id: &str,
    request: &ImpactRequest,
) -> Result<Analysed> {
    let analysed = analyse_stored(conn, ctx, scheme_id, request)?;
    let report = &analysed.report;
    let row = SchemeImpactRow {
        id: new_id(),
        scheme_id: scheme_id.to_string(),
        year: report.year,
        baseline_id: report.baseline.id.clone().unwrap_or_default(),
        evaluation_id: report.evaluation_id.clone(),
        input_digest: report.input_digest.clone(),
        summary: stored_summary(report).to_string(),
        created_by: ctx.actor(),
        created_at: ctx.now(),
    };
    write_transaction(conn, |conn| {
        row.insert(conn)?;
        audit::record(
            conn,
            ctx,
            "scheme.impact",
            "scheme",
            scheme_id,
            json!({
                "impact_id": row.id,
                "year": row.year,
                "baseline_id": row.baseline_id,
                "evaluation_id": row.evaluation_id,
                "input_digest": row.input_digest,
                "grade_changed": report.impact.summary.grade_changed,
                "warnings_gained": report.impact.summary.warnings_gained,
                "warnings_lost": report.impact.summary.warnings_lost,
            }),
        )
    })?;
    Ok(analysed)
}

/// The newest analysis of a scheme, for staff.
pub fn last_impact(conn: &mut DbConn, ctx: &Ctx, scheme_id: &str) -> Result<Option<LastImpact>> {
    staff_only(ctx)?;
    let Some(row) = SchemeImpactRow::last_of(conn, scheme_id)? else {
        return Ok(None);
    };
    let summary = serde_json::from_str(&row.summary).map_err(Error::internal)?;
    Ok(Some(LastImpact {
        id: row.id,
        year: row.year,
        baseline_id: row.baseline_id,
        evaluation_id: row.evaluation_id,
        created_by: row.created_by,
        created_at: row.created_at,
        summary,
    }))
}

/// The newest analysis of a scheme as stored.
#[derive(Debug, Clone)]
pub struct LastImpact {
    /// Its id.
    pub id: String,
    /// The year.
    pub year: i32,
    /// The scheme compared with.
    pub baseline_id: String,
    /// The final evaluation whose inputs were scored.
    pub evaluation_id: String,
    /// Who ran it.
    pub created_by: String,
    /// When.
    pub created_at: chrono::NaiveDateTime,
    /// The stored figures (summary, transitions, rank shift, changes).
    pub summary: serde_json::Value,
}

/// The years with a final evaluation, newest first: those an analysis can score.
pub fn final_years(conn: &mut DbConn, ctx: &Ctx) -> Result<Vec<i32>> {
    staff_only(ctx)?;
    let mut years: Vec<i32> =
        Evaluation::in_states(conn, &[crate::domain::states::EvaluationStatus::Final])?
            .into_iter()
            .map(|e| e.year)
            .collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    Ok(years)
}
