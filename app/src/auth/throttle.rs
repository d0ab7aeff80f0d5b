//! Slowing down password guessing. Failures are counted per login and per client address in a
//! sliding window. Past a free allowance a login must wait, each further failure doubling the
//! wait; an address past its allowance only slows down (an office gateway may carry many
//! colleagues who sign in correctly). Every attempt is counted before its password is checked,
//! one attempt of a login at a time, so parallel guesses cannot slip past the count.

use std::net::IpAddr;
use std::time::Duration;

use sqlx::types::ipnetwork::IpNetwork;
use sqlx::{PgExecutor, PgPool};

use crate::error::AppError;

pub struct Policy {
    pub window_secs: i64,
    pub free_per_login: i64,
    pub free_per_address: i64,
    pub base_wait_secs: i64,
    pub max_wait_secs: i64,
    pub address_base_delay_ms: u64,
    pub address_max_delay_ms: u64,
}

/// Five wrong passwords for one login within 15 minutes cost 30 s, then 60 s, 120 s ... up to
/// 15 minutes. Past twenty failures from one address, each attempt from there waits 250 ms,
/// then 500 ms ... up to 4 s before its password is checked.
pub const POLICY: Policy = Policy {
    window_secs: 15 * 60,
    free_per_login: 5,
    free_per_address: 20,
    base_wait_secs: 30,
    max_wait_secs: 15 * 60,
    address_base_delay_ms: 250,
    address_max_delay_ms: 4_000,
};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failures {
    pub count: i64,
    pub secs_since_last: i64,
}

impl Policy {
    /// Seconds a login with `failures` still waits before another attempt, if any.
    pub fn wait(&self, failures: Failures) -> Option<u64> {
        let over = u32::try_from(failures.count - self.free_per_login).ok()?;
        let wait = self
            .base_wait_secs
            .saturating_mul(1_i64 << over.min(20))
            .min(self.max_wait_secs);
        let remaining = wait - failures.secs_since_last;
        u64::try_from(remaining).ok().filter(|secs| *secs > 0)
    }

    /// How long an attempt from an address with `failures` in the window is held back.
    pub fn address_delay(&self, failures: i64) -> Duration {
        // The count includes the attempt being made.
        let Ok(over) = u32::try_from(failures - self.free_per_address - 1) else {
            return Duration::ZERO;
        };
        let millis = self
            .address_base_delay_ms
            .saturating_mul(1_u64 << over.min(20))
            .min(self.address_max_delay_ms);
        Duration::from_millis(millis)
    }
}

async fn failures_where(
    db: impl PgExecutor<'_>,
    login: Option<&str>,
    address: Option<IpNetwork>,
) -> Result<Failures, AppError> {
    let row = sqlx::query!(
        r#"SELECT count(*) AS "count!",
                  COALESCE(EXTRACT(EPOCH FROM now() - max(failed_at))::BIGINT, 0) AS "secs!"
           FROM sign_in_failures
           WHERE failed_at > now() - make_interval(secs => $3)
             AND ($1::TEXT IS NULL OR login = $1)
             AND ($2::INET IS NULL OR client_ip = $2)"#,
        login,
        address,
        POLICY.window_secs as f64,
    )
    .fetch_one(db)
    .await?;
    Ok(Failures {
        count: row.count,
        secs_since_last: row.secs,
    })
}

/// An attempt, counted as a failure until it succeeds; `delay` is how long to hold it back.
pub struct Attempt {
    id: i64,
    pub delay: Duration,
}

/// Lets `login` (lower-cased) try from `address` and counts the attempt, or answers how long the
/// login must wait. Attempts of one login pass here one at a time (a transaction-scoped advisory
/// lock), so of many parallel guesses only the allowance gets its password checked.
pub async fn begin_attempt(
    pool: &PgPool,
    login: &str,
    address: Option<IpAddr>,
) -> Result<Attempt, AppError> {
    let address = address.map(IpNetwork::from);
    let mut tx = pool.begin().await?;
    // Unchecked: the lock function returns `void`, which the query macros cannot describe.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))")
        .bind(login)
        .execute(&mut *tx)
        .await?;
    if let Some(retry_after_secs) = POLICY.wait(failures_where(&mut *tx, Some(login), None).await?)
    {
        return Err(AppError::Throttled { retry_after_secs });
    }
    let id = sqlx::query_scalar!(
        "INSERT INTO sign_in_failures (login, client_ip) VALUES ($1, $2) RETURNING id",
        login,
        address
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    let from_address = match address {
        Some(address) => failures_where(pool, None, Some(address)).await?.count,
        None => 0,
    };
    Ok(Attempt {
        id,
        delay: POLICY.address_delay(from_address),
    })
}

/// Drops failures past any window (the hourly clean-up), keeping the table small without
/// costing each sign-in a delete.
pub async fn forget_old(pool: &PgPool) -> Result<u64, AppError> {
    let gone =
        sqlx::query!("DELETE FROM sign_in_failures WHERE failed_at < now() - interval '1 day'")
            .execute(pool)
            .await?;
    Ok(gone.rows_affected())
}

/// Uncounts an attempt whose password was never checked (the server was too busy to).
pub async fn cancel_attempt(pool: &PgPool, attempt: Attempt) -> Result<(), AppError> {
    sqlx::query!("DELETE FROM sign_in_failures WHERE id = $1", attempt.id)
        .execute(pool)
        .await?;
    Ok(())
}

/// A successful sign-in forgives the login's failures, its own attempt included (not the
/// address's).
pub async fn clear_failures(pool: &PgPool, login: &str) -> Result<(), AppError> {
    sqlx::query!("DELETE FROM sign_in_failures WHERE login = $1", login)
        .execute(pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failures(count: i64, secs_since_last: i64) -> Failures {
        Failures {
            count,
            secs_since_last,
        }
    }

    #[test]
    fn free_attempts_cost_nothing() {
        assert_eq!(POLICY.wait(failures(4, 0)), None);
        assert_eq!(POLICY.address_delay(20), Duration::ZERO);
    }

    #[test]
    fn wait_doubles_past_the_allowance_and_is_capped() {
        assert_eq!(POLICY.wait(failures(5, 0)), Some(30));
        assert_eq!(POLICY.wait(failures(6, 0)), Some(60));
        assert_eq!(POLICY.wait(failures(7, 10)), Some(110));
        assert_eq!(POLICY.wait(failures(60, 0)), Some(900));
    }

    #[test]
    fn wait_runs_out() {
        assert_eq!(POLICY.wait(failures(5, 30)), None);
    }

    #[test]
    fn a_busy_address_is_slowed_never_refused() {
        assert_eq!(POLICY.address_delay(21), Duration::from_millis(250));
        assert_eq!(POLICY.address_delay(22), Duration::from_millis(500));
        assert_eq!(POLICY.address_delay(500), Duration::from_secs(4));
    }
}
