//! Rules, runs and the abnormal records runs kept.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};

use super::alerts::Alerts;
use super::check::Tally;
use super::{
    Check, CheckKind, Outcome, ReadError, RecordKind, RecordView, RuleDetail, RuleInput,
    RuleSummary, RunDetail, RunSummary,
};
use crate::error::{AppError, Problem};
use crate::incidents::{IncidentNumber, Severity};
use crate::reference::Named;

/// A rule as its author writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRule {
    pub name: String,
    pub check: Check,
    /// Five-field cron, Asia/Shanghai.
    pub schedule: String,
    pub severity: Severity,
    /// The watched system's code.
    pub system: Option<String>,
    /// Written from this resolved incident (kept from the rule's first save).
    pub from_incident: Option<IncidentNumber>,
}

fn spec(check: &Check) -> Result<serde_json::Value, AppError> {
    serde_json::to_value(check).map_err(|error| {
        tracing::error!(%error, "a monitor rule's check did not serialise");
        AppError::Internal
    })
}

/// A rule's cooldown unless its author says otherwise.
pub const DEFAULT_COOLDOWN_MINUTES: i32 = 60;

/// Saves a rule, enabled, due first at `first_run`.
pub async fn create_rule(
    pool: &PgPool,
    rule: &NewRule,
    created_by: i64,
    first_run: DateTime<Utc>,
) -> Result<i64, AppError> {
    save_rule(
        pool,
        None,
        rule,
        (true, DEFAULT_COOLDOWN_MINUTES),
        created_by,
        Some(first_run),
    )
    .await
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

/// Writes what a run found (its counts and kept records) or why it could not look, and
/// what that means for the rule's alerts.
pub async fn finish_run(
    pool: &PgPool,
    run_id: i64,
    result: &Result<Tally, ReadError>,
    alerts: &Alerts,
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
    let texts = super::texts::of(crate::i18n::Locale::default());
    let summary = match result {
        Ok(tally) => super::alerts::summary(texts, outcome, tally.normal, tally.abnormal, None),
        Err(error) => super::alerts::summary(texts, outcome, 0, 0, Some(error)),
    };
    super::alerts::after_run(
        &mut tx,
        run_id,
        outcome,
        &summary,
        alerts,
        chrono::Utc::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Closes, as interrupted, runs still open after `longest` (more than any run may take): the
/// process running them died, and nothing else would ever finish them. Answers how many.
pub async fn close_interrupted(
    pool: &PgPool,
    longest: std::time::Duration,
) -> Result<u64, AppError> {
    let error = serde_json::to_value(ReadError::Interrupted).map_err(|_| AppError::Internal)?;
    let closed = sqlx::query!(
        "UPDATE monitor_runs SET finished_at = now(), outcome = 'error', error = $2
         WHERE finished_at IS NULL AND started_at < now() - make_interval(secs => $1)",
        longest.as_secs_f64(),
        error,
    )
    .execute(pool)
    .await?;
    Ok(closed.rows_affected())
}

/// A run's row read back.
macro_rules! run_summary {
    ($r:expr) => {
        RunSummary {
            id: $r.id,
            manual: $r.started_by == "manual",
            started_at: $r.started_at,
            finished_at: $r.finished_at,
            outcome: $r.outcome.as_deref().and_then(Outcome::parse),
            normal: $r.normal_count,
            abnormal: $r.abnormal_count,
            kept: $r.kept_count,
            error: $r.error.and_then(|e| serde_json::from_value(e).ok()),
            alert: $r.alert,
        }
    };
}

/// The rule's runs, newest first.
pub async fn runs(pool: &PgPool, rule_id: i64, limit: i64) -> Result<Vec<RunSummary>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT id, started_by, started_at AS "started_at: DateTime<Utc>",
                  finished_at AS "finished_at: DateTime<Utc>", outcome,
                  normal_count, abnormal_count, kept_count, error, alert
           FROM monitor_runs WHERE rule_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2"#,
        rule_id,
        limit
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| run_summary!(r)).collect())
}

