//! Images in help articles (screenshots, flowcharts). Writers upload them from the editor
//! (`POST /api/kb/images`) through the screenshots' pipeline: decoded by content, shrunk to
//! 1600 px, re-encoded without metadata. Readers fetch one at `/help/images/{id}` only while a
//! live article shows it; the images of drafts stay with the team.

use uuid::Uuid;

/// Where readers fetch an article image; the Markdown a writer inserts points here.
pub const IMAGE_PATH: &str = "/help/images/";

pub fn image_url(id: Uuid) -> String {
    format!("{IMAGE_PATH}{id}")
}

/// The images a Markdown body points at, each once, in order of appearance.
pub fn images_in(body: &str) -> Vec<Uuid> {
    let mut found: Vec<Uuid> = Vec::new();
    for (at, _) in body.match_indices(IMAGE_PATH) {
        let rest = &body[at + IMAGE_PATH.len()..];
        let Some(candidate) = rest.get(..36) else {
            continue;
        };
        if let Ok(id) = Uuid::parse_str(candidate) {
            if !found.contains(&id) {
                found.push(id);
            }
        }
    }
    found
}

#[cfg(feature = "ssr")]
pub use server::{record_uses, routes};

#[cfg(feature = "ssr")]
mod server {
    use axum::extract::{FromRef, Multipart, Path, State};
    use axum::http::{header, Method, StatusCode};
    use axum::response::{IntoResponse, Response};
    use axum::routing::{get, post};
    use axum::Json;
    use sqlx::{PgConnection, PgPool};
    use uuid::Uuid;

    use super::images_in;
    use crate::attachments::http::{dimension, read_upload, reencoded, upload_body_limit};
    use crate::attachments::media::Media;
    use crate::attachments::Uploaded;
    use crate::auth::Action;
    use crate::error::AppError;
    use crate::rest::{Caller, RestError, Routes};

    pub fn routes<S>() -> Routes<S>
    where
        S: Clone + Send + Sync + 'static,
        PgPool: FromRef<S>,
        Media: FromRef<S>,
    {
        Routes::new()
            .route(
                Method::POST,
                "/api/kb/images",
                post(upload).layer(upload_body_limit()),
            )
            .route(Method::GET, "/help/images/{id}", get(image))
    }

    /// `POST /api/kb/images`, multipart with `client_id` and `file`; a repeated client id
    /// answers the image stored the first time.
    async fn upload(
        State(pool): State<PgPool>,
        State(media): State<Media>,
        caller: Caller,
        multipart: Multipart,
    ) -> Result<(StatusCode, Json<Uploaded>), RestError> {
        let user = caller.may(Action::WriteArticles)?;
        let upload = read_upload(multipart).await?;
        if let Some(existing) = find_upload(&pool, user.id, upload.client_id).await? {
            return Ok((StatusCode::OK, Json(existing)));
        }
        crate::limits::store::spend(&pool, user.id, crate::limits::Write::Upload).await?;
        let processed = reencoded(upload.file).await?;
        let id = Uuid::new_v4();
        let object_key = format!("help-images/{id}.jpg");
        let byte_size = dimension(u32::try_from(processed.full.len()).unwrap_or(u32::MAX));
        media.put(&object_key, processed.full).await?;
        let new = NewImage {
            id,
            client_id: upload.client_id,
            uploader_id: user.id,
            width: dimension(processed.width),
            height: dimension(processed.height),
            byte_size,
            object_key,
        };
        insert(&pool, &new).await?;
        // A concurrent twin may have stored the first; answer that one, and drop our copy,
        // which no row names.
        let stored = find_upload(&pool, user.id, upload.client_id)
            .await?
            .ok_or(AppError::Internal)?;
        if stored.id != new.id {
            media.delete(&new.object_key).await?;
        }
        Ok((StatusCode::CREATED, Json(stored)))
    }

    struct NewImage {
        id: Uuid,
        client_id: Uuid,
        uploader_id: i64,
        width: i32,
        height: i32,
        byte_size: i32,
        object_key: String,
    }

