//! The signed-in user of the current request, kept in a server-side session (PostgreSQL).

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use tower_sessions::Session;

use super::{password, store, throttle, Area, CurrentUser};
use crate::error::AppError;
use crate::state::db;

const USER_ID: &str = "user_id";

async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|err| {
        tracing::error!(error = %err, "session layer missing");
        AppError::Internal
    })
}

/// The peer address of this request. Behind a reverse proxy this is the proxy's address, which
/// makes the per-address throttle coarser but never weaker.
pub async fn client_ip() -> Option<IpAddr> {
    leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .ok()
        .map(|ConnectInfo(addr)| addr.ip())
}

pub async fn current_user() -> Result<Option<CurrentUser>, AppError> {
    user_of(&session().await?, &db()?).await
}

/// The user a session belongs to; plain HTTP handlers call this with their extracted session.
pub async fn user_of(
    session: &Session,
    pool: &sqlx::PgPool,
) -> Result<Option<CurrentUser>, AppError> {
    let Some(id) = session.get::<i64>(USER_ID).await? else {
        return Ok(None);
    };
    let user = store::find_active(pool, id).await?;
    if user.is_none() {
        // The account was deactivated since: end the session.
        session.flush().await?;
    }
    Ok(user)
}

pub async fn require_user() -> Result<CurrentUser, AppError> {
    current_user().await?.ok_or(AppError::Unauthenticated)
}

/// The signed-in user if their role may work in `area`.
pub async fn require_area(area: Area) -> Result<CurrentUser, AppError> {
    let user = require_user().await?;
    if area.admits(user.role) {
        Ok(user)
    } else {
        tracing::warn!(user_id = user.id, ?area, "role refused");
        Err(AppError::Forbidden)
    }
}

/// The signed-in user if their role is one of `roles` (reviews: reviewers; settings: admins).
pub async fn require_role(roles: &[crate::auth::Role]) -> Result<CurrentUser, AppError> {
    let user = require_user().await?;
    if roles.contains(&user.role) {
        Ok(user)
    } else {
        tracing::warn!(user_id = user.id, role = user.role.as_str(), "role refused");
        Err(AppError::Forbidden)
    }
}

/// Checks a login and password, throttled per login and per address.
pub async fn authenticate(
    login: &str,
    password: String,
    address: Option<IpAddr>,
) -> Result<CurrentUser, AppError> {
    let pool = db()?;
    let login = login.trim().to_lowercase();
    if let Some(retry_after_secs) = throttle::wait_before_attempt(&pool, &login, address).await? {
        return Err(AppError::Throttled { retry_after_secs });
    }
    let credentials = store::find_credentials(&pool, &login).await?;
    let (user, stored) = match credentials {
        Some(c) => (Some(c.user), Some(c.password_hash)),
        None => (None, None),
    };
    let verified = password::verify(password, stored).await?;
    match user {
        Some(user) if verified => {
            throttle::clear_failures(&pool, &login).await?;
            store::record_sign_in(&pool, user.id).await?;
            Ok(user)
        }
        _ => {
            throttle::record_failure(&pool, &login, address).await?;
            Err(AppError::BadCredentials)
        }
    }
}

/// Binds the session to `user` under a fresh id, so a session id planted before sign-in is
/// worthless after it.
pub async fn start(user: &CurrentUser) -> Result<(), AppError> {
    let session = session().await?;
    session.cycle_id().await?;
    session.insert(USER_ID, user.id).await?;
    Ok(())
}

pub async fn end() -> Result<(), AppError> {
    session().await?.flush().await?;
    Ok(())
}