/// Every rule with its latest run, by name.
pub async fn rules(pool: &PgPool) -> Result<Vec<RuleSummary>, AppError> {
    let rows = sqlx::query!(
        r#"SELECT r.id AS "rule_id!", r.name, r.spec, r.schedule, r.severity AS "severity: Severity",
                  r.enabled, r.next_run_at AS "next_run_at: DateTime<Utc>",
                  r.cooldown_minutes, r.alerting,
                  r.silenced_until AS "silenced_until: DateTime<Utc>",
                  s.code AS "system_code?", s.name_zh AS "system_zh?", s.name_en AS "system_en?",
                  o.display_name AS "owner?",
                  l.id AS "id?", l.started_by AS "started_by?",
                  l.started_at AS "started_at?: DateTime<Utc>",
                  l.finished_at AS "finished_at?: DateTime<Utc>", l.outcome AS "outcome?",
                  l.normal_count AS "normal_count?", l.abnormal_count AS "abnormal_count?",
                  l.kept_count AS "kept_count?", l.error AS "error?", l.alert AS "alert?"
           FROM monitor_rules r
           LEFT JOIN systems s ON s.id = r.system_id
           LEFT JOIN users o ON o.id = r.owner_id
           LEFT JOIN LATERAL (SELECT * FROM monitor_runs u WHERE u.rule_id = r.id
                              ORDER BY u.started_at DESC, u.id DESC LIMIT 1) l ON TRUE
           ORDER BY r.name, r.id"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let last_run = match (r.id, r.started_by, r.started_at) {
                (Some(id), Some(started_by), Some(started_at)) => Some(RunSummary {
                    id,
                    manual: started_by == "manual",
                    started_at,
                    finished_at: r.finished_at,
                    outcome: r.outcome.as_deref().and_then(Outcome::parse),
                    normal: r.normal_count.unwrap_or_default(),
                    abnormal: r.abnormal_count.unwrap_or_default(),
                    kept: r.kept_count.unwrap_or_default(),
                    error: r.error.and_then(|e| serde_json::from_value(e).ok()),
                    alert: r.alert,
                }),
                _ => None,
            };
            RuleSummary {
                id: r.rule_id,
                name: r.name,
                kind: check_of(r.spec).map_or(CheckKind::RowCheck, |c| c.kind()),
                schedule: r.schedule,
                severity: r.severity,
                enabled: r.enabled,
                next_run_at: r.next_run_at,
                last_run,
                cooldown_minutes: r.cooldown_minutes,
                alerting: r.alerting,
                silenced_until: r.silenced_until,
                system: named(r.system_code, r.system_zh, r.system_en),
                owner: r.owner,
            }
        })
        .collect())
}

/// A system joined in, when the rule names one.
fn named(code: Option<String>, name_zh: Option<String>, name_en: Option<String>) -> Option<Named> {
    Some(Named {
        code: code?,
        name_zh: name_zh?,
        name_en: name_en?,
    })
}

fn check_of(spec: serde_json::Value) -> Result<Check, AppError> {
    serde_json::from_value(spec).map_err(|error| {
        tracing::error!(%error, "a monitor rule's check does not read");
        AppError::Internal
    })
}

/// A rule with what it checks and its recent runs.
pub async fn rule(pool: &PgPool, id: i64, runs_shown: i64) -> Result<RuleDetail, AppError> {
    let row = sqlx::query!(
        r#"SELECT r.id, r.name, r.spec, r.schedule, r.severity AS "severity: Severity", r.enabled,
                  r.next_run_at AS "next_run_at: DateTime<Utc>", r.cooldown_minutes, r.alerting,
                  r.silenced_until AS "silenced_until: DateTime<Utc>",
                  s.code AS "system_code?", s.name_zh AS "system_zh?", s.name_en AS "system_en?",
                  f.number AS "from_number?: IncidentNumber", o.display_name AS "owner?"
           FROM monitor_rules r
           LEFT JOIN systems s ON s.id = r.system_id
           LEFT JOIN users o ON o.id = r.owner_id
           LEFT JOIN incidents f ON f.id = r.from_incident_id
           WHERE r.id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let check = check_of(row.spec)?;
    let runs = runs(pool, id, runs_shown).await?;
    let rule = RuleSummary {
        id: row.id,
        name: row.name,
        kind: check.kind(),
        schedule: row.schedule,
        severity: row.severity,
        enabled: row.enabled,
        next_run_at: row.next_run_at,
        last_run: runs.first().cloned(),
        cooldown_minutes: row.cooldown_minutes,
        alerting: row.alerting,
        silenced_until: row.silenced_until,
        system: named(row.system_code, row.system_zh, row.system_en),
        owner: row.owner,
    };
    let mut input = RuleInput::of(&rule, &check);
    input.from_incident = row.from_number;
    Ok(RuleDetail {
        input,
        rule,
        runs,
        incidents: super::incidents_store::linked_to_rule(pool, id).await?,
    })
}

/// Writes a checked rule (new when `id` is `None`); it is next due at `next_run`.
pub async fn save_rule(
    pool: &PgPool,
    id: Option<i64>,
    rule: &NewRule,
    (enabled, cooldown_minutes): (bool, i32),
    by: i64,
    next_run: Option<DateTime<Utc>>,
) -> Result<i64, AppError> {
    let spec = spec(&rule.check)?;
    let system_id = match &rule.system {
        None => None,
        Some(code) => Some(
            sqlx::query_scalar!("SELECT id FROM systems WHERE code = $1 AND active", code)
                .fetch_optional(pool)
                .await?
                .ok_or(AppError::invalid("system", Problem::UnknownChoice))?,
        ),
    };
    match id {
        None => Ok(sqlx::query_scalar!(
            "INSERT INTO monitor_rules (name, spec, schedule, severity, enabled, created_by,
                                        owner_id, next_run_at, cooldown_minutes, system_id,
                                        from_incident_id)
             VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9,
                     (SELECT id FROM incidents WHERE number = $10))
             RETURNING id",
            rule.name,
            spec,
            rule.schedule,
            rule.severity as Severity,
            enabled,
            by,
            next_run as _,
            cooldown_minutes,
            system_id,
            rule.from_incident.map(|n| n.0),
        )
        .fetch_one(pool)
        .await?),
        Some(id) => sqlx::query_scalar!(
            "UPDATE monitor_rules SET name = $2, spec = $3, schedule = $4, severity = $5,
                                      enabled = $6, next_run_at = $7, cooldown_minutes = $8,
                                      system_id = $9, updated_at = now()
             WHERE id = $1 RETURNING id",
            id,
            rule.name,
            spec,
            rule.schedule,
            rule.severity as Severity,
            enabled,
            next_run as _,
            cooldown_minutes,
            system_id,
        )
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound),
    }
}

