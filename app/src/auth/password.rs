//! Argon2id password hashes. Hashing is CPU-bound (and takes 19 MiB each), so it runs off the
//! async workers, at most one per core at a time; past a short queue, a check is refused as
//! busy rather than piling up memory and latency for everyone.

use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::error::AppError;
use crate::gate::Gate;

pub fn hash_blocking(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| {
            tracing::error!(error = %err, "password hashing failed");
            AppError::Internal
        })
}

pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|_| AppError::Internal)?
}

/// A hash to check against when the login does not exist, so an unknown login takes as long to
/// refuse as a wrong password and logins cannot be discovered by timing.
static DECOY_HASH: LazyLock<Option<String>> =
    LazyLock::new(|| hash_blocking("decoy password").ok());

/// Password checks: one per core at a time, 16 more waiting.
static CHECKING: LazyLock<Gate> = LazyLock::new(|| Gate::per_core(16, 3));

/// Whether `password` matches `stored`; with no stored hash, checks a decoy and answers false.
/// `Busy` when too many checks are already waiting.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    let _turn = CHECKING.enter().await?;
    tokio::task::spawn_blocking(move || {
        let real = stored.is_some();
        let Some(phc) = stored.or_else(|| DECOY_HASH.clone()) else {
            return false;
        };
        let Ok(parsed) = PasswordHash::new(&phc) else {
            return false;
        };
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        real && matches
    })
    .await
    .map_err(|_| AppError::Internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_verifies_only_the_same_password() {
        let stored = hash("s3cret-pass".into()).await.expect("hash");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("s3cret-pass".into(), Some(stored.clone()))
            .await
            .expect("verify"));
        assert!(!verify("s3cret-Pass".into(), Some(stored))
            .await
            .expect("verify"));
    }

    #[tokio::test]
    async fn missing_hash_never_verifies() {
        assert!(!verify("decoy password".into(), None).await.expect("verify"));
    }
}
