//! Evaluations: run in the background, read (summary, ranking, one body's explained result, a
//! body's history), public notice (公示) with objections, finalisation, and the explicit,
//! audited supersession of a final evaluation.

use actix_web::{HttpResponse, get, post, web};
use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::cycles::utc;
use super::{Page, PageQuery, with_conn};
use crate::auth::{Principal, Role, Scope};
use crate::db::models::audit;
use crate::db::models::evaluation::{Evaluation, Objection, ResultFilter, ResultRow};
use crate::db::models::{new_id, now};
use crate::db::schema::{evaluations, objections};
use crate::db::{DbConn, write_transaction};
use crate::domain::policy::{Anyone, BodyOrAdmin, Staff};
use crate::error::{ApiError, ErrorBody};
use crate::evaluation::{self, DEFAULT_DRAWS};
use crate::extract::Auth;
use crate::state::AppState;

/// Days objections are accepted after publication, unless stated.
pub const DEFAULT_OBJECTION_DAYS: i64 = 7;

/// An evaluation as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvaluationView {
    /// Id.
    pub id: String,
    /// Evaluation year.
    pub year: i32,
    /// running, draft, public_notice, final, failed or superseded.
    pub status: String,
    /// The scheme used.
    pub scheme_id: String,
    /// SHA-256 of the inputs (null while running).
    pub input_digest: Option<String>,
    /// Draws of the uncertainty analysis.
    pub draws: i32,
    /// Its seed.
    pub seed: i64,
    /// Bodies evaluated.
    pub bodies: i32,
    /// Counts per grade and warning level, submission and on-time rates.
    #[schema(value_type = Object)]
    pub summary: Option<serde_json::Value>,
    /// Why it failed.
    pub failure: Option<String>,
    /// Who started it.
    pub created_by: String,
    /// Started (UTC).
    pub started_at: String,
    /// Finished (UTC).
    pub finished_at: Option<String>,
    /// Put to public notice (UTC).
    pub published_at: Option<String>,
    /// Objections accepted until (UTC).
    pub objection_deadline: Option<String>,
    /// Made final (UTC).
    pub finalized_at: Option<String>,
    /// The evaluation that replaced it.
    pub superseded_by: Option<String>,
    /// Why a final evaluation was superseded.
    pub superseded_reason: Option<String>,
}

impl From<Evaluation> for EvaluationView {
    fn from(e: Evaluation) -> EvaluationView {
        let t = |x: Option<NaiveDateTime>| x.map(utc);
        EvaluationView {
            summary: e
                .summary
                .as_deref()
                .and_then(|s| serde_json::from_str(s).ok()),
            finished_at: t(e.finished_at),
            published_at: t(e.published_at),
            objection_deadline: t(e.objection_deadline),
            finalized_at: t(e.finalized_at),
            started_at: utc(e.started_at),
            id: e.id,
            year: e.year,
            status: e.status,
            scheme_id: e.scheme_id,
            input_digest: e.input_digest,
            draws: e.draws,
            seed: e.seed,
            bodies: e.bodies,
            failure: e.failure,
            created_by: e.created_by,
            superseded_by: e.superseded_by,
            superseded_reason: e.superseded_reason,
        }
    }
}

/// A run request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// Evaluation year.
    pub year: i32,
    /// Draws of the uncertainty analysis (default 1000; 0 skips it).
    pub draws: Option<u32>,
    /// Seed of the analysis (default: the year).
    pub seed: Option<u64>,
}

/// One row of a ranking.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResultItem {
    /// The body.
    pub body_id: String,
    /// Approval number.
    pub approval_no: String,
    /// Name.
    pub name: String,
    /// Category.
    pub category: String,
    /// Province.
    pub province: String,
    /// Whether a report counted.
    pub submitted: bool,
    /// Total, full precision (null without a report).
    pub total: Option<f64>,
    /// Grade.
    pub grade: Option<String>,
    /// Overall rank.
    pub rank: Option<i32>,
    /// Rank within the category.
    pub category_rank: Option<i32>,
    /// Warning level, 0 when no rule fires.
    pub warning_level: i32,
    /// Whether the grade is borderline (SCHEME.md §6).
    pub borderline: bool,
}

