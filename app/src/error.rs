//! The one error type every server function returns. Internal details never cross the wire:
//! database and I/O failures are logged on the server and reach the browser as `Internal`.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::i18n::Texts;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("not signed in")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("wrong login or password")]
    BadCredentials,
    #[error("too many sign-in attempts, retry in {retry_after_secs}s")]
    Throttled { retry_after_secs: u64 },
    #[error("invalid {field}: {problem:?}")]
    Invalid { field: String, problem: Problem },
    #[error("internal error")]
    Internal,
    /// The request did not complete (network down, bad encoding). Produced by the server-fn
    /// machinery, not by application code.
    #[error("request failed: {0}")]
    Transport(String),
}

/// Why a field was refused; the UI turns it into words of the user's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    Required,
    TooLong { max: u32 },
}

impl AppError {
    pub fn invalid(field: &str, problem: Problem) -> Self {
        Self::Invalid {
            field: field.to_owned(),
            problem,
        }
    }

    /// The HTTP status a server function answers with for this error.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            Self::Unauthenticated | Self::BadCredentials => S::UNAUTHORIZED,
            Self::Forbidden => S::FORBIDDEN,
            Self::NotFound => S::NOT_FOUND,
            Self::Throttled { .. } => S::TOO_MANY_REQUESTS,
            Self::Invalid { .. } => S::UNPROCESSABLE_ENTITY,
            Self::Transport(_) => S::BAD_REQUEST,
            Self::Internal => S::INTERNAL_SERVER_ERROR,
        }
    }

    /// The sentence shown to the user.
    pub fn message(&self, t: &Texts) -> String {
        match self {
            Self::Unauthenticated => t.err_unauthenticated.to_owned(),
            Self::Forbidden => t.err_forbidden.to_owned(),
            Self::NotFound => t.err_not_found.to_owned(),
            Self::BadCredentials => t.err_bad_credentials.to_owned(),
            Self::Throttled { retry_after_secs } => (t.err_throttled)(*retry_after_secs),
            Self::Invalid { field, problem } => {
                let name = t.field_name(field);
                match problem {
                    Problem::Required => (t.err_required)(name),
                    Problem::TooLong { max } => (t.err_too_long)(name, *max),
                }
            }
            Self::Internal => t.err_internal.to_owned(),
            Self::Transport(_) => t.err_network.to_owned(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        tracing::error!(error = %err, "database error");
        Self::Internal
    }
}

#[cfg(feature = "ssr")]
impl From<tower_sessions::session::Error> for AppError {
    fn from(err: tower_sessions::session::Error) -> Self {
        tracing::error!(error = %err, "session store error");
        Self::Internal
    }
}
