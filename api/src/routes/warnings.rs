//! Risk warnings (风险警示, SCHEME.md §5): drafts come from a final evaluation; analysts issue
//! them with a notice number (认宣警〔YYYY〕N号, NOTICE.md) and a deadline, or withdraw them with
//! a reason; the body acknowledges and submits its rectification report; analysts send it back,
//! close or escalate. Every transition is in the warning's history and the audit log
//! (DESIGN.md §3, §4).
//!
//! Who sees what: staff everything; a body user its own issued warnings (drafts and withdrawn
//! drafts are internal, and so is the staff note); an external client with `warnings:read`
//! issued warnings without the staff note and without their history.

use actix_web::{HttpResponse, get, post, web};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Page, PageQuery, call};
use crate::db::models::warning::WarningEvent;
use crate::domain::policy::{Anyone, BodyOrAdmin, Staff};
use crate::domain::states::WarningStatus;
use crate::domain::warnings::{self, Warning};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Auth, Json, OptionalJson};
use crate::state::AppState;

/// One step of a warning's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct WarningEventView {
    /// Id.
    pub id: String,
    /// Status before.
    #[schema(value_type = WarningStatus)]
    pub from_status: String,
    /// Status after.
    #[schema(value_type = WarningStatus)]
    pub to_status: String,
    /// Who: `user:<username>`.
    pub actor: String,
    /// The reason, comment or rectification report; null when none was given, and for a body
    /// user on the issuing step (whose text is the analyst's internal confirmation).
    pub text: Option<String>,
    /// When (UTC).
    #[schema(format = DateTime)]
    pub at: String,
}

/// A warning as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct WarningView {
    /// Id.
    pub id: String,
    /// The evaluation it comes from.
    pub evaluation_id: String,
    /// The evaluation year.
    pub year: i32,
    /// The body warned.
    pub body_id: String,
    /// The body's approval number (批准号).
    #[schema(example = "CNCA-R-2002-001")]
    pub approval_no: String,
    /// The body's name.
    pub name: String,
    /// 1 提示, 2 警示, 3 严重警示.
    #[schema(minimum = 1, maximum = 3)]
    pub level: i32,
    /// The rules triggered, in SCHEME.md §5 order.
    #[schema(example = json!(["W1.late_report"]))]
    pub reasons: Vec<String>,
    /// The findings, with evidence and articles, as the evaluation stored them.
    #[schema(value_type = Vec<Object>)]
    pub findings: serde_json::Value,
    /// Status.
    #[schema(value_type = WarningStatus)]
    pub status: String,
    /// Every rule depends on grade or total and the body is borderline: issuing needs a
    /// written confirmation (SCHEME.md §6).
    pub review_required: bool,
    /// The notice number, e.g. 认宣警〔2026〕7号; null until issued.
    #[schema(example = "认宣警〔2026〕7号")]
    pub notice_no: Option<String>,
    /// Issued on (China Standard Time); null until issued.
    pub issued_on: Option<NaiveDate>,
    /// Rectification deadline; null until issued.
    pub deadline: Option<NaiveDate>,
    /// Issued or acknowledged, and today (China Standard Time) is after the deadline.
    pub overdue: bool,
    /// Staff-only note (the confirmation of a warning issued after review); absent for others
    /// and when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal_note: Option<String>,
    /// Created (UTC).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last changed (UTC).
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// The history, oldest first: in the view of one warning, for staff and the body (absent
    /// from lists and for external clients).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<WarningEventView>>,
}

