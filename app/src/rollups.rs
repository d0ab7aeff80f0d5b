//! Counts kept as incidents change, for the queue (`queue_counts`) and the service report's
//! trend (`report_days`). Statement triggers append what each statement changed, per cell, to
//! a changes table, so writers never wait on a shared counter; this folds the changes into the
//! totals. Readers add totals and unfolded changes, so what they read is exact at their
//! snapshot however long ago the last fold ran.

use sqlx::PgPool;

use crate::error::AppError;

/// Folds both rollups' changes into their totals. One replica at a time (the others skip);
/// each change row is folded by the one transaction that deletes it. Answers how many change
/// rows were folded.
pub async fn fold(pool: &PgPool) -> Result<u64, AppError> {
    let mut tx = pool.begin().await?;
    let mine =
        sqlx::query_scalar!(r#"SELECT pg_try_advisory_xact_lock(hashtext('rollups')) AS "mine!""#)
            .fetch_one(&mut *tx)
            .await?;
    if !mine {
        return Ok(0);
    }
    // Cells in a fixed order, so two folds could never lock totals in opposite orders.
    let queue = sqlx::query_scalar!(
        r#"WITH moved AS (DELETE FROM queue_count_changes RETURNING *),
                summed AS (
                    INSERT INTO queue_counts AS c
                        (status, system_id, category, channel, assignee_id, n)
                    SELECT status, system_id, category, channel, assignee_id, sum(n)
                    FROM moved GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
                    ON CONFLICT (status, system_id, category, channel, assignee_id)
                    DO UPDATE SET n = c.n + EXCLUDED.n)
           SELECT count(*) AS "count!" FROM moved"#
    )
    .fetch_one(&mut *tx)
    .await?;
    let report = sqlx::query_scalar!(
        r#"WITH moved AS (DELETE FROM report_day_changes RETURNING *),
                summed AS (
                    INSERT INTO report_days AS c (day, category, channel, done, timely, n)
                    SELECT day, category, channel, done, timely, sum(n)
                    FROM moved GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
                    ON CONFLICT (day, category, channel, done, timely)
                    DO UPDATE SET n = c.n + EXCLUDED.n)
           SELECT count(*) AS "count!" FROM moved"#
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM queue_counts WHERE n = 0")
        .execute(&mut *tx)
        .await?;
    sqlx::query!("DELETE FROM report_days WHERE n = 0")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((queue + report) as u64)
}
