//! Users (admin only): create, list, disable, reset a password.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Page, PageQuery, call};
use crate::db::models::user::User;
use crate::domain::policy::AdminOnly;
use crate::domain::{Role, users};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Auth;
use crate::state::AppState;

/// A user as the API shows it (never the hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    /// Id.
    pub id: String,
    /// Username.
    pub username: String,
    /// Role.
    pub role: Role,
    /// The body of a body user.
    pub body_id: Option<String>,
    /// Whether the user is disabled.
    pub disabled: bool,
    /// Created (UTC).
    pub created_at: String,
}

impl From<User> for UserView {
    fn from(u: User) -> UserView {
        UserView {
            role: Role::from_code(&u.role).unwrap_or(Role::Body),
            id: u.id,
            username: u.username,
            body_id: u.body_id,
            disabled: u.disabled != 0,
            created_at: u.created_at.and_utc().to_rfc3339(),
        }
    }
}

/// A new user.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Username (letters, digits, `.`, `_`, `-`; 1 to 64).
    pub username: String,
    /// Password (at least 8 characters).
    pub password: String,
    /// Role.
    pub role: Role,
    /// The body of a body user (required for, and only for, role `body`).
    pub body_id: Option<String>,
}

/// A new password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    /// The new password (at least 8 characters).
    pub password: String,
}

/// Creates a user.
#[utoipa::path(operation_id = "users_create", post, path = "/api/v1/users", tag = "users", request_body = NewUser, security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 409, description = "Username taken", body = ErrorBody),
        (status = 422, description = "Invalid field", body = ErrorBody),
    ))]
#[post("/api/v1/users")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth<AdminOnly>,
    body: crate::extract::Json<NewUser>,
) -> Result<HttpResponse, ApiError> {
    let new = body.into_inner();
    let new = users::NewUser {
        username: new.username,
        password: new.password,
        role: new.role,
        body_id: new.body_id,
    };
    let user = call(&state, &auth, move |conn, ctx| {
        users::create(conn, ctx, new)
    })
    .await?;
    Ok(HttpResponse::Created().json(UserView::from(user)))
}

/// Lists users.
#[utoipa::path(operation_id = "users_list", get, path = "/api/v1/users", tag = "users", params(PageQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of users", body = Page<UserView>),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "Invalid page", body = ErrorBody),
    ))]
#[get("/api/v1/users")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth<AdminOnly>,
    query: crate::extract::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, offset) = query.resolve()?;
    let (items, total_items) = call(&state, &auth, move |conn, _| {
        users::page(conn, offset, i64::from(per_page))
    })
    .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: items.into_iter().map(UserView::from).collect::<Vec<_>>(),
        total_items,
        page,
        per_page,
    }))
}

/// Disables a user; every token they hold stops working.
#[utoipa::path(operation_id = "users_disable", post, path = "/api/v1/users/{id}/disable", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    responses(
        (status = 200, description = "Disabled", body = UserView),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "An admin cannot disable themselves", body = ErrorBody),
    ))]
#[post("/api/v1/users/{id}/disable")]
pub async fn disable(
    state: web::Data<AppState>,
    auth: Auth<AdminOnly>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = call(&state, &auth, move |conn, ctx| {
        users::disable(conn, ctx, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

/// Resets a user's password; every token they hold stops working.
#[utoipa::path(operation_id = "users_reset_password", post, path = "/api/v1/users/{id}/password", tag = "users", request_body = NewPassword, security(("bearer" = [])),
    params(("id" = String, Path, description = "User id")),
    responses(
        (status = 204, description = "Password changed"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 422, description = "Password too weak", body = ErrorBody),
    ))]
#[post("/api/v1/users/{id}/password")]
pub async fn reset_password(
    state: web::Data<AppState>,
    auth: Auth<AdminOnly>,
    id: web::Path<String>,
    body: crate::extract::Json<NewPassword>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let new = body.into_inner();
    call(&state, &auth, move |conn, ctx| {
        users::reset_password(conn, ctx, &id, &new.password)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
