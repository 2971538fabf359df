//! Evaluations: run through the evaluation queue, read (summary, ranking, one body's explained
//! result, a body's history), public notice (公示) with objections, finalisation, and the
//! explicit, audited supersession of a final evaluation. The rules are in
//! `domain::evaluations` and `domain::objections`; these handlers extract, call and shape.

mod views;

use actix_web::{HttpResponse, get, post, web};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub use views::{
    EvaluationView, HistoryItem, ObjectionView, RankingEntry, RankingExport, ResultDocument,
    ResultItem,
};

use super::{Page, PageQuery, call};
use crate::db::models::evaluation::ResultFilter;
use crate::domain::TextEnum;
use crate::domain::policy::{AnyUser, Anyone, BodyOrAdmin, Staff};
use crate::domain::{evaluations, objections};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::state::AppState;

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

/// Starts an evaluation of a year; a worker of the evaluation queue runs it.
#[utoipa::path(post, path = "/api/v1/evaluations", operation_id = "evaluations_run", tag = "evaluations", request_body = RunRequest, security(("bearer" = [])),
    responses(
        (status = 202, description = "Started: `running` until `draft` (or `failed`); Location names it", body = EvaluationView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 409, description = "No cycle for the year, a run under way (`already_running`, naming it), or a final evaluation standing", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
        (status = 503, description = "The evaluation queue is full, or the server is stopping: `evaluations_unavailable`", body = ErrorBody),
    ))]
#[post("/api/v1/evaluations")]
pub async fn run(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    body: crate::extract::Json<RunRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner();
    let request = evaluations::RunRequest {
        year: request.year,
        draws: request.draws,
        seed: request.seed,
    };
    let runs = state.runs.clone();
    let evaluation = call(&state, &auth, move |conn, ctx| {
        evaluations::run(conn, ctx, runs.as_ref(), request)
    })
    .await?;
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
    filter: crate::extract::Query<EvaluationQuery>,
    page: crate::extract::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, offset) = page.resolve()?;
    let year = filter.year;
    let (items, total_items) = call(&state, &auth, move |conn, ctx| {
        evaluations::list(conn, ctx, year, offset, i64::from(per_page))
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
    let id = id.into_inner();
    let e = call(&state, &auth, move |conn, ctx| {
        evaluations::get(conn, ctx, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(EvaluationView::from(e)))
}

/// The ranking, filtered and paginated, in rank order (a body user sees its own row).
#[utoipa::path(get, path = "/api/v1/evaluations/{id}/results", operation_id = "evaluations_results", tag = "evaluations",
    params(("id" = String, Path, description = "Evaluation id"), RankingQuery, PageQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the ranking", body = Page<ResultItem>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A client without results:read, or a filter by warning level by anyone but staff", body = ErrorBody),
        (status = 404, description = "No such evaluation, or not visible", body = ErrorBody),
        (status = 409, description = "Still running, or failed", body = ErrorBody),
        (status = 422, description = "Invalid page", body = ErrorBody),
    ))]
#[get("/api/v1/evaluations/{id}/results")]
pub async fn results(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<String>,
    filter: crate::extract::Query<RankingQuery>,
    page: crate::extract::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, offset) = page.resolve()?;
    let id = id.into_inner();
    let q = filter.into_inner();
    let filter = ResultFilter {
        category: q.category,
        province: q.province,
        grade: q.grade,
        warning_level: q.warning_level,
        borderline: q.borderline,
        body_id: None,
    };
    let limit = i64::from(per_page);
    let ctx = state.ctx(&auth);
    let kept = evaluations::kept_results_for_staff(
        &ctx,
        &state.ranking_pages,
        &id,
        &filter,
        offset,
        limit,
    );
    let (rows, total_items, levels) = match kept {
        Some((rows, total)) => (rows, total, evaluations::warning_levels_shown(&ctx)),
        None => {
            let pages = state.ranking_pages.clone();
            call(&state, &auth, move |conn, ctx| {
                let (rows, total) =
                    evaluations::results(conn, ctx, &pages, &id, filter, offset, limit)?;
                Ok((rows, total, evaluations::warning_levels_shown(ctx)))
            })
            .await?
        }
    };
    Ok(HttpResponse::Ok().json(Page {
        items: rows
            .iter()
            .map(|r| ResultItem::shown(r, levels))
            .collect::<Vec<_>>(),
        total_items,
        page,
        per_page,
    }))
}

