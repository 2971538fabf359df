//! Password hashing with argon2id, slow on purpose (callers run it off the async runtime and
//! through the login throttle's bounded pool), and client-secret hashing with a keyed SHA-256:
//! a client secret is 256 random bits, which no guessing reaches, so a slow hash would only
//! hand whoever sends many client-credentials requests a way to burn the server's CPU. Secrets
//! stored with argon2 before keyed hashing came still verify (and cost as before).

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

/// Hashes a secret (argon2id, default parameters, random salt).
pub fn hash(secret: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(secret.as_bytes(), &salt)?
        .to_string())
}

/// Whether a secret matches a stored hash (false for a malformed hash).
pub fn verify(secret: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A real hash to verify against when the user does not exist, so that an unknown username
/// takes as long as a wrong password and does not reveal itself by timing.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash(&random_secret()).unwrap_or_default())
}

/// How a keyed client-secret hash starts (`hmac-sha256$<hex>`); anything else is argon2.
pub const KEYED_PREFIX: &str = "hmac-sha256$";

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// The key client secrets are hashed with: HMAC-SHA-256 of a fixed label under the server's
/// signing secret, so that every instance sharing that secret (they must, for tokens) checks
/// the same secrets, and a copy of the database alone cannot test one.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

/// An HMAC-SHA-256 under `key`.
fn keyed(key: &[u8]) -> HmacSha256 {
    use hmac::Mac;
    match HmacSha256::new_from_slice(key) {
        Ok(mac) => mac,
        // HMAC takes a key of every length (a long one is hashed first): this cannot happen.
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.write_str("SecretKey(..)")
    }
}

impl SecretKey {
    /// The key derived from the server's secret.
    pub fn derive(server_secret: &[u8]) -> SecretKey {
        use hmac::Mac;
        let mut mac = keyed(server_secret);
        mac.update(b"pubeval client secrets v1");
        SecretKey(mac.finalize().into_bytes().into())
    }

    fn mac(&self, secret: &str) -> HmacSha256 {
        use hmac::Mac;
        let mut mac = keyed(&self.0);
        mac.update(secret.as_bytes());
        mac
    }

    /// A client secret's stored form: `hmac-sha256$` and the hex of its HMAC.
    pub fn hash(&self, secret: &str) -> String {
        use hmac::Mac;
        format!(
            "{KEYED_PREFIX}{}",
            hex::encode(self.mac(secret).finalize().into_bytes())
        )
    }

    /// Whether a client secret matches its stored form: keyed (compared in constant time), or
    /// an argon2 hash stored before keyed hashing came (slow: see [`is_slow`]).
    pub fn verify(&self, secret: &str, stored: &str) -> bool {
        use hmac::Mac;
        match stored.strip_prefix(KEYED_PREFIX) {
            Some(digest) => hex::decode(digest)
                .map(|digest| self.mac(secret).verify_slice(&digest).is_ok())
                .unwrap_or(false),
            None => verify(secret, stored),
        }
    }
}

/// Whether checking a secret against this stored form is slow (argon2, not keyed SHA-256).
pub fn is_slow(stored: &str) -> bool {
    !stored.starts_with(KEYED_PREFIX)
}

/// A random secret for api clients and generated passwords: 32 bytes, hex.
pub fn random_secret() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// The rules a new password must meet.
pub fn check_strength(password: &str) -> Result<(), (&'static str, &'static str)> {
    // NIST SP 800-63B's minimum; length matters more than composition rules.
    let length = password.chars().count();
    if length < 8 {
        return Err((
            "密码至少 8 个字符",
            "the password needs at least 8 characters",
        ));
    }
    if length > 256 {
        return Err((
            "密码最多 256 个字符",
            "the password may have at most 256 characters",
        ));
    }
    if password.trim() != password {
        return Err((
            "密码首尾不能有空格",
            "the password must not start or end with spaces",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_hashes_verify_under_their_key_only() {
        let key = SecretKey::derive(b"server secret of at least 32 bytes....");
        let secret = random_secret();
        let stored = key.hash(&secret);
        assert!(stored.starts_with(KEYED_PREFIX) && !is_slow(&stored));
        assert!(key.verify(&secret, &stored));
        assert!(!key.verify("another secret", &stored));
        let other = SecretKey::derive(b"another server secret of 32 bytes.....");
        assert!(!other.verify(&secret, &stored));
        assert!(!key.verify(&secret, "hmac-sha256$not-hex"));
    }

    #[test]
    fn argon2_client_hashes_of_before_still_verify() {
        let key = SecretKey::derive(b"server secret of at least 32 bytes....");
        let stored = hash("an old client secret").expect("hash");
        assert!(is_slow(&stored));
        assert!(key.verify("an old client secret", &stored));
        assert!(!key.verify("a wrong one", &stored));
    }
}
