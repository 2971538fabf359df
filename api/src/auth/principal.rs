//! Who is calling, and the policies routes require, as typed extractors: a handler that takes
//! `Auth<Staff>` runs only for admins and analysts. The rule of every route is in its
//! signature, in one place a reader can see (DESIGN.md §4).

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, web};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::token::SubjectKind;
use crate::db::schema::{api_clients, users};
use crate::error::ApiError;
use crate::state::AppState;

/// A person's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Administers users, clients and everything else.
    Admin,
    /// A CNCA analyst.
    Analyst,
    /// A certification body's user, bound to one body.
    Body,
}

impl Role {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Body => "body",
        }
    }

    /// The role with this code.
    pub fn from_code(code: &str) -> Option<Role> {
        match code {
            "admin" => Some(Role::Admin),
            "analyst" => Some(Role::Analyst),
            "body" => Some(Role::Body),
            _ => None,
        }
    }
}

/// An external system's permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum Scope {
    /// Final results and rankings.
    #[serde(rename = "results:read")]
    ResultsRead,
    /// The body registry.
    #[serde(rename = "bodies:read")]
    BodiesRead,
    /// Issued warnings.
    #[serde(rename = "warnings:read")]
    WarningsRead,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Scope; 3] = [Scope::ResultsRead, Scope::BodiesRead, Scope::WarningsRead];

    /// The scope's code.
    pub fn code(self) -> &'static str {
        match self {
            Scope::ResultsRead => "results:read",
            Scope::BodiesRead => "bodies:read",
            Scope::WarningsRead => "warnings:read",
        }
    }

    /// The scope with this code.
    pub fn from_code(code: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// The authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// A person.
    User {
        /// User id.
        id: String,
        /// Username.
        username: String,
        /// Role.
        role: Role,
        /// The body a body user belongs to.
        body_id: Option<String>,
    },
    /// An external system.
    Client {
        /// Row id.
        id: String,
        /// Public client id.
        client_id: String,
        /// Granted scopes.
        scopes: Vec<Scope>,
    },
}

impl Principal {
    /// The actor written to the audit log: `user:<username>` or `client:<client_id>`.
    pub fn actor(&self) -> String {
        match self {
            Principal::User { username, .. } => format!("user:{username}"),
            Principal::Client { client_id, .. } => format!("client:{client_id}"),
        }
    }

    /// The role of a person, `None` for a client.
    pub fn role(&self) -> Option<Role> {
        match self {
            Principal::User { role, .. } => Some(*role),
            Principal::Client { .. } => None,
        }
    }

    /// Whether this is a client holding the scope.
    pub fn has_scope(&self, scope: Scope) -> bool {
        matches!(self, Principal::Client { scopes, .. } if scopes.contains(&scope))
    }

    /// The body a body user is bound to.
    pub fn own_body(&self) -> Option<&str> {
        match self {
            Principal::User {
                role: Role::Body,
                body_id,
                ..
            } => body_id.as_deref(),
            _ => None,
        }
    }

    /// Whether the caller may see this body's data: staff always, a body user only its own.
    /// Anything else is answered 404, so that a body never learns another's data exists.
    pub fn may_see_body(&self, body_id: &str) -> bool {
        match self.role() {
            Some(Role::Admin | Role::Analyst) => true,
            Some(Role::Body) => self.own_body() == Some(body_id),
            None => false,
        }
    }
}

/// A rule about who may call a route.
pub trait Policy {
    /// Whether the principal passes.
    fn allows(principal: &Principal) -> bool;
}

/// Admins only.
pub struct AdminOnly;
/// Admins and analysts.
pub struct Staff;
/// Any person (admin, analyst, body user).
pub struct AnyUser;
/// Anyone with a valid token, person or client.
pub struct Anyone;
/// Staff, body users (their own body, checked in the handler) and clients with `bodies:read`.
pub struct BodiesReader;
/// Admins and body users, a body user only for its own body (checked in the handler): who
/// writes a body's own report and self-reports its incidents.
pub struct BodyOrAdmin;

impl Policy for AdminOnly {
    fn allows(p: &Principal) -> bool {
        p.role() == Some(Role::Admin)
    }
}
impl Policy for Staff {
    fn allows(p: &Principal) -> bool {
        matches!(p.role(), Some(Role::Admin | Role::Analyst))
    }
}
impl Policy for AnyUser {
    fn allows(p: &Principal) -> bool {
        p.role().is_some()
    }
}
impl Policy for Anyone {
    fn allows(_: &Principal) -> bool {
        true
    }
}
impl Policy for BodyOrAdmin {
    fn allows(p: &Principal) -> bool {
        matches!(p.role(), Some(Role::Admin | Role::Body))
    }
}
impl Policy for BodiesReader {
    fn allows(p: &Principal) -> bool {
        p.role().is_some() || p.has_scope(Scope::BodiesRead)
    }
}

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

/// Checks the bearer token and that its subject still exists, is enabled and has the token's
/// version.
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
    let claims = state
        .keys
        .verify(token)
        .map_err(|e| ApiError::unauthorized(format!("令牌无效 / invalid token: {e}")))?;
    let pool = state.pool.clone();
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
    principal.ok_or_else(|| {
        ApiError::unauthorized(
            "令牌已失效（账号停用或令牌已撤销）/ token revoked or account disabled",
        )
    })
}
