//! Logging in (password and client-credentials grants) and revoking one's own tokens.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::token::SubjectKind;
use crate::auth::{Principal, password};
use crate::db::models::audit;
use crate::db::models::client::ApiClient;
use crate::db::models::now;
use crate::db::models::user::User;
use crate::db::write_transaction;
use crate::domain::policy::Anyone;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::state::AppState;

/// A token request: a person's password grant or an external system's client-credentials
/// grant.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "grant_type", rename_all = "snake_case")]
pub enum TokenRequest {
    /// `{"grant_type": "password", "username", "password"}`.
    Password {
        /// Username.
        username: String,
        /// Password.
        password: String,
    },
    /// `{"grant_type": "client_credentials", "client_id", "client_secret"}`.
    ClientCredentials {
        /// Client id.
        client_id: String,
        /// Client secret.
        client_secret: String,
    },
}

/// An issued token.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// The bearer JWT.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until it expires.
    pub expires_in: u64,
}

fn bad_credentials() -> ApiError {
    ApiError::unauthorized("用户名或密码错误 / wrong username or password")
}

/// Issues a bearer token for a password or client-credentials grant.
#[utoipa::path(operation_id = "auth_token", post, path = "/api/v1/auth/token", tag = "auth", request_body = TokenRequest,
    responses(
        (status = 200, description = "A token", body = TokenResponse),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Wrong credentials, or a disabled account", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Unknown grant type or missing field", body = ErrorBody),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = ErrorBody),
    ))]
#[post("/api/v1/auth/token")]
pub async fn token(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: crate::extract::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let address = req.peer_addr().map(|a| a.ip());
    let (throttle_key, subject) = match token_request(body.into_inner())? {
        TokenRequest::Password { username, password } => {
            (username.clone(), Subject::User { username, password })
        }
        TokenRequest::ClientCredentials {
            client_id,
            client_secret,
        } => (
            format!("client:{client_id}"),
            Subject::Client {
                client_id,
                client_secret,
            },
        ),
    };
    if let Some(wait) = state.throttle.check(&throttle_key, address) {
        return Err(ApiError::too_many_attempts(wait));
    }
    let keys = state.keys.clone();
    let issued = super::with_conn(&state, move |conn| -> Result<Option<String>, ApiError> {
        let token = match subject {
            Subject::User { username, password } => {
                let user = User::by_username(conn, &username)?;
                let hash = user
                    .as_ref()
                    .map_or(password::decoy_hash(), |u| u.password_hash.as_str());
                let ok = password::verify(&password, hash);
                match user {
                    Some(u) if ok && u.disabled == 0 => Some(keys.issue(
                        SubjectKind::User,
                        &u.id,
                        Some(&u.role),
                        u.body_id.as_deref(),
                        &[],
                        u.token_version,
                    )),
                    _ => None,
                }
            }
            Subject::Client {
                client_id,
                client_secret,
            } => {
                let client = ApiClient::by_client_id(conn, &client_id)?;
                let hash = client
                    .as_ref()
                    .map_or(password::decoy_hash(), |c| c.secret_hash.as_str());
                let ok = password::verify(&client_secret, hash);
                match client {
                    Some(c) if ok && c.disabled == 0 => {
                        let scopes: Vec<String> =
                            c.scopes.split_whitespace().map(str::to_string).collect();
                        Some(keys.issue(
                            SubjectKind::Client,
                            &c.id,
                            None,
                            None,
                            &scopes,
                            c.token_version,
                        ))
                    }
                    _ => None,
                }
            }
        };
        token.transpose().map_err(ApiError::internal)
    })
    .await?;
    match issued {
        Some(access_token) => {
            state.throttle.succeed(&throttle_key);
            Ok(HttpResponse::Ok()
                .insert_header(("Cache-Control", "no-store"))
                .json(TokenResponse {
                    access_token,
                    token_type: "Bearer".into(),
                    expires_in: state.keys.ttl_seconds(),
                }))
        }
        None => {
            state.throttle.fail(&throttle_key, address);
            Err(bad_credentials())
        }
    }
}

/// Reads a token request, naming `grant_type` when it is missing or unknown (serde's message
/// for an internally tagged enum names no field).
fn token_request(value: serde_json::Value) -> Result<TokenRequest, ApiError> {
    match value.get("grant_type").and_then(|g| g.as_str()) {
        Some("password" | "client_credentials") => {}
        Some(other) => {
            return Err(ApiError::invalid_field(
                "grant_type",
                &format!("不支持的授权类型 {other}，可选 password、client_credentials"),
                &format!("unsupported grant_type {other}; use password or client_credentials"),
            ));
        }
        None => {
            return Err(ApiError::invalid_field(
                "grant_type",
                "缺少 grant_type（password 或 client_credentials）",
                "grant_type is required (password or client_credentials)",
            ));
        }
    }
    crate::extract::parse(value.to_string().as_bytes())
}

enum Subject {
    User {
        username: String,
        password: String,
    },
    Client {
        client_id: String,
        client_secret: String,
    },
}

/// Revokes every token of the caller (log out everywhere).
#[utoipa::path(operation_id = "auth_revoke", post, path = "/api/v1/auth/revoke", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 204, description = "Every token of the caller is revoked"),
        (status = 401, description = "No valid token", body = ErrorBody),
    ))]
#[post("/api/v1/auth/revoke")]
pub async fn revoke(
    state: web::Data<AppState>,
    auth: Auth<Anyone>,
) -> Result<HttpResponse, ApiError> {
    let principal = auth.principal;
    super::with_conn(&state, move |conn| {
        write_transaction(conn, |conn| -> Result<(), ApiError> {
            let at = now();
            let (entity, id) = match &principal {
                Principal::User { id, .. } => {
                    User::bump_token_version(conn, id, at)?;
                    ("user", id.clone())
                }
                Principal::Client { id, .. } => {
                    ApiClient::bump_token_version(conn, id, at)?;
                    ("api_client", id.clone())
                }
                // Tokens are never issued to the system itself.
                Principal::System { .. } => return Err(ApiError::forbidden()),
            };
            audit::record(
                conn,
                &principal.actor(),
                "auth.revoke",
                entity,
                &id,
                serde_json::json!({}),
            )?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
