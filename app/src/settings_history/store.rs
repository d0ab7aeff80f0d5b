use sqlx::{PgConnection, PgPool};

use super::{ChangeKind, SettingsChange, Subject};
use crate::auth::CurrentUser;
use crate::error::AppError;

/// Names the user behind a removal in this transaction: the history trigger refuses a
/// removal without one (inserts and updates carry `updated_by` in the row).
pub async fn act_as(conn: &mut PgConnection, user: &CurrentUser) -> Result<(), AppError> {
    sqlx::query!(
        "SELECT set_config('desk.actor', $1, true)",
        user.id.to_string()
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

pub async fn recent(
    pool: &PgPool,
    subject: Subject,
    limit: i64,
) -> Result<Vec<SettingsChange>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT h.subject, h.change, h.before, h.after, u.display_name AS "changed_by?",
                  h.changed_at AS "changed_at: chrono::DateTime<chrono::Utc>"
           FROM settings_history h LEFT JOIN users u ON u.id = h.changed_by
           WHERE h.subject = ANY($1)
           ORDER BY h.changed_at DESC, h.id DESC LIMIT $2"#,
        subject.tables() as &[&str],
        limit
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| SettingsChange {
            table: r.subject,
            change: match r.change.as_str() {
                "insert" => ChangeKind::Insert,
                "delete" => ChangeKind::Delete,
                _ => ChangeKind::Update,
            },
            before: r.before,
            after: r.after,
            changed_by: r.changed_by,
            changed_at: r.changed_at,
        })
        .collect())
}
