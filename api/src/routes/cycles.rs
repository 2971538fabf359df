//! Evaluation cycles: a year's scheme and submission window, and late-entry exceptions.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use super::{BinaryFile, Page, PageQuery, call};
use crate::db::models::cycle::{Cycle, LateEntryException};
use crate::domain::cycles::{self, CycleChanges, NewCycle, NewException};
use crate::domain::policy::{AnyUser, Staff};
use crate::domain::workbooks;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::state::AppState;

/// A cycle as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CycleView {
    /// Id.
    pub id: String,
    /// Evaluation year.
    pub year: i32,
    /// Scheme id.
    pub scheme_id: String,
    /// Saves are admitted from (UTC, inclusive)…
    pub opens_at: String,
    /// …until (UTC, exclusive).
    pub closes_at: String,
}

impl From<Cycle> for CycleView {
    fn from(c: Cycle) -> CycleView {
        CycleView {
            id: c.id,
            year: c.year,
            scheme_id: c.scheme_id,
            opens_at: utc(c.opens_at),
            closes_at: utc(c.closes_at),
        }
    }
}

/// A time written back in UTC (RFC 3339).
pub fn utc(t: NaiveDateTime) -> String {
    crate::domain::clock::utc(t)
}

/// A late-entry exception.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExceptionView {
    /// The body.
    pub body_id: String,
    /// Its own closing time (UTC).
    pub closes_at: String,
    /// Why.
    pub reason: String,
    /// Who granted it.
    pub created_by: String,
    /// When (UTC).
    pub created_at: String,
}

impl From<LateEntryException> for ExceptionView {
    fn from(e: LateEntryException) -> ExceptionView {
        ExceptionView {
            body_id: e.body_id,
            closes_at: utc(e.closes_at),
            reason: e.reason,
            created_by: e.created_by,
            created_at: utc(e.created_at),
        }
    }
}

/// Creates a year's cycle.
#[utoipa::path(post, path = "/api/v1/cycles", operation_id = "cycles_create", tag = "cycles", request_body = NewCycle, security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = CycleView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 409, description = "The year has a cycle already", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
#[post("/api/v1/cycles")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    body: crate::extract::Json<NewCycle>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let cycle = call(&state, &auth, move |conn, ctx| {
        cycles::create(conn, ctx, new)
    })
    .await?;
    Ok(HttpResponse::Created().json(CycleView::from(cycle)))
}

/// Changes a year's window or scheme.
#[utoipa::path(patch, path = "/api/v1/cycles/{year}", operation_id = "cycles_update", tag = "cycles", request_body = CycleChanges, security(("bearer" = [])),
    params(("year" = i32, Path, description = "Evaluation year")),
    responses(
        (status = 200, description = "Updated", body = CycleView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No cycle for the year", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
#[patch("/api/v1/cycles/{year}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    year: web::Path<i32>,
    body: crate::extract::Json<CycleChanges>,
) -> Result<HttpResponse, ApiError> {
    let year = year.into_inner();
    let changes = body.into_inner();
    let cycle = call(&state, &auth, move |conn, ctx| {
        cycles::update(conn, ctx, year, changes)
    })
    .await?;
    Ok(HttpResponse::Ok().json(CycleView::from(cycle)))
}

/// Lists cycles, latest year first.
#[utoipa::path(get, path = "/api/v1/cycles", operation_id = "cycles_list", tag = "cycles", params(PageQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of cycles", body = Page<CycleView>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "An external client", body = ErrorBody),
        (status = 422, description = "Invalid page", body = ErrorBody),
    ))]
#[get("/api/v1/cycles")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<AnyUser>,
    query: crate::extract::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, offset) = query.resolve()?;
    let (items, total_items) = call(&state, &auth, move |conn, _| {
        cycles::page(conn, offset, i64::from(per_page))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: items.into_iter().map(CycleView::from).collect::<Vec<_>>(),
        total_items,
        page,
        per_page,
    }))
}

