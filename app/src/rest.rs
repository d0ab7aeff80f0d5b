//! What every plain HTTP endpoint shares (the ones the offline outbox, the browser's
//! `EventSource` and image tags call beside the server functions): the signed-in caller and
//! typed errors answered as JSON in the caller's language. A leaf: each domain owns its routes
//! (`incidents::http::routes`, `attachments::http::routes`) and the server mounts them.

use axum::extract::{FromRef, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use sqlx::PgPool;
use tower_sessions::Session;

use crate::auth::{session, Area, CurrentUser};
use crate::error::AppError;
use crate::i18n::request_locale;

/// The signed-in user of a plain request, or the error naming why there is none.
pub struct Caller {
    pub user: Result<CurrentUser, AppError>,
    /// The session that signs the user in, for streams that must end with it.
    pub session_id: Option<String>,
}

impl Caller {
    /// The user if their role may work in `area`.
    pub fn in_area(&self, area: Area) -> Result<&CurrentUser, AppError> {
        let user = self.user.as_ref().map_err(Clone::clone)?;
        if area.admits(user.role) {
            Ok(user)
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Refuses an item the outbox wrote under another account (a shared phone): it must not be
    /// filed under whoever is signed in now.
    pub fn check_owner(&self, user: &CurrentUser, owner: Option<i64>) -> Result<(), AppError> {
        match owner {
            Some(owner) if owner != user.id => Err(AppError::WrongAccount),
            _ => Ok(()),
        }
    }
}

impl<S> FromRequestParts<S> for Caller
where
    S: Send + Sync,
    PgPool: FromRef<S>,
{
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Ok(session) = Session::from_request_parts(parts, state).await else {
            tracing::error!("session layer missing");
            return Ok(Self {
                user: Err(AppError::Internal),
                session_id: None,
            });
        };
        let user = session::user_of(&session, &PgPool::from_ref(state))
            .await
            .and_then(|user| user.ok_or(AppError::Unauthenticated));
        Ok(Self {
            user,
            session_id: session.id().map(|id| id.to_string()),
        })
    }
}

/// A plain endpoint's error, so handlers use `?` on any `AppError`. It answers the status and
/// leaves the error for `in_callers_language`, which alone knows the request's language.
#[derive(Debug)]
pub struct RestError(pub AppError);

impl From<AppError> for RestError {
    fn from(error: AppError) -> Self {
        Self(error)
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        let mut response = self.0.status().into_response();
        response.extensions_mut().insert(self.0);
        response
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a AppError,
    message: String,
}

/// Middleware for every plain endpoint: writes a `RestError` as JSON, the typed error for
/// programs and the sentence for people in the language the request asked for.
pub async fn in_callers_language(request: Request, next: Next) -> Response {
    let locale = request_locale(request.headers()).unwrap_or_default();
    let mut response = next.run(request).await;
    match response.extensions_mut().remove::<AppError>() {
        Some(error) => {
            let body = ErrorBody {
                message: error.message(locale.texts()),
                error: &error,
            };
            (response.status(), Json(body)).into_response()
        }
        None => response,
    }
}
