//! Upload and download of images.

use axum::extract::{DefaultBodyLimit, FromRef, Multipart, Path, State};
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Json;
use sqlx::PgPool;
use uuid::Uuid;

use super::media::Media;
use super::{image, store, Uploaded, MAX_UPLOAD_MB};
use crate::auth::Action;
use crate::error::{AppError, Problem};
use crate::rest::{Caller, RestError, Routes};

/// Image decodes: one per core at a time (each may take 100 MB), 8 more waiting, the rest told
/// to retry in a few seconds (the outbox does).
static DECODING: std::sync::LazyLock<crate::gate::Gate> =
    std::sync::LazyLock::new(|| crate::gate::Gate::per_core(8, 5));

/// Upload (with room for a phone photo; axum's extractors answer 413 past it) and download.
pub fn routes<S>() -> Routes<S>
where
    S: Clone + Send + Sync + 'static,
    PgPool: FromRef<S>,
    Media: FromRef<S>,
{
    Routes::new()
        .route(
            Method::POST,
            "/api/m/uploads",
            post(upload).layer(upload_body_limit()),
        )
        .route(Method::GET, "/api/attachments/{id}", get(full))
        .route(Method::GET, "/api/attachments/{id}/thumb", get(thumb))
}

/// Room for a phone photo on an upload route; axum's extractors answer 413 past it.
pub fn upload_body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max((MAX_UPLOAD_MB as usize + 1) * 1024 * 1024)
}

/// `POST /api/m/uploads`, multipart with `client_id` and `file`. Answers the same attachment for
/// a repeated client id, so a retried upload stores nothing twice.
pub async fn upload(
    State(pool): State<PgPool>,
    State(media): State<Media>,
    caller: Caller,
    multipart: Multipart,
) -> Result<(StatusCode, Json<Uploaded>), RestError> {
    // Screenshots come from the phone; the console attaches none yet.
    let user = caller.may(Action::Report)?;
    let upload = read_upload(multipart).await?;
    caller.check_owner(user, upload.owner_id)?;
    let (client_id, bytes) = (upload.client_id, upload.file);
    if let Some(existing) = store::find_by_client_id(&pool, user.id, client_id).await? {
        return Ok((StatusCode::OK, Json(existing)));
    }
    crate::limits::store::spend(&pool, user.id, crate::limits::Write::Upload).await?;
    let processed = reencoded(bytes).await?;

    let id = Uuid::new_v4();
    let object_key = format!("attachments/{id}.jpg");
    let thumb_key = format!("attachments/{id}.thumb.jpg");
    let byte_size = processed.full.len();
    media.put(&object_key, processed.full).await?;
    media.put(&thumb_key, processed.thumb).await?;
    let new = store::NewAttachment {
        id,
        client_id,
        uploader_id: user.id,
        width: dimension(processed.width),
        height: dimension(processed.height),
        byte_size: dimension(byte_size as u32),
        object_key,
        thumb_key,
    };
    let stored = store::insert(&pool, &new).await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// What every upload goes through: the header checked, then (in a decode turn) decoded by
/// content, shrunk and re-encoded without metadata.
pub async fn reencoded(bytes: Vec<u8>) -> Result<image::Processed, AppError> {
    // The header first: what it refuses never waits for (or takes) a decode turn.
    let bytes = tokio::task::spawn_blocking(move || image::check(&bytes).map(|()| bytes))
        .await
        .map_err(|_| AppError::Internal)??;
    let _turn = DECODING.enter().await?;
    tokio::task::spawn_blocking(move || image::process(&bytes))
        .await
        .map_err(|_| AppError::Internal)?
}

pub fn dimension(value: u32) -> i32 {
    i32::try_from(value).unwrap_or(i32::MAX)
}

pub struct Upload {
    pub client_id: Uuid,
    pub file: Vec<u8>,
    pub owner_id: Option<i64>,
}

/// The multipart fields of an upload: `client_id`, `file` and, from a shared phone, `owner_id`.
pub async fn read_upload(mut multipart: Multipart) -> Result<Upload, AppError> {
    let mut client_id = None;
    let mut file = None;
    let mut owner_id = None;
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("client_id") => {
                let text = field.text().await.map_err(multipart_error)?;
                client_id = Some(
                    Uuid::parse_str(text.trim())
                        .map_err(|_| AppError::invalid("client_id", Problem::UnknownChoice))?,
                );
            }
            Some("file") => file = Some(field.bytes().await.map_err(multipart_error)?.to_vec()),
            Some("owner_id") => {
                let text = field.text().await.map_err(multipart_error)?;
                owner_id = text.trim().parse().ok();
            }
            _ => {}
        }
    }
    let client_id = client_id.ok_or_else(|| AppError::invalid("client_id", Problem::Required))?;
    let file = file.ok_or_else(|| AppError::invalid("file", Problem::Required))?;
    if file.is_empty() {
        return Err(AppError::NotAnImage);
    }
    Ok(Upload {
        client_id,
        file,
        owner_id,
    })
}

fn multipart_error(err: axum::extract::multipart::MultipartError) -> AppError {
    crate::rest::multipart_refusal(err, MAX_UPLOAD_MB)
}

/// `GET /api/attachments/{id}`.
pub async fn full(
    State(pool): State<PgPool>,
    State(media): State<Media>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, RestError> {
    serve(&pool, &media, &caller, id, false).await
}

/// `GET /api/attachments/{id}/thumb`.
pub async fn thumb(
    State(pool): State<PgPool>,
    State(media): State<Media>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, RestError> {
    serve(&pool, &media, &caller, id, true).await
}

/// Images go to the incident team, to their uploader and to the incident's reporter (never
/// images of internal notes). Anyone else gets "not found", as if the id did not exist.
async fn serve(
    pool: &PgPool,
    media: &Media,
    caller: &Caller,
    id: Uuid,
    thumbnail: bool,
) -> Result<Response, RestError> {
    let user = caller.may_any(&[Action::Report, Action::SeeIncidents])?;
    let stored = store::find_stored(pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let allowed = user.may(Action::SeeIncidents)
        || stored.uploader_id == user.id
        || (stored.reporter_id == Some(user.id) && !stored.internal);
    if !allowed {
        return Err(AppError::NotFound.into());
    }
    let key = if thumbnail {
        &stored.thumb_key
    } else {
        &stored.object_key
    };
    let bytes = media.get(key).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/jpeg"),
            // A screenshot may show a customer's documents: no browser keeps it, so nothing
            // of one account stays on a shared phone.
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        bytes,
    )
        .into_response())
}
