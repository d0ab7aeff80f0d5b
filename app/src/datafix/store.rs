use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::{DataFixScript, NewScript, ScriptStatus, MAX_COMMENT_CHARS, MAX_SCRIPT_CHARS};
use crate::auth::CurrentUser;
use crate::checks::{required_within, within};
use crate::error::{AppError, Problem};
use crate::incidents::store::changes::{self, SlaEffect, StepChange};
use crate::incidents::IncidentId;
use crate::incidents::{IncidentNumber, Status, Step};
use crate::reference::Named;

fn check_text(field: &str, value: &str, required: bool, max: u32) -> Result<(), AppError> {
    let value = value.trim();
    let checked = if required {
        required_within(value, max)
    } else {
        within(value, max)
    };
    checked.map_err(|problem| AppError::invalid(field, problem))
}

fn optional(value: &str) -> Option<&str> {
    Some(value.trim()).filter(|v| !v.is_empty())
}

/// Locks the incident and checks that `step` fits its status.
async fn lock_incident(
    conn: &mut PgConnection,
    incident_id: IncidentId,
    step: Step,
) -> Result<Status, AppError> {
    let status = changes::lock(conn, incident_id).await?.status;
    step.apply(status).ok_or(AppError::NotNow { status })
}

/// Records a script step on the incident's timeline, re-times its SLA clock (a pending review
/// pauses it) and tells whoever watches.
async fn record(
    conn: &mut PgConnection,
    incident_id: IncidentId,
    actor: &CurrentUser,
    step: Step,
    status: Status,
    script_id: i64,
    note: Option<&str>,
) -> Result<(), AppError> {
    let id = script_id.to_string();
    sqlx::query!(
        "UPDATE incidents SET last_activity_at = now() WHERE id = $1",
        incident_id.0
    )
    .execute(&mut *conn)
    .await?;
    let mut change = StepChange::keeping_status(incident_id, actor.id, step, status, Some(&id));
    // Scripts and their review are the team's business: the note stays in the team.
    change.event.note = note;
    // A pending review pauses the clock; a decision lets it run again.
    change.sla = SlaEffect::Settle;
    changes::step(conn, change).await
}

