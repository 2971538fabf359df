//! The body registry (认证机构名录).

use actix_web::{HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use pubeval_scoring::Category;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Page, PageQuery, with_conn};
use crate::auth::Principal;
use crate::db::models::audit;
use crate::db::models::body::{Body, BodyFilter};
use crate::db::models::{new_id, now};
use crate::db::write_transaction;
use crate::domain::policy::{BodiesReader, Staff};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::state::AppState;

/// The status of a body's approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BodyStatus {
    /// Approved and operating.
    Active,
    /// Suspended.
    Suspended,
    /// Revoked.
    Revoked,
}

impl BodyStatus {
    fn code(self) -> &'static str {
        match self {
            BodyStatus::Active => "active",
            BodyStatus::Suspended => "suspended",
            BodyStatus::Revoked => "revoked",
        }
    }
}

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

/// A new body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBody {
    /// Approval number, unique (letters, digits and hyphens).
    #[schema(example = "CNCA-R-2002-001")]
    pub approval_no: String,
    /// Name.
    pub name: String,
    /// Category.
    #[schema(value_type = String, example = "management_system")]
    pub category: Category,
    /// Province.
    pub province: String,
    /// Approved on.
    pub approved_on: NaiveDate,
}

/// Changes to a body; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyChanges {
    /// Name.
    pub name: Option<String>,
    /// Category.
    #[schema(value_type = Option<String>)]
    pub category: Option<Category>,
    /// Province.
    pub province: Option<String>,
    /// Approved on.
    pub approved_on: Option<NaiveDate>,
    /// Status.
    pub status: Option<BodyStatus>,
    /// When the status changed (defaults to today when the status changes).
    pub status_changed_on: Option<NaiveDate>,
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

fn check_text(field: &str, value: &str, max: usize) -> Result<String, ApiError> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(ApiError::invalid_field(
            field,
            &format!("须为 1 至 {max} 个字符"),
            &format!("must be 1 to {max} characters"),
        ));
    }
    Ok(v.to_string())
}

fn check_approval_no(value: &str) -> Result<String, ApiError> {
    let v = check_text("approval_no", value, 40)?;
    if !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(ApiError::invalid_field(
            "approval_no",
            "批准号只能含字母、数字和连字符，如 CNCA-R-2002-001",
            "approval_no may hold letters, digits and hyphens, e.g. CNCA-R-2002-001",
        ));
    }
    Ok(v)
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
    let approval_no = check_approval_no(&new.approval_no)?;
    let name = check_text("name", &new.name, 200)?;
    let province = check_text("province", &new.province, 40)?;
    let actor = auth.actor();
    let created = with_conn(&state, move |conn| {
        write_transaction(conn, |conn| {
            if Body::by_approval_no(conn, &approval_no)?.is_some() {
                return Err(ApiError::conflict(
                    crate::domain::ErrorCode::ApprovalNoTaken,
                    format!("批准号 {approval_no} 已登记 / approval number {approval_no} is already registered"),
                ));
            }
            let at = now();
            let body = Body {
                id: new_id(),
                approval_no,
                name,
                category: new.category.code().to_string(),
                province,
                approved_on: new.approved_on,
                status: BodyStatus::Active.code().to_string(),
                status_changed_on: None,
                created_at: at,
                updated_at: at,
            };
            body.insert(conn)?;
            audit::record(conn, &actor, "body.create", "body", &body.id, serde_json::json!({
                "approval_no": body.approval_no, "name": body.name, "category": body.category,
                "province": body.province, "approved_on": body.approved_on,
            }))?;
            Ok(body)
        })
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
    page: web::Query<PageQuery>,
    query: web::Query<BodyQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, offset) = page.resolve()?;
    let query = query.into_inner();
    // A body user's list holds its own body and nothing else.
    let only = match auth.role() {
        Some(crate::auth::Role::Body) => Some(auth.own_body().unwrap_or_default().to_string()),
        _ => None,
    };
    let filter = BodyFilter {
        category: query.category,
        province: query.province,
        status: query.status,
        text: query.q.filter(|t| !t.trim().is_empty()),
        only,
    };
    let (items, total_items) = with_conn(&state, move |conn| {
        Ok(Body::page(conn, &filter, offset, i64::from(per_page))?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: items.into_iter().map(BodyView::from).collect::<Vec<_>>(),
        total_items,
        page,
        per_page,
    }))
}

async fn visible_body(
    state: &AppState,
    principal: &Principal,
    id: String,
) -> Result<Body, ApiError> {
    let is_client = principal.role().is_none();
    if !is_client && !principal.may_see_body(&id) {
        return Err(ApiError::not_found("机构"));
    }
    with_conn(state, move |conn| {
        Body::by_id(conn, &id)?.ok_or_else(|| ApiError::not_found("机构"))
    })
    .await
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
    let body = visible_body(&state, &auth.principal, id.into_inner()).await?;
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
    let name = changes
        .name
        .as_deref()
        .map(|n| check_text("name", n, 200))
        .transpose()?;
    let province = changes
        .province
        .as_deref()
        .map(|p| check_text("province", p, 40))
        .transpose()?;
    let actor = auth.actor();
    let updated = with_conn(&state, move |conn| {
        write_transaction(conn, |conn| {
            let mut body = Body::by_id(conn, &id)?.ok_or_else(|| ApiError::not_found("机构"))?;
            let before = serde_json::json!({"name": body.name, "category": body.category, "province": body.province,
                "approved_on": body.approved_on, "status": body.status});
            if let Some(n) = name { body.name = n; }
            if let Some(c) = changes.category { body.category = c.code().to_string(); }
            if let Some(p) = province { body.province = p; }
            if let Some(d) = changes.approved_on { body.approved_on = d; }
            if let Some(s) = changes.status
                && s.code() != body.status
            {
                body.status = s.code().to_string();
                body.status_changed_on = Some(changes.status_changed_on.unwrap_or_else(|| now().date()));
            }
            body.updated_at = now();
            body.save(conn)?;
            audit::record(conn, &actor, "body.update", "body", &body.id, serde_json::json!({
                "before": before,
                "after": {"name": body.name, "category": body.category, "province": body.province,
                    "approved_on": body.approved_on, "status": body.status, "status_changed_on": body.status_changed_on},
            }))?;
            Ok(body)
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(BodyView::from(updated)))
}
