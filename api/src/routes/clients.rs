//! API clients of external systems (admin only): create, list, disable, rotate the secret.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Page, PageQuery, with_conn};
use crate::auth::{Scope, password};
use crate::db::models::audit;
use crate::db::models::client::ApiClient;
use crate::db::models::{new_id, now};
use crate::db::write_transaction;
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

/// Checks scope codes; shared by the API and `pubeval client add`.
pub fn check_scopes(scopes: &[String]) -> Result<Vec<Scope>, ApiError> {
    if scopes.is_empty() {
        return Err(ApiError::invalid_field(
            "scopes",
            "至少需要一个权限范围",
            "at least one scope is needed",
        ));
    }
    scopes
        .iter()
        .enumerate()
        .map(|(i, s)| {
            Scope::from_code(s).ok_or_else(|| {
                ApiError::invalid_field(
                    &format!("scopes[{i}]"),
                    &format!("未知权限范围 {s}，可选 results:read、bodies:read、warnings:read"),
                    &format!("unknown scope {s}; one of results:read, bodies:read, warnings:read"),
                )
            })
        })
        .collect()
}

/// Creates a client; returns its credentials (the secret in clear, once).
pub fn create_client(
    conn: &mut crate::db::DbConn,
    actor: &str,
    name: &str,
    scopes: &[Scope],
) -> Result<ClientCredentials, ApiError> {
    if name.trim().is_empty() || name.chars().count() > 200 {
        return Err(ApiError::invalid_field(
            "name",
            "名称须为 1 至 200 个字符",
            "name must be 1 to 200 characters",
        ));
    }
    let secret = password::random_secret();
    let hash = password::hash(&secret).map_err(ApiError::internal)?;
    let client_id = format!("pubeval-{}", &new_id()[..8]);
    let scope_text = scopes
        .iter()
        .map(|s| s.code())
        .collect::<Vec<_>>()
        .join(" ");
    write_transaction(conn, |conn| {
        let at = now();
        let client = ApiClient {
            id: new_id(),
            client_id: client_id.clone(),
            name: name.trim().to_string(),
            secret_hash: hash,
            scopes: scope_text.clone(),
            disabled: 0,
            token_version: 1,
            created_at: at,
            updated_at: at,
        };
        client.insert(conn)?;
        audit::record(
            conn,
            actor,
            "client.create",
            "api_client",
            &client.id,
            serde_json::json!({"client_id": client.client_id, "name": client.name, "scopes": scope_text}),
        )?;
        Ok(ClientCredentials {
            id: client.id,
            client_id: client.client_id,
            client_secret: secret,
            scopes: scopes.iter().map(|s| s.code().to_string()).collect(),
        })
    })
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
    let scopes = check_scopes(&new.scopes)?;
    let actor = auth.actor();
    let credentials = with_conn(&state, move |conn| {
        create_client(conn, &actor, &new.name, &scopes)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(credentials))
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
    _auth: Auth<AdminOnly>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, offset) = query.resolve()?;
    let (items, total_items) = with_conn(&state, move |conn| {
        Ok(ApiClient::page(conn, offset, i64::from(per_page))?)
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
    let actor = auth.actor();
    let client = with_conn(&state, move |conn| {
        write_transaction(conn, |conn| {
            if ApiClient::disable(conn, &id, now())? == 0 {
                return Err(ApiError::not_found("客户端"));
            }
            audit::record(
                conn,
                &actor,
                "client.disable",
                "api_client",
                &id,
                serde_json::json!({}),
            )?;
            ApiClient::by_id(conn, &id)?.ok_or_else(|| ApiError::not_found("客户端"))
        })
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
    let actor = auth.actor();
    let credentials = with_conn(&state, move |conn| {
        let secret = password::random_secret();
        let hash = password::hash(&secret).map_err(ApiError::internal)?;
        write_transaction(conn, |conn| {
            if ApiClient::rotate(conn, &id, &hash, now())? == 0 {
                return Err(ApiError::not_found("客户端"));
            }
            audit::record(
                conn,
                &actor,
                "client.rotate",
                "api_client",
                &id,
                serde_json::json!({}),
            )?;
            let c = ApiClient::by_id(conn, &id)?.ok_or_else(|| ApiError::not_found("客户端"))?;
            Ok(ClientCredentials {
                scopes: c.scopes.split_whitespace().map(str::to_string).collect(),
                id: c.id,
                client_id: c.client_id,
                client_secret: secret,
            })
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(credentials))
}
