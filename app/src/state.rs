//! Server-side handles that server functions reach through the Leptos context.

use sqlx::PgPool;

use crate::error::AppError;

/// The database pool provided to every server function and SSR render by the server.
pub fn db() -> Result<PgPool, AppError> {
    leptos::prelude::use_context::<PgPool>().ok_or_else(|| {
        tracing::error!("database pool missing from the Leptos context");
        AppError::Internal
    })
}