impl From<&ResultRow> for ResultItem {
    fn from(r: &ResultRow) -> ResultItem {
        ResultItem {
            body_id: r.body_id.clone(),
            approval_no: r.approval_no.clone(),
            name: r.name.clone(),
            category: r.category.clone(),
            province: r.province.clone(),
            submitted: r.submitted != 0,
            total: r.total,
            grade: r.grade.clone(),
            rank: r.rank,
            category_rank: r.category_rank,
            warning_level: r.warning_level,
            borderline: r.borderline != 0,
        }
    }
}

/// Filters of a ranking.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    /// Category.
    pub category: Option<String>,
    /// Province.
    pub province: Option<String>,
    /// Grade.
    pub grade: Option<String>,
    /// Warning level (0 for none).
    pub warning_level: Option<i32>,
    /// Only borderline (true) or only robust (false) bodies.
    pub borderline: Option<bool>,
}

/// What a caller may see of an evaluation: staff everything; a body user its own result once
/// in public notice or final; a client with `results:read` final results only.
enum View {
    All,
    OwnBody(String),
    FinalOnly,
}

fn view_of(principal: &Principal) -> Result<View, ApiError> {
    match principal.role() {
        Some(Role::Admin | Role::Analyst) => Ok(View::All),
        Some(Role::Body) => Ok(View::OwnBody(
            principal.own_body().unwrap_or_default().to_string(),
        )),
        None if principal.has_scope(Scope::ResultsRead) => Ok(View::FinalOnly),
        None => Err(ApiError::forbidden()),
    }
}

fn visible(view: &View, e: &Evaluation) -> bool {
    match view {
        View::All => true,
        View::OwnBody(_) => matches!(e.status.as_str(), "public_notice" | "final"),
        View::FinalOnly => e.status == "final",
    }
}

fn load_visible(conn: &mut DbConn, view: &View, id: &str) -> Result<Evaluation, ApiError> {
    Evaluation::by_id(conn, id)?
        .filter(|e| visible(view, e))
        .ok_or_else(|| ApiError::not_found("评价"))
}

/// Starts an evaluation of a year in the background.
#[utoipa::path(post, path = "/api/v1/evaluations", operation_id = "evaluations_run", tag = "evaluations", request_body = RunRequest, security(("bearer" = [])),
    responses(
        (status = 202, description = "Started: `running` until `draft` (or `failed`); Location names it", body = EvaluationView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 409, description = "No cycle for the year, a run under way, or a final evaluation standing", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
#[post("/api/v1/evaluations")]
pub async fn run(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    body: crate::extract::Json<RunRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner();
    let draws = request.draws.unwrap_or(DEFAULT_DRAWS);
    if draws > 100_000 {
        return Err(ApiError::invalid_field(
            "draws",
            "抽样次数最多 100000",
            "draws must be at most 100000",
        ));
    }
    let seed = request.seed.unwrap_or(request.year.max(0) as u64);
    let actor = auth.actor();
    let year = request.year;
    let evaluation = with_conn(&state, move |conn| {
        evaluation::start(conn, year, draws, seed, &actor)
    })
    .await?;
    let pool = state.pool.clone();
    let id = evaluation.id.clone();
    // The run outlives the request; its outcome is the evaluation's status.
    std::thread::Builder::new()
        .name(format!("evaluation-{year}"))
        .spawn(move || {
            let _ = evaluation::execute(
                &pool,
                &id,
                &|stage| tracing::info!(evaluation = %id, stage = stage.label(), "evaluation"),
            );
        })
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Accepted()
        .insert_header(("Location", format!("/api/v1/evaluations/{}", evaluation.id)))
        .json(EvaluationView::from(evaluation)))
}

/// Filters of the evaluation list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvaluationQuery {
    /// Only this year.
    pub year: Option<i32>,
}

/// Lists evaluations, newest first (what each caller may see).
#[utoipa::path(get, path = "/api/v1/evaluations", operation_id = "evaluations_list", tag = "evaluations", params(EvaluationQuery, PageQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of evaluations", body = Page<EvaluationView>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A client without results:read", body = ErrorBody),
        (status = 422, description = "Invalid page", body = ErrorBody),
    ))]
#[get("/api/v1/evaluations")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    filter: web::Query<EvaluationQuery>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let view = view_of(&auth)?;
    let (page, per_page, offset) = page.resolve()?;
    let year = filter.year;
    let statuses: Option<&'static [&'static str]> = match view {
        View::All => None,
        View::OwnBody(_) => Some(&["public_notice", "final"]),
        View::FinalOnly => Some(&["final"]),
    };
    let (items, total_items) = with_conn(&state, move |conn| {
        Ok(Evaluation::page(
            conn,
            year,
            statuses,
            offset,
            i64::from(per_page),
        )?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: items
            .into_iter()
            .map(EvaluationView::from)
            .collect::<Vec<_>>(),
        total_items,
        page,
        per_page,
    }))
}

