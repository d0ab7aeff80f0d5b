//! The incident journal: a step on the timeline, a hand-off's clock, and the notification (sent
//! at commit) that feeds every replica's live updates. A leaf: batches, SLA settling and
//! data-fix reviews write through it, and it calls none of them.

use sqlx::PgConnection;

use crate::error::AppError;
use crate::incidents::IncidentId;
use crate::incidents::{Status, Step, TransferTarget};

pub const ACTIVITY_CHANNEL: &str = "incident_activity";

pub(crate) async fn notify(
    conn: &mut PgConnection,
    incident_id: IncidentId,
) -> Result<(), AppError> {
    sqlx::query!(
        "SELECT pg_notify($1, $2::BIGINT::TEXT)",
        ACTIVITY_CHANNEL,
        incident_id.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One line of the timeline.
pub(crate) struct StepEvent<'a> {
    pub step: Step,
    pub to_status: Status,
    pub detail: Option<&'a str>,
    pub note: Option<&'a str>,
    /// The reporter may read the note.
    pub note_public: bool,
}

pub(crate) async fn record_step(
    conn: &mut PgConnection,
    incident_id: IncidentId,
    actor_id: i64,
    event: StepEvent<'_>,
) -> Result<(), AppError> {
    sqlx::query!(
        "INSERT INTO incident_events (incident_id, actor_id, kind, to_status, detail, note,
                                      note_public)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        incident_id.0,
        actor_id,
        event.step as Step,
        event.to_status as Status,
        event.detail,
        event.note,
        event.note_public
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Times hand-offs: a transfer opens one, leaving the transferred status closes it.
pub(crate) async fn record_handoff(
    conn: &mut PgConnection,
    incident_id: IncidentId,
    actor_id: i64,
    from: Status,
    to: Status,
    target: Option<TransferTarget>,
) -> Result<(), AppError> {
    if from == Status::Transferred {
        sqlx::query!(
            "UPDATE incident_handoffs SET ended_at = now()
             WHERE incident_id = $1 AND ended_at IS NULL",
            incident_id.0
        )
        .execute(&mut *conn)
        .await?;
    }
    if to == Status::Transferred {
        if let Some(target) = target {
            sqlx::query!(
                "INSERT INTO incident_handoffs (incident_id, target, started_by) VALUES ($1, $2, $3)",
                incident_id.0,
                target as TransferTarget,
                actor_id
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}
