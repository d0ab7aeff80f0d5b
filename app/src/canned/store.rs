use sqlx::PgPool;

use super::{CannedReply, MAX_BODY_CHARS, MAX_TITLE_CHARS};
use crate::auth::CurrentUser;
use crate::checks::required_within;
use crate::error::{AppError, Problem};

fn check(title: &str, body: &str) -> Result<(), AppError> {
    required_within(title, MAX_TITLE_CHARS)
        .map_err(|problem| AppError::invalid("canned_title", problem))?;
    required_within(body, MAX_BODY_CHARS)
        .map_err(|problem| AppError::invalid("canned_body", problem))
}

/// Two live replies may not share a title: the picker lists them by title.
fn duplicate_title(error: sqlx::Error) -> AppError {
    match &error {
        sqlx::Error::Database(db) if db.constraint() == Some("canned_replies_title_key") => {
            AppError::invalid("canned_title", Problem::Duplicate)
        }
        _ => error.into(),
    }
}

pub async fn list(pool: &PgPool) -> Result<Vec<CannedReply>, AppError> {
    let rows = sqlx::query_as!(
        CannedReply,
        "SELECT c.id, c.title, c.body, u.display_name AS updated_by
         FROM canned_replies c JOIN users u ON u.id = c.updated_by
         WHERE NOT c.retired ORDER BY c.title"
    )
    .fetch_all(pool)
    .await?;
    Ok(rows)
}

/// Adds a reply (`id` None) or rewrites one.
pub async fn save(
    pool: &PgPool,
    user: &CurrentUser,
    id: Option<i64>,
    title: &str,
    body: &str,
) -> Result<i64, AppError> {
    let (title, body) = (title.trim(), body.trim());
    check(title, body)?;
    let saved = match id {
        None => sqlx::query_scalar!(
            "INSERT INTO canned_replies (title, body, updated_by) VALUES ($1, $2, $3) RETURNING id",
            title,
            body,
            user.id
        )
        .fetch_one(pool)
        .await
        .map_err(duplicate_title)?,
        Some(id) => sqlx::query_scalar!(
            "UPDATE canned_replies SET title = $2, body = $3, updated_by = $4, updated_at = now()
             WHERE id = $1 AND NOT retired RETURNING id",
            id,
            title,
            body,
            user.id
        )
        .fetch_optional(pool)
        .await
        .map_err(duplicate_title)?
        .ok_or(AppError::NotFound)?,
    };
    Ok(saved)
}

/// Takes a reply out of the picker; the row stays.
pub async fn retire(pool: &PgPool, user: &CurrentUser, id: i64) -> Result<(), AppError> {
    let done = sqlx::query!(
        "UPDATE canned_replies SET retired = TRUE, updated_by = $2, updated_at = now()
         WHERE id = $1 AND NOT retired",
        id,
        user.id
    )
    .execute(pool)
    .await?
    .rows_affected();
    if done == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}
