//! The signed-in user of the current request, kept in a server-side session (PostgreSQL).

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use tower_sessions::Session;

use super::audit::{self, AuthEvent};
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

/// The client's address as the server's front layer determined it (the peer, or behind a
/// trusted reverse proxy the address the proxy names), else the peer's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

pub async fn client_ip() -> Option<IpAddr> {
    if let Ok(axum::Extension(ClientAddress(ip))) =
        leptos_axum::extract::<axum::Extension<ClientAddress>>().await
    {
        return Some(ip);
    }
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
    let audit = |kind, user_id| audit::record(&pool, kind, &login, user_id, address);
    let attempt = match throttle::begin_attempt(&pool, &login, address).await {
        Ok(attempt) => attempt,
        Err(refusal @ AppError::Throttled { .. }) => {
            audit(AuthEvent::Throttled, None).await?;
            return Err(refusal);
        }
        Err(error) => return Err(error),
    };
    tokio::time::sleep(attempt.delay).await;
    let credentials = store::find_credentials(&pool, &login).await?;
    let (user, stored) = match credentials {
        Some(c) => (Some(c.user), Some(c.password_hash)),
        None => (None, None),
    };
    let user_id = user.as_ref().map(|u| u.id);
    let verified = match password::verify(password, stored).await {
        Ok(verified) => verified,
        Err(busy @ AppError::Busy { .. }) => {
            throttle::cancel_attempt(&pool, attempt).await?;
            audit(AuthEvent::Busy, user_id).await?;
            return Err(busy);
        }
        Err(error) => return Err(error),
    };
    match user {
        Some(user) if verified => {
            throttle::clear_failures(&pool, &login).await?;
            store::record_sign_in(&pool, user.id).await?;
            audit(AuthEvent::SignedIn, user_id).await?;
            Ok(user)
        }
        _ => {
            audit(AuthEvent::Failed, user_id).await?;
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
    let session = session().await?;
    let pool = db()?;
    if let Some(user) = user_of(&session, &pool).await? {
        audit::record(
            &pool,
            AuthEvent::SignedOut,
            &user.login,
            Some(user.id),
            client_ip().await,
        )
        .await?;
    }
    session.flush().await?;
    Ok(())
}
