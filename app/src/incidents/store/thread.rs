//! The thread: messages from both sides, internal notes, read markers.

use sqlx::PgPool;
use uuid::Uuid;

use super::changes::{self, MessageChange, Outbound, SlaEffect, StepChange};
use super::journal::StepEvent;
use super::IncidentRef;
use crate::attachments::store as attachments;
use crate::auth::CurrentUser;
use crate::error::AppError;
use crate::incidents::IncidentId;
use crate::incidents::{Side, Status, Step};

/// A message for the thread.
pub struct NewMessage<'a> {
    pub client_id: Option<Uuid>,
    pub side: Side,
    pub internal: bool,
    pub body: &'a str,
    pub attachment_ids: &'a [Uuid],
}

/// Adds a message once per client id. A reporter's answer brings an incident that waited for
/// them back to the team.
pub async fn post_message(
    pool: &PgPool,
    incident: IncidentRef,
    author: &CurrentUser,
    message: NewMessage<'_>,
) -> Result<i64, AppError> {
    // A retry is answered by the endpoint (`existing_message`) before this; one racing the
    // first post meets the unique client id below.
    let mut tx = pool.begin().await?;
    let status = changes::lock(&mut tx, incident.id).await?.status;
    if status == Status::Closed {
        return Err(AppError::NotNow { status });
    }
    let inserted = sqlx::query_scalar!(
        r#"INSERT INTO incident_messages (incident_id, client_id, author_id, author_side, internal, body)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (client_id) DO NOTHING
           RETURNING id"#,
        incident.id.0,
        message.client_id,
        author.id,
        message.side as Side,
        message.internal,
        message.body,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(id) = inserted else {
        tx.rollback().await?;
        let client_id = message.client_id.ok_or(AppError::Internal)?;
        return existing_message(pool, author, client_id)
            .await?
            .ok_or(AppError::Internal);
    };
    attachments::link(
        &mut tx,
        author.id,
        incident.id,
        Some(id),
        message.attachment_ids,
    )
    .await?;
    // The author has read everything up to their own message; the team finds the incident by
    // what its thread says.
    sqlx::query!(
        r#"UPDATE incidents SET
               search_words = search_words || to_tsvector('simple', $5),
               last_activity_at = now(),
               reporter_read_upto = CASE WHEN $2 = 'reporter' THEN $3 ELSE reporter_read_upto END,
               handler_read_upto = CASE WHEN $2 = 'handler' THEN $3 ELSE handler_read_upto END,
               first_response_at = CASE WHEN $2 = 'handler' AND NOT $4
                                        THEN COALESCE(first_response_at, now())
                                        ELSE first_response_at END
           WHERE id = $1"#,
        incident.id.0,
        message.side as Side,
        id,
        message.internal,
        crate::search::segment(message.body),
    )
    .execute(&mut *tx)
    .await?;
    let answered_question = message.side == Side::Reporter && status == Status::Waiting;
    if answered_question {
        sqlx::query!(
            "UPDATE incidents SET status = 'analysing' WHERE id = $1",
            incident.id.0
        )
        .execute(&mut *tx)
        .await?;
        let change = StepChange {
            incident_id: incident.id,
            actor_id: author.id,
            from: status,
            event: StepEvent {
                step: Step::Resumed,
                to_status: Status::Analysing,
                detail: None,
                note: None,
                note_public: false,
            },
            transfer_target: None,
            sla: SlaEffect::Settle,
            outbound: Outbound::Usual,
        };
        changes::step(&mut tx, change).await?;
    }
    let change = MessageChange {
        incident_id: incident.id,
        author_id: author.id,
        side: message.side,
        internal: message.internal,
        body: message.body,
        answered_question,
    };
    changes::message(&mut tx, change).await?;
    tx.commit().await?;
    Ok(id)
}

/// The message already posted under `client_id` by this author, if any.
pub async fn existing_message(
    pool: &PgPool,
    author: &CurrentUser,
    client_id: Uuid,
) -> Result<Option<i64>, AppError> {
    let row = sqlx::query!(
        "SELECT id, author_id FROM incident_messages WHERE client_id = $1",
        client_id
    )
    .fetch_optional(pool)
    .await?;
    match row {
        Some(row) if row.author_id == author.id => Ok(Some(row.id)),
        Some(_) => Err(AppError::Conflict),
        None => Ok(None),
    }
}

/// Marks the other side's visible messages read by `side`; notifies only when something changed,
/// so the writer's read markers update live.
pub async fn mark_read(pool: &PgPool, incident_id: IncidentId, side: Side) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let changed = sqlx::query!(
        r#"WITH newest AS (
               SELECT coalesce(max(id), 0) AS upto FROM incident_messages
               WHERE incident_id = $1 AND author_side <> $2 AND NOT internal)
           UPDATE incidents SET
               reporter_read_upto = CASE WHEN $2 = 'reporter' THEN newest.upto ELSE reporter_read_upto END,
               handler_read_upto = CASE WHEN $2 = 'handler' THEN newest.upto ELSE handler_read_upto END
           FROM newest
           WHERE id = $1 AND newest.upto > CASE WHEN $2 = 'reporter' THEN reporter_read_upto
                                                ELSE handler_read_upto END"#,
        incident_id.0,
        side as Side
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed > 0 {
        changes::touched(&mut tx, incident_id).await?;
    }
    tx.commit().await?;
    Ok(())
}
