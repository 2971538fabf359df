//! The body registry (认证机构名录).

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Page, PageQuery, call};
use crate::db::models::body::Body;
use crate::domain::bodies::{self, BodySearch};
use crate::domain::bodies::{BodyChanges, NewBody};
use crate::domain::policy::{BodiesReader, Staff};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::state::AppState;

/// A body as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BodyView {
    /// Id.
    pub id: String,
    /// Approval number (批准号), e.g. CNCA-R-2002-001.
    pub approval_no: String,
    /// Name.
    pub name: String,
    /// Category.
    #[schema(value_type = String, example = "management_system")]
    pub category: String,
    /// Province.
    pub province: String,
    /// Approved on.
    pub approved_on: NaiveDate,
    /// Status.
    pub status: String,
    /// When the status last changed.
    pub status_changed_on: Option<NaiveDate>,
    /// Created (UTC).
    pub created_at: String,
    /// Last changed (UTC).
    pub updated_at: String,
}

impl From<Body> for BodyView {
    fn from(b: Body) -> BodyView {
        BodyView {
            id: b.id,
            approval_no: b.approval_no,
            name: b.name,
            category: b.category,
            province: b.province,
            approved_on: b.approved_on,
            status: b.status,
            status_changed_on: b.status_changed_on,
            created_at: b.created_at.and_utc().to_rfc3339(),
            updated_at: b.updated_at.and_utc().to_rfc3339(),
        }
    }
}

/// Filters of the body list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BodyQuery {
    /// Only this category.
    pub category: Option<String>,
    /// Only this province.
    pub province: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Name or approval number containing this text.
    pub q: Option<String>,
}

/// Registers a body.
#[utoipa::path(operation_id = "bodies_create", post, path = "/api/v1/bodies", tag = "bodies", request_body = NewBody, security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = BodyView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 409, description = "Approval number already registered", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
#[post("/api/v1/bodies")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    body: crate::extract::Json<NewBody>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let created = call(&state, &auth, move |conn, ctx| {
        bodies::create(conn, ctx, new)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/bodies/{}", created.id)))
        .json(BodyView::from(created)))
}

/// Lists bodies (a body user sees only its own).
#[utoipa::path(operation_id = "bodies_list", get, path = "/api/v1/bodies", tag = "bodies", params(PageQuery, BodyQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of bodies in approval-number order", body = Page<BodyView>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A client without bodies:read", body = ErrorBody),
        (status = 422, description = "Invalid page", body = ErrorBody),
    ))]
#[get("/api/v1/bodies")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<BodiesReader>,
    page: crate::extract::Query<PageQuery>,
    query: crate::extract::Query<BodyQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, offset) = page.resolve()?;
    let query = query.into_inner();
    let search = BodySearch {
        category: query.category,
        province: query.province,
        status: query.status,
        text: query.q,
    };
    let (items, total_items) = call(&state, &auth, move |conn, ctx| {
        bodies::page(conn, ctx, search, offset, i64::from(per_page))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: items.into_iter().map(BodyView::from).collect::<Vec<_>>(),
        total_items,
        page,
        per_page,
    }))
}

/// One body (a body user only its own: another's is 404).
#[utoipa::path(operation_id = "bodies_get", get, path = "/api/v1/bodies/{id}", tag = "bodies", security(("bearer" = [])),
    params(("id" = String, Path, description = "Body id")),
    responses(
        (status = 200, description = "The body", body = BodyView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "A client without bodies:read", body = ErrorBody),
        (status = 404, description = "No such body, or not yours", body = ErrorBody),
    ))]
#[get("/api/v1/bodies/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Auth<BodiesReader>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let body = call(&state, &auth, move |conn, ctx| bodies::get(conn, ctx, &id)).await?;
    Ok(HttpResponse::Ok().json(BodyView::from(body)))
}

/// Updates a body's registry entry.
#[utoipa::path(operation_id = "bodies_update", patch, path = "/api/v1/bodies/{id}", tag = "bodies", request_body = BodyChanges, security(("bearer" = [])),
    params(("id" = String, Path, description = "Body id")),
    responses(
        (status = 200, description = "Updated", body = BodyView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such body", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
#[patch("/api/v1/bodies/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    changes: crate::extract::Json<BodyChanges>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let changes = changes.into_inner();
    let updated = call(&state, &auth, move |conn, ctx| {
        bodies::update(conn, ctx, &id, changes)
    })
    .await?;
    Ok(HttpResponse::Ok().json(BodyView::from(updated)))
}
