//! Test-data jobs across two real server processes on one database: 100 jobs submitted at
//! once all finish, never more at once on a target than it allows, none run twice. Prints the
//! rate the workers sustain against the sandbox and the jobs' durations.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::datagen::{submit_regular, Sandbox};
use crate::server_process::ServerProcess;

const JOBS: usize = 100;

/// A finished job: its status, how often it was taken, its start, end and worker.
type JobRow = (String, i32, DateTime<Utc>, DateTime<Utc>, String);
const CONCURRENCY: i32 = 4;

/// The most intervals open at one moment.
fn most_at_once(intervals: &[(DateTime<Utc>, DateTime<Utc>)]) -> usize {
    let mut edges: Vec<(DateTime<Utc>, i32)> = intervals
        .iter()
        .flat_map(|(start, end)| [(*start, 1), (*end, -1)])
        .collect();
    // An end before a start at the same instant: a slot freed and taken is not an overlap.
    edges.sort_by_key(|(at, change)| (*at, *change));
    let (mut open, mut most) = (0i32, 0i32);
    for (_, change) in edges {
        open += change;
        most = most.max(open);
    }
    usize::try_from(most).unwrap_or_default()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_hundred_jobs_on_two_processes_keep_the_targets_limit_and_run_once(pool: PgPool) {
    crate::support::create_users(&pool).await;
    let sandbox = Sandbox::start(&pool).await;
    let target = sandbox.target(&pool, CONCURRENCY).await;
    let vars = [("DATAGEN_WORKERS", "8"), ("BROKERAGE_SANDBOX_ADDR", "off")];
    let _replicas = [
        ServerProcess::start(&pool, &vars).await,
        ServerProcess::start(&pool, &vars).await,
    ];
    let mut jobs = Vec::new();
    for _ in 0..JOBS {
        jobs.push(submit_regular(&pool, target).await);
    }
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let open: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM datagen_jobs WHERE status IN ('queued', 'processing')",
        )
        .fetch_one(&pool)
        .await
        .expect("open jobs");
        if open == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "{open} jobs still open");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let rows: Vec<JobRow> = sqlx::query_as(
        "SELECT status, runs, started_at, finished_at, worker FROM datagen_jobs ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .expect("jobs");
    assert_eq!(rows.len(), JOBS);
    assert!(rows.iter().all(|r| r.0 == "success"), "every job succeeded");
    assert!(rows.iter().all(|r| r.1 == 1), "each job was taken once");
    assert_eq!(
        Sandbox::served(&pool, "").await,
        35 * JOBS as i64,
        "no call twice"
    );
    let intervals: Vec<_> = rows.iter().map(|r| (r.2, r.3)).collect();
    let most = most_at_once(&intervals);
    assert!(most <= CONCURRENCY as usize, "{most} jobs at once");
    let workers: std::collections::BTreeSet<&str> = rows
        .iter()
        .map(|r| r.4.split('-').next().unwrap_or_default())
        .collect();

    let first = intervals.iter().map(|i| i.0).min().expect("first");
    let last = intervals.iter().map(|i| i.1).max().expect("last");
    let span = (last - first).num_milliseconds() as f64 / 1000.0;
    let mut durations: Vec<f64> = intervals
        .iter()
        .map(|(s, e)| (*e - *s).num_milliseconds() as f64 / 1000.0)
        .collect();
    durations.sort_by(f64::total_cmp);
    println!(
        "datagen: {JOBS} regular accounts (35 calls each) on 2 processes, target limit {CONCURRENCY}: \
         {span:.1} s, {:.0} jobs a minute, job duration p50 {:.2} s p95 {:.2} s, \
         at most {most} at once, taken by {} processes",
        JOBS as f64 / span * 60.0,
        percentile(&durations, 0.5),
        percentile(&durations, 0.95),
        workers.len()
    );
}

#[test]
fn overlaps_are_counted_and_touching_intervals_are_not() {
    let at = |s: i64| DateTime::<Utc>::from_timestamp(s, 0).unwrap_or_default();
    assert_eq!(
        most_at_once(&[(at(0), at(10)), (at(5), at(15)), (at(6), at(7))]),
        3
    );
    assert_eq!(most_at_once(&[(at(0), at(10)), (at(10), at(20))]), 1);
}
