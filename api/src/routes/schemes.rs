//! Evaluation schemes: list, read, create a draft from a JSON document (validated, every
//! problem reported), activate.

use actix_web::{HttpResponse, get, post, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Page, PageQuery, with_conn};
use crate::auth::Role;
use crate::db::models::audit;
use crate::db::models::scheme::SchemeRow;
use crate::db::models::{new_id, now};
use crate::db::schema::schemes;
use crate::db::write_transaction;
use crate::domain::policy::{AnyUser, Staff};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
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
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, _) = query.resolve()?;
    let body_user = auth.role() == Some(Role::Body);
    let rows = with_conn(&state, move |conn| Ok(SchemeRow::all(conn)?)).await?;
    let visible: Vec<SchemeRow> = rows
        .into_iter()
        .filter(|s| !body_user || s.status == "active")
        .collect();
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
    let row = with_conn(&state, move |conn| {
        SchemeRow::by_id(conn, &id)?.ok_or_else(|| ApiError::not_found("评价方案"))
    })
    .await?;
    if auth.role() == Some(Role::Body) && row.status != "active" {
        return Err(ApiError::not_found("评价方案"));
    }
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
    let scheme = pubeval_scoring::Scheme::from_json(&text)
        .map_err(|e| ApiError::validation(&e.problems()))?;
    let actor = auth.actor();
    let row = with_conn(&state, move |conn| {
        write_transaction(conn, |conn| {
            use diesel::prelude::*;
            let exists: i64 = schemes::table
                .filter(schemes::code.eq(&scheme.code))
                .filter(schemes::version.eq(scheme.version as i32))
                .count()
                .get_result(conn)?;
            if exists > 0 {
                return Err(ApiError::conflict(
                    crate::domain::ErrorCode::SchemeExists,
                    format!(
                        "方案 {} 第 {} 版已存在 / scheme {} version {} exists",
                        scheme.code, scheme.version, scheme.code, scheme.version
                    ),
                ));
            }
            let row = SchemeRow {
                id: new_id(),
                code: scheme.code.clone(),
                version: scheme.version as i32,
                name: scheme.name.clone(),
                definition: text,
                status: "draft".into(),
                created_at: now(),
                activated_at: None,
            };
            diesel::insert_into(schemes::table)
                .values(&row)
                .execute(conn)?;
            audit::record(
                conn,
                &actor,
                "scheme.create",
                "scheme",
                &row.id,
                serde_json::json!({"code": row.code, "version": row.version}),
            )?;
            Ok(row)
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(SchemeView::from(row)))
}

/// Activates a draft scheme; the previously active version of the same code is retired.
#[utoipa::path(post, path = "/api/v1/schemes/{id}/activate", operation_id = "schemes_activate", tag = "schemes", security(("bearer" = [])),
    params(("id" = String, Path, description = "Scheme id")),
    responses(
        (status = 200, description = "Active", body = SchemeView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither admin nor analyst", body = ErrorBody),
        (status = 404, description = "No such scheme", body = ErrorBody),
        (status = 409, description = "Not a draft", body = ErrorBody),
    ))]
#[post("/api/v1/schemes/{id}/activate")]
pub async fn activate(
    state: web::Data<AppState>,
    auth: Auth<Staff>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let actor = auth.actor();
    let row = with_conn(&state, move |conn| {
        write_transaction(conn, |conn| {
            use diesel::prelude::*;
            let row = SchemeRow::by_id(conn, &id)?.ok_or_else(|| ApiError::not_found("评价方案"))?;
            if row.status != "draft" {
                return Err(ApiError::conflict(
                    crate::domain::ErrorCode::InvalidTransition,
                    format!("只有草稿方案可以启用，此方案状态为 {} / only a draft can be activated; this one is {}", row.status, row.status),
                ));
            }
            let at = now();
            diesel::update(schemes::table.filter(schemes::code.eq(&row.code)).filter(schemes::status.eq("active")))
                .set(schemes::status.eq("retired"))
                .execute(conn)?;
            diesel::update(schemes::table.filter(schemes::id.eq(&id)))
                .set((schemes::status.eq("active"), schemes::activated_at.eq(Some(at))))
                .execute(conn)?;
            audit::record(conn, &actor, "scheme.activate", "scheme", &id, serde_json::json!({"code": row.code, "version": row.version}))?;
            SchemeRow::by_id(conn, &id)?.ok_or_else(|| ApiError::not_found("评价方案"))
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(SchemeView::from(row)))
}
