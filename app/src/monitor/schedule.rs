//! Running rules when they are due. A replica claims a due rule by moving its next run on in
//! the same transaction that opens the run, with `FOR UPDATE SKIP LOCKED`: however many
//! replicas look at once, each due run happens once.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use croner::Cron;
use sqlx::PgPool;

use super::check::{self, Tally};
use super::reading::Limits;
use super::sources::Sources;
use super::{Check, Outcome, ReadError};
use crate::error::AppError;

/// How runs read their sources and how much of what they find they keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSettings {
    pub limits: Limits,
    /// Abnormal records kept a run (all are counted).
    pub keep: usize,
}

impl RunSettings {
    /// Longer than any run may take: both sides read within the timeout, then a margin to
    /// write what was found.
    pub fn longest_run(&self) -> Duration {
        self.limits.timeout * 2 + Duration::from_secs(300)
    }
}

impl Default for RunSettings {
    fn default() -> Self {
        Self {
            limits: Limits {
                timeout: Duration::from_secs(60),
                row_cap: 5_000_000,
            },
            keep: 1000,
        }
    }
}

/// A five-field cron expression (minute hour day-of-month month day-of-week), read in
/// Asia/Shanghai.
#[derive(Debug, Clone)]
pub struct Schedule(Cron);

impl FromStr for Schedule {
    type Err = ();

    fn from_str(text: &str) -> Result<Self, ()> {
        let text = text.trim();
        // Seconds and years are not asked for: five fields, as crontab has them.
        if text.split_whitespace().count() != 5 {
            return Err(());
        }
        Cron::from_str(text).map(Self).map_err(|_| ())
    }
}

impl Schedule {
    /// The first time after `after` the schedule names.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.0
            .find_next_occurrence(&crate::time::to_shanghai(after), false)
            .ok()
            .map(|at| at.with_timezone(&Utc))
    }
}

/// A rule taken for a run.
struct Claimed {
    rule_id: i64,
    run_id: i64,
    check: Result<Check, serde_json::Error>,
}

/// Takes the rule due longest, moves its next run on and opens its run; `None` when nothing
/// is due (or everything due is being taken by another replica).
async fn claim(pool: &PgPool, now: DateTime<Utc>) -> Result<Option<Claimed>, AppError> {
    let mut tx = pool.begin().await?;
    let Some(rule) = sqlx::query!(
        "SELECT id, spec, schedule FROM monitor_rules
         WHERE enabled AND next_run_at <= $1
         ORDER BY next_run_at LIMIT 1
         FOR UPDATE SKIP LOCKED",
        now as _,
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    // A schedule that no longer reads (edited by hand in the database) stops the rule
    // rather than running it every tick.
    let next = Schedule::from_str(&rule.schedule)
        .ok()
        .and_then(|s| s.next_after(now));
    sqlx::query!(
        "UPDATE monitor_rules SET next_run_at = $2 WHERE id = $1",
        rule.id,
        next as _,
    )
    .execute(&mut *tx)
    .await?;
    let run_id = super::store::start_run(&mut tx, rule.id, "schedule").await?;
    tx.commit().await?;
    Ok(Some(Claimed {
        rule_id: rule.id,
        run_id,
        check: serde_json::from_value(rule.spec),
    }))
}

/// What the server's monitoring works with: the sources and how runs read them. Server
/// functions find it in the Leptos context; the scheduler is handed it.
#[derive(Debug, Clone, Default)]
pub struct Monitoring {
    pub sources: Sources,
    pub runs: RunSettings,
    pub alerts: super::alerts::Alerts,
}

/// The monitoring the server provides, for a server function.
pub fn monitoring() -> Result<Monitoring, AppError> {
    leptos::prelude::use_context::<Monitoring>().ok_or_else(|| {
        tracing::error!("monitoring missing from the Leptos context");
        AppError::Internal
    })
}

/// Runs a rule now, as someone asked from its page; answers the run's id.
pub async fn run_now(
    pool: &PgPool,
    monitoring: &Monitoring,
    rule_id: i64,
) -> Result<i64, AppError> {
    let check = super::store::check(pool, rule_id).await?;
    let run_id = {
        let mut conn = pool.acquire().await?;
        super::store::start_run(&mut conn, rule_id, "manual").await?
    };
    let result = check::run(
        &check,
        &monitoring.sources,
        monitoring.runs.limits,
        monitoring.runs.keep,
    )
    .await;
    super::store::finish_run(pool, run_id, &result, &monitoring.alerts).await?;
    Ok(run_id)
}

/// What `check` would find now, kept nowhere: the editor's dry run shows the first `shown`
/// records.
pub async fn dry_run(monitoring: &Monitoring, check: &Check, shown: usize) -> super::DryRun {
    let result = check::run(check, &monitoring.sources, monitoring.runs.limits, shown).await;
    match result {
        Ok(tally) => super::DryRun {
            outcome: if tally.abnormal > 0 {
                Outcome::Abnormal
            } else {
                Outcome::Normal
            },
            normal: tally.normal as i64,
            abnormal: tally.abnormal as i64,
            records: tally
                .records
                .into_iter()
                .map(|r| super::RecordView::from_detail(r.kind, r.key, &r.detail))
                .collect(),
            error: None,
        },
        Err(error) => super::DryRun {
            outcome: Outcome::Error,
            normal: 0,
            abnormal: 0,
            records: Vec::new(),
            error: Some(error),
        },
    }
}

/// Runs every rule due at `now`; answers how many ran.
pub async fn run_due(
    pool: &PgPool,
    monitoring: &Monitoring,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let (sources, settings) = (&monitoring.sources, monitoring.runs);
    let interrupted = super::store::close_interrupted(pool, settings.longest_run()).await?;
    if interrupted > 0 {
        tracing::warn!(
            interrupted,
            "monitoring runs left open by a stopped server closed"
        );
    }
    let mut ran = 0;
    while let Some(claimed) = claim(pool, now).await? {
        let result: Result<Tally, ReadError> = match &claimed.check {
            Ok(check) => check::run(check, sources, settings.limits, settings.keep).await,
            Err(error) => {
                tracing::error!(rule = claimed.rule_id, %error, "a monitor rule's check does not read");
                Err(ReadError::Query("rule definition unreadable".to_owned()))
            }
        };
        let outcome =
            super::store::finish_run(pool, claimed.run_id, &result, &monitoring.alerts).await?;
        if outcome == Outcome::Error {
            tracing::info!(
                rule = claimed.rule_id,
                run = claimed.run_id,
                "monitor run failed"
            );
        }
        ran += 1;
    }
    Ok(ran)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn schedules_are_read_in_shanghai_time() {
        let daily = Schedule::from_str("30 7 * * *").expect("daily");
        // 07:30 in Shanghai is 23:30 UTC the day before.
        assert_eq!(
            daily.next_after(at("2026-12-01T00:00:00Z")),
            Some(at("2026-12-01T23:30:00Z"))
        );
        let weekdays = Schedule::from_str("0 9 * * 1-5").expect("weekdays");
        // Saturday 5 December: next is Monday 7 December 09:00 Shanghai.
        assert_eq!(
            weekdays.next_after(at("2026-12-05T02:00:00Z")),
            Some(at("2026-12-07T01:00:00Z"))
        );
        for bad in ["", "* * * *", "0 0 * * * *", "61 * * * *", "every day"] {
            assert!(Schedule::from_str(bad).is_err(), "{bad}");
        }
    }
}