/// One body's result with its full explanation and uncertainty.
#[utoipa::path(get, path = "/api/v1/evaluations/{id}/results/{body_id}", operation_id = "evaluations_result", tag = "evaluations", security(("bearer" = [])),
    params(("id" = String, Path, description = "Evaluation id"), ("body_id" = String, Path, description = "Body id")),
    responses(
        (status = 200, description = "As `pubeval score` prints it (dimensions, indicators, deductions, vetoes, warning, uncertainty) plus the explanation; `warning` and `warning_level` (0 when none) only for staff (as triggered) and for the body and `warnings:read` clients (once issued)", body = ResultDocument),
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
    let (id, body_id) = path.into_inner();
    let value = call(&state, &auth, move |conn, ctx| {
        evaluations::result_document(conn, ctx, &id, &body_id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(value))
}

/// Publication for public notice.
#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    /// Days objections are accepted (default 7).
    pub objection_days: Option<u32>,
}

/// Puts a draft evaluation to public notice (公示): bodies can read their result and object.
#[utoipa::path(post, path = "/api/v1/evaluations/{id}/publish", operation_id = "evaluations_publish", tag = "evaluations",
    request_body(content = PublishRequest, description = "Optional; without a body objections are accepted for 7 days"), security(("bearer" = [])),
    params(("id" = String, Path, description = "Evaluation id")),
    responses(
        (status = 200, description = "In public notice", body = EvaluationView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such evaluation", body = ErrorBody),
        (status = 409, description = "Not a draft", body = ErrorBody),
        (status = 422, description = "Invalid objection period, or an unknown field", body = ErrorBody),
    ))]
#[post("/api/v1/evaluations/{id}/publish")]
pub async fn publish(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    body: crate::extract::OptionalJson<PublishRequest>,
) -> Result<HttpResponse, ApiError> {
    let days = body.into_inner().and_then(|b| b.objection_days);
    let id = id.into_inner();
    let e = call(&state, &auth, move |conn, ctx| {
        evaluations::publish(conn, ctx, &id, days)
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
    let id = id.into_inner();
    let e = call(&state, &auth, move |conn, ctx| {
        evaluations::finalize(conn, ctx, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(EvaluationView::from(e)))
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
    let reason = body.into_inner().reason;
    let id = id.into_inner();
    let e = call(&state, &auth, move |conn, ctx| {
        evaluations::supersede(conn, ctx, &id, &reason)
    })
    .await?;
    Ok(HttpResponse::Ok().json(EvaluationView::from(e)))
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
        (status = 409, description = "Not in public notice, past the objection deadline, or the body's earlier objection still awaits its answer (`objection_already_open`)", body = ErrorBody),
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
    let new = objections::NewObjection {
        text: new.text,
        body_id: new.body_id,
    };
    let id = id.into_inner();
    let objection = call(&state, &auth, move |conn, ctx| {
        objections::file(conn, ctx, &id, new)
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
    auth: Auth<AnyUser>,
    id: web::Path<String>,
    page: crate::extract::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, _) = page.resolve()?;
    let id = id.into_inner();
    let all = call(&state, &auth, move |conn, ctx| {
        objections::list(conn, ctx, &id)
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
    let decision = objections::Decision::parse(&request.decision)?;
    let id = id.into_inner();
    let o = call(&state, &auth, move |conn, ctx| {
        objections::answer(conn, ctx, &id, decision, &request.answer)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ObjectionView::from(o)))
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
    page: crate::extract::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, _) = page.resolve()?;
    let body_id = id.into_inner();
    let (entries, levels) = call(&state, &auth, move |conn, ctx| {
        let entries = evaluations::history(conn, ctx, &body_id)?;
        Ok((entries, evaluations::warning_levels_shown(ctx)))
    })
    .await?;
    let items = entries
        .into_iter()
        .map(|h| HistoryItem {
            year: h.evaluation.year,
            evaluation_id: h.evaluation.id,
            status: h.status.as_str().to_string(),
            result: ResultItem::shown(&h.result, levels),
        })
        .collect();
    Ok(HttpResponse::Ok().json(Page::of(items, page, per_page)))
}
