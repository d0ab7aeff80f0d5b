//! The weekly meeting's list on `/console/kb`: live articles nobody has checked for a month,
//! the ones readers found unhelpful, and what readers searched for without finding anything.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Days after which a live article counts as unreviewed.
pub const REVIEW_EVERY_DAYS: i32 = 30;
/// How far back the "not helpful" answers and the empty searches are read.
pub const FEEDBACK_DAYS: i32 = 30;
pub const MISSED_DAYS: i32 = 7;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Maintenance {
    pub unreviewed: Vec<StaleArticle>,
    pub unhelpful: Vec<UnhelpfulArticle>,
    pub missed: Vec<MissedSearch>,
    pub deflection: Vec<DeflectionBySystem>,
}

/// Reports the help center answered before they were sent, per system (see `deflection`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeflectionBySystem {
    pub system: crate::reference::Named,
    /// Visits to the report form on which the reporter opened a suggested article.
    pub visits: i64,
    /// Of those, the ones followed by a report within a day.
    pub reported: i64,
    pub deflected: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaleArticle {
    pub id: i64,
    pub title: String,
    pub last_reviewed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnhelpfulArticle {
    pub id: i64,
    pub title: String,
    pub not_helpful: i64,
    pub helpful: i64,
    /// The latest comments left with a "no", newest first.
    pub comments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissedSearch {
    pub query: String,
    pub times: i64,
    pub last_at: DateTime<Utc>,
}

#[cfg(feature = "ssr")]
pub mod store {
    use sqlx::PgPool;

    use super::*;
    use crate::auth::CurrentUser;

    const LIST_LENGTH: i64 = 15;
    use crate::error::AppError;

    pub async fn weekly(pool: &PgPool) -> Result<Maintenance, AppError> {
        let unreviewed = sqlx::query_as!(
            StaleArticle,
            r#"SELECT a.id, v.title, a.last_reviewed_at AS "last_reviewed_at: DateTime<Utc>"
               FROM help_articles a
               JOIN help_article_versions v ON v.article_id = a.id AND v.version = a.live_version
               WHERE a.state <> 'archived'
                 AND (a.last_reviewed_at IS NULL
                      OR a.last_reviewed_at < now() - make_interval(days => $1))
               ORDER BY a.last_reviewed_at NULLS FIRST, a.id
               LIMIT $2"#,
            REVIEW_EVERY_DAYS,
            LIST_LENGTH
        )
        .fetch_all(pool)
        .await?;
        let unhelpful = sqlx::query_as!(
            UnhelpfulArticle,
            r#"SELECT a.id, v.title,
                      count(*) FILTER (WHERE NOT f.helpful) AS "not_helpful!",
                      count(*) FILTER (WHERE f.helpful) AS "helpful!",
                      (array_agg(f.comment ORDER BY f.created_at DESC)
                          FILTER (WHERE NOT f.helpful AND f.comment <> ''))[1:3] AS "comments!: Vec<String>"
               FROM help_feedback f
               JOIN help_articles a ON a.id = f.article_id
               JOIN help_article_versions v ON v.article_id = a.id AND v.version = a.live_version
               WHERE f.created_at > now() - make_interval(days => $1) AND a.state <> 'archived'
               GROUP BY a.id, v.title
               HAVING count(*) FILTER (WHERE NOT f.helpful) > 0
               ORDER BY 3 DESC, 4, a.id
               LIMIT $2"#,
            FEEDBACK_DAYS,
            LIST_LENGTH
        )
        .fetch_all(pool)
        .await?;
        let missed = sqlx::query_as!(
            MissedSearch,
            r#"SELECT min(query) AS "query!", count(*) AS "times!",
                      max(searched_at) AS "last_at!: DateTime<Utc>"
               FROM help_search_misses
               WHERE searched_at > now() - make_interval(days => $1)
               GROUP BY lower(query)
               ORDER BY 2 DESC, 3 DESC
               LIMIT $2"#,
            MISSED_DAYS,
            LIST_LENGTH
        )
        .fetch_all(pool)
        .await?;
        Ok(Maintenance {
            unreviewed,
            unhelpful,
            missed,
            deflection: super::super::deflection::by_system(pool).await?,
        })
    }

    /// A reviewer read the live text again and it still holds.
    pub async fn confirm_reviewed(
        pool: &PgPool,
        user: &CurrentUser,
        id: i64,
    ) -> Result<(), AppError> {
        let confirmed = sqlx::query!(
            "UPDATE help_articles SET reviewer_id = $2, last_reviewed_at = now()
             WHERE id = $1 AND live_version IS NOT NULL AND state <> 'archived'",
            id,
            user.id
        )
        .execute(pool)
        .await?;
        if confirmed.rows_affected() == 0 {
            return Err(AppError::NotFound);
        }
        Ok(())
    }

    /// Pinned live articles lead the hot questions.
    pub async fn pin(pool: &PgPool, id: i64, pinned: bool) -> Result<(), AppError> {
        let mut tx = pool.begin().await?;
        let changed = sqlx::query!(
            "UPDATE help_articles SET pinned = $2 WHERE id = $1 AND state <> 'archived'",
            id,
            pinned
        )
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() == 0 {
            return Err(AppError::NotFound);
        }
        super::super::cache::announce_change(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}
