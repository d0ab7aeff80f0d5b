//! The key a reporter's phone seals its drafts and outbox with (`public/outbox.js`). The same
//! account always gets the same key, so what it left sealed on a phone opens again when it signs
//! back in; the phone keeps the key only while signed in. Kept sealed under the identity keys.

use axum::extract::{FromRef, State};
use axum::http::Method;
use axum::routing::post;
use axum::Json;
use serde::Serialize;
use sqlx::PgPool;

use crate::auth::Action;
use crate::error::AppError;
use crate::incidents::sealed::{self, Column};
use crate::rest::{Caller, RestError, Routes};

pub fn routes<S>() -> Routes<S>
where
    S: Clone + Send + Sync + 'static,
    PgPool: FromRef<S>,
{
    Routes::new().route(Method::POST, "/api/m/storage-key", post(storage_key))
}

#[derive(Debug, Serialize)]
pub struct StorageKey {
    /// The account the key belongs to.
    pub owner: i64,
    /// 32 bytes in base64, for `crypto.subtle.importKey('raw', ...)`.
    pub key: String,
}

/// `POST /api/m/storage-key`: the signed-in reporter's phone storage key.
pub async fn storage_key(
    State(pool): State<PgPool>,
    caller: Caller,
) -> Result<Json<StorageKey>, RestError> {
    let user = caller.may(Action::Report)?;
    Ok(Json(StorageKey {
        owner: user.id,
        key: key_of(&pool, user.id).await?,
    }))
}

/// The user's key, made on first use.
async fn key_of(pool: &PgPool, user_id: i64) -> Result<String, AppError> {
    let keyring = sealed::keyring()?;
    let mut tx = pool.begin().await?;
    let stored = sqlx::query!(
        "SELECT phone_key_id, phone_key_sealed FROM users WHERE id = $1 FOR UPDATE",
        user_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if let (Some(key_id), Some(sealed)) = (stored.phone_key_id, stored.phone_key_sealed) {
        return keyring.open(Column::PhoneKey, &key_id, &sealed);
    }
    let key = sealed::random_key();
    sqlx::query!(
        "UPDATE users SET phone_key_id = $2, phone_key_sealed = $3 WHERE id = $1",
        user_id,
        keyring.current_id(),
        keyring.seal(Column::PhoneKey, &key)?
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(key)
}