/// One evaluation with its summary.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}", operation_id = "evaluations_get", tag = "evaluations", security(("bearer" = [])),
    params(("id" = String, Path, description = "Evaluation id")),
    responses(
        (status = 200, description = "The evaluation", body = EvaluationView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A client without results:read", body = ErrorBody),
        (status = 404, description = "No such evaluation, or not visible to the caller", body = ErrorBody),
    ))]
#[get("/api/v1/evaluations/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let view = view_of(&auth)?;
    let id = id.into_inner();
    let e = with_conn(&state, move |conn| load_visible(conn, &view, &id)).await?;
    Ok(HttpResponse::Ok().json(EvaluationView::from(e)))
}

/// The ranking, filtered and paginated, in rank order (a body user sees its own row).
#[utoipa::path(get, path = "/api/v1/evaluations/{id}/results", operation_id = "evaluations_results", tag = "evaluations",
    params(("id" = String, Path, description = "Evaluation id"), RankingQuery, PageQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the ranking", body = Page<ResultItem>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A client without results:read", body = ErrorBody),
        (status = 404, description = "No such evaluation, or not visible", body = ErrorBody),
        (status = 409, description = "Still running, or failed", body = ErrorBody),
        (status = 422, description = "Invalid page", body = ErrorBody),
    ))]
#[get("/api/v1/evaluations/{id}/results")]
pub async fn results(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<String>,
    filter: web::Query<RankingQuery>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let view = view_of(&auth)?;
    let (page, per_page, offset) = page.resolve()?;
    let id = id.into_inner();
    let q = filter.into_inner();
    let mut filter = ResultFilter {
        category: q.category,
        province: q.province,
        grade: q.grade,
        warning_level: q.warning_level,
        borderline: q.borderline,
        body_id: None,
    };
    if let View::OwnBody(b) = &view {
        filter.body_id = Some(b.clone());
    }
    let (rows, total_items) = with_conn(&state, move |conn| {
        let e = load_visible(conn, &view, &id)?;
        ready(&e)?;
        Ok(ResultRow::page(
            conn,
            &e.id,
            &filter,
            offset,
            i64::from(per_page),
        )?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: rows.iter().map(ResultItem::from).collect::<Vec<_>>(),
        total_items,
        page,
        per_page,
    }))
}

fn ready(e: &Evaluation) -> Result<(), ApiError> {
    match e.status.as_str() {
        "running" => Err(ApiError::conflict(
            crate::domain::ErrorCode::EvaluationRunning,
            "评价仍在进行 / the evaluation is still running",
        )),
        "failed" => Err(ApiError::conflict(
            crate::domain::ErrorCode::EvaluationFailed,
            format!(
                "评价失败 / the evaluation failed: {}",
                e.failure.clone().unwrap_or_default()
            ),
        )),
        _ => Ok(()),
    }
}

/// One body's result with its full explanation and uncertainty.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}/results/{body_id}", operation_id = "evaluations_result", tag = "evaluations", security(("bearer" = [])),
    params(("id" = String, Path, description = "Evaluation id"), ("body_id" = String, Path, description = "Body id")),
    responses(
        (status = 200, description = "As `pubeval score` prints it (dimensions, indicators, deductions, vetoes, warning, uncertainty) plus the explanation; warning_level 0 when none", body = Object),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A client without results:read", body = ErrorBody),
        (status = 404, description = "No such evaluation or body result, or not visible", body = ErrorBody),
        (status = 409, description = "Still running, or failed", body = ErrorBody),
    ))]
#[get("/api/v1/evaluations/{id}/results/{body_id}")]
pub async fn one_result(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let view = view_of(&auth)?;
    let (id, body_id) = path.into_inner();
    if let View::OwnBody(own) = &view
        && *own != body_id
    {
        return Err(ApiError::not_found("评价结果"));
    }
    let row = with_conn(&state, move |conn| {
        let e = load_visible(conn, &view, &id)?;
        ready(&e)?;
        ResultRow::of_body(conn, &e.id, &body_id)?.ok_or_else(|| ApiError::not_found("评价结果"))
    })
    .await?;
    let mut value: serde_json::Value =
        serde_json::from_str(&row.result).map_err(ApiError::internal)?;
    if let Some(obj) = value.as_object_mut() {
        obj.insert("evaluation_id".into(), row.evaluation_id.clone().into());
        obj.insert("province".into(), row.province.clone().into());
        obj.insert("warning_level".into(), row.warning_level.into());
        obj.insert("borderline".into(), (row.borderline != 0).into());
    }
    Ok(HttpResponse::Ok().json(value))
}

