//! Incidents in PostgreSQL. Every write that someone may be watching ends with a notification
//! (delivered at commit, see `journal`), which feeds the live updates of every server replica.

pub(crate) mod changes;
pub(crate) mod journal;
mod reports;
mod steps;
mod thread;
mod views;

pub use journal::ACTIVITY_CHANNEL;
pub use reports::*;
pub use steps::*;
pub use thread::*;
pub use views::*;

use sqlx::PgPool;

use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::incidents::Status;
use crate::incidents::{IncidentId, IncidentNumber};

/// Numbers of the incidents whose number, title or description hold every word of `query`,
/// newest activity first.
pub async fn search_numbers(
    pool: &PgPool,
    query: &str,
    limit: i64,
) -> Result<Vec<IncidentNumber>, AppError> {
    let words = crate::search::segment(query);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let numbers = sqlx::query_scalar!(
        r#"SELECT number AS "number: IncidentNumber" FROM incidents
           WHERE search_words @@ plainto_tsquery('simple', $1)
           ORDER BY last_activity_at DESC, id DESC
           LIMIT $2"#,
        words,
        limit
    )
    .fetch_all(pool)
    .await?;
    Ok(numbers)
}

/// The few columns access checks and workflow steps need.
#[derive(Debug, Clone, Copy)]
pub struct IncidentRef {
    pub id: IncidentId,
    pub number: IncidentNumber,
    pub reporter_id: i64,
    pub status: Status,
}

pub async fn find_by_number(
    pool: &PgPool,
    number: IncidentNumber,
) -> Result<Option<IncidentRef>, AppError> {
    let incident = sqlx::query_as!(
        IncidentRef,
        r#"SELECT id AS "id: IncidentId", number AS "number: IncidentNumber", reporter_id, status AS "status: Status"
           FROM incidents WHERE number = $1"#,
        number.0
    )
    .fetch_optional(pool)
    .await?;
    Ok(incident)
}

/// The incident if `reporter` filed it. Somebody else's report is "not found", so numbers
/// reveal nothing.
pub async fn find_for_reporter(
    pool: &PgPool,
    number: IncidentNumber,
    reporter: &CurrentUser,
) -> Result<IncidentRef, AppError> {
    match find_by_number(pool, number).await? {
        Some(incident) if incident.reporter_id == reporter.id => Ok(incident),
        _ => Err(AppError::NotFound),
    }
}
