//! Users (admins manage them): create, list, disable, reset a password.

use crate::auth::password;
use crate::db::models::body::Body;
use crate::db::models::new_id;
use crate::db::models::user::User;
use crate::db::{DbConn, write_transaction};
use crate::domain::audit;
use crate::domain::{Ctx, Error, ErrorCode, Noun, Result, Role};

/// A new user, as an admin asks for it.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Username (letters, digits, `.`, `_`, `-`; 1 to 64).
    pub username: String,
    /// Password (at least 8 characters).
    pub password: String,
    /// Role.
    pub role: Role,
    /// The body of a body user.
    pub body_id: Option<String>,
}

/// Checks a new user's fields (the API, the console and `pubeval user add` alike).
pub fn check_new_user(
    username: &str,
    password_text: &str,
    role: Role,
    body_id: Option<&str>,
) -> Result<()> {
    let valid_name = (1..=64).contains(&username.chars().count())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if !valid_name {
        return Err(Error::invalid_field(
            "username",
            "用户名须为 1 至 64 个字母、数字、点、下划线或连字符",
            "username must be 1 to 64 letters, digits, '.', '_' or '-'",
        ));
    }
    if let Err((zh, en)) = password::check_strength(password_text) {
        return Err(Error::invalid_field("password", zh, en));
    }
    match (role, body_id) {
        (Role::Body, None) => Err(Error::invalid_field(
            "body_id",
            "机构用户须指定所属机构",
            "a body user needs body_id",
        )),
        (Role::Admin | Role::Analyst, Some(_)) => Err(Error::invalid_field(
            "body_id",
            "只有机构用户属于某个机构",
            "only body users belong to a body",
        )),
        _ => Ok(()),
    }
}

fn username_taken(username: &str) -> Error {
    Error::conflict(
        ErrorCode::UsernameTaken,
        format!("用户名 {username} 已存在"),
        format!("username {username} is taken"),
    )
}

/// Checks and creates a user, hashing the password (slow by design: call it off the async
/// runtime).
pub fn create(conn: &mut DbConn, ctx: &Ctx, new: NewUser) -> Result<User> {
    check_new_user(
        &new.username,
        &new.password,
        new.role,
        new.body_id.as_deref(),
    )?;
    let hash = password::hash(&new.password).map_err(Error::internal)?;
    create_user(conn, ctx, &new.username, hash, new.role, new.body_id)
}

/// Creates a user whose password is already hashed, in its own transaction with its audit
/// entry. Two creations of one name race on the unique key: the loser gets 409.
pub fn create_user(
    conn: &mut DbConn,
    ctx: &Ctx,
    username: &str,
    hash: String,
    role: Role,
    body_id: Option<String>,
) -> Result<User> {
    write_transaction(conn, |conn| {
        if User::by_username(conn, username)?.is_some() {
            return Err(username_taken(username));
        }
        if let Some(b) = &body_id
            && Body::by_id(conn, b)?.is_none()
        {
            return Err(Error::invalid_field(
                "body_id",
                "机构不存在",
                "no such body",
            ));
        }
        let at = ctx.now();
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
        user.insert(conn)
            .map_err(|e| Error::from(e).on_unique(|| username_taken(username)))?;
        audit::record(
            conn,
            ctx,
            "user.create",
            "user",
            &user.id,
            serde_json::json!({"username": user.username, "role": user.role, "body_id": user.body_id}),
        )?;
        Ok(user)
    })
}

/// A page of users.
pub fn page(conn: &mut DbConn, offset: i64, limit: i64) -> Result<(Vec<User>, i64)> {
    Ok(User::page(conn, offset, limit)?)
}

/// Disables a user; every token they hold stops working. An admin cannot disable themselves.
pub fn disable(conn: &mut DbConn, ctx: &Ctx, id: &str) -> Result<User> {
    if matches!(&ctx.principal, crate::domain::Principal::User { id: me, .. } if me == id) {
        return Err(Error::of(ErrorCode::CannotDisableSelf));
    }
    write_transaction(conn, |conn| {
        if User::disable(conn, id, ctx.now())? == 0 {
            return Err(Error::not_found(Noun::User));
        }
        audit::record(conn, ctx, "user.disable", "user", id, serde_json::json!({}))?;
        User::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::User))
    })
}

/// Sets a new password; every token the user holds stops working.
pub fn reset_password(conn: &mut DbConn, ctx: &Ctx, id: &str, new_password: &str) -> Result<()> {
    if let Err((zh, en)) = password::check_strength(new_password) {
        return Err(Error::invalid_field("password", zh, en));
    }
    let hash = password::hash(new_password).map_err(Error::internal)?;
    write_transaction(conn, |conn| {
        if User::set_password(conn, id, &hash, ctx.now())? == 0 {
            return Err(Error::not_found(Noun::User));
        }
        audit::record(
            conn,
            ctx,
            "user.password",
            "user",
            id,
            serde_json::json!({}),
        )?;
        Ok(())
    })
}
