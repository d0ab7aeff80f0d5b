//! The signed-in user of the current request, kept in a server-side session (PostgreSQL).

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use tower_sessions::{Expiry, Session};

use super::audit::{self, AuthEvent};
use super::{password, store, throttle, Action, Area, CurrentUser, Role};
use crate::error::AppError;
use crate::state::db;

const USER_ID: &str = "user_id";
/// When the user signed in (Unix seconds), for the session's whole-life limit.
const SIGNED_IN_AT: &str = "signed_in_at";
/// When the session's idle expiry was last moved on (Unix seconds).
const SEEN_AT: &str = "seen_at";
/// Activity moves the idle expiry on at most this often, so a busy page does not write its
/// session on every request.
const TOUCH_EVERY_SECS: i64 = 60;

/// How long a session lives: idle, and in all. The back office signs out soon (shared desks,
/// customer data on screen); a reporter's phone stays signed in for long (its outbox waits for
/// the same account to sign in again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifetime {
    pub idle_secs: i64,
    pub total_secs: i64,
}

impl Lifetime {
    pub fn of(role: Role) -> Self {
        const MINUTE: i64 = 60;
        const HOUR: i64 = 60 * MINUTE;
        const DAY: i64 = 24 * HOUR;
        match role {
            Role::Reporter => Self {
                idle_secs: 7 * DAY,
                total_secs: 30 * DAY,
            },
            Role::Handler | Role::Reviewer | Role::Admin => Self {
                idle_secs: 30 * MINUTE,
                total_secs: 12 * HOUR,
            },
        }
    }

    /// Whether a session signed in at `signed_in_at` is past its whole life at `now`.
    pub fn is_over(self, signed_in_at: i64, now: i64) -> bool {
        now.saturating_sub(signed_in_at) > self.total_secs
    }

    fn idle_expiry(self) -> Expiry {
        Expiry::OnInactivity(tower_sessions::cookie::time::Duration::seconds(
            self.idle_secs,
        ))
    }
}

async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|err| {
        tracing::error!(error = %err, "session layer missing");
        AppError::Internal
    })
}

/// Whether this is the session's first look at `key` (a help article): views are counted once
/// a session. Remembers the last few hundred keys; a visitor without a session gets one.
pub async fn first_look(key: &str) -> bool {
    const SEEN: &str = "seen";
    const REMEMBERED: usize = 300;
    let Ok(session) = session().await else {
        return false;
    };
    let mut seen: Vec<String> = session.get(SEEN).await.ok().flatten().unwrap_or_default();
    if seen.iter().any(|known| known == key) {
        return false;
    }
    if seen.len() >= REMEMBERED {
        seen.remove(0);
    }
    seen.push(key.to_owned());
    session.insert(SEEN, seen).await.is_ok()
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

/// A digest that names the current session in records: an audit can tell sessions apart
/// without keeping anything that would sign in.
pub async fn reference() -> Option<String> {
    use sha2::{Digest as _, Sha256};
    let id = session().await.ok()?.id()?;
    let digest = Sha256::digest(id.to_string().as_bytes());
    Some(digest[..8].iter().map(|b| format!("{b:02x}")).collect())
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
    let Some(user) = store::find_active(pool, id).await? else {
        // The account was deactivated since: end the session.
        session.flush().await?;
        return Ok(None);
    };
    let lifetime = Lifetime::of(user.role);
    let now = chrono::Utc::now().timestamp();
    let signed_in_at = session.get::<i64>(SIGNED_IN_AT).await?.unwrap_or_default();
    if lifetime.is_over(signed_in_at, now) {
        session.flush().await?;
        return Ok(None);
    }
    // The store drops a session idle past its expiry; activity moves that on.
    let seen_at = session.get::<i64>(SEEN_AT).await?.unwrap_or_default();
    if now - seen_at >= TOUCH_EVERY_SECS {
        session.insert(SEEN_AT, now).await?;
        session.set_expiry(Some(lifetime.idle_expiry()));
    }
    Ok(Some(user))
}

/// Whether `session_id` still signs `user_id` in: not signed out, not expired, the account
/// still active. Unchecked SQL: the session table belongs to tower-sessions, made at start-up.
pub async fn still_signed_in(
    pool: &sqlx::PgPool,
    session_id: &str,
    user_id: i64,
) -> Result<bool, AppError> {
    let signed_in = sqlx::query_scalar::<_, bool>(
        "SELECT EXISTS (SELECT 1 FROM tower_sessions.session
                        WHERE id = $1 AND expiry_date > now())
            AND EXISTS (SELECT 1 FROM users WHERE id = $2 AND active)",
    )
    .bind(session_id)
    .bind(user_id)
    .fetch_one(pool)
    .await?;
    Ok(signed_in)
}

/// Resolves once `session_id` no longer signs `user_id` in, checking every `every`: a live
/// stream ends with the session that opened it. A failed check is no sign-out.
pub async fn ended(
    pool: sqlx::PgPool,
    session_id: String,
    user_id: i64,
    every: std::time::Duration,
) {
    loop {
        tokio::time::sleep(every).await;
        if let Ok(false) = still_signed_in(&pool, &session_id, user_id).await {
            return;
        }
    }
}

pub async fn require_user() -> Result<CurrentUser, AppError> {
    current_user().await?.ok_or(AppError::Unauthenticated)
}

/// The signed-in user if the permission table lets them do `action`.
pub async fn require(action: Action) -> Result<CurrentUser, AppError> {
    let user = require_user().await?;
    permit(user, action)
}

/// `user` if they may do `action`; the refusal is logged (the user's id only).
pub fn permit(user: CurrentUser, action: Action) -> Result<CurrentUser, AppError> {
    if user.may(action) {
        Ok(user)
    } else {
        tracing::warn!(
            user_id = user.id,
            ?action,
            "refused by the permission table"
        );
        Err(AppError::Forbidden)
    }
}

/// The signed-in user if their roles may enter `area`.
pub async fn require_area(area: Area) -> Result<CurrentUser, AppError> {
    require(area.action()).await
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
    let now = chrono::Utc::now().timestamp();
    session.insert(SIGNED_IN_AT, now).await?;
    session.insert(SEEN_AT, now).await?;
    session.set_expiry(Some(Lifetime::of(user.role).idle_expiry()));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_console_signs_out_sooner_than_the_phone() {
        let console = Lifetime::of(Role::Reviewer);
        assert_eq!(
            (console.idle_secs, console.total_secs),
            (30 * 60, 12 * 3600)
        );
        let phone = Lifetime::of(Role::Reporter);
        assert_eq!((phone.idle_secs, phone.total_secs), (7 * 86400, 30 * 86400));
    }

    #[test]
    fn a_session_ends_after_its_whole_life_however_active() {
        let console = Lifetime::of(Role::Handler);
        let signed_in = 1_000_000;
        assert!(!console.is_over(signed_in, signed_in + 12 * 3600));
        assert!(console.is_over(signed_in, signed_in + 12 * 3600 + 1));
        // A session from before this rule carries no sign-in time: it is over.
        assert!(console.is_over(0, signed_in));
    }
}
