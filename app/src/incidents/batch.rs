//! Batches of duplicates: several reports of one problem hang under a parent incident, and
//! resolving the parent resolves them all with its solution.

use sqlx::{PgConnection, PgPool};

use super::store::changes::{self, Outbound, SlaEffect, StepChange};
use super::store::journal::StepEvent;
use super::{BatchMember, Status, Step};
use crate::auth::CurrentUser;
use crate::error::{AppError, Problem};
use crate::incidents::IncidentId;
use crate::incidents::IncidentNumber;

fn bad_link() -> AppError {
    AppError::invalid("parent", Problem::BadLink)
}

/// Makes the incident a duplicate of the incident numbered `parent_number`.
pub async fn link(
    pool: &PgPool,
    child_id: IncidentId,
    parent_number: IncidentNumber,
    actor: &CurrentUser,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    // Both rows locked in id order, so two links at once cannot deadlock or form a cycle.
    let rows = sqlx::query!(
        r#"SELECT id AS "id: IncidentId", number AS "number: IncidentNumber", status AS "status: Status", parent_id,
                  EXISTS (SELECT 1 FROM incidents c WHERE c.parent_id = i.id) AS "has_children!"
           FROM incidents i WHERE id = $1 OR number = $2
           ORDER BY id FOR UPDATE"#,
        child_id.0,
        parent_number.0
    )
    .fetch_all(&mut *tx)
    .await?;
    let child = rows
        .iter()
        .find(|r| r.id == child_id)
        .ok_or(AppError::NotFound)?;
    let parent = rows
        .iter()
        .find(|r| r.number == parent_number && r.id != child_id)
        .ok_or_else(bad_link)?;
    let (child_status, parent_status) = (child.status, parent.status);
    if Step::Linked.apply(child_status).is_none() {
        return Err(AppError::NotNow {
            status: child_status,
        });
    }
    // One level only: a parent is no duplicate, a duplicate has no duplicates.
    if !parent_status.is_open()
        || parent.parent_id.is_some()
        || child.has_children
        || child.parent_id.is_some()
    {
        return Err(bad_link());
    }
    sqlx::query!(
        "UPDATE incidents SET parent_id = $2, last_activity_at = now() WHERE id = $1",
        child_id.0,
        parent.id.0
    )
    .execute(&mut *tx)
    .await?;
    let number = parent.number.to_string();
    let change = StepChange::keeping_status(
        child_id,
        actor.id,
        Step::Linked,
        child_status,
        Some(&number),
    );
    changes::step(&mut tx, change).await?;
    changes::touched(&mut tx, parent.id).await?;
    tx.commit().await?;
    Ok(())
}

/// Takes a duplicate out of its batch.
pub async fn unlink(
    pool: &PgPool,
    child_id: IncidentId,
    actor: &CurrentUser,
) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query!(
        r#"SELECT i.status AS "status: Status", p.number AS "parent_number?",
                  i.parent_id AS "parent_id: IncidentId"
           FROM incidents i LEFT JOIN incidents p ON p.id = i.parent_id
           WHERE i.id = $1 FOR UPDATE OF i"#,
        child_id.0
    )
    .fetch_one(&mut *tx)
    .await?;
    let status = row.status;
    if Step::Unlinked.apply(status).is_none() {
        return Err(AppError::NotNow { status });
    }
    let (Some(parent_id), Some(parent_number)) = (row.parent_id, row.parent_number) else {
        return Err(bad_link());
    };
    sqlx::query!(
        "UPDATE incidents SET parent_id = NULL, last_activity_at = now() WHERE id = $1",
        child_id.0
    )
    .execute(&mut *tx)
    .await?;
    let number = parent_number.to_string();
    let change =
        StepChange::keeping_status(child_id, actor.id, Step::Unlinked, status, Some(&number));
    changes::step(&mut tx, change).await?;
    changes::touched(&mut tx, parent_id).await?;
    tx.commit().await?;
    Ok(())
}

/// The parent and the duplicates of an incident's batch, as the incident page lists them.
pub async fn members(pool: &PgPool, incident_id: IncidentId) -> Result<Vec<BatchMember>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT number AS "number: IncidentNumber", title, status AS "status: Status", parent_id IS NULL AS "is_parent!"
           FROM incidents
           WHERE id = (SELECT parent_id FROM incidents WHERE id = $1)
              OR parent_id = $1
           ORDER BY parent_id NULLS FIRST, id"#,
        incident_id.0
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| BatchMember {
            number: r.number,
            title: r.title,
            status: r.status,
            is_parent: r.is_parent,
        })
        .collect())
}

/// Resolves a resolved parent's open duplicates with its solution, and tells each reporter by
/// a reply in their thread (their app counts it as unread).
pub async fn resolve_children(
    conn: &mut PgConnection,
    parent_id: IncidentId,
    actor: &CurrentUser,
    solution: &str,
) -> Result<(), AppError> {
    let children = sqlx::query!(
        r#"SELECT id AS "id: IncidentId", status AS "status: Status" FROM incidents
           WHERE parent_id = $1 AND status NOT IN ('resolved', 'closed')
           ORDER BY id FOR UPDATE"#,
        parent_id.0
    )
    .fetch_all(&mut *conn)
    .await?;
    if children.is_empty() {
        return Ok(());
    }
    let parent_number =
        sqlx::query_scalar!("SELECT number FROM incidents WHERE id = $1", parent_id.0)
            .fetch_one(&mut *conn)
            .await?
            .to_string();
    for child in children {
        sqlx::query!(
            "UPDATE incidents SET status = 'resolved', solution = $2, resolved_at = now(),
                    last_activity_at = now(),
                    first_response_at = COALESCE(first_response_at, now())
             WHERE id = $1",
            child.id.0,
            solution
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            "INSERT INTO incident_messages (incident_id, author_id, author_side, body)
             VALUES ($1, $2, 'handler', $3)",
            child.id.0,
            actor.id,
            solution
        )
        .execute(&mut *conn)
        .await?;
        let change = StepChange {
            incident_id: child.id,
            actor_id: actor.id,
            from: child.status,
            event: StepEvent {
                step: Step::Resolved,
                to_status: Status::Resolved,
                detail: Some(&parent_number),
                note: None,
                note_public: false,
            },
            transfer_target: None,
            sla: SlaEffect::Settle,
            // Each reporter hears once, from the parent's resolution.
            outbound: Outbound::Quiet,
        };
        changes::step(conn, change).await?;
    }
    Ok(())
}
