//! Plausibility flags (合理性核查): a year's flags for staff, their recomputation on demand,
//! and an analyst's review of one — cleared with a note, or evidence requested (the report
//! goes back to the body with a comment naming the field; its resubmission reopens the flag).
//! Flags never change points.

use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Page, PageQuery, call};
use crate::db::models::flag::FlagListing;
use crate::domain::flags::{self, FlagQuery, Recomputed};
use crate::domain::policy::Staff;
use crate::domain::states::FlagStatus;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Auth, Json};
use crate::state::AppState;

/// A plausibility flag as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct FlagView {
    /// Id.
    pub id: String,
    /// The evaluation year of the report.
    pub year: i32,
    /// The body.
    pub body_id: String,
    /// The body's approval number (批准号).
    #[schema(example = "CNCA-R-2002-001")]
    pub approval_no: String,
    /// The field of the report the flag is placed on.
    #[schema(example = "publicity_budget_wan")]
    pub field: String,
    /// The rule's code in the year's scheme.
    #[schema(example = "ratio.budget_revenue")]
    pub rule: String,
    /// `info` or `review`.
    #[schema(example = "review")]
    pub severity: String,
    /// The value looked at (for a ratio rule, the ratio).
    pub value: f64,
    /// The figure compared against: last year's value, the peer group's median, the ratio's
    /// limit, or the backing field's value.
    pub reference: f64,
    /// The rule's message with the figures, in Chinese.
    pub message: String,
    /// Where its review stands.
    #[schema(value_type = FlagStatus)]
    pub status: String,
    /// The report revision the figures were computed on.
    pub revision: i32,
    /// The analyst's note when cleared.
    pub note: Option<String>,
    /// The analyst's comment when evidence was requested.
    pub comment: Option<String>,
    /// Raised (UTC).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last changed (UTC).
    #[schema(format = DateTime)]
    pub updated_at: String,
}

fn rfc3339(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339()
}

impl From<FlagListing> for FlagView {
    fn from(listing: FlagListing) -> FlagView {
        let f = listing.flag;
        FlagView {
            id: f.id,
            year: f.year,
            body_id: f.body_id,
            approval_no: listing.approval_no,
            field: f.field,
            rule: f.rule,
            severity: f.severity,
            value: f.value,
            reference: f.reference,
            message: f.message,
            status: f.status,
            revision: f.revision,
            note: f.note,
            comment: f.comment,
            created_at: rfc3339(f.created_at),
            updated_at: rfc3339(f.updated_at),
        }
    }
}

/// Filters of a year's flags.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FlagListQuery {
    /// Only this body's report (its id or its approval number).
    pub body: Option<String>,
    /// Only this rule's flags (its code).
    pub rule: Option<String>,
    /// Only this status: `open`, `cleared`, `evidence_requested` or `resolved`.
    pub status: Option<String>,
}

/// Clearing a flag.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClearRequest {
    /// Why the figure is plausible (required, at most 2000 characters).
    pub note: Option<String>,
}

/// Asking the body for evidence.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceRequest {
    /// What the body should explain or provide (required, at most 2000 characters); the
    /// report's return comment names the field before it.
    pub comment: Option<String>,
}

/// A year's plausibility flags (staff), in approval-number order, then rule and field.
#[utoipa::path(operation_id = "flags_list", get, path = "/api/v1/cycles/{year}/flags", tag = "flags",
    params(("year" = i32, Path, description = "Evaluation year"), FlagListQuery, PageQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the year's flags", body = Page<FlagView>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No cycle for the year", body = ErrorBody),
        (status = 422, description = "An unknown status, or an invalid page", body = ErrorBody),
    ))]
#[get("/api/v1/cycles/{year}/flags")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    year: web::Path<i32>,
    page: crate::extract::Query<PageQuery>,
    query: crate::extract::Query<FlagListQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, offset) = page.into_inner().resolve()?;
    let year = year.into_inner();
    let q = query.into_inner();
    let query = FlagQuery {
        body: q.body,
        rule: q.rule,
        status: q.status,
    };
    let (items, total_items) = call(&state, &auth, move |conn, ctx| {
        flags::list(conn, ctx, year, &query, offset, i64::from(per_page))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: items.into_iter().map(FlagView::from).collect::<Vec<_>>(),
        total_items,
        page,
        per_page,
    }))
}

/// Computes a year's flags afresh over all its submitted reports (staff): new flags are
/// raised, open ones no longer firing resolved, cleared ones whose figure changed reopened.
#[utoipa::path(operation_id = "flags_recompute", post, path = "/api/v1/cycles/{year}/flags/recompute", tag = "flags",
    params(("year" = i32, Path, description = "Evaluation year")), security(("bearer" = [])),
    responses(
        (status = 200, description = "What the recomputation found and changed", body = Recomputed),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No cycle for the year", body = ErrorBody),
    ))]
#[post("/api/v1/cycles/{year}/flags/recompute")]
pub async fn recompute(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    year: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let year = year.into_inner();
    let done = call(&state, &auth, move |conn, ctx| {
        flags::recompute(conn, ctx, year)
    })
    .await?;
    Ok(HttpResponse::Ok().json(done))
}

/// Clears an open flag (staff): the figure was looked at and found plausible, as the note
/// says.
#[utoipa::path(operation_id = "flags_clear", post, path = "/api/v1/flags/{id}/clear", tag = "flags",
    request_body = ClearRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Flag id")),
    responses(
        (status = 200, description = "Cleared", body = FlagView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such flag", body = ErrorBody),
        (status = 409, description = "The flag is not open (invalid_transition), or was decided meanwhile (conflict)", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "No note, or one over 2000 characters", body = ErrorBody),
    ))]
#[post("/api/v1/flags/{id}/clear")]
pub async fn clear(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    request: Json<ClearRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let note = request.into_inner().note;
    let flag = call(&state, &auth, move |conn, ctx| {
        flags::clear(conn, ctx, &id, note.as_deref())
    })
    .await?;
    Ok(HttpResponse::Ok().json(FlagView::from(flag)))
}

/// Asks the body for evidence of a flagged figure (staff): a submitted report is returned to
/// the body with the comment, which names the field (【field】comment); the body's
/// resubmission reopens the flag.
#[utoipa::path(operation_id = "flags_request_evidence", post, path = "/api/v1/flags/{id}/request_evidence", tag = "flags",
    request_body = EvidenceRequest, security(("bearer" = [])),
    params(("id" = String, Path, description = "Flag id")),
    responses(
        (status = 200, description = "Evidence requested; the report is back with the body", body = FlagView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such flag, or its report is gone", body = ErrorBody),
        (status = 409, description = "The flag is not open, or the report is accepted and cannot be returned (invalid_transition), or a concurrent change (conflict)", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "No comment, or one over 2000 characters", body = ErrorBody),
    ))]
#[post("/api/v1/flags/{id}/request_evidence")]
pub async fn request_evidence(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    request: Json<EvidenceRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let comment = request.into_inner().comment;
    let flag = call(&state, &auth, move |conn, ctx| {
        flags::request_evidence(conn, ctx, &id, comment.as_deref())
    })
    .await?;
    Ok(HttpResponse::Ok().json(FlagView::from(flag)))
}
