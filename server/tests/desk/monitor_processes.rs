//! Monitoring across real server processes: two replicas on one database, each with its
//! scheduler, run every due rule exactly once between them.

use std::time::Duration;

use chrono::Utc;
use sqlx::PgPool;

use crate::monitor::{admin_id, Business};
use crate::server_process::{database_url, wait_until, ServerProcess};
use app::incidents::Severity;
use app::monitor::store::{self, NewRule};
use app::monitor::{Check, Query};

/// Rules due at once; each query takes a while, so both schedulers are busy together.
const RULES: usize = 24;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn two_server_processes_run_each_due_rule_exactly_once(pool: PgPool) {
    let business = Business::new(&pool, "CREATE TABLE t (n INT); INSERT INTO t VALUES (1);").await;
    crate::support::create_users(&pool).await;
    let admin = admin_id(&pool).await;
    for i in 0..RULES {
        let rule = NewRule {
            name: format!("规则 {i}"),
            check: Check::RowCheck {
                query: Query {
                    source: "business".into(),
                    sql: "SELECT n FROM t, pg_sleep(0.5)".into(),
                },
            },
            // Once a year: after this run, none is due again while the test lasts.
            schedule: "0 0 1 1 *".into(),
            severity: Severity::P3,
            system: None,
            from_incident: None,
        };
        store::create_rule(&pool, &rule, admin, Utc::now())
            .await
            .expect("rule");
    }
    let url = database_url(&pool).replacen(
        &format!(
            "/{}?",
            pool.connect_options().get_database().unwrap_or_default()
        ),
        &format!("/{}?", business.name),
        1,
    );
    let vars = [("MONITOR_SOURCE_BUSINESS", url.as_str())];
    let replicas = [
        ServerProcess::start(&pool, &vars).await,
        ServerProcess::start(&pool, &vars).await,
    ];

    let finished = async || -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM monitor_runs WHERE finished_at IS NOT NULL")
            .fetch_one(&pool)
            .await
            .expect("runs")
    };
    wait_until("every due rule has run", async || {
        finished().await >= RULES as i64
    })
    .await;
    // Both schedulers tick every 15 s: past one more tick each, nothing may run twice.
    tokio::time::sleep(Duration::from_secs(16)).await;
    for replica in replicas {
        replica.kill().await;
    }

    let runs: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT r.id, count(u.id) FROM monitor_rules r LEFT JOIN monitor_runs u ON u.rule_id = r.id
         GROUP BY r.id ORDER BY r.id",
    )
    .fetch_all(&pool)
    .await
    .expect("runs per rule");
    assert_eq!(runs.len(), RULES);
    assert!(
        runs.iter().all(|(_, n)| *n == 1),
        "each rule ran exactly once: {runs:?}"
    );
    let outcomes: Vec<String> = sqlx::query_scalar("SELECT DISTINCT outcome FROM monitor_runs")
        .fetch_all(&pool)
        .await
        .expect("outcomes");
    assert_eq!(outcomes, ["abnormal"], "every run read the business source");
    // One scheduler runs its rules one after another: runs that overlap in time were the two
    // processes working side by side, so the test did put them in contention.
    let overlapping: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM monitor_runs a JOIN monitor_runs b
           ON a.id < b.id AND a.started_at < b.finished_at AND b.started_at < a.finished_at",
    )
    .fetch_one(&pool)
    .await
    .expect("overlaps");
    assert!(overlapping > 0, "the two processes ran side by side");
    println!("two processes: {RULES} due rules, each run once; {overlapping} overlapping pairs");
    business.drop_database().await;
}

/// A run its server never finished (killed mid-run) is closed as interrupted once it is older
/// than any run may take; one still within that time is left running.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_run_left_open_by_a_dead_server_is_closed_as_interrupted(pool: PgPool) {
    use app::monitor::schedule::{run_due, RunSettings};
    crate::support::create_users(&pool).await;
    let rule = crate::monitor::due_rule(
        &pool,
        "被中断的规则",
        Check::RowCheck {
            query: Query {
                source: "business".into(),
                sql: "SELECT 1".into(),
            },
        },
    )
    .await;
    sqlx::query("UPDATE monitor_rules SET next_run_at = NULL WHERE id = $1")
        .bind(rule)
        .execute(&pool)
        .await
        .expect("not due");
    let settings = RunSettings::default();
    let open = |age: Duration| {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO monitor_runs (rule_id, started_by, started_at)
             VALUES ($1, 'schedule', now() - make_interval(secs => $2)) RETURNING id",
        )
        .bind(rule)
        .bind(age.as_secs_f64())
        .fetch_one(&pool)
    };
    let dead = open(settings.longest_run() + Duration::from_secs(60))
        .await
        .expect("dead run");
    let alive = open(Duration::from_secs(30)).await.expect("running run");
    let monitoring = crate::monitor::watching(&Default::default(), settings);
    run_due(&pool, &monitoring, Utc::now()).await.expect("tick");
    let state = |id: i64| {
        sqlx::query_as::<_, (Option<String>, Option<serde_json::Value>)>(
            "SELECT outcome, error FROM monitor_runs WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&pool)
    };
    assert_eq!(
        state(dead).await.expect("dead"),
        (
            Some("error".to_owned()),
            Some(serde_json::json!({"kind": "interrupted"}))
        )
    );
    assert_eq!(state(alive).await.expect("alive"), (None, None));
}