/// Publication for public notice.
#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    /// Days objections are accepted (default 7).
    pub objection_days: Option<u32>,
}

fn transition_error(e: &Evaluation, wanted: &str) -> ApiError {
    ApiError::conflict(
        crate::domain::ErrorCode::InvalidTransition,
        format!(
            "评价当前状态为 {}，不能{wanted} / the evaluation is {}; cannot {wanted}",
            e.status, e.status
        ),
    )
}

/// Puts a draft evaluation to public notice (公示): bodies can read their result and object.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/publish", operation_id = "evaluations_publish", tag = "evaluations",
    request_body(content = PublishRequest, description = "Optional"), security(("bearer" = [])),
    params(("id" = String, Path, description = "Evaluation id")),
    responses(
        (status = 200, description = "In public notice", body = EvaluationView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such evaluation", body = ErrorBody),
        (status = 409, description = "Not a draft", body = ErrorBody),
        (status = 422, description = "Invalid objection period", body = ErrorBody),
    ))]
#[post("/api/v1/evaluations/{id}/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    body: Option<crate::extract::Json<PublishRequest>>,
) -> Result<HttpResponse, ApiError> {
    let days = body
        .and_then(|b| b.into_inner().objection_days)
        .map_or(DEFAULT_OBJECTION_DAYS, i64::from);
    if !(1..=90).contains(&days) {
        return Err(ApiError::invalid_field(
            "objection_days",
            "异议期为 1 至 90 天",
            "objection_days must be within 1..=90",
        ));
    }
    let actor = auth.actor();
    let id = id.into_inner();
    let e = with_conn(&state, move |conn| {
        write_transaction(conn, |conn| {
            use diesel::prelude::*;
            let e = Evaluation::by_id(conn, &id)?.ok_or_else(|| ApiError::not_found("评价"))?;
            if e.status != "draft" {
                return Err(transition_error(&e, "公示 / publish"));
            }
            let at = now();
            let deadline = at + Duration::days(days);
            diesel::update(evaluations::table.filter(evaluations::id.eq(&id)))
                .set((
                    evaluations::status.eq("public_notice"),
                    evaluations::published_at.eq(at),
                    evaluations::objection_deadline.eq(deadline),
                ))
                .execute(conn)?;
            audit::record(
                conn,
                &actor,
                "evaluation.publish",
                "evaluation",
                &id,
                serde_json::json!({"objection_deadline": utc(deadline)}),
            )?;
            Evaluation::by_id(conn, &id)?.ok_or_else(|| ApiError::not_found("评价"))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(EvaluationView::from(e)))
}

/// Makes an evaluation in public notice final; its results never change afterwards, and a draft
/// risk warning is created for every body whose result triggers one.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/finalize", operation_id = "evaluations_finalize", tag = "evaluations", security(("bearer" = [])),
    params(("id" = String, Path, description = "Evaluation id")),
    responses(
        (status = 200, description = "Final", body = EvaluationView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such evaluation", body = ErrorBody),
        (status = 409, description = "Not in public notice, or objections still unanswered", body = ErrorBody),
    ))]
#[post("/api/v1/evaluations/{id}/finalize")]
pub async fn finalize(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let actor = auth.actor();
    let id = id.into_inner();
    let e = with_conn(&state, move |conn| {
        write_transaction(conn, |conn| {
            use diesel::prelude::*;
            let e = Evaluation::by_id(conn, &id)?.ok_or_else(|| ApiError::not_found("评价"))?;
            if e.status != "public_notice" {
                return Err(transition_error(&e, "定稿 / finalize"));
            }
            let open = Objection::of_evaluation(conn, &id, None)?
                .into_iter()
                .filter(|o| o.status == "open")
                .count();
            if open > 0 {
                return Err(ApiError::conflict(
                    crate::domain::ErrorCode::ObjectionsOpen,
                    format!("尚有 {open} 件异议未答复 / {open} objection(s) still unanswered"),
                ));
            }
            diesel::update(evaluations::table.filter(evaluations::id.eq(&id)))
                .set((
                    evaluations::status.eq("final"),
                    evaluations::finalized_at.eq(now()),
                ))
                .execute(conn)?;
            let drafts = draft_warnings(conn, &id)?;
            audit::record(
                conn,
                &actor,
                "evaluation.finalize",
                "evaluation",
                &id,
                serde_json::json!({"draft_warnings": drafts}),
            )?;
            Evaluation::by_id(conn, &id)?.ok_or_else(|| ApiError::not_found("评价"))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(EvaluationView::from(e)))
}

/// Creates a draft warning for every result that triggers one; returns how many.
fn draft_warnings(conn: &mut DbConn, evaluation_id: &str) -> Result<usize, ApiError> {
    use crate::db::models::warning::{NewDraft, create_drafts};
    let (rows, _) = ResultRow::page(conn, evaluation_id, &ResultFilter::default(), 0, i64::MAX)?;
    let mut drafts = Vec::new();
    for row in rows.iter().filter(|r| r.warning_level > 0) {
        let result: pubeval_scoring::BodyResult =
            serde_json::from_str(&row.result).map_err(ApiError::internal)?;
        if let Some(w) = result.warning {
            drafts.push(NewDraft {
                body_id: row.body_id.clone(),
                level: i32::from(w.level),
                reasons: w.reasons.clone(),
                findings: serde_json::to_value(&w.findings).map_err(ApiError::internal)?,
                review_required: w.review_required,
            });
        }
    }
    Ok(create_drafts(conn, evaluation_id, &drafts)?)
}

/// A reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// The written reason.
    pub reason: String,
}

/// Supersedes a final evaluation, with a written reason, so that the year can be evaluated
/// again; the old one stays readable.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/supersede", operation_id = "evaluations_supersede", tag = "evaluations",
    request_body = ReasonRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Evaluation id")),
    responses(
        (status = 200, description = "Superseded", body = EvaluationView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such evaluation", body = ErrorBody),
        (status = 409, description = "Not final", body = ErrorBody),
        (status = 422, description = "A reason is required", body = ErrorBody),
    ))]
#[post("/api/v1/evaluations/{id}/supersede")]
pub async fn supersede(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    body: crate::extract::Json<ReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.into_inner().reason.trim().to_string();
    if reason.is_empty() {
        return Err(ApiError::invalid_field(
            "reason",
            "撤销最终结果须写明理由",
            "a reason is required",
        ));
    }
    let actor = auth.actor();
    let id = id.into_inner();
    let e = with_conn(&state, move |conn| {
        write_transaction(conn, |conn| {
            use diesel::prelude::*;
            let e = Evaluation::by_id(conn, &id)?.ok_or_else(|| ApiError::not_found("评价"))?;
            if e.status != "final" {
                return Err(transition_error(&e, "撤销最终结果 / supersede"));
            }
            diesel::update(evaluations::table.filter(evaluations::id.eq(&id)))
                .set((
                    evaluations::status.eq("superseded"),
                    evaluations::superseded_reason.eq(&reason),
                ))
                .execute(conn)?;
            audit::record(
                conn,
                &actor,
                "evaluation.supersede_final",
                "evaluation",
                &id,
                serde_json::json!({"reason": reason}),
            )?;
            Evaluation::by_id(conn, &id)?.ok_or_else(|| ApiError::not_found("评价"))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(EvaluationView::from(e)))
}

/// An objection as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ObjectionView {
    /// Id.
    pub id: String,
    /// The evaluation.
    pub evaluation_id: String,
    /// The body.
    pub body_id: String,
    /// The objection.
    pub text: String,
    /// Who filed it.
    pub filed_by: String,
    /// When (UTC).
    pub filed_at: String,
    /// open, upheld or rejected.
    pub status: String,
    /// The written answer.
    pub answer: Option<String>,
    /// Who answered.
    pub answered_by: Option<String>,
    /// When (UTC).
    pub answered_at: Option<String>,
}

impl From<Objection> for ObjectionView {
    fn from(o: Objection) -> ObjectionView {
        ObjectionView {
            filed_at: utc(o.filed_at),
            answered_at: o.answered_at.map(utc),
            id: o.id,
            evaluation_id: o.evaluation_id,
            body_id: o.body_id,
            text: o.text,
            filed_by: o.filed_by,
            status: o.status,
            answer: o.answer,
            answered_by: o.answered_by,
        }
    }
}

/// A new objection.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewObjection {
    /// What the body objects to, and why.
    pub text: String,
    /// The body (an admin filing on a body's behalf; a body user's own body otherwise).
    pub body_id: Option<String>,
}

/// Files an objection (异议) to a result in public notice, before the deadline.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/objections", operation_id = "objections_file", tag = "evaluations",
    request_body = NewObjection, security(("bearer" = [])),
    params(("id" = String, Path, description = "Evaluation id")),
    responses(
        (status = 201, description = "Filed", body = ObjectionView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Only a body (or an admin for it) objects", body = ErrorBody),
        (status = 404, description = "No such evaluation, or not visible", body = ErrorBody),
        (status = 409, description = "Not in public notice, or past the objection deadline", body = ErrorBody),
        (status = 422, description = "Empty text or missing body", body = ErrorBody),
    ))]
#[post("/api/v1/evaluations/{id}/objections")]
pub async fn file_objection(
    state: web::Data<AppState>,
    auth: Auth<BodyOrAdmin>,
    id: web::Path<String>,
    body: crate::extract::Json<NewObjection>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let text = new.text.trim().to_string();
    if text.is_empty() || text.chars().count() > 10_000 {
        return Err(ApiError::invalid_field(
            "text",
            "异议内容须为 1 至 10000 个字符",
            "text must be 1 to 10000 characters",
        ));
    }
    let body_id = match auth.own_body() {
        Some(own) => own.to_string(),
        None => new.body_id.clone().ok_or_else(|| {
            ApiError::invalid_field("body_id", "须指明机构", "body_id is required")
        })?,
    };
    let actor = auth.actor();
    let id = id.into_inner();
    let objection = with_conn(&state, move |conn| {
        write_transaction(conn, |conn| {
            let e = Evaluation::by_id(conn, &id)?
                .filter(|e| matches!(e.status.as_str(), "public_notice" | "final"))
                .ok_or_else(|| ApiError::not_found("评价"))?;
            if e.status != "public_notice" || e.objection_deadline.is_some_and(|d| now() >= d) {
                return Err(ApiError::conflict(
                    crate::domain::ErrorCode::ObjectionPeriodClosed,
                    "不在异议期内 / the objection period is closed",
                ));
            }
            if ResultRow::of_body(conn, &id, &body_id)?.is_none() {
                return Err(ApiError::not_found("评价结果"));
            }
            let o = Objection {
                id: new_id(),
                evaluation_id: id.clone(),
                body_id: body_id.clone(),
                text,
                filed_by: actor.clone(),
                filed_at: now(),
                status: "open".into(),
                answer: None,
                answered_by: None,
                answered_at: None,
            };
            o.insert(conn)?;
            audit::record(
                conn,
                &actor,
                "objection.file",
                "objection",
                &o.id,
                serde_json::json!({"evaluation_id": id, "body_id": body_id}),
            )?;
            Ok(o)
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(ObjectionView::from(objection)))
}

/// The objections to an evaluation (a body user sees its own).
#[utoipa::path(get, path = "/api/v1/evaluations/{id}/objections", operation_id = "objections_list", tag = "evaluations",
    params(("id" = String, Path, description = "Evaluation id"), PageQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of objections", body = Page<ObjectionView>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "An external client", body = ErrorBody),
        (status = 404, description = "No such evaluation, or not visible", body = ErrorBody),
        (status = 422, description = "Invalid page", body = ErrorBody),
    ))]
#[get("/api/v1/evaluations/{id}/objections")]
pub async fn list_objections(
    state: web::Data<AppState>,
    auth: Auth<crate::domain::policy::AnyUser>,
    id: web::Path<String>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let view = view_of(&auth)?;
    let (page, per_page, _) = page.resolve()?;
    let id = id.into_inner();
    let all = with_conn(&state, move |conn| {
        let e = load_visible(conn, &view, &id)?;
        let only = match &view {
            View::OwnBody(b) => Some(b.clone()),
            _ => None,
        };
        Ok(Objection::of_evaluation(conn, &e.id, only.as_deref())?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page::of(
        all.into_iter().map(ObjectionView::from).collect(),
        page,
        per_page,
    )))
}

/// An analyst's answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerRequest {
    /// `upheld` or `rejected`.
    pub decision: String,
    /// The written answer.
    pub answer: String,
}

/// Answers an objection (upheld or rejected, in writing). An upheld objection is corrected at
/// its source (an incident voided, a report returned and resubmitted) and a new run supersedes
/// the evaluation.
#[utoipa::path(post, path = "/api/v1/objections/{id}/answer", operation_id = "objections_answer", tag = "evaluations",
    request_body = AnswerRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Objection id")),
    responses(
        (status = 200, description = "Answered", body = ObjectionView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such objection", body = ErrorBody),
        (status = 409, description = "Already answered", body = ErrorBody),
        (status = 422, description = "Invalid decision or empty answer", body = ErrorBody),
    ))]
#[post("/api/v1/objections/{id}/answer")]
pub async fn answer_objection(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    body: crate::extract::Json<AnswerRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner();
    if !matches!(request.decision.as_str(), "upheld" | "rejected") {
        return Err(ApiError::invalid_field(
            "decision",
            "须为 upheld 或 rejected",
            "decision must be upheld or rejected",
        ));
    }
    let answer = request.answer.trim().to_string();
    if answer.is_empty() {
        return Err(ApiError::invalid_field(
            "answer",
            "须书面答复",
            "a written answer is required",
        ));
    }
    let actor = auth.actor();
    let id = id.into_inner();
    let o = with_conn(&state, move |conn| {
        write_transaction(conn, |conn| {
            use diesel::prelude::*;
            let o = Objection::by_id(conn, &id)?.ok_or_else(|| ApiError::not_found("异议"))?;
            if o.status != "open" {
                return Err(ApiError::conflict(
                    crate::domain::ErrorCode::InvalidTransition,
                    format!(
                        "异议已答复（{}）/ already answered ({})",
                        o.status, o.status
                    ),
                ));
            }
            diesel::update(objections::table.filter(objections::id.eq(&id)))
                .set((
                    objections::status.eq(&request.decision),
                    objections::answer.eq(&answer),
                    objections::answered_by.eq(&actor),
                    objections::answered_at.eq(now()),
                ))
                .execute(conn)?;
            audit::record(
                conn,
                &actor,
                "objection.answer",
                "objection",
                &id,
                serde_json::json!({"decision": request.decision}),
            )?;
            Objection::by_id(conn, &id)?.ok_or_else(|| ApiError::not_found("异议"))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(ObjectionView::from(o)))
}

/// One year of a body's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryItem {
    /// Year.
    pub year: i32,
    /// The evaluation.
    pub evaluation_id: String,
    /// Its status (final, or public_notice for the year under way).
    pub status: String,
    /// The body's result.
    #[serde(flatten)]
    pub result: ResultItem,
}

/// A body's results across years (final evaluations, and the one in public notice).
#[utoipa::path(get, path = "/api/v1/bodies/{id}/results", operation_id = "evaluations_body_history", tag = "evaluations", security(("bearer" = [])),
    params(("id" = String, Path, description = "Body id"), PageQuery),
    responses(
        (status = 200, description = "The body's results, latest year first", body = Page<HistoryItem>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A client without results:read", body = ErrorBody),
        (status = 404, description = "Not your body", body = ErrorBody),
        (status = 422, description = "Invalid page", body = ErrorBody),
    ))]
#[get("/api/v1/bodies/{id}/results")]
pub async fn body_history(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<String>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let view = view_of(&auth)?;
    let (page, per_page, _) = page.resolve()?;
    let body_id = id.into_inner();
    if let View::OwnBody(own) = &view
        && *own != body_id
    {
        return Err(ApiError::not_found("机构"));
    }
    let items = with_conn(&state, move |conn| {
        use diesel::prelude::*;
        let statuses: &[&str] = match view {
            View::FinalOnly => &["final"],
            _ => &["final", "public_notice"],
        };
        let evaluations: Vec<Evaluation> = evaluations::table
            .filter(evaluations::status.eq_any(statuses))
            .order(evaluations::year.desc())
            .select(Evaluation::as_select())
            .load(conn)?;
        let mut items = Vec::new();
        for e in evaluations {
            if let Some(row) = ResultRow::of_body(conn, &e.id, &body_id)? {
                items.push(HistoryItem {
                    year: e.year,
                    evaluation_id: e.id.clone(),
                    status: e.status.clone(),
                    result: ResultItem::from(&row),
                });
            }
        }
        Ok(items)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page::of(items, page, per_page)))
}
