//! Evaluation cycles: a year's scheme and submission window, and late-entry exceptions.

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::{DateTime, FixedOffset, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Page, PageQuery, with_conn};
use crate::db::models::audit;
use crate::db::models::body::Body;
use crate::db::models::cycle::{Cycle, LateEntryException};
use crate::db::models::scheme::SchemeRow;
use crate::db::models::{new_id, now};
use crate::db::write_transaction;
use crate::domain::policy::{AnyUser, Staff};
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
    t.and_utc().to_rfc3339()
}

/// A new cycle.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCycle {
    /// Evaluation year.
    pub year: i32,
    /// Window opens (RFC 3339, any offset).
    #[schema(value_type = String, format = DateTime, example = "2026-01-01T00:00:00+08:00")]
    pub opens_at: DateTime<FixedOffset>,
    /// Window closes (exclusive).
    #[schema(value_type = String, format = DateTime, example = "2026-04-01T00:00:00+08:00")]
    pub closes_at: DateTime<FixedOffset>,
    /// The scheme; the active one when absent.
    pub scheme_id: Option<String>,
}

/// Changes to a cycle.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CycleChanges {
    /// Window opens.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub opens_at: Option<DateTime<FixedOffset>>,
    /// Window closes (exclusive).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closes_at: Option<DateTime<FixedOffset>>,
    /// The scheme (must be active).
    pub scheme_id: Option<String>,
}

/// A late-entry exception request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewException {
    /// The body.
    pub body_id: String,
    /// Until when it may still save and submit (exclusive).
    #[schema(value_type = String, format = DateTime)]
    pub closes_at: DateTime<FixedOffset>,
    /// Why (required).
    pub reason: String,
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

fn window_order(opens: NaiveDateTime, closes: NaiveDateTime) -> Result<(), ApiError> {
    if opens >= closes {
        return Err(ApiError::invalid_field(
            "closes_at",
            "截止时间须晚于开始时间",
            "closes_at must be after opens_at",
        ));
    }
    Ok(())
}

fn active_scheme_id(
    conn: &mut crate::db::DbConn,
    requested: Option<&str>,
) -> Result<String, ApiError> {
    let row = match requested {
        Some(id) => SchemeRow::by_id(conn, id)?,
        None => SchemeRow::active(conn)?,
    };
    match row {
        Some(s) if s.status == "active" => Ok(s.id),
        Some(_) => Err(ApiError::invalid_field(
            "scheme_id",
            "只能使用已启用的方案",
            "the scheme must be active",
        )),
        None => Err(ApiError::invalid_field(
            "scheme_id",
            "方案不存在",
            "no such scheme",
        )),
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
    if !(2000..=2999).contains(&new.year) {
        return Err(ApiError::invalid_field(
            "year",
            "年度应在 2000 至 2999 之间",
            "year must be within 2000..=2999",
        ));
    }
    let (opens, closes) = (new.opens_at.naive_utc(), new.closes_at.naive_utc());
    window_order(opens, closes)?;
    let actor = auth.actor();
    let cycle = with_conn(&state, move |conn| {
        write_transaction(conn, |conn| {
            if Cycle::by_year(conn, new.year)?.is_some() {
                return Err(ApiError::conflict(crate::domain::ErrorCode::CycleExists, format!("{} 年度的评价周期已存在 / the {} cycle exists", new.year, new.year)));
            }
            let scheme_id = active_scheme_id(conn, new.scheme_id.as_deref())?;
            let at = now();
            let cycle = Cycle { id: new_id(), year: new.year, scheme_id, opens_at: opens, closes_at: closes, created_at: at, updated_at: at };
            cycle.insert(conn)?;
            audit::record(conn, &actor, "cycle.create", "cycle", &cycle.id, serde_json::json!({
                "year": cycle.year, "scheme_id": cycle.scheme_id, "opens_at": utc(opens), "closes_at": utc(closes)}))?;
            Ok(cycle)
        })
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
    let actor = auth.actor();
    let cycle = with_conn(&state, move |conn| {
        write_transaction(conn, |conn| {
            let mut cycle = Cycle::by_year(conn, year)?.ok_or_else(|| ApiError::not_found("评价周期"))?;
            let before = serde_json::json!({"scheme_id": cycle.scheme_id, "opens_at": utc(cycle.opens_at), "closes_at": utc(cycle.closes_at)});
            if let Some(o) = changes.opens_at { cycle.opens_at = o.naive_utc(); }
            if let Some(c) = changes.closes_at { cycle.closes_at = c.naive_utc(); }
            window_order(cycle.opens_at, cycle.closes_at)?;
            if let Some(s) = changes.scheme_id.as_deref() {
                cycle.scheme_id = active_scheme_id(conn, Some(s))?;
            }
            cycle.updated_at = now();
            cycle.save(conn)?;
            audit::record(conn, &actor, "cycle.update", "cycle", &cycle.id, serde_json::json!({
                "before": before,
                "after": {"scheme_id": cycle.scheme_id, "opens_at": utc(cycle.opens_at), "closes_at": utc(cycle.closes_at)}}))?;
            Ok(cycle)
        })
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
    _auth: Auth<AnyUser>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, offset) = query.resolve()?;
    let (items, total_items) = with_conn(&state, move |conn| {
        Ok(Cycle::page(conn, offset, i64::from(per_page))?)
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
    _auth: Auth<AnyUser>,
    year: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    let year = year.into_inner();
    let cycle = with_conn(&state, move |conn| {
        Cycle::by_year(conn, year)?.ok_or_else(|| ApiError::not_found("评价周期"))
    })
    .await?;
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
    let reason = new.reason.trim().to_string();
    if reason.is_empty() {
        return Err(ApiError::invalid_field(
            "reason",
            "必须写明理由",
            "a reason is required",
        ));
    }
    let actor = auth.actor();
    let exception = with_conn(&state, move |conn| {
        write_transaction(conn, |conn| {
            let cycle = Cycle::by_year(conn, year)?.ok_or_else(|| ApiError::not_found("评价周期"))?;
            if Body::by_id(conn, &new.body_id)?.is_none() {
                return Err(ApiError::invalid_field("body_id", "机构不存在", "no such body"));
            }
            let closes = new.closes_at.naive_utc();
            if closes <= cycle.closes_at {
                return Err(ApiError::invalid_field("closes_at", "例外截止时间须晚于周期截止时间", "the exception must close after the cycle"));
            }
            let exception = LateEntryException {
                id: new_id(), cycle_id: cycle.id.clone(), body_id: new.body_id.clone(), closes_at: closes,
                reason, created_by: actor.clone(), created_at: now(),
            };
            cycle.grant(conn, &exception)?;
            audit::record(conn, &actor, "cycle.exception", "cycle", &cycle.id, serde_json::json!({
                "body_id": exception.body_id, "closes_at": utc(closes), "reason": exception.reason}))?;
            Ok(exception)
        })
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
    _auth: Auth<Staff>,
    year: web::Path<i32>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, _) = query.resolve()?;
    let year = year.into_inner();
    let all = with_conn(&state, move |conn| {
        let cycle = Cycle::by_year(conn, year)?.ok_or_else(|| ApiError::not_found("评价周期"))?;
        Ok(cycle.exceptions(conn)?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page::of(
        all.into_iter().map(ExceptionView::from).collect(),
        page,
        per_page,
    )))
}