/// One year's cycle.
#[utoipa::path(get, path = "/api/v1/cycles/{year}", operation_id = "cycles_get", tag = "cycles", security(("bearer" = [])),
    params(("year" = i32, Path, description = "Evaluation year")),
    responses(
        (status = 200, description = "The cycle", body = CycleView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "An external client", body = ErrorBody),
        (status = 404, description = "No cycle for the year", body = ErrorBody),
    ))]
#[get("/api/v1/cycles/{year}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Auth<AnyUser>,
    year: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let year = year.into_inner();
    let cycle = call(&state, &auth, move |conn, _| cycles::get(conn, year)).await?;
    Ok(HttpResponse::Ok().json(CycleView::from(cycle)))
}

/// Grants one body a late-entry exception with a reason.
#[utoipa::path(post, path = "/api/v1/cycles/{year}/exceptions", operation_id = "cycles_grant_exception", tag = "cycles", request_body = NewException, security(("bearer" = [])),
    params(("year" = i32, Path, description = "Evaluation year")),
    responses(
        (status = 201, description = "Granted", body = ExceptionView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No cycle for the year", body = ErrorBody),
        (status = 422, description = "Unknown body, missing reason, or a closing time not after the cycle's", body = ErrorBody),
    ))]
#[post("/api/v1/cycles/{year}/exceptions")]
pub async fn grant_exception(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    year: web::Path<i32>,
    body: crate::extract::Json<NewException>,
) -> Result<HttpResponse, ApiError> {
    let year = year.into_inner();
    let new = body.into_inner();
    let exception = call(&state, &auth, move |conn, ctx| {
        cycles::grant_exception(conn, ctx, year, new)
    })
    .await?;
    Ok(HttpResponse::Created().json(ExceptionView::from(exception)))
}

/// The late-entry exceptions of a year.
#[utoipa::path(get, path = "/api/v1/cycles/{year}/exceptions", operation_id = "cycles_list_exceptions", tag = "cycles", security(("bearer" = [])),
    params(("year" = i32, Path, description = "Evaluation year"), PageQuery),
    responses(
        (status = 200, description = "The exceptions", body = Page<ExceptionView>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No cycle for the year", body = ErrorBody),
        (status = 422, description = "Invalid page", body = ErrorBody),
    ))]
#[get("/api/v1/cycles/{year}/exceptions")]
pub async fn list_exceptions(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    year: web::Path<i32>,
    query: crate::extract::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, _) = query.resolve()?;
    let year = year.into_inner();
    let all = call(&state, &auth, move |conn, _| cycles::exceptions(conn, year)).await?;
    Ok(HttpResponse::Ok().json(Page::of(
        all.into_iter().map(ExceptionView::from).collect(),
        page,
        per_page,
    )))
}

/// The year's report template (年度宣传工作报告) as an Excel workbook.
///
/// Generated from the cycle's scheme: one row per field (per member of a set), only the value column editable,
/// with 是/否 lists and range checks; a body user's is pre-filled with its current report.
#[utoipa::path(get, path = "/api/v1/cycles/{year}/template.xlsx", operation_id = "cycles_template", tag = "cycles",
    params(("year" = i32, Path, description = "Evaluation year")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The workbook, named {year}年度宣传工作报告.xlsx (Content-Disposition filename*)", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = BinaryFile),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "An external client, or a body user bound to no body", body = ErrorBody),
        (status = 404, description = "No cycle for the year", body = ErrorBody),
    ))]
#[get("/api/v1/cycles/{year}/template.xlsx")]
pub async fn template(
    state: web::Data<AppState>,
    auth: Auth<AnyUser>,
    year: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let year = year.into_inner();
    let document = call(&state, &auth, move |conn, ctx| {
        workbooks::template(conn, ctx, year)
    })
    .await?;
    Ok(super::reports::attachment(
        document.bytes,
        crate::extract::upload::XLSX,
        &document.ascii_name,
        &document.file_name,
        false,
    ))
}
