//! Plain HTTP endpoints beside the server functions: the ones the offline outbox (page or
//! service worker) and the browser's `EventSource` call, and image bytes. They share the
//! session, the role rules and the typed errors of the server functions.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use sqlx::PgPool;
use tower_sessions::Session;

use crate::attachments::media::Media;
use crate::auth::{session, Area, CurrentUser};
use crate::error::AppError;
use crate::i18n::{request_locale, Locale};
use crate::incidents::live::Activity;

/// Every plain endpoint but the image upload, which needs a larger body limit; the server mounts
/// them beside the Leptos routes.
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    PgPool: FromRef<S>,
    Media: FromRef<S>,
    Activity: FromRef<S>,
{
    use crate::{attachments, incidents};
    Router::new()
        .route("/api/m/reports", post(incidents::http::file_report))
        .route("/api/m/messages", post(incidents::http::post_message))
        .route(
            "/api/m/reports/{number}/events",
            get(incidents::http::report_events),
        )
        .route("/api/console/events", get(incidents::http::console_events))
        .route(
            "/api/console/incidents/{number}/events",
            get(incidents::http::console_incident_events),
        )
        .route("/api/attachments/{id}", get(attachments::http::full))
        .route("/api/attachments/{id}/thumb", get(attachments::http::thumb))
}

/// The signed-in user of a plain request (or an error naming why not), and their language.
pub struct Caller {
    pub user: Result<CurrentUser, AppError>,
    pub locale: Locale,
}

impl Caller {
    /// The user if their role may work in `area`.
    pub fn in_area(&self, area: Area) -> Result<&CurrentUser, RestError> {
        let user = self.user.as_ref().map_err(|err| self.error(err.clone()))?;
        if area.admits(user.role) {
            Ok(user)
        } else {
            Err(self.error(AppError::Forbidden))
        }
    }

    /// Refuses an item the outbox wrote under another account (a shared phone): it must not be
    /// filed under whoever is signed in now.
    pub fn check_owner(&self, user: &CurrentUser, owner: Option<i64>) -> Result<(), RestError> {
        match owner {
            Some(owner) if owner != user.id => Err(self.error(AppError::WrongAccount)),
            _ => Ok(()),
        }
    }

    pub fn error(&self, error: AppError) -> RestError {
        RestError {
            error,
            locale: self.locale,
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
        let locale = request_locale(&parts.headers).unwrap_or_default();
        let user = match Session::from_request_parts(parts, state).await {
            Ok(session) => session::user_of(&session, &PgPool::from_ref(state))
                .await
                .and_then(|user| user.ok_or(AppError::Unauthenticated)),
            Err(_) => {
                tracing::error!("session layer missing");
                Err(AppError::Internal)
            }
        };
        Ok(Self { user, locale })
    }
}

/// An error answered as JSON: the typed error for programs, the sentence for people.
#[derive(Debug)]
pub struct RestError {
    pub error: AppError,
    pub locale: Locale,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: &'a AppError,
    message: String,
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: &self.error,
            message: self.error.message(self.locale.texts()),
        };
        (self.error.status(), Json(body)).into_response()
    }
}
