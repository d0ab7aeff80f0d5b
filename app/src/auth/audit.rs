//! The authentication audit: every sign-in, sign-out, refused and held-back attempt, with the
//! login tried and the client address, kept for a configurable time.

use std::net::IpAddr;

use sqlx::types::ipnetwork::IpNetwork;
use sqlx::PgPool;

use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::Type)]
#[sqlx(type_name = "text", rename_all = "snake_case")]
pub enum AuthEvent {
    SignedIn,
    SignedOut,
    /// A wrong password, or a login that does not exist.
    Failed,
    /// Refused unchecked: the login must wait after too many failures.
    Throttled,
    /// Refused unchecked: too many passwords were being checked at once.
    Busy,
}

/// Kept this many days unless configured otherwise (`AUTH_AUDIT_DAYS`).
pub const DEFAULT_RETENTION_DAYS: u32 = 180;

pub async fn record(
    pool: &PgPool,
    kind: AuthEvent,
    login: &str,
    user_id: Option<i64>,
    address: Option<IpAddr>,
) -> Result<(), AppError> {
    sqlx::query!(
        "INSERT INTO auth_events (kind, login, user_id, client_ip) VALUES ($1, $2, $3, $4)",
        kind as AuthEvent,
        login,
        user_id,
        address.map(IpNetwork::from),
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Deletes what is older than `days`; answers how many events went.
pub async fn forget_older_than(pool: &PgPool, days: u32) -> Result<u64, AppError> {
    let gone = sqlx::query!(
        "DELETE FROM auth_events WHERE at < now() - make_interval(days => $1)",
        i32::try_from(days).unwrap_or(i32::MAX),
    )
    .execute(pool)
    .await?;
    Ok(gone.rows_affected())
}
