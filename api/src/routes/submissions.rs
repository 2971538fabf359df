//! Annual reports (年度宣传工作报告): a body saves drafts (with `If-Match` so that two people
//! never overwrite each other), submits, and an analyst returns or accepts; every step is a
//! new revision.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{BinaryFile, FileForm, Page, PageQuery, call};
use crate::db::models::submission::{Revision, StatusLine};
use crate::domain::clock::utc;
use crate::domain::policy::{AnyUser, BodyOrAdmin, Staff};
use crate::domain::submissions::{self, ListFilter, Precondition};
use crate::domain::workbooks;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Accept, Auth, OptionalJson, Upload};
use crate::state::AppState;

/// A revision as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    /// The body.
    pub body_id: String,
    /// The evaluation year.
    pub year: i32,
    /// Revision number, from 1 (also in the `ETag` header).
    pub revision: i32,
    /// `draft`, `submitted`, `returned` or `accepted`.
    pub status: String,
    /// The report.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// The analyst's comment on a return or acceptance.
    pub comment: Option<String>,
    /// Who made this revision.
    pub actor: String,
    /// When (UTC).
    pub created_at: String,
}

impl From<Revision> for RevisionView {
    fn from(r: Revision) -> RevisionView {
        RevisionView {
            payload: serde_json::from_str(&r.payload).unwrap_or(serde_json::Value::Null),
            body_id: r.body_id,
            year: r.year,
            revision: r.revision,
            status: r.status,
            comment: r.comment,
            actor: r.actor,
            created_at: utc(r.created_at),
        }
    }
}

/// A draft to save.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveRequest {
    /// The report (SCHEME.md §1); a draft may leave fields out.
    #[schema(value_type = Object)]
    pub payload: crate::extract::BoundedValue,
}

/// An analyst's comment.
#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CommentRequest {
    /// The comment (required to return a report).
    pub comment: Option<String>,
}

fn revision_response(status: StatusCode, r: Revision) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(("ETag", format!("\"{}\"", r.revision)))
        .json(RevisionView::from(r))
}

/// The precondition an `If-Match` header states (`"3"`, `W/"3"` or `3`; `*` matches any);
/// `None` when the header names no revision.
fn if_match(req: &HttpRequest) -> Option<Precondition> {
    let Some(value) = req.headers().get(actix_web::http::header::IF_MATCH) else {
        return Some(Precondition::Absent);
    };
    let text = value.to_str().ok()?.trim();
    if text == "*" {
        return Some(Precondition::Any);
    }
    let bare = text.trim_start_matches("W/").trim_matches('"');
    bare.parse().ok().map(Precondition::Revision)
}

/// Saves a draft (a new revision). The first save needs no `If-Match`; every later one must
/// name the revision it edits.
#[utoipa::path(put, path = "/api/v1/bodies/{id}/submissions/{year}", operation_id = "submissions_save", tag = "submissions",
    request_body = SaveRequest, security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Body id"),
        ("year" = i32, Path, description = "Evaluation year"),
        ("If-Match" = Option<String>, Header, description = "The revision being edited, e.g. \"3\"; required once a revision exists"),
    ),
    responses(
        (status = 200, description = "Saved as a new revision (ETag: the revision)", body = RevisionView),
        (status = 201, description = "The first revision (ETag: \"1\")", body = RevisionView),
        (status = 400, description = "Malformed JSON, or an If-Match naming no revision", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Analysts and clients do not write reports", body = ErrorBody),
        (status = 404, description = "No such body, or not yours", body = ErrorBody),
        (status = 409, description = "Outside the window, no cycle, or already submitted", body = ErrorBody),
        (status = 412, description = "If-Match names a revision that is no longer current", body = ErrorBody),
        (status = 422, description = "Invalid fields; every problem in details", body = ErrorBody),
        (status = 428, description = "If-Match is required once a revision exists", body = ErrorBody),
    ))]