pub async fn submit(
    pool: &PgPool,
    incident_id: IncidentId,
    author: &CurrentUser,
    new: &NewScript,
) -> Result<i64, AppError> {
    check_text("script", &new.script, true, MAX_SCRIPT_CHARS)?;
    check_text(
        "rollback_script",
        &new.rollback_script,
        true,
        MAX_SCRIPT_CHARS,
    )?;
    check_text("note", &new.note, false, MAX_COMMENT_CHARS)?;
    let mut tx = pool.begin().await?;
    let status = lock_incident(&mut tx, incident_id, Step::ScriptSubmitted).await?;
    let system_id = sqlx::query_scalar!(
        "SELECT id FROM systems WHERE code = $1 AND active",
        new.system
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| AppError::invalid("system", Problem::UnknownChoice))?;
    let id = sqlx::query_scalar!(
        "INSERT INTO data_fix_scripts (incident_id, system_id, author_id, script, rollback_script, note)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        incident_id.0,
        system_id,
        author.id,
        new.script,
        new.rollback_script,
        optional(&new.note)
    )
    .fetch_one(&mut *tx)
    .await?;
    record(
        &mut tx,
        incident_id,
        author,
        Step::ScriptSubmitted,
        status,
        id,
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Approves or rejects a pending script. A rejection says why; nobody reviews their own.
pub async fn review(
    pool: &PgPool,
    script_id: i64,
    reviewer: &CurrentUser,
    approve: bool,
    comment: &str,
) -> Result<(), AppError> {
    check_text("comment", comment, !approve, MAX_COMMENT_CHARS)?;
    let mut tx = pool.begin().await?;
    let incident_id = sqlx::query_scalar!(
        r#"SELECT incident_id AS "incident_id: IncidentId" FROM data_fix_scripts WHERE id = $1"#,
        script_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::NotFound)?;
    let step = if approve {
        Step::ScriptApproved
    } else {
        Step::ScriptRejected
    };
    // The incident first, as every other writer locks it: no deadlock with a step.
    let status = lock_incident(&mut tx, incident_id, step).await?;
    let script = sqlx::query!(
        r#"SELECT d.author_id, d.status AS "status: ScriptStatus", u.display_name AS "reviewer?"
           FROM data_fix_scripts d LEFT JOIN users u ON u.id = d.reviewer_id
           WHERE d.id = $1 FOR UPDATE OF d"#,
        script_id
    )
    .fetch_one(&mut *tx)
    .await?;
    if script.status != ScriptStatus::Pending {
        return Err(AppError::AlreadyReviewed {
            by: script.reviewer.unwrap_or_default(),
        });
    }
    if script.author_id == reviewer.id {
        return Err(AppError::Forbidden);
    }
    let outcome = if approve {
        ScriptStatus::Approved
    } else {
        ScriptStatus::Rejected
    };
    sqlx::query!(
        "UPDATE data_fix_scripts SET status = $2, reviewer_id = $3, review_comment = $4,
                reviewed_at = now()
         WHERE id = $1",
        script_id,
        outcome as ScriptStatus,
        reviewer.id,
        optional(comment)
    )
    .execute(&mut *tx)
    .await?;
    record(
        &mut tx,
        incident_id,
        reviewer,
        step,
        status,
        script_id,
        optional(comment),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The handler's record that operations ran an approved script.
pub async fn record_execution(
    pool: &PgPool,
    incident_id: IncidentId,
    script_id: i64,
    actor: &CurrentUser,
    note: &str,
) -> Result<(), AppError> {
    check_text("note", note, false, MAX_COMMENT_CHARS)?;
    let mut tx = pool.begin().await?;
    let status = lock_incident(&mut tx, incident_id, Step::ScriptExecuted).await?;
    let updated = sqlx::query!(
        "UPDATE data_fix_scripts SET status = 'executed', executed_by = $3, executed_at = now(),
                execution_note = $4
         WHERE id = $1 AND incident_id = $2 AND status = 'approved'",
        script_id,
        incident_id.0,
        actor.id,
        optional(note)
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated == 0 {
        return Err(AppError::invalid("script", Problem::UnknownChoice));
    }
    record(
        &mut tx,
        incident_id,
        actor,
        Step::ScriptExecuted,
        status,
        script_id,
        optional(note),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Scripts of one incident (`incident_id`), or waiting for review (`None`), oldest first; the
/// review page also lists the latest decisions.
pub async fn list(
    pool: &PgPool,
    incident_id: Option<IncidentId>,
    recent_decisions: i64,
) -> Result<Vec<DataFixScript>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT d.id, i.number AS "number: IncidentNumber", i.title, s.code, s.name_zh, s.name_en, a.display_name AS author,
                  d.script, d.rollback_script, d.note, d.status AS "status: ScriptStatus",
                  r.display_name AS "reviewer?",
                  d.review_comment, x.display_name AS "executed_by?", d.execution_note,
                  d.created_at AS "created_at: DateTime<Utc>",
                  COALESCE(d.executed_at, d.reviewed_at) AS "decided_at: DateTime<Utc>"
           FROM data_fix_scripts d
           JOIN incidents i ON i.id = d.incident_id
           JOIN systems s ON s.id = d.system_id
           JOIN users a ON a.id = d.author_id
           LEFT JOIN users r ON r.id = d.reviewer_id
           LEFT JOIN users x ON x.id = d.executed_by
           WHERE CASE WHEN $1::BIGINT IS NOT NULL THEN d.incident_id = $1
                      ELSE d.status = 'pending'
                           OR d.id IN (SELECT id FROM data_fix_scripts WHERE status <> 'pending'
                                       ORDER BY reviewed_at DESC NULLS LAST LIMIT $2) END
           ORDER BY d.status <> 'pending', d.id"#,
        incident_id.map(|id| id.0),
        recent_decisions
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| DataFixScript {
            id: r.id,
            incident_number: r.number,
            incident_title: r.title,
            system: Named {
                code: r.code,
                name_zh: r.name_zh,
                name_en: r.name_en,
            },
            author: r.author,
            script: r.script,
            rollback_script: r.rollback_script,
            note: r.note,
            status: r.status,
            reviewer: r.reviewer,
            review_comment: r.review_comment,
            executed_by: r.executed_by,
            execution_note: r.execution_note,
            created_at: r.created_at,
            decided_at: r.decided_at,
        })
        .collect())
}
