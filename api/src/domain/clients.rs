//! API clients of external systems (admins manage them): create, list, disable, rotate the
//! secret. A secret is shown once, when made, and stored only as its keyed hash (HMAC-SHA-256
//! under the key the server's signing secret gives, `TokenKeys::client_secrets`).

use crate::auth::password::{self, SecretKey};
use crate::db::models::client::ApiClient;
use crate::db::models::new_id;
use crate::db::{DbConn, write_transaction};
use crate::domain::{Ctx, Error, Noun, Result, Scope, audit};

/// A client's credentials, as made: the secret in clear, this once.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// Row id.
    pub id: String,
    /// Public client id.
    pub client_id: String,
    /// The secret.
    pub client_secret: String,
    /// Scope codes.
    pub scopes: Vec<String>,
}

/// Checks scope codes (the API and `pubeval client add` alike): at least one, each known.
pub fn check_scopes(scopes: &[String]) -> Result<Vec<Scope>> {
    if scopes.is_empty() {
        return Err(Error::invalid_field(
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
                Error::invalid_field(
                    &format!("scopes[{i}]"),
                    &format!("未知权限范围 {s}，可选 results:read、bodies:read、warnings:read"),
                    &format!("unknown scope {s}; one of results:read, bodies:read, warnings:read"),
                )
            })
        })
        .collect()
}

/// Checks the scope codes and creates a client, its secret hashed under `key`.
pub fn create(
    conn: &mut DbConn,
    ctx: &Ctx,
    key: &SecretKey,
    name: &str,
    scopes: &[String],
) -> Result<Credentials> {
    let scopes = check_scopes(scopes)?;
    create_client(conn, ctx, key, name, &scopes)
}

/// Creates a client with these scopes (its secret hashed under `key`), in its own transaction with its audit entry; returns
/// its credentials.
pub fn create_client(
    conn: &mut DbConn,
    ctx: &Ctx,
    key: &SecretKey,
    name: &str,
    scopes: &[Scope],
) -> Result<Credentials> {
    if name.trim().is_empty() || name.chars().count() > 200 {
        return Err(Error::invalid_field(
            "name",
            "名称须为 1 至 200 个字符",
            "name must be 1 to 200 characters",
        ));
    }
    let secret = password::random_secret();
    let hash = key.hash(&secret);
    let client_id = format!("pubeval-{}", &new_id()[..8]);
    let scope_text = scopes
        .iter()
        .map(|s| s.code())
        .collect::<Vec<_>>()
        .join(" ");
    write_transaction(conn, |conn| {
        let at = ctx.now();
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
            ctx,
            "client.create",
            "api_client",
            &client.id,
            serde_json::json!({"client_id": client.client_id, "name": client.name, "scopes": scope_text}),
        )?;
        Ok(Credentials {
            id: client.id,
            client_id: client.client_id,
            client_secret: secret,
            scopes: scopes.iter().map(|s| s.code().to_string()).collect(),
        })
    })
}

/// A page of clients by name, with the total.
pub fn page(conn: &mut DbConn, offset: i64, limit: i64) -> Result<(Vec<ApiClient>, i64)> {
    Ok(ApiClient::page(conn, offset, limit)?)
}

/// Disables a client; its tokens stop working.
pub fn disable(conn: &mut DbConn, ctx: &Ctx, id: &str) -> Result<ApiClient> {
    write_transaction(conn, |conn| {
        if ApiClient::disable(conn, id, ctx.now())? == 0 {
            return Err(Error::not_found(Noun::Client));
        }
        audit::record(
            conn,
            ctx,
            "client.disable",
            "api_client",
            id,
            serde_json::json!({}),
        )?;
        ApiClient::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Client))
    })
}

/// Gives a client a new secret (hashed under `key`; a secret stored with argon2 before keyed
/// hashing is replaced by a keyed one); tokens issued with the old one stop working.
pub fn rotate(conn: &mut DbConn, ctx: &Ctx, key: &SecretKey, id: &str) -> Result<Credentials> {
    let secret = password::random_secret();
    let hash = key.hash(&secret);
    write_transaction(conn, |conn| {
        if ApiClient::rotate(conn, id, &hash, ctx.now())? == 0 {
            return Err(Error::not_found(Noun::Client));
        }
        audit::record(
            conn,
            ctx,
            "client.rotate",
            "api_client",
            id,
            serde_json::json!({}),
        )?;
        let c = ApiClient::by_id(conn, id)?.ok_or_else(|| Error::not_found(Noun::Client))?;
        Ok(Credentials {
            scopes: c.scopes.split_whitespace().map(str::to_string).collect(),
            id: c.id,
            client_id: c.client_id,
            client_secret: secret,
        })
    })
}