#[put("/api/v1/bodies/{id}/submissions/{year}")]
pub async fn save(
    state: web::Data<AppState>,
    auth: Auth<BodyOrAdmin>,
    req: HttpRequest,
    path: web::Path<(String, i32)>,
    body: crate::extract::Json<SaveRequest>,
) -> Result<HttpResponse, ApiError> {
    let (body_id, year) = path.into_inner();
    let Some(precondition) = if_match(&req) else {
        return Err(ApiError::bad_request(
            "If-Match 应为修订号，如 \"3\" / If-Match must name a revision, e.g. \"3\"",
        ));
    };
    let payload = body.into_inner().payload.0;
    let saved = call(&state, &auth, move |conn, ctx| {
        submissions::save(conn, ctx, &body_id, year, precondition, &payload)
    })
    .await?;
    let status = if saved.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(revision_response(status, saved.revision))
}

/// Saves a filled-in report template (XLSX) as a new draft revision.
///
/// The workbook of `GET /api/v1/cycles/{year}/template.xlsx`, validated exactly as the JSON save is and under the same `If-Match`
/// rules. Every problem names its cell (`details[].cell`, e.g. `年度宣传工作报告!E8`) beside its
/// field; a workbook that is not this year's template is refused whole.
#[utoipa::path(post, path = "/api/v1/bodies/{id}/submissions/{year}/xlsx", operation_id = "submissions_upload_xlsx", tag = "submissions",
    request_body(description = "The workbook itself, or a form with it as its file part; at most 20 MB",
        content(
            (BinaryFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (FileForm = "multipart/form-data"),
        )),
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Body id"),
        ("year" = i32, Path, description = "Evaluation year"),
        ("If-Match" = Option<String>, Header, description = "The revision being edited, e.g. \"3\"; required once a revision exists"),
    ),
    responses(
        (status = 200, description = "Saved as a new revision (ETag: the revision)", body = RevisionView),
        (status = 201, description = "The first revision (ETag: \"1\")", body = RevisionView),
        (status = 400, description = "Not an XLSX workbook, a malformed form, or an If-Match naming no revision", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Analysts and clients do not write reports", body = ErrorBody),
        (status = 404, description = "No such body, or not yours", body = ErrorBody),
        (status = 409, description = "Outside the window, no cycle, or already submitted", body = ErrorBody),
        (status = 412, description = "If-Match names a revision that is no longer current", body = ErrorBody),
        (status = 413, description = "Larger than 20 MB, or expanding past 200 MB (a zip bomb)", body = ErrorBody),
        (status = 415, description = "Neither an XLSX workbook nor a multipart form", body = ErrorBody),
        (status = 422, description = "Not this year's template (details[0].cell says where), or invalid cells: every problem in details with its field and cell", body = ErrorBody),
        (status = 428, description = "If-Match is required once a revision exists", body = ErrorBody),
    ))]
#[post("/api/v1/bodies/{id}/submissions/{year}/xlsx")]
pub async fn upload_xlsx(
    state: web::Data<AppState>,
    auth: Auth<BodyOrAdmin>,
    req: HttpRequest,
    path: web::Path<(String, i32)>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (body_id, year) = path.into_inner();
    let Some(precondition) = if_match(&req) else {
        return Err(ApiError::bad_request(
            "If-Match 应为修订号，如 \"3\" / If-Match must name a revision, e.g. \"3\"",
        ));
    };
    let upload = Upload::read(&req, payload, Accept::Workbook).await?;
    let saved = call(&state, &auth, move |conn, ctx| {
        workbooks::upload(conn, ctx, &body_id, year, precondition, &upload.bytes)
    })
    .await?;
    let status = if saved.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(revision_response(status, saved.revision))
}

/// Submits the current draft: the full report is validated and every problem is returned.
#[utoipa::path(post, path = "/api/v1/bodies/{id}/submissions/{year}/submit", operation_id = "submissions_submit", tag = "submissions",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "Body id"),
        ("year" = i32, Path, description = "Evaluation year"),
        ("If-Match" = Option<String>, Header, description = "When given, the revision being submitted"),
    ),
    responses(
        (status = 200, description = "Submitted (a new revision)", body = RevisionView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Analysts and clients do not submit reports", body = ErrorBody),
        (status = 404, description = "No such body, or not yours", body = ErrorBody),
        (status = 409, description = "Nothing saved, already submitted, outside the window, or no cycle", body = ErrorBody),
        (status = 412, description = "If-Match names a revision that is no longer current", body = ErrorBody),
        (status = 422, description = "The report is incomplete or invalid; every problem in details", body = ErrorBody),
    ))]
