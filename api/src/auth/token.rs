//! Bearer tokens: HS256 JWTs with one pinned algorithm and validated `iss`, `aud`, `exp`,
//! `nbf` and `sub`, carrying the subject's token version so that bumping it ends every token
//! already issued.

use std::io::Write;
use std::path::Path;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// Seconds of clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 5;
/// The key file's name in the data directory.
pub const KEY_FILE: &str = "pubeval-jwt.key";

/// Who a token was issued to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// A person (admin, analyst or body user).
    User,
    /// An external system (client-credentials grant).
    Client,
}

/// The claims pubeval issues.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Subject: the user's or client's id.
    pub sub: String,
    /// Expiry (seconds since the epoch).
    pub exp: u64,
    /// Not before.
    pub nbf: u64,
    /// Issued at.
    pub iat: u64,
    /// User or client.
    pub kind: SubjectKind,
    /// The user's role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The body a body user belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// A client's scopes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// The subject's token version when the token was issued.
    pub ver: i64,
}

/// The signing and verifying keys with the validation rules.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl_seconds: u64,
    client_secrets: crate::auth::password::SecretKey,
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.debug_struct("TokenKeys")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

/// Why a key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Reading or writing the key file failed.
    #[error("JWT 密钥文件 {path} 读写失败 / cannot use the JWT key file: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The key is too short to be safe.
    #[error("JWT 密钥至少 32 字节 / the JWT secret must be at least 32 bytes")]
    TooShort,
}

impl TokenKeys {
    /// Keys from a secret.
    pub fn new(
        secret: &[u8],
        issuer: &str,
        audience: &str,
        ttl_seconds: u64,
    ) -> Result<TokenKeys, KeyError> {
        if secret.len() < 32 {
            return Err(KeyError::TooShort);
        }
        // One algorithm only: a token claiming another (or `none`) is refused.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "sub", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.validate_exp = true;
        validation.leeway = LEEWAY_SECONDS;
        Ok(TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.to_string(),
            audience: audience.to_string(),
            ttl_seconds,
            client_secrets: crate::auth::password::SecretKey::derive(secret),
        })
    }

    /// Loads the secret from `file`, or from the data directory's key file, generating that
    /// one (mode 0600) on first start.
    pub fn load_or_generate(
        file: Option<&Path>,
        data_dir: &Path,
        issuer: &str,
        audience: &str,
        ttl_seconds: u64,
    ) -> Result<TokenKeys, KeyError> {
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| KeyError::Io { path, source }
        };
        let secret = match file {
            Some(path) => read_secret(path).map_err(io(path))?,
            None => {
                let path = data_dir.join(KEY_FILE);
                if path.exists() {
                    read_secret(&path).map_err(io(&path))?
                } else {
                    std::fs::create_dir_all(data_dir).map_err(io(data_dir))?;
                    generate_secret(&path).map_err(io(&path))?
                }
            }
        };
        TokenKeys::new(&secret, issuer, audience, ttl_seconds)
    }

    /// The key client secrets are hashed with, derived from the signing secret (so a new
    /// signing secret means new client secrets too).
    pub fn client_secrets(&self) -> &crate::auth::password::SecretKey {
        &self.client_secrets
    }

    /// Token lifetime in seconds.
    pub fn ttl_seconds(&self) -> u64 {
        self.ttl_seconds
    }

    /// Issues a token for the claims' subject, valid from now for the lifetime.
    pub fn issue(
        &self,
        kind: SubjectKind,
        sub: &str,
        role: Option<&str>,
        body: Option<&str>,
        scopes: &[String],
        version: i64,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: sub.to_string(),
            exp: now + self.ttl_seconds,
            nbf: now,
            iat: now,
            kind,
            role: role.map(str::to_string),
            body: body.map(str::to_string),
            scopes: scopes.to_vec(),
            ver: version,
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
    }

    /// Verifies signature, algorithm, issuer, audience, expiry and not-before.
    pub fn verify(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map(|d| d.claims)
    }

    /// Signs arbitrary claims with this key (tests forge expired or early tokens with it).
    pub fn sign_raw<T: Serialize>(
        &self,
        header: &Header,
        claims: &T,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        jsonwebtoken::encode(header, claims, &self.encoding)
    }
}

fn read_secret(path: &Path) -> std::io::Result<Vec<u8>> {
    let text = std::fs::read_to_string(path)?;
    let text = text.trim();
    Ok(hex::decode(text).unwrap_or_else(|_| text.as_bytes().to_vec()))
}

fn generate_secret(path: &Path) -> std::io::Result<Vec<u8>> {
    use rand::RngCore;
    let mut secret = vec![0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(hex::encode(&secret).as_bytes())?;
    file.sync_all()?;
    Ok(secret)
}
