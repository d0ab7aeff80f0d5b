//! The step service: the one place an incident changes. Its caller locks the incident
//! (`lock`), checks and applies the change to the row, then hands it here, and everything that
//! follows from it is written in the caller's transaction: the timeline line, the hand-off
//! clock, the SLA clock, the outbound notifications and the live notice (sent at commit).

use sqlx::PgConnection;

use super::journal::{notify, record_handoff, record_step, StepEvent};
use crate::error::AppError;
use crate::incidents::{IncidentId, Side, Status, Step, TransferTarget};
use crate::notifications::outbox;

/// What the row lock found.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Locked {
    pub status: Status,
    pub assignee_id: Option<i64>,
}

/// Locks the incident's row for the rest of the transaction. Every writer locks the incident
/// before anything else it touches, so two writers never deadlock.
pub(crate) async fn lock(
    conn: &mut PgConnection,
    incident_id: IncidentId,
) -> Result<Locked, AppError> {
    // Locked alone: a join would be read from before the wait for the lock.
    let row = sqlx::query!(
        r#"SELECT status AS "status: Status", assignee_id FROM incidents WHERE id = $1 FOR UPDATE"#,
        incident_id.0
    )
    .fetch_optional(conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(Locked {
        status: row.status,
        assignee_id: row.assignee_id,
    })
}

/// How a change moves the incident's SLA clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlaEffect {
    /// Nothing that starts, pauses, stops or retargets the clock changed.
    Keep,
    /// Status or review state changed: the clock may start, pause or stop.
    Settle,
    /// The classification changed: the target follows it.
    Retarget,
}

/// Whether a step sends its usual messages (see `notifications::outbox::after_step`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outbound {
    Usual,
    /// None: a batch's duplicates are announced with their parent.
    Quiet,
}

/// One step on an incident, already applied to its row by the caller.
pub(crate) struct StepChange<'a> {
    pub incident_id: IncidentId,
    pub actor_id: i64,
    /// The status before the step; `event.to_status` is the status after it.
    pub from: Status,
    pub event: StepEvent<'a>,
    pub transfer_target: Option<TransferTarget>,
    pub sla: SlaEffect,
    pub outbound: Outbound,
}

impl<'a> StepChange<'a> {
    /// A step that keeps the incident's status (a report filed, a batch joined or left, a
    /// script step): no hand-off, the SLA clock as it is, the usual messages.
    pub(crate) fn keeping_status(
        incident_id: IncidentId,
        actor_id: i64,
        step: Step,
        status: Status,
        detail: Option<&'a str>,
    ) -> Self {
        Self {
            incident_id,
            actor_id,
            from: status,
            event: StepEvent {
                step,
                to_status: status,
                detail,
                note: None,
                note_public: false,
            },
            transfer_target: None,
            sla: SlaEffect::Keep,
            outbound: Outbound::Usual,
        }
    }
}

/// Writes what follows from a step: the timeline, the hand-off clock, the SLA clock, the
/// outbound messages and the live notice.
pub(crate) async fn step(conn: &mut PgConnection, change: StepChange<'_>) -> Result<(), AppError> {
    let StepChange {
        incident_id,
        actor_id,
        from,
        event,
        transfer_target,
        sla,
        outbound,
    } = change;
    let step = event.step;
    let words = outbox::StepWords {
        note: event.note,
        note_public: event.note_public,
        detail: event.detail,
    };
    // A re-transfer ends one hand-off and starts the next; other steps within one status
    // leave the running hand-off alone.
    if from != event.to_status || event.step == Step::Transferred {
        record_handoff(
            conn,
            incident_id,
            actor_id,
            from,
            event.to_status,
            transfer_target,
        )
        .await?;
    }
    record_step(conn, incident_id, actor_id, event).await?;
    match sla {
        SlaEffect::Keep => {}
        SlaEffect::Settle => crate::sla::store::settle(conn, incident_id, false).await?,
        SlaEffect::Retarget => crate::sla::store::settle(conn, incident_id, true).await?,
    }
    if outbound == Outbound::Usual {
        outbox::after_step(conn, incident_id, actor_id, step, words).await?;
    }
    notify(conn, incident_id).await
}

/// A message written in the incident's thread (its row already inserted). `answered_question`:
/// a reporter's answer brought an incident that waited for them back to the team.
pub(crate) struct MessageChange<'a> {
    pub incident_id: IncidentId,
    pub author_id: i64,
    pub side: Side,
    pub internal: bool,
    pub body: &'a str,
    pub answered_question: bool,
}

/// Writes what follows from a thread message: the outbound messages and the live notice.
pub(crate) async fn message(
    conn: &mut PgConnection,
    change: MessageChange<'_>,
) -> Result<(), AppError> {
    outbox::after_message(
        conn,
        change.incident_id,
        change.author_id,
        change.side,
        change.internal,
        change.body,
        change.answered_question,
    )
    .await?;
    notify(conn, change.incident_id).await
}

/// A change nobody needs telling about beyond the pages that show it (a read marker, a batch
/// link seen from the other side).
pub(crate) async fn touched(
    conn: &mut PgConnection,
    incident_id: IncidentId,
) -> Result<(), AppError> {
    notify(conn, incident_id).await
}
