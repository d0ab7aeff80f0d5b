//! Attachment rows. An upload belongs to its uploader until a report or message takes it.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::media::Media;
use super::{AttachmentRef, Uploaded};
use crate::error::{AppError, Problem};
use crate::incidents::IncidentId;
use crate::incidents::MAX_IMAGES;

/// How long an upload waits for a report or message to take it.
pub const UNATTACHED_KEPT_HOURS: i32 = 24;

pub struct NewAttachment {
    pub id: Uuid,
    pub client_id: Uuid,
    pub uploader_id: i64,
    pub width: i32,
    pub height: i32,
    pub byte_size: i32,
    pub object_key: String,
    pub thumb_key: String,
}

/// The upload made earlier with this client id, if the same person made it.
pub async fn find_by_client_id(
    pool: &PgPool,
    uploader_id: i64,
    client_id: Uuid,
) -> Result<Option<Uploaded>, AppError> {
    let row = sqlx::query!(
        "SELECT id, uploader_id, width, height, byte_size FROM attachments WHERE client_id = $1",
        client_id
    )
    .fetch_optional(pool)
    .await?;
    match row {
        Some(row) if row.uploader_id == uploader_id => Ok(Some(Uploaded {
            id: row.id,
            width: row.width,
            height: row.height,
            bytes: row.byte_size,
        })),
        Some(_) => Err(AppError::Conflict),
        None => Ok(None),
    }
}

/// Records an upload; a concurrent twin with the same client id keeps the first row.
pub async fn insert(pool: &PgPool, new: &NewAttachment) -> Result<Uploaded, AppError> {
    sqlx::query!(
        r#"INSERT INTO attachments (id, client_id, uploader_id, content_type, width, height,
                                    byte_size, object_key, thumb_key)
           VALUES ($1, $2, $3, 'image/jpeg', $4, $5, $6, $7, $8)
           ON CONFLICT (client_id) DO NOTHING"#,
        new.id,
        new.client_id,
        new.uploader_id,
        new.width,
        new.height,
        new.byte_size,
        new.object_key,
        new.thumb_key
    )
    .execute(pool)
    .await?;
    find_by_client_id(pool, new.uploader_id, new.client_id)
        .await?
        .ok_or(AppError::Internal)
}

/// Gives the uploader's free uploads to an incident (and a message). Anything not theirs, or
/// already taken, refuses the whole request.
pub async fn link(
    conn: &mut PgConnection,
    uploader_id: i64,
    incident_id: IncidentId,
    message_id: Option<i64>,
    ids: &[Uuid],
) -> Result<(), AppError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    if ids.len() > MAX_IMAGES as usize {
        return Err(AppError::invalid(
            "attachments",
            Problem::TooMany { max: MAX_IMAGES },
        ));
    }
    let linked = sqlx::query!(
        "UPDATE attachments SET incident_id = $1, message_id = $2
         WHERE id = ANY($3) AND uploader_id = $4 AND incident_id IS NULL",
        incident_id.0,
        message_id,
        &ids,
        uploader_id
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if linked as usize == ids.len() {
        return Ok(());
    }
    let existing = sqlx::query_scalar!("SELECT id FROM attachments WHERE id = ANY($1)", &ids)
        .fetch_all(&mut *conn)
        .await?;
    let gone: Vec<Uuid> = ids
        .into_iter()
        .filter(|id| !existing.contains(id))
        .collect();
    if gone.is_empty() {
        Err(AppError::invalid("attachments", Problem::UnknownChoice))
    } else {
        Err(AppError::AttachmentsGone { ids: gone })
    }
}

/// Uploads that no report or message took within `UNATTACHED_KEPT_HOURS`: the phone uploads
/// just before it files, so these were abandoned (or will be uploaded again, see
/// `AppError::AttachmentsGone`). Deletes their files, then their rows, a batch at a time;
/// answers how many went. Any replica may run it: rows are taken with `SKIP LOCKED`.
pub async fn delete_unattached(pool: &PgPool, media: &Media) -> Result<u64, AppError> {
    let mut deleted = 0;
    loop {
        let mut tx = pool.begin().await?;
        let rows = sqlx::query!(
            "SELECT id, object_key, thumb_key FROM attachments
             WHERE incident_id IS NULL
               AND created_at < now() - make_interval(hours => $1)
             ORDER BY created_at LIMIT 200 FOR UPDATE SKIP LOCKED",
            UNATTACHED_KEPT_HOURS
        )
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            return Ok(deleted);
        }
        for row in &rows {
            media.delete(&row.object_key).await?;
            media.delete(&row.thumb_key).await?;
        }
        let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
        deleted += sqlx::query!("DELETE FROM attachments WHERE id = ANY($1)", &ids)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
    }
}

/// An incident's images with the message each belongs to (`None`: the report itself).
/// Images of internal notes only when `with_internal`.
pub async fn for_incident(
    pool: &PgPool,
    incident_id: IncidentId,
    with_internal: bool,
) -> Result<Vec<(Option<i64>, AttachmentRef)>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT a.id, a.message_id, a.width, a.height
           FROM attachments a LEFT JOIN incident_messages m ON m.id = a.message_id
           WHERE a.incident_id = $1 AND (m.id IS NULL OR NOT m.internal OR $2)
           ORDER BY a.created_at, a.id"#,
        incident_id.0,
        with_internal
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.message_id,
                AttachmentRef {
                    id: r.id,
                    width: r.width,
                    height: r.height,
                },
            )
        })
        .collect())
}

/// Where an attachment's bytes are and who may see them.
pub struct Stored {
    pub object_key: String,
    pub thumb_key: String,
    pub uploader_id: i64,
    pub reporter_id: Option<i64>,
    pub internal: bool,
}

pub async fn find_stored(pool: &PgPool, id: Uuid) -> Result<Option<Stored>, AppError> {
    let row = sqlx::query!(
        r#"SELECT a.object_key, a.thumb_key, a.uploader_id,
                  i.reporter_id AS "reporter_id?", coalesce(m.internal, false) AS "internal!"
           FROM attachments a
           LEFT JOIN incidents i ON i.id = a.incident_id
           LEFT JOIN incident_messages m ON m.id = a.message_id
           WHERE a.id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Stored {
        object_key: r.object_key,
        thumb_key: r.thumb_key,
        uploader_id: r.uploader_id,
        reporter_id: r.reporter_id,
        internal: r.internal,
    }))
}
