//! Workflow steps on an incident: checked against its status, with what each step needs.

use sqlx::{PgConnection, PgPool};

use super::changes::{self, Outbound, SlaEffect, StepChange};
use super::journal::StepEvent;
use crate::auth::{Action, CurrentUser, Role};
use crate::checks::within;
use crate::error::{AppError, Problem};
use crate::incidents::IncidentId;
use crate::incidents::{
    Category, Severity, Status, Step, StepDetails, TransferTarget, MAX_MESSAGE, MAX_SUBCATEGORY,
};

impl StepDetails {
    /// Refuses a step that lacks what it needs; answers the event's machine-readable detail.
    fn detail_for(&self, step: Step) -> Result<Option<String>, AppError> {
        let required = |field| AppError::invalid(field, Problem::Required);
        for (field, text) in [("note", &self.note), ("solution", &self.solution)] {
            if let Some(text) = text {
                within(text, MAX_MESSAGE).map_err(|problem| AppError::invalid(field, problem))?;
            }
        }
        Ok(match step {
            Step::Resolved if self.solution.as_deref().is_none_or(str::is_empty) => {
                return Err(required("solution"))
            }
            Step::Transferred => {
                let target = self
                    .transfer_target
                    .ok_or_else(|| required("transfer_target"))?;
                Some(target.as_str().to_owned())
            }
            Step::Classified => {
                let category = self.category.ok_or_else(|| required("category"))?;
                let severity = self.severity.ok_or_else(|| required("severity"))?;
                if let Some(subcategory) = &self.subcategory {
                    within(subcategory, MAX_SUBCATEGORY)
                        .map_err(|problem| AppError::invalid("subcategory", problem))?;
                }
                Some(format!(
                    "{} {}|{}",
                    category.as_str(),
                    severity.as_str(),
                    self.subcategory.as_deref().unwrap_or_default()
                ))
            }
            Step::Assigned if self.assignee_id.is_none() => return Err(required("assignee")),
            _ => None,
        })
    }
}

/// Moves an incident one step, refusing steps its current status does not allow. The row is
/// locked, so two people acting at once see each other's result.
pub async fn apply_step(
    pool: &PgPool,
    incident_id: IncidentId,
    actor: &CurrentUser,
    step: Step,
    details: StepDetails,
) -> Result<Status, AppError> {
    let mut tx = pool.begin().await?;
    let row = changes::lock(&mut tx, incident_id).await?;
    let current = row.status;
    let Some(next) = step.apply(current) else {
        // Two handlers claiming at once: the second learns who was first.
        if let (Step::Claimed, Some(assignee)) = (step, row.assignee_id) {
            if assignee != actor.id {
                let by =
                    sqlx::query_scalar!("SELECT display_name FROM users WHERE id = $1", assignee)
                        .fetch_one(&mut *tx)
                        .await?;
                return Err(AppError::AlreadyClaimed { by });
            }
        }
        return Err(AppError::NotNow { status: current });
    };
    let detail = details.detail_for(step)?;
    // An assignment's timeline line names who received it.
    let (assignee, detail) = match step {
        Step::Claimed => (Some(actor.id), detail),
        Step::Assigned => {
            let (id, name) = assignable(&mut tx, details.assignee_id).await?;
            (Some(id), Some(name))
        }
        _ => (None, detail),
    };
    let (system_id, module_id) = if step == Step::Classified {
        placement(&mut tx, &details).await?
    } else {
        (None, None)
    };
    sqlx::query!(
        r#"UPDATE incidents SET
               status = $2,
               last_activity_at = now(),
               assignee_id = COALESCE($3, assignee_id),
               transfer_target = CASE WHEN $2 = 'transferred' THEN $4 ELSE transfer_target END,
               solution = CASE WHEN $2 = 'resolved' THEN $5 ELSE solution END,
               resolved_at = CASE WHEN $2 = 'resolved' THEN now() ELSE resolved_at END,
               closed_at = CASE WHEN $2 = 'closed' THEN now() ELSE closed_at END,
               category = COALESCE($6, category),
               severity = COALESCE($7, severity),
               first_response_at = CASE WHEN $8 THEN COALESCE(first_response_at, now())
                                        ELSE first_response_at END,
               subcategory = CASE WHEN $9 THEN $10 ELSE subcategory END,
               system_id = COALESCE($11, system_id),
               module_id = CASE WHEN $9 AND $11::SMALLINT IS NOT NULL THEN $12 ELSE module_id END
           WHERE id = $1"#,
        incident_id.0,
        next as Status,
        assignee,
        details.transfer_target as Option<TransferTarget>,
        details.solution,
        details.category as Option<Category>,
        details.severity as Option<Severity>,
        step.is_team_step(),
        step == Step::Classified,
        details.subcategory.as_deref().filter(|s| !s.is_empty()),
        system_id,
        module_id,
    )
    .execute(&mut *tx)
    .await?;
    // A batch's duplicates are resolved first: the parent's resolution tells all reporters.
    if next == Status::Resolved {
        let solution = details.solution.as_deref().unwrap_or_default();
        crate::incidents::batch::resolve_children(&mut tx, incident_id, actor, solution).await?;
    }
    let sla = if step == Step::Classified {
        SlaEffect::Retarget
    } else if next != current {
        SlaEffect::Settle
    } else {
        SlaEffect::Keep
    };
    let change = StepChange {
        incident_id,
        actor_id: actor.id,
        from: current,
        event: StepEvent {
            step,
            to_status: next,
            detail: detail.as_deref(),
            note: details.note.as_deref(),
            note_public: step.note_for_reporter() || details.note_public,
        },
        transfer_target: details.transfer_target,
        sla,
        outbound: Outbound::Usual,
    };
    changes::step(&mut tx, change).await?;
    tx.commit().await?;
    Ok(next)
}

/// The user an incident may be assigned to (active, and may work incidents) and their name.
async fn assignable(
    conn: &mut PgConnection,
    user_id: Option<i64>,
) -> Result<(i64, String), AppError> {
    let id = user_id.ok_or_else(|| AppError::invalid("assignee", Problem::Required))?;
    let name = sqlx::query_scalar!(
        "SELECT display_name FROM users
         WHERE id = $1 AND active AND (role = ANY($2) OR extra_roles && $2)",
        id,
        &Role::holding(Action::WorkIncidents) as &[&str]
    )
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| AppError::invalid("assignee", Problem::UnknownChoice))?;
    Ok((id, name))
}

/// The corrected system and module of a classification, when one was chosen.
async fn placement(
    conn: &mut PgConnection,
    details: &StepDetails,
) -> Result<(Option<i16>, Option<i32>), AppError> {
    let Some(code) = details.system.as_deref().filter(|c| !c.is_empty()) else {
        return Ok((None, None));
    };
    let system_id = sqlx::query_scalar!("SELECT id FROM systems WHERE code = $1 AND active", code)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| AppError::invalid("system", Problem::UnknownChoice))?;
    let module_id = match details.module.as_deref().filter(|c| !c.is_empty()) {
        None => None,
        Some(module) => Some(
            sqlx::query_scalar!(
                "SELECT id FROM system_modules WHERE system_id = $1 AND code = $2 AND active",
                system_id,
                module
            )
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| AppError::invalid("module", Problem::UnknownChoice))?,
        ),
    };
    Ok((Some(system_id), module_id))
}
