//! Slowing down password guessing. Failures are counted per login and per client address in a
//! sliding window; past a free allowance each further failure doubles the wait.

use std::net::IpAddr;

use sqlx::types::ipnetwork::IpNetwork;
use sqlx::PgPool;

use crate::error::AppError;

pub struct Policy {
    pub window_secs: i64,
    pub free_per_login: i64,
    pub free_per_address: i64,
    pub base_wait_secs: i64,
    pub max_wait_secs: i64,
}

/// Five wrong passwords for one login (or twenty from one address, which may be a shared office
/// gateway) within 15 minutes cost 30 s, then 60 s, 120 s ... up to 15 minutes.
pub const POLICY: Policy = Policy {
    window_secs: 15 * 60,
    free_per_login: 5,
    free_per_address: 20,
    base_wait_secs: 30,
    max_wait_secs: 15 * 60,
};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Failures {
    pub count: i64,
    pub secs_since_last: i64,
}

impl Policy {
    /// Seconds still to wait before another attempt, if any.
    pub fn wait(&self, failures: Failures, free: i64) -> Option<u64> {
        let over = u32::try_from(failures.count - free).ok()?;
        let wait = self
            .base_wait_secs
            .saturating_mul(1_i64 << over.min(20))
            .min(self.max_wait_secs);
        let remaining = wait - failures.secs_since_last;
        u64::try_from(remaining).ok().filter(|secs| *secs > 0)
    }

    /// The longer of the per-login and per-address waits.
    pub fn wait_for(&self, by_login: Failures, by_address: Failures) -> Option<u64> {
        self.wait(by_login, self.free_per_login)
            .max(self.wait(by_address, self.free_per_address))
    }
}

async fn failures_where(
    pool: &PgPool,
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
    .fetch_one(pool)
    .await?;
    Ok(Failures {
        count: row.count,
        secs_since_last: row.secs,
    })
}

/// Seconds to wait before `login` (lower-cased) may try again from `address`, if any.
pub async fn wait_before_attempt(
    pool: &PgPool,
    login: &str,
    address: Option<IpAddr>,
) -> Result<Option<u64>, AppError> {
    let by_login = failures_where(pool, Some(login), None).await?;
    let by_address = match address {
        Some(ip) => failures_where(pool, None, Some(IpNetwork::from(ip))).await?,
        None => Failures::default(),
    };
    Ok(POLICY.wait_for(by_login, by_address))
}

pub async fn record_failure(
    pool: &PgPool,
    login: &str,
    address: Option<IpAddr>,
) -> Result<(), AppError> {
    let address = address.map(IpNetwork::from);
    sqlx::query!(
        "INSERT INTO sign_in_failures (login, client_ip) VALUES ($1, $2)",
        login,
        address
    )
    .execute(pool)
    .await?;
    // Rows past the window no longer count; dropping them here keeps the table small.
    sqlx::query!("DELETE FROM sign_in_failures WHERE failed_at < now() - interval '1 day'")
        .execute(pool)
        .await?;
    Ok(())
}

/// A successful sign-in forgives the login's failures (not the address's).
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
        assert_eq!(POLICY.wait(failures(4, 0), 5), None);
    }

    #[test]
    fn wait_doubles_past_the_allowance_and_is_capped() {
        assert_eq!(POLICY.wait(failures(5, 0), 5), Some(30));
        assert_eq!(POLICY.wait(failures(6, 0), 5), Some(60));
        assert_eq!(POLICY.wait(failures(7, 10), 5), Some(110));
        assert_eq!(POLICY.wait(failures(60, 0), 5), Some(900));
    }

    #[test]
    fn wait_runs_out() {
        assert_eq!(POLICY.wait(failures(5, 30), 5), None);
    }

    #[test]
    fn the_longer_wait_wins() {
        assert_eq!(POLICY.wait_for(failures(5, 0), failures(22, 0)), Some(120));
        assert_eq!(POLICY.wait_for(failures(1, 0), failures(3, 0)), None);
    }
}
