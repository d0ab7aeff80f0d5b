//! Reports the help center answered before they were sent: articles suggested on `/m/new`,
//! opened by the reporter, and not followed by a report of theirs within a day.

use sqlx::PgPool;

use super::maintenance::DeflectionBySystem;
use crate::error::AppError;
use crate::reference::Named;

/// How long after opening a suggestion a report still counts as sent after all.
const FOLLOW_UP_HOURS: i32 = 24;
/// The window the knowledge base's figures cover.
pub const FIGURES_DAYS: i32 = 30;

/// A reporter opened a suggested live article while writing a report for `system` (the
/// article's own system when none was chosen yet).
pub async fn record_open(
    pool: &PgPool,
    reporter_id: i64,
    slug: &str,
    system: Option<&str>,
) -> Result<(), AppError> {
    let recorded = sqlx::query!(
        "INSERT INTO help_suggestion_opens (reporter_id, article_id, system_id)
         SELECT $1, a.id, COALESCE((SELECT id FROM systems WHERE code = $3), a.system_id)
         FROM help_articles a
         WHERE a.slug = $2 AND a.live_version IS NOT NULL AND a.state <> 'archived'",
        reporter_id,
        slug,
        system
    )
    .execute(pool)
    .await?;
    if recorded.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The reporter sent a report after all: the suggestions they opened in the day before did not
/// answer it.
pub async fn followed_by_report(
    conn: &mut sqlx::PgConnection,
    reporter_id: i64,
    incident_id: i64,
) -> Result<(), AppError> {
    sqlx::query!(
        "UPDATE help_suggestion_opens SET incident_id = $2
         WHERE reporter_id = $1 AND incident_id IS NULL
           AND opened_at > now() - make_interval(hours => $3)",
        reporter_id,
        incident_id,
        FOLLOW_UP_HOURS
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Per system over the last days: visits to the form that opened suggestions (a reporter's
/// opens within one hour are one visit), how many of those still sent a report, and how many
/// did not (deflected).
pub async fn by_system(pool: &PgPool) -> Result<Vec<DeflectionBySystem>, AppError> {
    let rows = sqlx::query!(
        r#"WITH visits AS (
               SELECT system_id, reporter_id, date_trunc('hour', opened_at) AS hour,
                      bool_or(incident_id IS NOT NULL) AS reported
               FROM help_suggestion_opens
               WHERE opened_at > now() - make_interval(days => $1)
               GROUP BY 1, 2, 3)
           SELECT s.code, s.name_zh, s.name_en, count(*) AS "visits!",
                  count(*) FILTER (WHERE reported) AS "reported!"
           FROM visits v JOIN systems s ON s.id = v.system_id
           GROUP BY s.id
           ORDER BY count(*) FILTER (WHERE NOT reported) DESC, s.id"#,
        FIGURES_DAYS
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| DeflectionBySystem {
            system: Named {
                code: row.code,
                name_zh: row.name_zh,
                name_en: row.name_en,
            },
            visits: row.visits,
            reported: row.reported,
            deflected: row.visits - row.reported,
        })
        .collect())
}
