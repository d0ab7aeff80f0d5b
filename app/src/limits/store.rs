use sqlx::PgPool;

use super::Write;
use crate::error::AppError;

/// Counts one `write` by `user_id` in the current hour; `RateLimited`, with the seconds until
/// the hour turns, once the allowance is spent. One statement, so parallel writes on any
/// replica cannot all slip under the limit.
pub async fn spend(pool: &PgPool, user_id: i64, write: Write) -> Result<(), AppError> {
    let row = sqlx::query!(
        r#"INSERT INTO write_counts (user_id, kind, window_start, count)
           VALUES ($1, $2, date_trunc('hour', now()), 1)
           ON CONFLICT (user_id, kind, window_start)
           DO UPDATE SET count = write_counts.count + 1
           RETURNING count,
                     CEIL(EXTRACT(EPOCH FROM window_start + interval '1 hour' - now()))::BIGINT
                       AS "retry_after!""#,
        user_id,
        write as Write,
    )
    .fetch_one(pool)
    .await?;
    if row.count > write.per_hour() {
        return Err(AppError::RateLimited {
            retry_after_secs: u64::try_from(row.retry_after).unwrap_or(1).max(1),
        });
    }
    Ok(())
}

/// Drops counts of past hours.
pub async fn forget_past(pool: &PgPool) -> Result<u64, AppError> {
    let gone =
        sqlx::query!("DELETE FROM write_counts WHERE window_start < date_trunc('hour', now())")
            .execute(pool)
            .await?;
    Ok(gone.rows_affected())
}
