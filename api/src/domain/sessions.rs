//! Logging in (a person's password grant, an external system's client-credentials grant) and
//! revoking one's own tokens. Signing in goes in steps, so that the caller can check the
//! secret after the database connection is back in the pool and on a bounded number of
//! threads: [`begin`] through the login throttle (which knows the caller's address, which the
//! domain does not), [`find`] the account on a connection, [`check`] the secret off it,
//! [`finish`] settling the attempt.

use std::net::IpAddr;

use crate::auth::password;
use crate::auth::throttle::{Attempt, LoginThrottle};
use crate::auth::token::{SubjectKind, TokenKeys};
use crate::db::models::client::ApiClient;
use crate::db::models::user::User;
use crate::db::{DbConn, write_transaction};
use crate::domain::{Ctx, Error, Principal, Result, audit};

/// What a caller presents to obtain a token.
#[derive(Debug, Clone)]
pub enum Grant {
    /// A person's username and password.
    Password {
        /// Username.
        username: String,
        /// Password.
        password: String,
    },
    /// An external system's client id and secret.
    ClientCredentials {
        /// Client id.
        client_id: String,
        /// Client secret.
        client_secret: String,
    },
}

impl Grant {
    /// The key failed attempts are counted under: the username, or `client:<client_id>`.
    pub fn throttle_key(&self) -> String {
        match self {
            Grant::Password { username, .. } => username.clone(),
            Grant::ClientCredentials { client_id, .. } => format!("client:{client_id}"),
        }
    }
}

/// The refusal of wrong credentials (also for a disabled account or an unknown name, which
/// are not told apart).
pub fn bad_credentials() -> Error {
    Error::unauthorized("用户名或密码错误", "wrong username or password")
}

/// Begins a sign-in through the login throttle: refused (429, with the wait) while the name is
/// locked out from this address; otherwise the attempt (after waiting for a slot, when
/// attempts under way hold them all), counted against the name until [`finish`] settles it.
pub async fn begin<'a>(
    throttle: &'a LoginThrottle,
    grant: &Grant,
    address: Option<IpAddr>,
) -> Result<Attempt<'a>> {
    throttle
        .begin(&grant.throttle_key(), address)
        .await
        .map_err(Error::too_many_attempts)
}

/// The account a grant names, as read for checking it: the stored hash and what a token for
/// it carries; `None` for an unknown name.
#[derive(Debug, Clone)]
pub struct Account {
    stored: Option<Stored>,
}

#[derive(Debug, Clone)]
struct Stored {
    hash: String,
    kind: SubjectKind,
    id: String,
    role: Option<String>,
    body: Option<String>,
    scopes: Vec<String>,
    version: i64,
    disabled: bool,
}

impl Account {
    /// Whether checking the secret is slow (argon2: every password, and client secrets stored
    /// before keyed hashing), and so must hold one of the throttle's verification permits.
    pub fn is_slow(&self) -> bool {
        self.stored
            .as_ref()
            .is_none_or(|s| password::is_slow(&s.hash))
    }
}

/// Reads the account a grant names (a quick lookup: the slow check is [`check`], without the
/// connection).
pub fn find(conn: &mut DbConn, grant: &Grant) -> Result<Account> {
    let stored = match grant {
        Grant::Password { username, .. } => User::by_username(conn, username)?.map(|u| Stored {
            hash: u.password_hash,
            kind: SubjectKind::User,
            id: u.id,
            role: Some(u.role),
            body: u.body_id,
            scopes: Vec::new(),
            version: u.token_version,
            disabled: u.disabled != 0,
        }),
        Grant::ClientCredentials { client_id, .. } => ApiClient::by_client_id(conn, client_id)?
            .map(|c| Stored {
                hash: c.secret_hash,
                kind: SubjectKind::Client,
                scopes: c.scopes.split_whitespace().map(str::to_string).collect(),
                id: c.id,
                role: None,
                body: None,
                version: c.token_version,
                disabled: c.disabled != 0,
            }),
    };
    Ok(Account { stored })
}

/// Checks the grant's secret against the account and issues a bearer token; `None` when the
/// credentials are wrong or the account is disabled. An unknown name is checked against a
/// decoy of the same kind, so that it takes as long as a wrong secret. Passwords are slow by
/// design: call it off the async runtime.
pub fn check(keys: &TokenKeys, account: &Account, grant: &Grant) -> Result<Option<String>> {
    let hash = account.stored.as_ref().map(|s| s.hash.as_str());
    let ok = match grant {
        Grant::Password { password, .. } => {
            password::verify(password, hash.unwrap_or(password::decoy_hash()))
        }
        Grant::ClientCredentials { client_secret, .. } => {
            let secrets = keys.client_secrets();
            match hash {
                Some(hash) => secrets.verify(client_secret, hash),
                None => secrets.verify(client_secret, &secrets.hash(&password::random_secret())),
            }
        }
    };
    let Some(s) = account.stored.as_ref().filter(|s| ok && !s.disabled) else {
        return Ok(None);
    };
    keys.issue(
        s.kind,
        &s.id,
        s.role.as_deref(),
        s.body.as_deref(),
        &s.scopes,
        s.version,
    )
    .map(Some)
    .map_err(Error::internal)
}

/// Settles a sign-in: the token (the attempt refunded, the pair's failures cleared), or 401
/// with "用户名或密码错误" (the failure logged and counted).
pub fn finish(attempt: Attempt<'_>, token: Option<String>) -> Result<String> {
    match token {
        Some(token) => {
            attempt.succeed();
            Ok(token)
        }
        None => {
            attempt.fail();
            Err(bad_credentials())
        }
    }
}

/// Ends every token of the caller (log out everywhere).
pub fn revoke(conn: &mut DbConn, ctx: &Ctx) -> Result<()> {
    write_transaction(conn, |conn| {
        let at = ctx.now();
        let (entity, id) = match &ctx.principal {
            Principal::User { id, .. } => {
                User::bump_token_version(conn, id, at)?;
                ("user", id.clone())
            }
            Principal::Client { id, .. } => {
                ApiClient::bump_token_version(conn, id, at)?;
                ("api_client", id.clone())
            }
            // Tokens are never issued to the system itself.
            Principal::System { .. } => return Err(Error::forbidden()),
        };
        audit::record(conn, ctx, "auth.revoke", entity, &id, serde_json::json!({}))
    })
}