impl From<Warning> for WarningView {
    fn from(warning: Warning) -> WarningView {
        let listing = warning.listing;
        let w = listing.warning;
        WarningView {
            reasons: w.reason_codes(),
            overdue: warning.overdue,
            findings: serde_json::from_str(&w.findings).unwrap_or(serde_json::Value::Null),
            review_required: w.review_required != 0,
            internal_note: w.internal_note,
            created_at: rfc3339(w.created_at),
            updated_at: rfc3339(w.updated_at),
            id: w.id,
            evaluation_id: w.evaluation_id,
            year: listing.year,
            body_id: w.body_id,
            approval_no: listing.approval_no,
            name: listing.name,
            level: w.level,
            status: w.status,
            notice_no: w.notice_no,
            issued_on: w.issued_on,
            deadline: w.deadline,
            events: warning
                .events
                .map(|events| events.into_iter().map(WarningEventView::from).collect()),
        }
    }
}

impl From<WarningEvent> for WarningEventView {
    fn from(e: WarningEvent) -> WarningEventView {
        WarningEventView {
            id: e.id,
            from_status: e.from_status,
            to_status: e.to_status,
            actor: e.actor,
            text: e.text,
            at: rfc3339(e.at),
        }
    }
}

/// Filters of the warning list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WarningQuery {
    /// Only warnings of this evaluation.
    pub evaluation: Option<String>,
    /// Only this status.
    pub status: Option<WarningStatus>,
    /// Only this body (a body user may name only its own).
    pub body_id: Option<String>,
    /// Only this level (1–3).
    pub level: Option<i32>,
    /// `true`: only overdue warnings; `false`: only those not overdue.
    pub overdue: Option<bool>,
}

/// The issuing of a draft.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueRequest {
    /// Rectification deadline, after today (China Standard Time); default 30 days after issue.
    #[schema(value_type = Option<String>, format = Date, example = "2026-12-26")]
    pub deadline: Option<NaiveDate>,
    /// The analyst's written confirmation; required when the warning is marked for review
    /// (its body is borderline and every rule depends on grade or total).
    pub confirmation: Option<String>,
}

/// A reason (withdrawal, escalation).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WarningReasonRequest {
    /// Why (required).
    pub reason: String,
}

/// The body's rectification report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RectificationRequest {
    /// What the body did to rectify (required).
    pub report: String,
}

/// An analyst's comment on a rectification report.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WarningCommentRequest {
    /// The comment (required to send a report back).
    pub comment: Option<String>,
}

fn rfc3339(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339()
}

/// The warning after a transition, as the caller sees it.
fn answer(outcome: Result<Warning, ApiError>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(WarningView::from(outcome?)))
}

/// Lists warnings: staff all; a body user its own issued ones; a client with `warnings:read`
/// the issued ones (statuses issued, acknowledged, rectification_submitted, closed,
/// escalated). Latest evaluation year first, then highest level, then approval number.
#[utoipa::path(operation_id = "warnings_list", get, path = "/api/v1/warnings", tag = "warnings", params(PageQuery, WarningQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the warnings the caller may see", body = Page<WarningView>),
        (status = 400, description = "Malformed query (e.g. an unknown status)", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A client without the warnings:read scope", body = ErrorBody),
        (status = 404, description = "A body user naming another body", body = ErrorBody),
        (status = 422, description = "Invalid page or level", body = ErrorBody),
    ))]
#[get("/api/v1/warnings")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    page: crate::extract::Query<PageQuery>,
    query: crate::extract::Query<WarningQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, offset) = page.into_inner().resolve()?;
    let q = query.into_inner();
    let query = warnings::WarningQuery {
        evaluation: q.evaluation,
        status: q.status,
        body_id: q.body_id,
        level: q.level,
        overdue: q.overdue,
    };
    let (items, total_items) = call(&state, &auth, move |conn, ctx| {
        warnings::list(conn, ctx, query, offset, i64::from(per_page))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: items.into_iter().map(WarningView::from).collect::<Vec<_>>(),
        total_items,
        page,
        per_page,
    }))
}

