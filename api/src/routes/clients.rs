//! API clients of external systems (admin only): create, list, disable, rotate the secret.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Page, PageQuery, call};
use crate::db::models::client::ApiClient;
use crate::domain::clients::{self, Credentials};
use crate::domain::policy::AdminOnly;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::state::AppState;

/// An api client as the API shows it (never the secret's hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientView {
    /// Row id.
    pub id: String,
    /// Public client id.
    pub client_id: String,
    /// Name of the external system.
    pub name: String,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Whether it is disabled.
    pub disabled: bool,
}

impl From<ApiClient> for ClientView {
    fn from(c: ApiClient) -> ClientView {
        ClientView {
            scopes: c.scopes.split_whitespace().map(str::to_string).collect(),
            id: c.id,
            client_id: c.client_id,
            name: c.name,
            disabled: c.disabled != 0,
        }
    }
}

/// A new client.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClient {
    /// Name of the external system.
    pub name: String,
    /// Scopes: `results:read`, `bodies:read`, `warnings:read`.
    pub scopes: Vec<String>,
}

/// A client's credentials, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientCredentials {
    /// Row id.
    pub id: String,
    /// Public client id.
    pub client_id: String,
    /// The secret: shown only now, stored only as a hash.
    pub client_secret: String,
    /// Scopes.
    pub scopes: Vec<String>,
}

impl From<Credentials> for ClientCredentials {
    fn from(c: Credentials) -> ClientCredentials {
        ClientCredentials {
            id: c.id,
            client_id: c.client_id,
            client_secret: c.client_secret,
            scopes: c.scopes,
        }
    }
}

/// Creates an api client for an external system.
#[utoipa::path(operation_id = "clients_create", post, path = "/api/v1/clients", tag = "clients", request_body = NewClient, security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; the secret is shown only in this response", body = ClientCredentials),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "Invalid name or scope", body = ErrorBody),
    ))]
#[post("/api/v1/clients")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth<AdminOnly>,
    body: crate::extract::Json<NewClient>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let keys = state.keys.clone();
    let credentials = call(&state, &auth, move |conn, ctx| {
        clients::create(conn, ctx, keys.client_secrets(), &new.name, &new.scopes)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(ClientCredentials::from(credentials)))
}

/// Lists api clients.
#[utoipa::path(operation_id = "clients_list", get, path = "/api/v1/clients", tag = "clients", params(PageQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of clients", body = Page<ClientView>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "Invalid page", body = ErrorBody),
    ))]
#[get("/api/v1/clients")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<AdminOnly>,
    query: crate::extract::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, offset) = query.resolve()?;
    let (items, total_items) = call(&state, &auth, move |conn, _| {
        clients::page(conn, offset, i64::from(per_page))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: items.into_iter().map(ClientView::from).collect::<Vec<_>>(),
        total_items,
        page,
        per_page,
    }))
}

/// Disables a client; its tokens stop working.
#[utoipa::path(operation_id = "clients_disable", post, path = "/api/v1/clients/{id}/disable", tag = "clients", security(("bearer" = [])),
    params(("id" = String, Path, description = "Client row id")),
    responses(
        (status = 200, description = "Disabled", body = ClientView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such client", body = ErrorBody),
    ))]
#[post("/api/v1/clients/{id}/disable")]
pub async fn disable(
    state: web::Data<AppState>,
    auth: Auth<AdminOnly>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let client = call(&state, &auth, move |conn, ctx| {
        clients::disable(conn, ctx, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(ClientView::from(client)))
}

/// Rotates a client's secret; tokens issued with the old one stop working.
#[utoipa::path(operation_id = "clients_rotate", post, path = "/api/v1/clients/{id}/rotate", tag = "clients", security(("bearer" = [])),
    params(("id" = String, Path, description = "Client row id")),
    responses(
        (status = 200, description = "The new secret, shown only now", body = ClientCredentials),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such client", body = ErrorBody),
    ))]
#[post("/api/v1/clients/{id}/rotate")]
pub async fn rotate(
    state: web::Data<AppState>,
    auth: Auth<AdminOnly>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let keys = state.keys.clone();
    let credentials = call(&state, &auth, move |conn, ctx| {
        clients::rotate(conn, ctx, keys.client_secrets(), &id)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(ClientCredentials::from(credentials)))
}
