//! Logging in (a person's password grant, an external system's client-credentials grant) and
//! revoking one's own tokens. The login throttle is kept by the caller around [`login`]: it
//! is per instance and knows the caller's address, which the domain does not.

use std::net::IpAddr;

use crate::auth::password;
use crate::auth::throttle::LoginThrottle;
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

/// Checks a grant and issues a bearer token; `None` when the credentials are wrong or the
/// account is disabled. An unknown name is checked against a decoy hash, so that it takes as
/// long as a wrong password. Slow by design: call it off the async runtime.
pub fn login(conn: &mut DbConn, keys: &TokenKeys, grant: Grant) -> Result<Option<String>> {
    let token = match grant {
        Grant::Password { username, password } => {
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
        Grant::ClientCredentials {
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
    token.transpose().map_err(Error::internal)
}

/// Signs in through the login throttle: refused (429, with the wait) while the name or address
/// is locked out; otherwise the grant is checked, and a failure is counted. The token, or 401
/// with "用户名或密码错误". The JSON API and the console both sign in through this.
pub fn sign_in(
    conn: &mut DbConn,
    keys: &TokenKeys,
    throttle: &LoginThrottle,
    grant: Grant,
    address: Option<IpAddr>,
) -> Result<String> {
    let key = grant.throttle_key();
    if let Some(wait) = throttle.check(&key, address) {
        return Err(Error::too_many_attempts(wait));
    }
    match login(conn, keys, grant)? {
        Some(token) => {
            throttle.succeed(&key);
            Ok(token)
        }
        None => {
            throttle.fail(&key, address);
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
