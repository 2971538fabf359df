//! Logging in (password and client-credentials grants) and revoking one's own tokens.

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::call;
use crate::domain::policy::Anyone;
use crate::domain::sessions::{self, Grant};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::state::AppState;

/// A token request: a person's password grant or an external system's client-credentials
/// grant, told apart by `grant_type`. Documented as a `oneOf` of two named schemas
/// ([`PasswordGrant`], [`ClientCredentialsGrant`]) with a discriminator, so that generated
/// clients get a class for each.
#[derive(Debug, Deserialize)]
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

impl utoipa::PartialSchema for TokenRequest {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{Discriminator, OneOfBuilder};
        use utoipa::openapi::{Ref, RefOr};
        let mut discriminator = Discriminator::new("grant_type");
        discriminator.mapping = [
            ("password", "#/components/schemas/PasswordGrant"),
            (
                "client_credentials",
                "#/components/schemas/ClientCredentialsGrant",
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        RefOr::T(
            OneOfBuilder::new()
                .item(Ref::from_schema_name("PasswordGrant"))
                .item(Ref::from_schema_name("ClientCredentialsGrant"))
                .discriminator(Some(discriminator))
                .description(Some(
                    "A token request: a person's password grant or an external system's client-credentials grant.",
                ))
                .into(),
        )
    }
}

impl ToSchema for TokenRequest {
    fn schemas(
        schemas: &mut Vec<(
            String,
            utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
        )>,
    ) {
        use utoipa::PartialSchema;
        schemas.push(("PasswordGrant".into(), PasswordGrant::schema()));
        schemas.push((
            "ClientCredentialsGrant".into(),
            ClientCredentialsGrant::schema(),
        ));
        schemas.push(("PasswordGrantType".into(), PasswordGrantType::schema()));
        schemas.push((
            "ClientCredentialsGrantType".into(),
            ClientCredentialsGrantType::schema(),
        ));
    }
}

/// A person's password grant (the schema of one [`TokenRequest`]).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct PasswordGrant {
    /// Always `password`.
    grant_type: PasswordGrantType,
    /// Username.
    username: String,
    /// Password.
    password: String,
}

/// The grant type of a [`PasswordGrant`].
#[derive(Debug, ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum PasswordGrantType {
    /// A person's password.
    Password,
}

/// An external system's client-credentials grant (the schema of one [`TokenRequest`]).
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ClientCredentialsGrant {
    /// Always `client_credentials`.
    grant_type: ClientCredentialsGrantType,
    /// Client id.
    client_id: String,
    /// Client secret.
    client_secret: String,
}

/// The grant type of a [`ClientCredentialsGrant`].
#[derive(Debug, ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum ClientCredentialsGrantType {
    /// An external system's id and secret.
    ClientCredentials,
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

impl From<TokenRequest> for Grant {
    fn from(r: TokenRequest) -> Grant {
        match r {
            TokenRequest::Password { username, password } => Grant::Password { username, password },
            TokenRequest::ClientCredentials {
                client_id,
                client_secret,
            } => Grant::ClientCredentials {
                client_id,
                client_secret,
            },
        }
    }
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
    let address = state.client_address(&req);
    let grant = Grant::from(token_request(body.into_inner())?);
    let access_token = state.sign_in(grant, address).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenResponse {
            access_token,
            token_type: "Bearer".into(),
            expires_in: state.keys.ttl_seconds(),
        }))
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
    call(&state, &auth, sessions::revoke).await?;
    Ok(HttpResponse::NoContent().finish())
}
