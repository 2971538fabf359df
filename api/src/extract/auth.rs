//! Who is calling, checked against the policy a route requires, as a typed extractor: a handler
//! that takes `Auth<Staff>` runs only for admins and analysts. The rule of every route is in its
//! signature, in one place a reader can see (DESIGN.md §4); the policies are in
//! `domain::policy`.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, web};
use diesel::prelude::*;

use crate::auth::token::SubjectKind;
use crate::db::schema::{api_clients, users};
use crate::error::ApiError;
use crate::state::AppState;

use crate::domain::policy::Policy;
use crate::domain::principal::{Principal, Role, Scope};

/// The caller, authenticated and checked against policy `P`: 401 without a valid token, 403
/// when the policy refuses.
pub struct Auth<P: Policy> {
    /// The caller.
    pub principal: Principal,
    _policy: PhantomData<P>,
}

impl<P: Policy> std::ops::Deref for Auth<P> {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.principal
    }
}

impl<P: Policy + 'static> FromRequest for Auth<P> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let header = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("application state missing"))?;
            let principal = authenticate(&state, header.as_deref()).await?;
            if !P::allows(&principal) {
                return Err(ApiError::forbidden());
            }
            Ok(Auth {
                principal,
                _policy: PhantomData,
            })
        })
    }
}

/// The 401 of a token that did not verify, in our words: expired, not yet valid, or not valid
/// (forged, for another service, malformed). The library's own error kind is logged, never
/// sent: it tells a forger which check failed.
fn refused(e: &jsonwebtoken::errors::Error) -> ApiError {
    use jsonwebtoken::errors::ErrorKind;
    tracing::info!(error = ?e.kind(), "bearer token refused");
    match e.kind() {
        ErrorKind::ExpiredSignature => {
            ApiError::unauthorized("令牌已过期，请重新登录 / the token has expired; log in again")
        }
        ErrorKind::ImmatureSignature => {
            ApiError::unauthorized("令牌尚未生效 / the token is not valid yet")
        }
        _ => ApiError::unauthorized("令牌无效，请重新登录 / the token is not valid; log in again"),
    }
}

/// Checks the bearer token and that its subject still exists, is enabled and has the token's
/// version (looked up at most once a second per token: `domain::principal_cache`).
pub async fn authenticate(state: &AppState, header: Option<&str>) -> Result<Principal, ApiError> {
    let token = header
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized("需要登录：缺少 Bearer 令牌 / a bearer token is required")
        })?;
    let claims = state.keys.verify(token).map_err(|e| refused(&e))?;
    if let Some(principal) = state.principals.get(claims.kind, &claims.sub, claims.ver) {
        return Ok(principal);
    }
    let generation = crate::db::models::subjects_generation();
    let (kind, subject, version) = (claims.kind, claims.sub.clone(), claims.ver);
    let pool = state.pool.clone();
    let _turn = state.db_turn().await;
    let principal = web::block(move || -> Result<Option<Principal>, ApiError> {
        let mut conn = pool.get().map_err(crate::db::DbError::from)?;
        match claims.kind {
            SubjectKind::User => {
                let row: Option<(String, String, String, Option<String>, i32, i64)> = users::table
                    .filter(users::id.eq(&claims.sub))
                    .select((
                        users::id,
                        users::username,
                        users::role,
                        users::body_id,
                        users::disabled,
                        users::token_version,
                    ))
                    .first(&mut conn)
                    .optional()?;
                Ok(
                    row.and_then(|(id, username, role, body_id, disabled, version)| {
                        (disabled == 0 && version == claims.ver).then_some(())?;
                        Some(Principal::User {
                            id,
                            username,
                            role: Role::from_code(&role)?,
                            body_id,
                        })
                    }),
                )
            }
            SubjectKind::Client => {
                let row: Option<(String, String, String, i32, i64)> = api_clients::table
                    .filter(api_clients::id.eq(&claims.sub))
                    .select((
                        api_clients::id,
                        api_clients::client_id,
                        api_clients::scopes,
                        api_clients::disabled,
                        api_clients::token_version,
                    ))
                    .first(&mut conn)
                    .optional()?;
                Ok(row.and_then(|(id, client_id, scopes, disabled, version)| {
                    (disabled == 0 && version == claims.ver).then_some(())?;
                    Some(Principal::Client {
                        id,
                        client_id,
                        scopes: scopes
                            .split_whitespace()
                            .filter_map(Scope::from_code)
                            .collect(),
                    })
                }))
            }
        }
    })
    .await??;
    if let Some(p) = &principal {
        state.principals.put(kind, &subject, version, generation, p);
    }
    principal.ok_or_else(|| {
        ApiError::unauthorized(
            "令牌已失效（账号停用或令牌已撤销）/ token revoked or account disabled",
        )
    })
}
