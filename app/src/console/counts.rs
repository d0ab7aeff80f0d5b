//! The queue's per-status counts read from the rollup that incidents keep as they change
//! (migration 20261207000001), so the first page does not count a million rows. Filters on
//! the rollup's cells (status, system, category, channel, assignee) read it; any other filter
//! counts the matching incidents themselves.

use sqlx::{PgPool, Postgres, QueryBuilder};

use super::{AssigneeFilter, QueueFilter};
use crate::auth::CurrentUser;
use crate::error::AppError;

/// Whether the rollup's cells answer this filter's counts.
pub fn answer(filter: &QueueFilter) -> bool {
    filter.module.is_none()
        && filter.subcategory.is_empty()
        && filter.severity.is_none()
        && filter.reporter.trim().is_empty()
        && filter.from.is_empty()
        && filter.to.is_empty()
        && !filter.overdue
        && filter.search.trim().is_empty()
}

/// `SELECT status, count` over the folded counts and the changes not folded yet; the status
/// filter is left out, as the counts describe the rest of the filter.
pub fn query<'a>(viewer: &CurrentUser, filter: &'a QueueFilter) -> QueryBuilder<'a, Postgres> {
    let mut q = QueryBuilder::new(
        "SELECT c.status, sum(c.n)::BIGINT FROM
           (SELECT status, system_id, category, channel, assignee_id, n FROM queue_counts
            UNION ALL
            SELECT status, system_id, category, channel, assignee_id, n FROM queue_count_changes) c
         WHERE TRUE",
    );
    if let Some(system) = &filter.system {
        q.push(" AND c.system_id = (SELECT id FROM systems WHERE code = ")
            .push_bind(system.clone())
            .push(")");
    }
    if let Some(category) = filter.category {
        q.push(" AND c.category = ").push_bind(category);
    }
    if filter.unclassified {
        q.push(" AND c.category IS NULL");
    }
    if filter.done {
        q.push(" AND c.status IN ('resolved', 'closed')");
    }
    if let Some(channel) = filter.channel {
        q.push(" AND c.channel = ").push_bind(channel);
    }
    match filter.assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Me => {
            q.push(" AND c.assignee_id = ").push_bind(viewer.id);
        }
        AssigneeFilter::Unassigned => {
            q.push(" AND c.assignee_id IS NULL");
        }
    }
    q.push(" GROUP BY c.status HAVING sum(c.n) <> 0");
    q
}

/// Folds the changes into the counts; one replica at a time (the others skip), each change
/// row folded by the one transaction that deletes it. Answers how many changes were folded.
pub async fn fold(pool: &PgPool) -> Result<u64, AppError> {
    let mut tx = pool.begin().await?;
    let mine = sqlx::query_scalar!(
        r#"SELECT pg_try_advisory_xact_lock(hashtext('queue_counts')) AS "mine!""#
    )
    .fetch_one(&mut *tx)
    .await?;
    if !mine {
        return Ok(0);
    }
    let folded = sqlx::query_scalar!(
        r#"WITH moved AS (DELETE FROM queue_count_changes RETURNING *),
                summed AS (
                    INSERT INTO queue_counts AS c (status, system_id, category, channel, assignee_id, n)
                    SELECT status, system_id, category, channel, assignee_id, sum(n)
                    FROM moved GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
                    ON CONFLICT (status, system_id, category, channel, assignee_id)
                    DO UPDATE SET n = c.n + EXCLUDED.n)
           SELECT count(*) AS "count!" FROM moved"#
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!("DELETE FROM queue_counts WHERE n = 0")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(folded as u64)
}