#[post("/api/v1/bodies/{id}/submissions/{year}/submit")]
pub async fn submit(
    state: web::Data<AppState>,
    auth: Auth<BodyOrAdmin>,
    req: HttpRequest,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (body_id, year) = path.into_inner();
    // An If-Match naming no revision constrains nothing here, as before.
    let precondition = if_match(&req).unwrap_or(Precondition::Absent);
    let revision = call(&state, &auth, move |conn, ctx| {
        submissions::submit(conn, ctx, &body_id, year, precondition)
    })
    .await?;
    Ok(revision_response(StatusCode::OK, revision))
}

/// Returns a submitted report to its body with a comment (退回).
#[utoipa::path(post, path = "/api/v1/bodies/{id}/submissions/{year}/return", operation_id = "submissions_return", tag = "submissions",
    request_body = CommentRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Body id"), ("year" = i32, Path, description = "Evaluation year")),
    responses(
        (status = 200, description = "Returned (a new revision)", body = RevisionView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such body or report", body = ErrorBody),
        (status = 409, description = "The report is not submitted", body = ErrorBody),
        (status = 422, description = "A comment is required", body = ErrorBody),
    ))]
#[post("/api/v1/bodies/{id}/submissions/{year}/return")]
pub async fn return_report(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    path: web::Path<(String, i32)>,
    body: crate::extract::Json<CommentRequest>,
) -> Result<HttpResponse, ApiError> {
    let (body_id, year) = path.into_inner();
    let comment = body.into_inner().comment;
    let revision = call(&state, &auth, move |conn, ctx| {
        submissions::return_report(conn, ctx, &body_id, year, comment)
    })
    .await?;
    Ok(revision_response(StatusCode::OK, revision))
}

/// Accepts a submitted report (接收).
#[utoipa::path(post, path = "/api/v1/bodies/{id}/submissions/{year}/accept", operation_id = "submissions_accept", tag = "submissions",
    request_body(content = CommentRequest, description = "An optional comment"), security(("bearer" = [])),
    params(("id" = String, Path, description = "Body id"), ("year" = i32, Path, description = "Evaluation year")),
    responses(
        (status = 200, description = "Accepted (a new revision)", body = RevisionView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such body or report", body = ErrorBody),
        (status = 409, description = "The report is not submitted", body = ErrorBody),
        (status = 415, description = "A body that is not JSON", body = ErrorBody),
        (status = 422, description = "A body with a wrong field (named in details)", body = ErrorBody),
    ))]
#[post("/api/v1/bodies/{id}/submissions/{year}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    path: web::Path<(String, i32)>,
    body: OptionalJson<CommentRequest>,
) -> Result<HttpResponse, ApiError> {
    let (body_id, year) = path.into_inner();
    let comment = body.into_inner().and_then(|b| b.comment);
    let revision = call(&state, &auth, move |conn, ctx| {
        submissions::accept(conn, ctx, &body_id, year, comment)
    })
    .await?;
    Ok(revision_response(StatusCode::OK, revision))
}

/// The current revision of a body's report.
#[utoipa::path(get, path = "/api/v1/bodies/{id}/submissions/{year}", operation_id = "submissions_current", tag = "submissions",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Body id"), ("year" = i32, Path, description = "Evaluation year")),
    responses(
        (status = 200, description = "The current revision (ETag: its number)", body = RevisionView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "An external client", body = ErrorBody),
        (status = 404, description = "No report yet, no such body, or not yours", body = ErrorBody),
    ))]
#[get("/api/v1/bodies/{id}/submissions/{year}")]
pub async fn current_report(
    state: web::Data<AppState>,
    auth: Auth<AnyUser>,
    path: web::Path<(String, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (body_id, year) = path.into_inner();
    let revision = call(&state, &auth, move |conn, ctx| {
        submissions::current(conn, ctx, &body_id, year)
    })
    .await?;
    Ok(revision_response(StatusCode::OK, revision))
}

/// Every revision of a body's report, oldest first.
#[utoipa::path(get, path = "/api/v1/bodies/{id}/submissions/{year}/revisions", operation_id = "submissions_revisions", tag = "submissions",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Body id"), ("year" = i32, Path, description = "Evaluation year"), PageQuery),
    responses(
        (status = 200, description = "A page of revisions", body = Page<RevisionView>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "An external client", body = ErrorBody),
        (status = 404, description = "No such body, or not yours", body = ErrorBody),
        (status = 422, description = "Invalid page", body = ErrorBody),
    ))]