/// Silences a rule's alerts until `until` (`None`: speaks again), as `by` asked.
pub async fn silence(
    pool: &PgPool,
    rule_id: i64,
    until: Option<DateTime<Utc>>,
    by: i64,
) -> Result<(), AppError> {
    sqlx::query_scalar!(
        "UPDATE monitor_rules SET silenced_until = $2, silenced_by = $3 WHERE id = $1
         RETURNING id",
        rule_id,
        until as _,
        until.map(|_| by),
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(())
}

/// The rule's check, to run it now.
pub async fn check(pool: &PgPool, rule_id: i64) -> Result<Check, AppError> {
    let spec = sqlx::query_scalar!("SELECT spec FROM monitor_rules WHERE id = $1", rule_id)
        .fetch_optional(pool)
        .await?
        .ok_or(AppError::NotFound)?;
    check_of(spec)
}

/// A run, its rule, and the page of its kept records matching `search` (in a key or any
/// value), from record `offset`.
pub async fn run(
    pool: &PgPool,
    run_id: i64,
    search: &str,
    offset: i64,
    limit: i64,
) -> Result<RunDetail, AppError> {
    let row = sqlx::query!(
        r#"SELECT u.id, u.started_by, u.started_at AS "started_at: DateTime<Utc>",
                  u.finished_at AS "finished_at: DateTime<Utc>", u.outcome,
                  u.normal_count, u.abnormal_count, u.kept_count, u.error, u.alert,
                  r.id AS rule_id, r.name AS rule_name, s.code AS "rule_system?"
           FROM monitor_runs u JOIN monitor_rules r ON r.id = u.rule_id
           LEFT JOIN systems s ON s.id = r.system_id
           WHERE u.id = $1"#,
        run_id
    )
    .fetch_optional(pool)
    .await?
    .ok_or(AppError::NotFound)?;
    let pattern = crate::search::like_pattern(search.trim());
    let records = sqlx::query!(
        r#"SELECT kind, key, detail, count(*) OVER () AS "matching!"
           FROM monitor_records
           WHERE run_id = $1 AND ($2 = '%%' OR key ILIKE $2 OR detail::text ILIKE $2)
           ORDER BY seq OFFSET $3 LIMIT $4"#,
        run_id,
        pattern,
        offset,
        limit
    )
    .fetch_all(pool)
    .await?;
    let matching = records.first().map_or(0, |r| r.matching);
    let (rule_id, rule_name, rule_system) =
        (row.rule_id, row.rule_name.clone(), row.rule_system.clone());
    Ok(RunDetail {
        run: run_summary!(row),
        rule_id,
        rule_name,
        rule_system,
        matching,
        raised: None,
        may_raise: false,
        records: records
            .into_iter()
            .map(|r| {
                RecordView::from_detail(
                    RecordKind::parse(&r.kind).unwrap_or(RecordKind::Row),
                    r.key,
                    &r.detail,
                )
            })
            .collect(),
    })
}
