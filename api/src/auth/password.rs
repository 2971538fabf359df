//! Password and client-secret hashing with argon2id. Hashing is slow on purpose, so callers run
//! it off the async runtime (`web::block`).

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