#[get("/api/v1/bodies/{id}/submissions/{year}/revisions")]
pub async fn list_revisions(
    state: web::Data<AppState>,
    auth: Auth<AnyUser>,
    path: web::Path<(String, i32)>,
    query: crate::extract::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (body_id, year) = path.into_inner();
    let (page, per_page, offset) = query.resolve()?;
    let (items, total_items) = call(&state, &auth, move |conn, ctx| {
        submissions::revisions(conn, ctx, &body_id, year, offset, i64::from(per_page))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: items
            .into_iter()
            .map(RevisionView::from)
            .collect::<Vec<_>>(),
        total_items,
        page,
        per_page,
    }))
}

/// One revision of a body's report.
#[utoipa::path(get, path = "/api/v1/bodies/{id}/submissions/{year}/revisions/{revision}", operation_id = "submissions_revision", tag = "submissions",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Body id"), ("year" = i32, Path, description = "Evaluation year"), ("revision" = i32, Path, description = "Revision number")),
    responses(
        (status = 200, description = "The revision", body = RevisionView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "An external client", body = ErrorBody),
        (status = 404, description = "No such revision, body, or not yours", body = ErrorBody),
    ))]
#[get("/api/v1/bodies/{id}/submissions/{year}/revisions/{revision}")]
pub async fn one_revision(
    state: web::Data<AppState>,
    auth: Auth<AnyUser>,
    path: web::Path<(String, i32, i32)>,
) -> Result<HttpResponse, ApiError> {
    let (body_id, year, number) = path.into_inner();
    let revision = call(&state, &auth, move |conn, ctx| {
        submissions::revision(conn, ctx, &body_id, year, number)
    })
    .await?;
    Ok(revision_response(StatusCode::OK, revision))
}

/// Filters of the cycle's submission list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubmissionQuery {
    /// Evaluation year.
    pub year: i32,
    /// `draft`, `submitted`, `returned`, `accepted` or `not_submitted` (no revision at all).
    pub status: Option<String>,
}

/// One expected body's report status in a cycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionStatus {
    /// The body.
    pub body_id: String,
    /// Its approval number.
    pub approval_no: String,
    /// Its name.
    pub name: String,
    /// The current status, or `not_submitted`.
    pub status: String,
    /// The current revision, if any.
    pub revision: Option<i32>,
    /// When the current revision was made (UTC).
    pub updated_at: Option<String>,
}

impl From<StatusLine> for SubmissionStatus {
    fn from(line: StatusLine) -> SubmissionStatus {
        SubmissionStatus {
            body_id: line.body_id,
            approval_no: line.approval_no,
            name: line.name,
            status: line
                .status
                .unwrap_or_else(|| ListFilter::NOT_SUBMITTED.to_string()),
            revision: line.revision,
            updated_at: line.updated_at.map(utc),
        }
    }
}

/// The report status of every body the cycle expects, in approval-number order.
#[utoipa::path(get, path = "/api/v1/submissions", operation_id = "submissions_list", tag = "submissions",
    params(SubmissionQuery, PageQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of bodies with their report status", body = Page<SubmissionStatus>),
        (status = 400, description = "year is missing or not a number", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 422, description = "Invalid status or page", body = ErrorBody),
    ))]
#[get("/api/v1/submissions")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    filter: crate::extract::Query<SubmissionQuery>,
    query: crate::extract::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, offset) = query.resolve()?;
    let SubmissionQuery { year, status } = filter.into_inner();
    let filter = ListFilter::parse(status.as_deref())?;
    let (items, total_items) = call(&state, &auth, move |conn, ctx| {
        submissions::list(conn, ctx, year, filter, offset, i64::from(per_page))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: items
            .into_iter()
            .map(SubmissionStatus::from)
            .collect::<Vec<_>>(),
        total_items,
        page,
        per_page,
    }))
}