    /// A concurrent twin with the same client id keeps the first row.
    async fn insert(pool: &PgPool, new: &NewImage) -> Result<(), AppError> {
        sqlx::query!(
            r#"INSERT INTO help_images
                   (id, client_id, uploader_id, width, height, byte_size, object_key)
               VALUES ($1, $2, $3, $4, $5, $6, $7)
               ON CONFLICT (uploader_id, client_id) DO NOTHING"#,
            new.id,
            new.client_id,
            new.uploader_id,
            new.width,
            new.height,
            new.byte_size,
            new.object_key
        )
        .execute(pool)
        .await?;
        Ok(())
    }

    struct Stored {
        object_key: String,
        /// A live article that is not archived shows it.
        live: bool,
    }

    async fn stored(pool: &PgPool, id: Uuid) -> Result<Option<Stored>, AppError> {
        Ok(sqlx::query_as!(
            Stored,
            r#"SELECT i.object_key,
                      EXISTS (SELECT 1 FROM help_image_uses u
                              JOIN help_articles a
                                ON a.id = u.article_id AND a.live_version = u.version
                              WHERE u.image_id = i.id AND a.state <> 'archived') AS "live!"
               FROM help_images i WHERE i.id = $1"#,
            id
        )
        .fetch_optional(pool)
        .await?)
    }

    async fn find_upload(
        pool: &PgPool,
        uploader_id: i64,
        client_id: Uuid,
    ) -> Result<Option<Uploaded>, AppError> {
        Ok(sqlx::query_as!(
            Uploaded,
            r#"SELECT id, width, height, byte_size AS bytes FROM help_images
               WHERE uploader_id = $1 AND client_id = $2"#,
            uploader_id,
            client_id
        )
        .fetch_optional(pool)
        .await?)
    }

    /// `GET /help/images/{id}`: to anyone while a live article shows it (browsers may keep it
    /// an hour), to writers and reviewers always (kept by no browser), else "not found".
    async fn image(
        State(pool): State<PgPool>,
        State(media): State<Media>,
        caller: Caller,
        Path(id): Path<Uuid>,
    ) -> Result<Response, RestError> {
        let found = stored(&pool, id).await?.ok_or(AppError::NotFound)?;
        let team = caller
            .may_any(&[Action::WriteArticles, Action::PublishArticles])
            .is_ok();
        let cache = match (found.live, team) {
            (true, _) => "public, max-age=3600",
            (false, true) => "private, no-store",
            (false, false) => return Err(AppError::NotFound.into()),
        };
        let bytes = media.get(&found.object_key).await?;
        Ok((
            [
                (header::CONTENT_TYPE, "image/jpeg"),
                (header::CACHE_CONTROL, cache),
            ],
            bytes,
        )
            .into_response())
    }

    /// Records the images a newly published version shows (ids of no uploaded image are
    /// left out: they show nothing).
    pub async fn record_uses(
        conn: &mut PgConnection,
        article_id: i64,
        version: i32,
        body: &str,
    ) -> Result<(), AppError> {
        let ids = images_in(body);
        if ids.is_empty() {
            return Ok(());
        }
        sqlx::query!(
            r#"INSERT INTO help_image_uses (article_id, version, image_id)
               SELECT $1, $2, i.id FROM help_images i WHERE i.id = ANY($3)
               ON CONFLICT DO NOTHING"#,
            article_id,
            version,
            &ids
        )
        .execute(conn)
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_found_once_each_and_other_links_are_not() {
        let a = Uuid::from_u128(1);
        let b = Uuid::from_u128(2);
        let body = format!(
            "![流程图]({})\n\n[链接](/help/a/x) ![再次]({}) ![图2]({}) /help/images/not-an-id",
            image_url(a),
            image_url(a),
            image_url(b)
        );
        assert_eq!(images_in(&body), vec![a, b]);
        assert!(images_in("/help/images/").is_empty());
    }
}
