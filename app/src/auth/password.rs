//! Argon2id password hashes. Hashing is CPU-bound (and takes 19 MiB each), so it runs off the
//! async workers, at most one per core at a time; past a short queue, a check is refused as
//! busy rather than piling up memory and latency for everyone.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::LazyLock;

use tokio::sync::{Semaphore, SemaphorePermit};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::error::AppError;

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

/// Password checks running at once: one per core.
static CHECKING: LazyLock<Semaphore> = LazyLock::new(|| {
    Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get))
});
/// Checks waiting for a core; past `MAX_WAITING` a new one is refused.
static WAITING: AtomicUsize = AtomicUsize::new(0);
const MAX_WAITING: usize = 16;
/// What a refused check is told: the queue drains in well under this.
const BUSY_RETRY_SECS: u64 = 3;

/// A turn to check a password, or `Busy` when the queue is full.
async fn turn() -> Result<SemaphorePermit<'static>, AppError> {
    if let Ok(permit) = CHECKING.try_acquire() {
        return Ok(permit);
    }
    if WAITING.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING {
        WAITING.fetch_sub(1, Ordering::SeqCst);
        return Err(AppError::Busy {
            retry_after_secs: BUSY_RETRY_SECS,
        });
    }
    let permit = CHECKING.acquire().await;
    WAITING.fetch_sub(1, Ordering::SeqCst);
    permit.map_err(|_| AppError::Internal)
}

/// Whether `password` matches `stored`; with no stored hash, checks a decoy and answers false.
/// `Busy` when too many checks are already waiting.
pub async fn verify(password: String, stored: Option<String>) -> Result<bool, AppError> {
    let _turn = turn().await?;
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
