//! Incidents raised from runs, rules written from incidents, and what links them.

use sqlx::PgPool;

use super::incidents::{
    AttachedRecords, IncidentMonitoring, LinkedIncident, RaiseInput, RaisedFrom, RuleLink,
};
use super::{RuleInput, RECORDS_PAGE};
use crate::auth::CurrentUser;
use crate::error::{AppError, Problem};
use crate::incidents::store::{raise_in, recorded_under, Origin};
use crate::incidents::{Channel, IncidentNumber, NewReport, Recorded, Status};

/// The reference an incident raised from run `run_id` is recorded under: one incident a run.
fn reference(run_id: i64) -> String {
    format!("run-{run_id}")
}

/// Raises an incident from a run with the records its page shows for `input.q` and
/// `input.page`, keeping only the chosen columns. A run already raised answers its incident.
pub async fn raise(
    pool: &PgPool,
    raiser: &CurrentUser,
    input: &RaiseInput,
) -> Result<Recorded, AppError> {
    let report = NewReport {
        system: input.system.trim().to_owned(),
        module: input.module.trim().to_owned(),
        title: input.title.trim().to_owned(),
        description: input.description.trim().to_owned(),
        ..NewReport::default()
    };
    let today = crate::time::to_shanghai(chrono::Utc::now()).date_naive();
    // The report's own checks, but for the customer it does not name.
    if let Some(first) = report
        .problems(today)
        .into_iter()
        .find(|e| !matches!(e.field, "customer_name" | "id_number"))
    {
        return Err(AppError::invalid(first.field, first.problem));
    }
    let offset = input.page.max(0).saturating_mul(RECORDS_PAGE);
    let run = super::store::run(pool, input.run_id, &input.q, offset, RECORDS_PAGE).await?;
    let attached = AttachedRecords::of(&run.records, &input.columns);
    if !run.records.is_empty() && attached.columns.is_empty() {
        return Err(AppError::invalid("columns", Problem::Required));
    }
    let records = serde_json::to_value(&attached).map_err(|_| AppError::Internal)?;
    let reference = reference(run.run.id);
    let origin = Origin {
        channel: Channel::Monitoring,
        received_at: chrono::Utc::now(),
        external_ref: Some(&reference),
        contact: None,
        quiet: false,
        category: None,
        resolved: None,
    };
    let mut tx = pool.begin().await?;
    if let Some((incident_id, number)) = raise_in(&mut tx, raiser, &report, origin).await? {
        sqlx::query!(
            "INSERT INTO monitor_incidents (incident_id, rule_id, run_id, records, found)
             VALUES ($1, $2, $3, $4, $5)",
            incident_id.0,
            run.rule_id,
            run.run.id,
            records,
            run.run.abnormal,
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        return Ok(Recorded {
            number,
            existing: false,
        });
    }
    tx.rollback().await?;
    raised_from_run(pool, run.run.id)
        .await?
        .map(|number| Recorded {
            number,
            existing: true,
        })
        .ok_or(AppError::Internal)
}

/// The incident already raised from run `run_id`.
pub async fn raised_from_run(
    pool: &PgPool,
    run_id: i64,
) -> Result<Option<IncidentNumber>, AppError> {
    let reference = reference(run_id);
    Ok(
        recorded_under(pool, Channel::Monitoring, std::slice::from_ref(&reference))
            .await?
            .get(&reference)
            .copied(),
    )
}

/// The incidents linked with a rule, newest first: raised from its runs, and the one it was
/// written from.
pub async fn linked_to_rule(pool: &PgPool, rule_id: i64) -> Result<Vec<LinkedIncident>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT i.number AS "number: IncidentNumber", i.title, i.status AS "status: Status"
           FROM incidents i
           WHERE i.id IN (SELECT incident_id FROM monitor_incidents WHERE rule_id = $1
                          UNION
                          SELECT from_incident_id FROM monitor_rules WHERE id = $1)
           ORDER BY i.number DESC"#,
        rule_id
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| LinkedIncident {
            number: r.number,
            title: r.title,
            status: r.status,
        })
        .collect())
}

/// What monitoring knows of incident `number`.
pub async fn for_incident(
    pool: &PgPool,
    number: IncidentNumber,
) -> Result<IncidentMonitoring, AppError> {
    let raised = sqlx::query!(
        r#"SELECT l.rule_id, r.name AS rule_name, l.run_id, l.found, l.records
           FROM monitor_incidents l
           JOIN incidents i ON i.id = l.incident_id
           JOIN monitor_rules r ON r.id = l.rule_id
           WHERE i.number = $1"#,
        number.0
    )
    .fetch_optional(pool)
    .await?
    .map(|r| -> Result<RaisedFrom, AppError> {
        Ok(RaisedFrom {
            rule: RuleLink {
                id: r.rule_id,
                name: r.rule_name,
            },
            run_id: r.run_id,
            found: r.found,
            records: serde_json::from_value(r.records).map_err(|error| {
                tracing::error!(%error, "an incident's monitoring records do not read");
                AppError::Internal
            })?,
        })
    })
    .transpose()?;
    let rules = sqlx::query!(
        r#"SELECT r.id, r.name FROM monitor_rules r
           JOIN incidents i ON i.id = r.from_incident_id
           WHERE i.number = $1 ORDER BY r.id"#,
        number.0
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| RuleLink {
        id: r.id,
        name: r.name,
    })
    .collect();
    Ok(IncidentMonitoring { raised, rules })
}

/// A new rule's form written from resolved incident `number`: its title for a name, its
/// system, and the link back.
pub async fn draft_from_incident(
    pool: &PgPool,
    number: IncidentNumber,
) -> Result<RuleInput, AppError> {
    let row = sqlx::query!(
        r#"SELECT i.title, i.status AS "status: Status", s.code AS system
           FROM incidents i JOIN systems s ON s.id = i.system_id
           WHERE i.number = $1"#,
        number.0
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    if !matches!(row.status, Status::Resolved | Status::Closed) {
        return Err(AppError::NotNow { status: row.status });
    }
    Ok(RuleInput {
        name: row.title.chars().take(super::MAX_NAME as usize).collect(),
        system: row.system,
        from_incident: Some(number),
        ..RuleInput::new_rule()
    })
}
