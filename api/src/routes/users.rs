//! Users (admin only): create, list, disable, reset a password.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Page, PageQuery, with_conn};
use crate::audit;
use crate::auth::principal::AdminOnly;
use crate::auth::{Auth, Role, password};
use crate::db::models::body::Body;
use crate::db::models::user::User;
use crate::db::models::{new_id, now};
use crate::db::write_transaction;
use crate::error::{ApiError, ErrorBody};
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

/// Checks a new user's fields; shared by the API and `pubeval user add`.
pub fn check_new_user(
    username: &str,
    password_text: &str,
    role: Role,
    body_id: Option<&str>,
) -> Result<(), ApiError> {
    let valid_name = (1..=64).contains(&username.chars().count())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !valid_name {
        return Err(ApiError::invalid_field(
            "username",
            "用户名须为 1 至 64 个字母、数字、点、下划线或连字符",
            "username must be 1 to 64 letters, digits, '.', '_' or '-'",
        ));
    }
    if let Err((zh, en)) = password::check_strength(password_text) {
        return Err(ApiError::invalid_field("password", zh, en));
    }
    match (role, body_id) {
        (Role::Body, None) => Err(ApiError::invalid_field(
            "body_id",
            "机构用户须指定所属机构",
            "a body user needs body_id",
        )),
        (Role::Admin | Role::Analyst, Some(_)) => Err(ApiError::invalid_field(
            "body_id",
            "只有机构用户属于某个机构",
            "only body users belong to a body",
        )),
        _ => Ok(()),
    }
}

/// Creates a user in its own transaction, with its audit entry; the hash is computed by the
/// caller, off the async runtime.
pub fn create_user(
    conn: &mut crate::db::DbConn,
    actor: &str,
    username: &str,
    hash: String,
    role: Role,
    body_id: Option<String>,
) -> Result<User, ApiError> {
    write_transaction(conn, |conn| {
        if User::by_username(conn, username)?.is_some() {
            return Err(ApiError::conflict(
                "username_taken",
                format!("用户名 {username} 已存在 / username {username} is taken"),
            ));
        }
        if let Some(b) = &body_id
            && Body::by_id(conn, b)?.is_none()
        {
            return Err(ApiError::invalid_field(
                "body_id",
                "机构不存在",
                "no such body",
            ));
        }
        let at = now();
        let user = User {
            id: new_id(),
            username: username.to_string(),
            password_hash: hash,
            role: role.code().to_string(),
            body_id,
            disabled: 0,
            token_version: 1,
            created_at: at,
            updated_at: at,
        };
        user.insert(conn)?;
        audit::record(
            conn,
            actor,
            "user.create",
            "user",
            &user.id,
            serde_json::json!({"username": user.username, "role": user.role, "body_id": user.body_id}),
        )?;
        Ok(user)
    })
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
    check_new_user(
        &new.username,
        &new.password,
        new.role,
        new.body_id.as_deref(),
    )?;
    let actor = auth.actor();
    let user = with_conn(&state, move |conn| {
        let hash = password::hash(&new.password).map_err(ApiError::internal)?;
        create_user(conn, &actor, &new.username, hash, new.role, new.body_id)
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
    _auth: Auth<AdminOnly>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (page, per_page, offset) = query.resolve()?;
    let (items, total_items) = with_conn(&state, move |conn| {
        Ok(User::page(conn, offset, i64::from(per_page))?)
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
    let actor = auth.actor();
    let own = matches!(&auth.principal, crate::auth::Principal::User { id: me, .. } if *me == id);
    if own {
        return Err(ApiError::conflict(
            "cannot_disable_self",
            "不能停用自己的账号 / you cannot disable yourself",
        ));
    }
    let user = with_conn(&state, move |conn| {
        write_transaction(conn, |conn| {
            if User::disable(conn, &id, now())? == 0 {
                return Err(ApiError::not_found("用户"));
            }
            audit::record(
                conn,
                &actor,
                "user.disable",
                "user",
                &id,
                serde_json::json!({}),
            )?;
            User::by_id(conn, &id)?.ok_or_else(|| ApiError::not_found("用户"))
        })
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
    if let Err((zh, en)) = password::check_strength(&new.password) {
        return Err(ApiError::invalid_field("password", zh, en));
    }
    let actor = auth.actor();
    with_conn(&state, move |conn| {
        let hash = password::hash(&new.password).map_err(ApiError::internal)?;
        write_transaction(conn, |conn| {
            if User::set_password(conn, &id, &hash, now())? == 0 {
                return Err(ApiError::not_found("用户"));
            }
            audit::record(
                conn,
                &actor,
                "user.password",
                "user",
                &id,
                serde_json::json!({}),
            )?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
