//! Evaluation schemes: list, read, create a draft from a JSON document (validated, every
//! problem reported), activate.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Page, PageQuery, call};
use crate::db::models::scheme::SchemeRow;
use crate::domain::policy::{AnyUser, Staff};
use crate::domain::schemes;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Auth, OptionalJson};
use crate::state::AppState;

/// A scheme as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SchemeView {
    /// Id.
    pub id: String,
    /// Code.
    pub code: String,
    /// Version.
    pub version: i32,
    /// Name.
    pub name: String,
    /// `draft`, `active` or `retired`.
    pub status: String,
    /// Created (UTC).
    pub created_at: String,
    /// Activated (UTC).
    pub activated_at: Option<String>,
    /// The document (SCHEME.md's format).
    #[schema(value_type = Object)]
    pub definition: serde_json::Value,
}

impl From<SchemeRow> for SchemeView {
    fn from(s: SchemeRow) -> SchemeView {
        SchemeView {
            definition: serde_json::from_str(&s.definition).unwrap_or(serde_json::Value::Null),
            id: s.id,
            code: s.code,
            version: s.version,
            name: s.name,
            status: s.status,
            created_at: s.created_at.and_utc().to_rfc3339(),
            activated_at: s.activated_at.map(|t| t.and_utc().to_rfc3339()),
        }
    }
}

/// Lists schemes (a body user sees only the active one).
#[utoipa::path(get, path = "/api/v1/schemes", operation_id = "schemes_list", tag = "schemes", params(PageQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of schemes", body = Page<SchemeView>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "An external client", body = ErrorBody),
        (status = 422, description = "Invalid page", body = ErrorBody),
    ))]
#[get("/api/v1/schemes")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<AnyUser>,
    query: crate::extract::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, _) = query.resolve()?;
    let visible = call(&state, &auth, schemes::list).await?;
    Ok(HttpResponse::Ok().json(Page::of(
        visible.into_iter().map(SchemeView::from).collect(),
        page,
        per_page,
    )))
}

/// One scheme with its document.
#[utoipa::path(get, path = "/api/v1/schemes/{id}", operation_id = "schemes_get", tag = "schemes", security(("bearer" = [])),
    params(("id" = String, Path, description = "Scheme id")),
    responses(
        (status = 200, description = "The scheme", body = SchemeView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "An external client", body = ErrorBody),
        (status = 404, description = "No such scheme (or, for a body user, not the active one)", body = ErrorBody),
    ))]
#[get("/api/v1/schemes/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    auth: Auth<AnyUser>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let row = call(&state, &auth, move |conn, ctx| schemes::get(conn, ctx, &id)).await?;
    Ok(HttpResponse::Ok().json(SchemeView::from(row)))
}

/// Creates a draft scheme from a scheme document; every problem is reported at once.
#[utoipa::path(post, path = "/api/v1/schemes", operation_id = "schemes_create", tag = "schemes", security(("bearer" = [])),
    request_body(content = Object, description = "A scheme document in SCHEME.md's format (see GET /api/v1/schemes/{id} for the default)"),
    responses(
        (status = 201, description = "The draft", body = SchemeView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 409, description = "This code and version exist already", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "The document breaks the scheme's rules; every problem in details", body = ErrorBody),
    ))]
#[post("/api/v1/schemes")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    document: crate::extract::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let text = document.into_inner().to_string();
    let row = call(&state, &auth, move |conn, ctx| {
        schemes::create(conn, ctx, text)
    })
    .await?;
    Ok(HttpResponse::Created().json(SchemeView::from(row)))
}

/// Activation of a draft.
#[derive(Debug, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ActivateRequest {
    /// The written reason for the revision (recorded in the audit log with the scheme's last
    /// impact analysis). Optional here for existing integrations; the console requires it.
    pub reason: Option<String>,
}

/// Activates a draft scheme; the previously active version of the same code is retired. The
/// audit entry records the reason given and the scheme's last impact analysis.
#[utoipa::path(post, path = "/api/v1/schemes/{id}/activate", operation_id = "schemes_activate", tag = "schemes", security(("bearer" = [])),
    params(("id" = String, Path, description = "Scheme id")),
    request_body(content = ActivateRequest, description = "Optional: the written reason for the revision"),
    responses(
        (status = 200, description = "Active", body = SchemeView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such scheme", body = ErrorBody),
        (status = 409, description = "Not a draft", body = ErrorBody),
        (status = 415, description = "A body that is not JSON", body = ErrorBody),
        (status = 422, description = "A blank or overlong reason, or an unknown field", body = ErrorBody),
    ))]
#[post("/api/v1/schemes/{id}/activate")]
pub async fn activate(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
    body: OptionalJson<ActivateRequest>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let reason = body.into_inner().and_then(|b| b.reason);
    let row = call(&state, &auth, move |conn, ctx| {
        schemes::activate(conn, ctx, &id, reason.as_deref())
    })
    .await?;
    Ok(HttpResponse::Ok().json(SchemeView::from(row)))
}