/// One warning with its history, under the visibility rules of the list (404 when the caller
/// may not see it); external clients get no history.
#[utoipa::path(operation_id = "warnings_get", get, path = "/api/v1/warnings/{id}", tag = "warnings", security(("bearer" = [])),
    params(("id" = String, Path, description = "Warning id")),
    responses(
        (status = 200, description = "The warning, with its history", body = WarningView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A client without the warnings:read scope", body = ErrorBody),
        (status = 404, description = "No such warning, or not visible to the caller", body = ErrorBody),
    ))]
#[get("/api/v1/warnings/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let warning = call(&state, &auth, move |conn, ctx| {
        warnings::get(conn, ctx, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(WarningView::from(warning)))
}

/// Issues a draft (staff): the notice number 认宣警〔YYYY〕N号 (the year of issue in China
/// Standard Time, numbered from 1 within it, never reused), issued today, the deadline given or
/// 30 days on. A warning marked for review needs a written confirmation.
#[utoipa::path(operation_id = "warnings_issue", post, path = "/api/v1/warnings/{id}/issue", tag = "warnings",
    request_body(content = Option<IssueRequest>, description = "Optional deadline and confirmation; the body may be omitted"), security(("bearer" = [])),
    params(("id" = String, Path, description = "Warning id")),
    responses(
        (status = 200, description = "Issued; the warning with its history", body = WarningView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such warning", body = ErrorBody),
        (status = 409, description = "The warning is not a draft (invalid_transition), or concurrent issues kept taking its notice number (conflict; retry)", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "A deadline not after today, or no confirmation for a warning marked for review", body = ErrorBody),
    ))]
#[post("/api/v1/warnings/{id}/issue")]
pub async fn issue(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    body: OptionalJson<Option<IssueRequest>>,
) -> Result<HttpResponse, ApiError> {
    // No body, or a JSON null, is the default: 30 days, no confirmation.
    let request = body.into_inner().flatten().unwrap_or_default();
    let id = id.into_inner();
    answer(
        call(&state, &auth, move |conn, ctx| {
            warnings::issue(
                conn,
                ctx,
                &id,
                request.deadline,
                request.confirmation.as_deref(),
            )
        })
        .await,
    )
}

/// Withdraws a draft (staff), with a reason; it is kept, never issued.
#[utoipa::path(operation_id = "warnings_withdraw", post, path = "/api/v1/warnings/{id}/withdraw", tag = "warnings",
    request_body = WarningReasonRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Warning id")),
    responses(
        (status = 200, description = "Withdrawn; the warning with its history", body = WarningView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such warning", body = ErrorBody),
        (status = 409, description = "The warning is not a draft (invalid_transition)", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "No reason", body = ErrorBody),
    ))]
#[post("/api/v1/warnings/{id}/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    request: Json<WarningReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, reason) = (id.into_inner(), request.into_inner().reason);
    answer(
        call(&state, &auth, move |conn, ctx| {
            warnings::withdraw(conn, ctx, &id, &reason)
        })
        .await,
    )
}

/// Acknowledges receipt of an issued warning (the body's own user, or an admin).
#[utoipa::path(operation_id = "warnings_acknowledge", post, path = "/api/v1/warnings/{id}/acknowledge", tag = "warnings",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "Warning id")),
    responses(
        (status = 200, description = "Acknowledged; the warning with its history", body = WarningView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor body user", body = ErrorBody),
        (status = 404, description = "No such warning, or not your body's issued warning", body = ErrorBody),
        (status = 409, description = "The warning is not issued (invalid_transition)", body = ErrorBody),
    ))]
#[post("/api/v1/warnings/{id}/acknowledge")]
pub async fn acknowledge(
    state: web::Data<AppState>,
    auth: Auth<BodyOrAdmin>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    answer(
        call(&state, &auth, move |conn, ctx| {
            warnings::acknowledge(conn, ctx, &id)
        })
        .await,
    )
}

