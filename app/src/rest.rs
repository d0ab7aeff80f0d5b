//! What every plain HTTP endpoint shares (the ones the offline outbox, the browser's
//! `EventSource` and image tags call beside the server functions): the signed-in caller and
//! typed errors answered as JSON in the caller's language. A leaf: each domain owns its routes
//! (`incidents::http::routes`, `attachments::http::routes`) and the server mounts them.

use axum::extract::{FromRef, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use axum::Json;
use axum::Router;
use serde::Serialize;
use sqlx::PgPool;
use tower_sessions::Session;

use crate::auth::{session, Action, CurrentUser};
use crate::error::AppError;
use crate::i18n::request_locale;

/// A domain's plain routes, with each method and path kept beside the router: the permission
/// test walks every one, so a route added here without a rule in that test fails it.
pub struct Routes<S> {
    pub router: Router<S>,
    pub list: Vec<(Method, &'static str)>,
}

impl<S: Clone + Send + Sync + 'static> Routes<S> {
    pub fn new() -> Self {
        Self {
            router: Router::new(),
            list: Vec::new(),
        }
    }

    /// Adds `path` answering `method` with `handler` (which must route that method).
    pub fn route(mut self, method: Method, path: &'static str, handler: MethodRouter<S>) -> Self {
        self.list.push((method, path));
        self.router = self.router.route(path, handler);
        self
    }

    pub fn merge(mut self, other: Self) -> Self {
        self.list.extend(other.list);
        self.router = self.router.merge(other.router);
        self
    }
}

impl<S: Clone + Send + Sync + 'static> Default for Routes<S> {
    fn default() -> Self {
        Self::new()
    }
}

/// The signed-in user of a plain request, or the error naming why there is none.
pub struct Caller {
    pub user: Result<CurrentUser, AppError>,
    /// The session that signs the user in, for streams that must end with it.
    pub session_id: Option<String>,
}

impl Caller {
    /// The user if the permission table lets them do `action`.
    pub fn may(&self, action: Action) -> Result<&CurrentUser, AppError> {
        self.may_any(&[action])
    }

    /// The user if they may do any of `actions`.
    pub fn may_any(&self, actions: &[Action]) -> Result<&CurrentUser, AppError> {
        let user = self.user.as_ref().map_err(Clone::clone)?;
        if actions.iter().any(|action| user.may(*action)) {
            Ok(user)
        } else {
            tracing::warn!(
                user_id = user.id,
                ?actions,
                "refused by the permission table"
            );
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

/// axum reports a multipart body over the route's limit (`max_mb`) as 413; everything else is
/// a broken request.
pub fn multipart_refusal(err: axum::extract::multipart::MultipartError, max_mb: u32) -> AppError {
    if err.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge { max_mb }
    } else {
        AppError::Transport(err.body_text())
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
