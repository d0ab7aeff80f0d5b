//! Jobs in PostgreSQL: submitted, taken by a worker on any replica with `FOR UPDATE SKIP
//! LOCKED` (never more at once per target than it allows), advanced call by call, finished.
//! Every write of a running job names its worker, so a worker that lost its lease writes nothing.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::seq::SliceRandom;
use serde_json::{Map, Value};
use sqlx::PgPool;

use super::params::Params;
use super::recipe_store;
use super::run::Claimed;
use super::{CallLog, CallOutcome, JobDetail, JobStatus, JobSummary, System};
use crate::error::{AppError, Problem};
use crate::incidents::sealed::{keyring, Column};
use crate::incidents::IncidentNumber;

/// Who may be told that a job is waiting.
pub const JOBS_CHANNEL: &str = "datagen_jobs";

pub struct NewJob<'a> {
    pub recipe_id: i64,
    pub recipe_version: i32,
    pub target_id: i64,
    pub params: &'a Params,
    /// Each parameter's label and shown value (identity masked).
    pub shown: &'a [(String, String)],
    pub customer_shown: &'a str,
    pub incident_id: Option<i64>,
    pub by: i64,
}

pub async fn create(pool: &PgPool, job: &NewJob<'_>) -> Result<i64, AppError> {
    let keyring = keyring()?;
    let params = serde_json::to_string(job.params).map_err(|_| AppError::Internal)?;
    let sealed = keyring.seal(Column::JobParams, &params)?;
    let shown = serde_json::to_value(job.shown).map_err(|_| AppError::Internal)?;
    let mut tx = pool.begin().await?;
    let id = sqlx::query_scalar!(
        "INSERT INTO datagen_jobs (recipe_id, recipe_version, target_id, params_key_id, params_sealed,
                                   params_shown, customer_shown, incident_id, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        job.recipe_id,
        job.recipe_version,
        job.target_id,
        keyring.current_id(),
        sealed,
        shown,
        job.customer_shown,
        job.incident_id,
        job.by,
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!("SELECT pg_notify($1, '')", JOBS_CHANNEL)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Takes the oldest waiting job of a target with room, if any: queued, or processing under a
/// lease that ran out (its worker died; the job resumes where it stood).
pub async fn claim(
    pool: &PgPool,
    worker: &str,
    lease: Duration,
) -> Result<Option<Claimed>, AppError> {
    let mut targets = sqlx::query_scalar!(
        "SELECT DISTINCT target_id FROM datagen_jobs
         WHERE status = 'queued' OR (status = 'processing' AND lease_until < now())"
    )
    .fetch_all(pool)
    .await?;
    targets.shuffle(&mut rand::rng());
    let lease_secs = lease.as_secs_f64();
    for target in targets {
        let mut tx = pool.begin().await?;
        // Held to the commit: claims on one target take turns, so each counts the others'.
        // Times are the clock's, not the transaction's start: a claim that waited here starts
        // after the job whose end made room for it.
        let concurrency = sqlx::query_scalar!(
            "SELECT concurrency FROM datagen_targets WHERE id = $1 FOR UPDATE",
            target
        )
        .fetch_one(&mut *tx)
        .await?;
        let id = sqlx::query_scalar!(
            "UPDATE datagen_jobs
             SET status = 'processing', worker = $2, lease_until = now() + make_interval(secs => $3),
                 started_at = COALESCE(started_at, clock_timestamp()), runs = runs + 1
             WHERE id = (SELECT id FROM datagen_jobs
                         WHERE target_id = $1
                           AND (status = 'queued' OR (status = 'processing' AND lease_until < now()))
                         ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED)
               AND (SELECT count(*) FROM datagen_jobs
                    WHERE target_id = $1 AND status = 'processing' AND lease_until >= now()) < $4
             RETURNING id",
            target,
            worker,
            lease_secs,
            i64::from(concurrency),
        )
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        if let Some(id) = id {
            return claimed(pool, id).await.map(Some);
        }
    }
    Ok(None)
}

async fn claimed(pool: &PgPool, id: i64) -> Result<Claimed, AppError> {
    let row = sqlx::query!(
        "SELECT recipe_id, recipe_version, target_id, params_key_id, params_sealed, next_step,
                next_item, vars_key_id, vars_sealed
         FROM datagen_jobs WHERE id = $1",
        id
    )
    .fetch_one(pool)
    .await?;
    let keyring = keyring()?;
    let params = keyring.open(Column::JobParams, &row.params_key_id, &row.params_sealed)?;
    let params: Params = serde_json::from_str(&params).map_err(|_| AppError::Internal)?;
    let vars = match (row.vars_key_id, row.vars_sealed) {
        (Some(key_id), Some(sealed)) => {
            let vars = keyring.open(Column::JobVars, &key_id, &sealed)?;
            serde_json::from_str(&vars).map_err(|_| AppError::Internal)?
        }
        _ => Map::new(),
    };
    let recipe = recipe_store::version(pool, row.recipe_id, row.recipe_version).await?;
    let target = super::targets::open(pool, row.target_id).await?;
    Ok(Claimed {
        id,
        recipe,
        target,
        params,
        next_step: usize::try_from(row.next_step).unwrap_or_default(),
        next_item: usize::try_from(row.next_item).unwrap_or_default(),
        vars,
    })
}

/// Renews the lease of a running job; answers whether it should go on (`false` when it was
/// cancelled or is another worker's now).
pub async fn renew(
    pool: &PgPool,
    id: i64,
    worker: &str,
    lease: Duration,
) -> Result<bool, AppError> {
    let cancel = sqlx::query_scalar!(
        "UPDATE datagen_jobs SET lease_until = now() + make_interval(secs => $3)
         WHERE id = $1 AND worker = $2 AND status = 'processing'
         RETURNING cancel_requested",
        id,
        worker,
        lease.as_secs_f64()
    )
    .fetch_optional(pool)
    .await?;
    Ok(cancel == Some(false))
}

/// Records where the job stands after a call; answers whether it should go on.
pub async fn advance(
    pool: &PgPool,
    id: i64,
    worker: &str,
    step: usize,
    item: usize,
    vars: &Map<String, Value>,
) -> Result<bool, AppError> {
    let keyring = keyring()?;
    let vars = serde_json::to_string(vars).map_err(|_| AppError::Internal)?;
    let sealed = keyring.seal(Column::JobVars, &vars)?;
    let cancel = sqlx::query_scalar!(
        "UPDATE datagen_jobs SET next_step = $3, next_item = $4, vars_key_id = $5, vars_sealed = $6
         WHERE id = $1 AND worker = $2 AND status = 'processing'
         RETURNING cancel_requested",
        id,
        worker,
        i32::try_from(step).unwrap_or(i32::MAX),
        i32::try_from(item).unwrap_or(i32::MAX),
        keyring.current_id(),
        sealed,
    )
    .fetch_optional(pool)
    .await?;
    Ok(cancel == Some(false))
}

pub struct NewCall<'a> {
    pub job_id: i64,
    pub step_index: i32,
    pub item_index: Option<i32>,
    pub name: &'a str,
    pub system: System,
    pub method: &'a str,
    pub url: &'a str,
    pub request: &'a str,
    pub attempt: i32,
    pub status: Option<i32>,
    pub response: &'a str,
    pub extracted: &'a [(String, String)],
    pub outcome: CallOutcome,
    pub error: Option<&'a str>,
    pub at: DateTime<Utc>,
    pub took_ms: i32,
}

pub async fn log_call(pool: &PgPool, call: &NewCall<'_>) -> Result<(), AppError> {
    let extracted = serde_json::to_value(call.extracted).map_err(|_| AppError::Internal)?;
    sqlx::query!(
        "INSERT INTO datagen_job_steps (job_id, step_index, item_index, name, system, method, url,
                                        request_excerpt, attempt, status, response_excerpt,
                                        extracted, outcome, error, started_at, took_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        call.job_id,
        call.step_index,
        call.item_index,
        call.name,
        call.system.as_str(),
        call.method,
        call.url,
        call.request,
        call.attempt,
        call.status,
        call.response,
        extracted,
        call.outcome as CallOutcome,
        call.error,
        call.at as _,
        call.took_ms,
    )
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn finish_success(
    pool: &PgPool,
    id: i64,
    worker: &str,
    result: &[(String, String)],
) -> Result<bool, AppError> {
    let result = serde_json::to_value(result).map_err(|_| AppError::Internal)?;
    let done = sqlx::query!(
        "UPDATE datagen_jobs SET status = 'success', result = $3, finished_at = clock_timestamp(),
                lease_until = NULL, failure = NULL, failed_step = NULL
         WHERE id = $1 AND worker = $2 AND status = 'processing'",
        id,
        worker,
        result
    )
    .execute(pool)
    .await?
    .rows_affected();
    Ok(done == 1)
}

pub async fn finish_failed(
    pool: &PgPool,
    id: i64,
    worker: &str,
    step: &str,
    reason: &str,
) -> Result<bool, AppError> {
    let done = sqlx::query!(
        "UPDATE datagen_jobs SET status = 'failed', failed_step = $3, failure = $4,
                finished_at = clock_timestamp(), lease_until = NULL
         WHERE id = $1 AND worker = $2 AND status = 'processing'",
        id,
        worker,
        step,
        reason
    )
    .execute(pool)
    .await?
    .rows_affected();
    Ok(done == 1)
}

pub async fn finish_cancelled(pool: &PgPool, id: i64, worker: &str) -> Result<bool, AppError> {
    let done = sqlx::query!(
        "UPDATE datagen_jobs SET status = 'cancelled', finished_at = clock_timestamp(), lease_until = NULL
         WHERE id = $1 AND worker = $2 AND status = 'processing' AND cancel_requested",
        id,
        worker
    )
    .execute(pool)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// Cancels a queued job at once, or asks the worker running it to stop after its call.
pub async fn cancel(pool: &PgPool, id: i64) -> Result<(), AppError> {
    let status = sqlx::query_scalar!(
        r#"UPDATE datagen_jobs
           SET status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
               finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END,
               cancel_requested = true
           WHERE id = $1 AND status IN ('queued', 'processing')
           RETURNING status AS "status: JobStatus""#,
        id
    )
    .fetch_optional(pool)
    .await?;
    match status {
        Some(_) => Ok(()),
        None => Err(not_now(pool, id).await?),
    }
}

/// Puts a failed job back in the queue at the step that failed, with what earlier steps
/// extracted.
pub async fn retry_from_failed(pool: &PgPool, id: i64) -> Result<(), AppError> {
    let mut tx = pool.begin().await?;
    let retried = sqlx::query!(
        "UPDATE datagen_jobs SET status = 'queued', failure = NULL, failed_step = NULL,
                finished_at = NULL, worker = NULL, cancel_requested = false
         WHERE id = $1 AND status = 'failed'",
        id
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if retried == 0 {
        tx.rollback().await?;
        return Err(not_now(pool, id).await?);
    }
    sqlx::query!("SELECT pg_notify($1, '')", JOBS_CHANNEL)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Why an action does not fit the job: it is gone, or its status does not allow it.
async fn not_now(pool: &PgPool, id: i64) -> Result<AppError, AppError> {
    let exists = sqlx::query_scalar!("SELECT 1 AS one FROM datagen_jobs WHERE id = $1", id)
        .fetch_optional(pool)
        .await?;
    Ok(match exists {
        Some(_) => AppError::invalid("status", Problem::NotNow),
        None => AppError::NotFound,
    })
}

/// An incident's id by its number, if there is one.
pub async fn incident_id(pool: &PgPool, number: IncidentNumber) -> Result<Option<i64>, AppError> {
    Ok(
        sqlx::query_scalar!("SELECT id FROM incidents WHERE number = $1", number.0)
            .fetch_optional(pool)
            .await?,
    )
}

/// The newest jobs, or those of incident `incident`.
pub async fn jobs(
    pool: &PgPool,
    incident: Option<IncidentNumber>,
    limit: i64,
) -> Result<Vec<JobSummary>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT j.id, v.name AS recipe, t.name AS target, j.status AS "status: JobStatus",
                  j.customer_shown, u.display_name AS by, j.created_at AS "created_at: DateTime<Utc>",
                  j.started_at AS "started_at: DateTime<Utc>", j.finished_at AS "finished_at: DateTime<Utc>",
                  i.number AS "incident?: IncidentNumber", j.failed_step
           FROM datagen_jobs j
           JOIN datagen_recipe_versions v ON v.recipe_id = j.recipe_id AND v.version = j.recipe_version
           JOIN datagen_targets t ON t.id = j.target_id
           JOIN users u ON u.id = j.created_by
           LEFT JOIN incidents i ON i.id = j.incident_id
           WHERE $1::BIGINT IS NULL OR i.number = $1
           ORDER BY j.id DESC LIMIT $2"#,
        incident.map(|n| n.0),
        limit
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| JobSummary {
            id: r.id,
            recipe: r.recipe,
            target: r.target,
            status: r.status,
            customer: r.customer_shown,
            by: r.by,
            created_at: r.created_at,
            started_at: r.started_at,
            finished_at: r.finished_at,
            incident: r.incident,
            failed_step: r.failed_step,
        })
        .collect())
}

/// One job with every call it made.
pub async fn job(pool: &PgPool, id: i64) -> Result<JobDetail, AppError> {
    let summary = sqlx::query!(
        r#"SELECT j.id, v.name AS recipe, v.source, t.name AS target, j.status AS "status: JobStatus",
                  j.customer_shown, u.display_name AS by, j.created_at AS "created_at: DateTime<Utc>",
                  j.started_at AS "started_at: DateTime<Utc>", j.finished_at AS "finished_at: DateTime<Utc>",
                  i.number AS "incident?: IncidentNumber", j.failed_step, j.failure, j.params_shown, j.result,
                  j.recipe_id, j.recipe_version, j.cancel_requested
           FROM datagen_jobs j
           JOIN datagen_recipe_versions v ON v.recipe_id = j.recipe_id AND v.version = j.recipe_version
           JOIN datagen_targets t ON t.id = j.target_id
           JOIN users u ON u.id = j.created_by
           LEFT JOIN incidents i ON i.id = j.incident_id
           WHERE j.id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let recipe = super::recipe::Recipe::parse(&summary.source).map_err(|_| AppError::Internal)?;
    let title = |name: &str| {
        recipe
            .step(name)
            .map(|s| s.title.clone())
            .unwrap_or_default()
    };
    let calls = sqlx::query!(
        r#"SELECT id, name, system, item_index, method, url, request_excerpt, attempt, status,
                  response_excerpt, extracted, outcome AS "outcome: CallOutcome", error,
                  started_at AS "started_at: DateTime<Utc>", took_ms
           FROM datagen_job_steps WHERE job_id = $1 ORDER BY id"#,
        id
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| CallLog {
        id: r.id,
        title: title(&r.name),
        step: r.name,
        system: System::parse(&r.system).unwrap_or(System::Account),
        item: r.item_index,
        method: r.method,
        url: r.url,
        request: r.request_excerpt,
        attempt: r.attempt,
        status: r.status,
        response: r.response_excerpt,
        extracted: serde_json::from_value(r.extracted).unwrap_or_default(),
        outcome: r.outcome,
        error: r.error,
        at: r.started_at,
        took_ms: r.took_ms,
    })
    .collect();
    let labels = |pairs: Option<Value>| -> Vec<(String, String)> {
        pairs
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default()
    };
    let result = labels(summary.result)
        .into_iter()
        .map(|(name, value)| {
            let label = recipe
                .result
                .iter()
                .find(|f| f.name == name)
                .map_or(name, |f| f.label.clone());
            (label, value)
        })
        .collect();
    Ok(JobDetail {
        summary: JobSummary {
            id: summary.id,
            recipe: summary.recipe,
            target: summary.target,
            status: summary.status,
            customer: summary.customer_shown,
            by: summary.by,
            created_at: summary.created_at,
            started_at: summary.started_at,
            finished_at: summary.finished_at,
            incident: summary.incident,
            failed_step: summary.failed_step,
        },
        recipe_id: summary.recipe_id,
        recipe_version: summary.recipe_version,
        params: labels(Some(summary.params_shown)),
        calls,
        steps: recipe
            .steps
            .iter()
            .map(|s| (s.name.clone(), s.title.clone()))
            .collect(),
        result,
        failure: summary.failure,
        cancel_requested: summary.cancel_requested,
    })
}