/// Submits the rectification report of an acknowledged warning (the body's own user, or an
/// admin).
#[utoipa::path(operation_id = "warnings_rectification", post, path = "/api/v1/warnings/{id}/rectification", tag = "warnings",
    request_body = RectificationRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Warning id")),
    responses(
        (status = 200, description = "Submitted; the warning with its history", body = WarningView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor body user", body = ErrorBody),
        (status = 404, description = "No such warning, or not your body's issued warning", body = ErrorBody),
        (status = 409, description = "The warning is not acknowledged (invalid_transition)", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "No report", body = ErrorBody),
    ))]
#[post("/api/v1/warnings/{id}/rectification")]
pub async fn rectification(
    state: web::Data<AppState>,
    auth: Auth<BodyOrAdmin>,
    id: web::Path<String>,
    request: Json<RectificationRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, report) = (id.into_inner(), request.into_inner().report);
    answer(
        call(&state, &auth, move |conn, ctx| {
            warnings::rectification(conn, ctx, &id, &report)
        })
        .await,
    )
}

/// Sends a rectification report back to the body (staff), with a comment; the warning is
/// acknowledged again and awaits a new report.
#[utoipa::path(operation_id = "warnings_send_back", post, path = "/api/v1/warnings/{id}/send_back", tag = "warnings",
    request_body = WarningCommentRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Warning id")),
    responses(
        (status = 200, description = "Sent back; the warning with its history", body = WarningView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such warning", body = ErrorBody),
        (status = 409, description = "No rectification report awaits review (invalid_transition)", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "No comment", body = ErrorBody),
    ))]
#[post("/api/v1/warnings/{id}/send_back")]
pub async fn send_back(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    request: Json<WarningCommentRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, comment) = (id.into_inner(), request.into_inner().comment);
    answer(
        call(&state, &auth, move |conn, ctx| {
            warnings::send_back(conn, ctx, &id, comment.as_deref())
        })
        .await,
    )
}

/// Closes a warning whose rectification report is accepted (staff), with an optional comment.
#[utoipa::path(operation_id = "warnings_close", post, path = "/api/v1/warnings/{id}/close", tag = "warnings",
    request_body(content = Option<WarningCommentRequest>, description = "An optional comment; the body may be omitted"), security(("bearer" = [])),
    params(("id" = String, Path, description = "Warning id")),
    responses(
        (status = 200, description = "Closed; the warning with its history", body = WarningView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such warning", body = ErrorBody),
        (status = 409, description = "No rectification report awaits review (invalid_transition)", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "A comment too long", body = ErrorBody),
    ))]
#[post("/api/v1/warnings/{id}/close")]
pub async fn close(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    body: OptionalJson<Option<WarningCommentRequest>>,
) -> Result<HttpResponse, ApiError> {
    let comment = body.into_inner().flatten().unwrap_or_default().comment;
    let id = id.into_inner();
    answer(
        call(&state, &auth, move |conn, ctx| {
            warnings::close(conn, ctx, &id, comment.as_deref())
        })
        .await,
    )
}

/// Escalates an issued, acknowledged or rectifying warning (staff), with a reason: 约谈,
/// targeted checks, a record in the supervision file.
#[utoipa::path(operation_id = "warnings_escalate", post, path = "/api/v1/warnings/{id}/escalate", tag = "warnings",
    request_body = WarningReasonRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Warning id")),
    responses(
        (status = 200, description = "Escalated; the warning with its history", body = WarningView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such warning", body = ErrorBody),
        (status = 409, description = "The warning is a draft or already final (invalid_transition)", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "No reason", body = ErrorBody),
    ))]
#[post("/api/v1/warnings/{id}/escalate")]
pub async fn escalate(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    request: Json<WarningReasonRequest>,
) -> Result<HttpResponse, ApiError> {
    let (id, reason) = (id.into_inner(), request.into_inner().reason);
    answer(
        call(&state, &auth, move |conn, ctx| {
            warnings::escalate(conn, ctx, &id, &reason)
        })
        .await,
    )
}
