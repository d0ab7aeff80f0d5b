//! `/console/datagen/stats`: jobs a day, by status, why they failed (by step and error, from
//! every failed call, including those retried since), how long they took and who ran them.

use chrono::{Days, NaiveDate};
use sqlx::PgPool;

use super::{DayCount, FailureReason, JobStatus, Stats, StatsFilter};
use crate::error::AppError;

/// The failure reasons a page lists.
const REASONS_SHOWN: i64 = 20;

pub async fn stats(
    pool: &PgPool,
    filter: &StatsFilter,
    today: NaiveDate,
) -> Result<Stats, AppError> {
    let first = today - Days::new(u64::try_from(filter.days.max(1) - 1).unwrap_or_default());
    let per_day = sqlx::query!(
        r#"SELECT (created_at AT TIME ZONE 'Asia/Shanghai')::date AS "day!: NaiveDate",
                  count(*) FILTER (WHERE status = 'success') AS "success!",
                  count(*) FILTER (WHERE status = 'failed') AS "failed!",
                  count(*) FILTER (WHERE status NOT IN ('success', 'failed')) AS "other!"
           FROM datagen_jobs
           WHERE ($1::BIGINT IS NULL OR recipe_id = $1) AND ($2::BIGINT IS NULL OR target_id = $2)
             AND (created_at AT TIME ZONE 'Asia/Shanghai')::date >= $3
           GROUP BY 1 ORDER BY 1"#,
        filter.recipe,
        filter.target,
        first as _
    )
    .fetch_all(pool)
    .await?;
    let days = first
        .iter_days()
        .take_while(|day| *day <= today)
        .map(|day| {
            let found = per_day.iter().find(|r| r.day == day);
            DayCount {
                day,
                success: found.map_or(0, |r| r.success),
                failed: found.map_or(0, |r| r.failed),
                other: found.map_or(0, |r| r.other),
            }
        })
        .collect();
    let statuses = sqlx::query!(
        r#"SELECT status AS "status: JobStatus", count(*) AS "jobs!" FROM datagen_jobs
           WHERE ($1::BIGINT IS NULL OR recipe_id = $1) AND ($2::BIGINT IS NULL OR target_id = $2)
             AND (created_at AT TIME ZONE 'Asia/Shanghai')::date >= $3
           GROUP BY status"#,
        filter.recipe,
        filter.target,
        first as _
    )
    .fetch_all(pool)
    .await?;
    let by_status = JobStatus::ALL
        .into_iter()
        .map(|status| {
            let jobs = statuses
                .iter()
                .find(|r| r.status == status)
                .map_or(0, |r| r.jobs);
            (status, jobs)
        })
        .collect();
    let failures = sqlx::query!(
        r#"SELECT s.name, COALESCE(s.error, '') AS "reason!", count(DISTINCT s.job_id) AS "jobs!"
           FROM datagen_job_steps s JOIN datagen_jobs j ON j.id = s.job_id
           WHERE s.outcome = 'failed'
             AND ($1::BIGINT IS NULL OR j.recipe_id = $1) AND ($2::BIGINT IS NULL OR j.target_id = $2)
             AND (j.created_at AT TIME ZONE 'Asia/Shanghai')::date >= $3
           GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT $4"#,
        filter.recipe,
        filter.target,
        first as _,
        REASONS_SHOWN
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| FailureReason {
        step: r.name,
        reason: r.reason,
        jobs: r.jobs,
    })
    .collect();
    let durations = sqlx::query!(
        r#"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at)) AS median,
                  percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at - started_at)) AS p90
           FROM datagen_jobs
           WHERE status = 'success'
             AND ($1::BIGINT IS NULL OR recipe_id = $1) AND ($2::BIGINT IS NULL OR target_id = $2)
             AND (created_at AT TIME ZONE 'Asia/Shanghai')::date >= $3"#,
        filter.recipe,
        filter.target,
        first as _
    )
    .fetch_one(pool)
    .await?;
    let by_user = sqlx::query!(
        r#"SELECT u.display_name, count(*) AS "jobs!" FROM datagen_jobs j
           JOIN users u ON u.id = j.created_by
           WHERE ($1::BIGINT IS NULL OR j.recipe_id = $1) AND ($2::BIGINT IS NULL OR j.target_id = $2)
             AND (j.created_at AT TIME ZONE 'Asia/Shanghai')::date >= $3
           GROUP BY u.display_name ORDER BY 2 DESC, 1"#,
        filter.recipe,
        filter.target,
        first as _
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.display_name, r.jobs))
    .collect();
    let recipes = sqlx::query!(
        "SELECT r.id, v.name FROM datagen_recipes r
         JOIN datagen_recipe_versions v ON v.recipe_id = r.id AND v.version = r.current_version
         ORDER BY r.id"
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.id, r.name))
    .collect();
    let targets = sqlx::query!("SELECT id, name FROM datagen_targets ORDER BY name")
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    Ok(Stats {
        days,
        by_status,
        failures,
        median_secs: durations.median,
        p90_secs: durations.p90,
        by_user,
        recipes,
        targets,
    })
}
