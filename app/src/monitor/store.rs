//! Rules, runs and the abnormal records runs kept.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::check::Tally;
use super::{Check, Outcome, ReadError};
use crate::error::AppError;
use crate::incidents::Severity;

/// A rule as its author writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRule {
    pub name: String,
    pub check: Check,
    /// Five-field cron, Asia/Shanghai.
    pub schedule: String,
    pub severity: Severity,
}

fn spec(check: &Check) -> Result<serde_json::Value, AppError> {
    serde_json::to_value(check).map_err(|error| {
        tracing::error!(%error, "a monitor rule's check did not serialise");
        AppError::Internal
    })
}

/// Saves a rule, due first at `first_run`.
pub async fn create_rule(
    pool: &PgPool,
    rule: &NewRule,
    created_by: i64,
    first_run: DateTime<Utc>,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar!(
        "INSERT INTO monitor_rules (name, spec, schedule, severity, created_by, next_run_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        rule.name,
        spec(&rule.check)?,
        rule.schedule,
        rule.severity as Severity,
        created_by,
        first_run as _,
    )
    .fetch_one(pool)
    .await?)
}

/// Opens a run of `rule_id`; it ends with [`finish_run`].
pub async fn start_run(
    conn: &mut PgConnection,
    rule_id: i64,
    started_by: &str,
) -> Result<i64, AppError> {
    Ok(sqlx::query_scalar!(
        "INSERT INTO monitor_runs (rule_id, started_by) VALUES ($1, $2) RETURNING id",
        rule_id,
        started_by
    )
    .fetch_one(conn)
    .await?)
}

/// Writes what a run found (its counts and kept records) or why it could not look.
pub async fn finish_run(
    pool: &PgPool,
    run_id: i64,
    result: &Result<Tally, ReadError>,
) -> Result<Outcome, AppError> {
    let mut tx = pool.begin().await?;
    let outcome = match result {
        Err(error) => {
            let error = serde_json::to_value(error).map_err(|_| AppError::Internal)?;
            sqlx::query!(
                "UPDATE monitor_runs SET finished_at = now(), outcome = 'error', error = $2
                 WHERE id = $1",
                run_id,
                error
            )
            .execute(&mut *tx)
            .await?;
            Outcome::Error
        }
        Ok(tally) => {
            let outcome = if tally.abnormal > 0 {
                Outcome::Abnormal
            } else {
                Outcome::Normal
            };
            sqlx::query!(
                "UPDATE monitor_runs SET finished_at = now(), outcome = $2, normal_count = $3,
                                         abnormal_count = $4, kept_count = $5
                 WHERE id = $1",
                run_id,
                outcome.as_str(),
                tally.normal as i64,
                tally.abnormal as i64,
                tally.records.len() as i32,
            )
            .execute(&mut *tx)
            .await?;
            let kinds: Vec<&str> = tally.records.iter().map(|r| r.kind.as_str()).collect();
            let keys: Vec<Option<String>> = tally.records.iter().map(|r| r.key.clone()).collect();
            let details: Vec<serde_json::Value> =
                tally.records.iter().map(|r| r.detail.clone()).collect();
            sqlx::query!(
                "INSERT INTO monitor_records (run_id, seq, kind, key, detail)
                 SELECT $1, r.seq::INT, r.kind, r.key, r.detail
                 FROM unnest($2::TEXT[], $3::TEXT[], $4::JSONB[])
                      WITH ORDINALITY AS r(kind, key, detail, seq)",
                run_id,
                &kinds as &[&str],
                &keys as &[Option<String>],
                &details,
            )
            .execute(&mut *tx)
            .await?;
            outcome
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

/// One run as the rule's page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    pub id: i64,
    pub started_by: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub outcome: Option<String>,
    pub normal: i64,
    pub abnormal: i64,
    pub kept: i32,
    pub error: Option<ReadError>,
}

/// The rule's runs, newest first.
pub async fn runs(pool: &PgPool, rule_id: i64, limit: i64) -> Result<Vec<RunRow>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT id, started_by, started_at AS "started_at: DateTime<Utc>",
                  finished_at AS "finished_at: DateTime<Utc>", outcome,
                  normal_count, abnormal_count, kept_count, error
           FROM monitor_runs WHERE rule_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2"#,
        rule_id,
        limit
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| RunRow {
            id: r.id,
            started_by: r.started_by,
            started_at: r.started_at,
            finished_at: r.finished_at,
            outcome: r.outcome,
            normal: r.normal_count,
            abnormal: r.abnormal_count,
            kept: r.kept_count,
            error: r.error.and_then(|e| serde_json::from_value(e).ok()),
        })
        .collect())
}
