//! Business monitoring against a real business database beside the test's own: rules that
//! try to write are refused and change nothing, a query past its timeout is cancelled and
//! recorded, a row check keeps its records bounded, two schedulers run each due run once,
//! and a reconciliation over a million rows a side finds exactly the planted differences.

use std::str::FromStr;
use std::time::{Duration, Instant};

use chrono::Utc;
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

use app::incidents::Severity;
use app::monitor::reading::Limits;
use app::monitor::schedule::{self, RunSettings, Schedule};
use app::monitor::sources::{Source, Sources};
use app::monitor::store::{self, NewRule};
use app::monitor::{Check, Outcome, Query, ReadError};

/// A database of its own on the test's cluster, the business data rules read; dropped when
/// the test ends well.
pub struct Business {
    pub name: String,
    pub pool: PgPool,
    pub sources: Sources,
    app: PgPool,
}

impl Business {
    /// The source `business`.
    pub async fn new(app: &PgPool, setup: &str) -> Self {
        Self::named(app, "business", setup).await
    }

    pub async fn named(app: &PgPool, source: &str, setup: &str) -> Self {
        let name = format!("business_{}", uuid::Uuid::new_v4().simple());
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(app)
            .await
            .expect("create database");
        let options = app.connect_options().as_ref().clone().database(&name);
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .connect_with(options.clone())
            .await
            .expect("business pool");
        sqlx::raw_sql(setup).execute(&pool).await.expect("setup");
        let sources = Sources::default().with(Source::with_options(
            source,
            options,
            format!("postgres:///{name}"),
        ));
        Self {
            name,
            pool,
            sources,
            app: app.clone(),
        }
    }

    pub async fn drop_database(self) {
        self.pool.close().await;
        for source in self.sources.all() {
            source.close().await;
        }
        sqlx::query(&format!("DROP DATABASE {} WITH (FORCE)", self.name))
            .execute(&self.app)
            .await
            .expect("drop database");
    }
}

/// Monitoring of `sources`, alerts by WeCom only.
pub fn watching(sources: &Sources, runs: RunSettings) -> schedule::Monitoring {
    schedule::Monitoring {
        sources: sources.clone(),
        runs,
        alerts: Default::default(),
    }
}

const ACCOUNTS: &str = "
    CREATE TABLE accounts (card_no TEXT PRIMARY KEY, status TEXT NOT NULL);
    CREATE SEQUENCE tickets;
    INSERT INTO accounts SELECT 'A' || lpad(n::text, 6, '0'), 'normal' FROM generate_series(1, 25) n;
    UPDATE accounts SET status = 'frozen' WHERE card_no <= 'A000012';
";

pub async fn admin_id(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT id FROM users WHERE login = 'admin'")
        .fetch_one(pool)
        .await
        .expect("admin")
}

fn row_check(sql: &str) -> Check {
    Check::RowCheck {
        query: Query {
            source: "business".into(),
            sql: sql.into(),
        },
    }
}

/// Saves `check` as a rule due now; returns its id.
pub async fn due_rule(pool: &PgPool, name: &str, check: Check) -> i64 {
    let rule = NewRule {
        name: name.into(),
        check,
        schedule: "*/5 * * * *".into(),
        severity: Severity::P3,
        system: None,
        from_incident: None,
    };
    store::create_rule(pool, &rule, admin_id(pool).await, Utc::now())
        .await
        .expect("rule")
}

/// Makes `rule` due now and runs what is due; answers its run.
async fn run_again(
    pool: &PgPool,
    monitoring: &schedule::Monitoring,
    rule: i64,
) -> app::monitor::RunSummary {
    sqlx::query("UPDATE monitor_rules SET next_run_at = now() WHERE id = $1")
        .bind(rule)
        .execute(pool)
        .await
        .expect("due");
    schedule::run_due(pool, monitoring, Utc::now())
        .await
        .expect("run");
    last_run(pool, rule).await
}

/// The kinds of the notifications written so far.
async fn notice_kinds(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar("SELECT kind FROM notifications ORDER BY id")
        .fetch_all(pool)
        .await
        .expect("notices")
}

async fn last_run(pool: &PgPool, rule: i64) -> app::monitor::RunSummary {
    store::runs(pool, rule, 1)
        .await
        .expect("runs")
        .into_iter()
        .next()
        .expect("a run")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_rule_that_writes_is_refused_and_changes_nothing(pool: PgPool) {
    let _desk = crate::support::Desk::new(pool.clone()).await;
    let business = Business::new(&pool, ACCOUNTS).await;
    let marker = std::env::temp_dir().join(format!("monitor-{}", uuid::Uuid::new_v4()));
    let attempts = [
        (
            "UPDATE accounts SET status = 'gone'".to_owned(),
            ReadError::NotASelect,
        ),
        (
            "CREATE TABLE stolen (x int)".to_owned(),
            ReadError::NotASelect,
        ),
        (
            format!("COPY (SELECT 1) TO PROGRAM 'touch {}'", marker.display()),
            ReadError::NotASelect,
        ),
        (
            "SELECT 1; DELETE FROM accounts".to_owned(),
            ReadError::NotASelect,
        ),
        // A write inside a WITH cannot be wrapped to be read; the database says so.
        (
            "WITH gone AS (DELETE FROM accounts RETURNING *) SELECT * FROM gone".to_owned(),
            ReadError::Query(
                "WITH clause containing a data-modifying statement must be at the top level"
                    .to_owned(),
            ),
        ),
        // Past the first word, the read-only transaction refuses.
        (
            "SELECT nextval('tickets')".to_owned(),
            ReadError::WroteInReadOnly,
        ),
    ];
    let mut rules = Vec::new();
    for (i, (sql, _)) in attempts.iter().enumerate() {
        rules.push(due_rule(&pool, &format!("写入尝试 {i}"), row_check(sql)).await);
    }
    let ran = schedule::run_due(
        &pool,
        &watching(&business.sources, RunSettings::default()),
        Utc::now(),
    )
    .await
    .expect("run");
    assert_eq!(ran, attempts.len());
    for (rule, (sql, refusal)) in rules.iter().zip(&attempts) {
        let run = last_run(&pool, *rule).await;
        assert_eq!(run.outcome, Some(Outcome::Error), "{sql}");
        assert_eq!(run.error.as_ref(), Some(refusal), "{sql}");
    }
    let (frozen, total): (i64, i64) =
        sqlx::query_as("SELECT count(*) FILTER (WHERE status = 'frozen'), count(*) FROM accounts")
            .fetch_one(&business.pool)
            .await
            .expect("accounts");
    assert_eq!((frozen, total), (12, 25), "nothing changed");
    let tables: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'stolen'")
            .fetch_one(&business.pool)
            .await
            .expect("tables");
    assert_eq!(tables, 0);
    assert!(!marker.exists(), "no program ran");
    let ticket: i64 = sqlx::query_scalar("SELECT nextval('tickets')")
        .fetch_one(&business.pool)
        .await
        .expect("sequence");
    assert_eq!(ticket, 1, "the sequence never moved");
    business.drop_database().await;
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_query_past_its_timeout_is_cancelled_and_recorded(pool: PgPool) {
    let _desk = crate::support::Desk::new(pool.clone()).await;
    let business = Business::new(&pool, ACCOUNTS).await;
    let rule = due_rule(&pool, "慢查询", row_check("SELECT pg_sleep(30), 1 AS one")).await;
    let settings = RunSettings {
        limits: Limits {
            timeout: Duration::from_secs(1),
            row_cap: 1000,
        },
        keep: 10,
    };
    let started = Instant::now();
    schedule::run_due(&pool, &watching(&business.sources, settings), Utc::now())
        .await
        .expect("run");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    let run = last_run(&pool, rule).await;
    assert_eq!(run.outcome, Some(Outcome::Error));
    assert_eq!(run.error, Some(ReadError::Timeout { secs: 1 }));
    assert!(run.finished_at.is_some());
    let sleeping: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND state = 'active'
           AND pid <> pg_backend_pid()",
    )
    .fetch_one(&business.pool)
    .await
    .expect("activity");
    assert_eq!(sleeping, 0, "the query was cancelled, not left running");
    business.drop_database().await;
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_row_check_counts_every_row_and_keeps_a_bounded_few(pool: PgPool) {
    let _desk = crate::support::Desk::new(pool.clone()).await;
    let business = Business::new(&pool, ACCOUNTS).await;
    let frozen = due_rule(
        &pool,
        "冻结的股东卡",
        row_check("SELECT card_no, status FROM accounts WHERE status = 'frozen' ORDER BY card_no;"),
    )
    .await;
    let none = due_rule(
        &pool,
        "注销的股东卡",
        row_check("SELECT card_no FROM accounts WHERE status = 'closed'"),
    )
    .await;
    let capped = due_rule(&pool, "太多", row_check("SELECT card_no FROM accounts")).await;
    let typo = due_rule(
        &pool,
        "写错列名",
        row_check("SELECT card_number FROM accounts"),
    )
    .await;
    let settings = RunSettings {
        limits: Limits {
            timeout: Duration::from_secs(10),
            row_cap: 20,
        },
        keep: 5,
    };
    schedule::run_due(&pool, &watching(&business.sources, settings), Utc::now())
        .await
        .expect("run");
    let run = last_run(&pool, frozen).await;
    assert_eq!(run.outcome, Some(Outcome::Abnormal));
    assert_eq!((run.abnormal, run.kept), (12, 5));
    let kept: Vec<(String, serde_json::Value)> =
        sqlx::query_as("SELECT key, detail FROM monitor_records WHERE run_id = $1 ORDER BY seq")
            .bind(run.id)
            .fetch_all(&pool)
            .await
            .expect("records");
    assert_eq!(kept.len(), 5);
    assert_eq!(kept[0].0, "A000001");
    assert_eq!(
        kept[0].1,
        serde_json::json!({"columns": ["card_no", "status"], "values": ["A000001", "frozen"]})
    );
    let run = last_run(&pool, none).await;
    assert_eq!((run.outcome, run.abnormal), (Some(Outcome::Normal), 0));
    let run = last_run(&pool, capped).await;
    assert_eq!(run.error, Some(ReadError::TooManyRows { cap: 20 }));
    let run = last_run(&pool, typo).await;
    match run.error {
        Some(ReadError::Query(message)) => assert!(message.contains("card_number"), "{message}"),
        other => panic!("{other:?}"),
    }
    business.drop_database().await;
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn two_schedulers_run_each_due_run_once(pool: PgPool) {
    let _desk = crate::support::Desk::new(pool.clone()).await;
    let business = Business::new(&pool, ACCOUNTS).await;
    let mut rules = Vec::new();
    for i in 0..8 {
        rules.push(
            due_rule(
                &pool,
                &format!("规则 {i}"),
                row_check("SELECT card_no FROM accounts WHERE status = 'frozen' AND pg_sleep(0.05) IS NOT NULL"),
            )
            .await,
        );
    }
    // Another replica: its own connections to the same database.
    let other = PgPoolOptions::new()
        .max_connections(3)
        .connect_with(pool.connect_options().as_ref().clone())
        .await
        .expect("second pool");
    let now = Utc::now();
    let monitoring = watching(&business.sources, RunSettings::default());
    let (one, two) = tokio::join!(
        schedule::run_due(&pool, &monitoring, now),
        schedule::run_due(&other, &monitoring, now),
    );
    let (one, two) = (one.expect("one"), two.expect("two"));
    assert_eq!(one + two, rules.len(), "{one} + {two}");
    let runs: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT rule_id, count(*) FROM monitor_runs GROUP BY rule_id ORDER BY rule_id",
    )
    .fetch_all(&pool)
    .await
    .expect("runs");
    assert_eq!(runs, rules.iter().map(|r| (*r, 1)).collect::<Vec<_>>());
    // Each rule is due again at its schedule's next time, not before.
    let next: Vec<chrono::DateTime<Utc>> =
        sqlx::query_scalar("SELECT next_run_at FROM monitor_rules ORDER BY id")
            .fetch_all(&pool)
            .await
            .expect("next");
    let expected = Schedule::from_str("*/5 * * * *")
        .expect("schedule")
        .next_after(now)
        .expect("next");
    assert!(next.iter().all(|at| *at == expected), "{next:?}");
    let again = schedule::run_due(
        &pool,
        &watching(&business.sources, RunSettings::default()),
        now,
    )
    .await
    .expect("again");
    assert_eq!(again, 0);
    other.close().await;
    business.drop_database().await;
}

/// `n` shareholder cards as one system holds them (the card number unpadded, so text order
/// is not number order), less the cards planted missing.
fn cards(n: u32, missing_every: u32, missing_at: u32) -> String {
    format!(
        "CREATE TABLE cards (card_no TEXT NOT NULL, status TEXT NOT NULL, branch TEXT NOT NULL);
         INSERT INTO cards
         SELECT n::text, 'normal', 'B' || (n % 50)::text FROM generate_series(1, {n}) n
         WHERE n % {missing_every} <> {missing_at};
         ANALYZE cards;"
    )
}

/// The account system's and the trading system's cards, `n` a side, with the planted
/// differences: cards n ≡ 11 mod 21,000 only in trading, n ≡ 7 mod 25,000 only in accounts,
/// and n ≡ 13 mod 20,000 below 980,000 frozen in trading. The rule comparing them is due.
async fn card_systems(pool: &PgPool, n: u32) -> (Business, Business, Sources, i64) {
    let accounts = Business::named(pool, "accounts", &cards(n, 21_000, 11)).await;
    let trading = Business::named(
        pool,
        "trading",
        &format!(
            "{} UPDATE cards SET status = 'frozen' WHERE card_no::int % 20000 = 13 AND card_no::int < 980000;",
            cards(n, 25_000, 7)
        ),
    )
    .await;
    let sources = accounts
        .sources
        .clone()
        .with(trading.sources.get("trading").expect("trading").clone());
    let query = |source: &str| Query {
        source: source.into(),
        sql: "SELECT card_no, status, branch FROM cards".into(),
    };
    let rule = due_rule(
        pool,
        "股东卡状态：账户系统对交易系统",
        Check::Reconciliation {
            left: query("accounts"),
            right: query("trading"),
            key: "card_no".into(),
            compare: Vec::new(),
        },
    )
    .await;
    (accounts, trading, sources, rule)
}

/// Peak resident memory of this process so far, in MB (`VmHWM`).
pub fn peak_memory_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|kb| kb.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_reconciliation_of_a_million_rows_a_side_finds_exactly_the_planted_137(pool: PgPool) {
    let _desk = crate::support::Desk::new(pool.clone()).await;
    // 48 cards only in trading, 40 only in accounts, 49 with another status: 137.
    let (accounts, trading, sources, rule) = card_systems(&pool, 1_000_000).await;
    let started = Instant::now();
    schedule::run_due(
        &pool,
        &watching(&sources, RunSettings::default()),
        Utc::now(),
    )
    .await
    .expect("run");
    println!(
        "reconciled 1,000,000 rows a side in {:.1} s; peak memory of the test process {:.0} MB",
        started.elapsed().as_secs_f64(),
        peak_memory_mb()
    );
    let run = last_run(&pool, rule).await;
    assert_eq!(run.error, None);
    assert_eq!(run.outcome, Some(Outcome::Abnormal));
    assert_eq!(run.abnormal, 137);
    assert_eq!(run.normal, 1_000_000 - 48 - 40 - 49);
    let kinds: Vec<(String, i64)> = sqlx::query_as(
        "SELECT kind, count(*) FROM monitor_records WHERE run_id = $1 GROUP BY kind ORDER BY kind",
    )
    .bind(run.id)
    .fetch_all(&pool)
    .await
    .expect("kinds");
    assert_eq!(
        kinds,
        [
            ("differs".to_owned(), 49),
            ("left_only".to_owned(), 40),
            ("right_only".to_owned(), 48)
        ]
    );
    // Each planted card is named, and a difference says which column differs.
    let keys: Vec<(String, String, Option<serde_json::Value>)> = sqlx::query_as(
        "SELECT kind, key, detail->'differs' FROM monitor_records WHERE run_id = $1 AND key IN ('11', '7', '13')
         ORDER BY key",
    )
    .bind(run.id)
    .fetch_all(&pool)
    .await
    .expect("keys");
    assert_eq!(
        keys,
        [
            ("right_only".to_owned(), "11".to_owned(), None),
            (
                "differs".to_owned(),
                "13".to_owned(),
                Some(serde_json::json!(["status"]))
            ),
            ("left_only".to_owned(), "7".to_owned(), None),
        ]
    );
    accounts.drop_database().await;
    trading.drop_database().await;
}

/// `make bench-monitor`: reconciliations of 100,000 and 1,000,000 rows a side, timed, with
/// this process's peak memory after each (alone in its process: run it by name).
#[sqlx::test(migrator = "server::MIGRATOR")]
#[ignore = "benchmark: make bench-monitor"]
async fn bench_reconciliation_of_a_million_rows_a_side(pool: PgPool) {
    let _desk = crate::support::Desk::new(pool.clone()).await;
    println!("peak memory before: {:.0} MB", peak_memory_mb());
    for n in [100_000, 1_000_000] {
        let seeded = Instant::now();
        let (accounts, trading, sources, rule) = card_systems(&pool, n).await;
        let seeded = seeded.elapsed();
        let started = Instant::now();
        schedule::run_due(
            &pool,
            &watching(&sources, RunSettings::default()),
            Utc::now(),
        )
        .await
        .expect("run");
        let took = started.elapsed();
        let run = last_run(&pool, rule).await;
        println!(
            "{n} rows a side (seeded in {:.1} s): reconciled in {:.2} s ({:.0} rows a side per second), \
             {} normal, {} abnormal; peak memory of the process {:.0} MB",
            seeded.as_secs_f64(),
            took.as_secs_f64(),
            f64::from(n) / took.as_secs_f64(),
            run.normal,
            run.abnormal,
            peak_memory_mb()
        );
        accounts.drop_database().await;
        trading.drop_database().await;
    }
}

/// A row check as the editor sends it.
fn form(sql: &str, source: &str, schedule: &str) -> serde_json::Value {
    serde_json::json!({"id": null, "name": "冻结的股东卡", "kind": "row_check", "source": source,
        "sql": sql, "other_source": "", "other_sql": "", "key": "", "compare": "",
        "schedule": schedule, "severity": "p2", "enabled": true, "cooldown_minutes": "60"})
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_rule_is_checked_dry_run_saved_run_and_its_records_searched_and_exported(pool: PgPool) {
    use crate::support::{body, refusal};
    let business = Business::new(&pool, ACCOUNTS).await;
    let monitoring = watching(
        &business.sources,
        RunSettings {
            keep: 10,
            ..RunSettings::default()
        },
    );
    let desk = crate::support::Desk::with_monitoring(pool.clone(), monitoring).await;
    let admin = desk.session_of(app::auth::Role::Admin).await;
    let frozen = "SELECT card_no, status FROM accounts WHERE status = 'frozen' ORDER BY card_no";

    // Each wrong field is named before anything runs.
    for (input, field, problem) in [
        (
            form("UPDATE accounts SET status = 'x'", "business", "0 8 * * *"),
            "sql",
            "Format",
        ),
        (form(frozen, "core", "0 8 * * *"), "source", "UnknownChoice"),
        (
            form(frozen, "business", "every morning"),
            "schedule",
            "Format",
        ),
        (form("", "business", "0 8 * * *"), "sql", "Required"),
    ] {
        let reply = desk
            .post_json(
                "/api/monitor/dry_run",
                &admin,
                &serde_json::json!({ "input": input }),
            )
            .await;
        let refused = refusal(&reply);
        assert_eq!(
            (refused["field"].as_str(), refused["problem"].as_str()),
            (Some(field), Some(problem))
        );
    }

    let input = form(frozen, "business", "0 8 * * *");
    let dry = desk
        .post_json(
            "/api/monitor/dry_run",
            &admin,
            &serde_json::json!({ "input": input }),
        )
        .await;
    let dry = body(&dry);
    assert_eq!(
        (dry["outcome"].as_str(), dry["abnormal"].as_i64()),
        (Some("abnormal"), Some(12))
    );
    assert_eq!(
        dry["records"][0]["values"],
        serde_json::json!(["A000001", "frozen"])
    );
    let runs: i64 = sqlx::query_scalar("SELECT count(*) FROM monitor_runs")
        .fetch_one(&pool)
        .await
        .expect("runs");
    assert_eq!(runs, 0, "a dry run keeps nothing");

    let saved = desk
        .post_json(
            "/api/monitor/save",
            &admin,
            &serde_json::json!({ "input": input }),
        )
        .await;
    let rule = body(&saved).as_i64().expect("rule id");
    let run = desk
        .call("monitor/run_now", Some(&admin), &format!("id={rule}"))
        .await;
    let run = body(&run).as_i64().expect("run id");
    let detail = body(
        &desk
            .call("monitor/rule", Some(&admin), &format!("id={rule}"))
            .await,
    );
    assert!(detail["rule"]["next_run_at"].is_string());
    assert_eq!(detail["runs"][0]["id"], run);
    assert_eq!(detail["runs"][0]["manual"], true);
    assert_eq!(
        (
            detail["runs"][0]["abnormal"].as_i64(),
            detail["runs"][0]["kept"].as_i64()
        ),
        (Some(12), Some(10))
    );

    // The run's page searches its kept records; the CSV holds what the search found.
    let found = body(
        &desk
            .call(
                "monitor/run",
                Some(&admin),
                &format!("id={run}&q=A000003&page=0"),
            )
            .await,
    );
    assert_eq!(found["matching"], 1);
    assert_eq!(found["records"][0]["key"], "A000003");
    let csv = desk
        .get(
            &format!("/api/monitor/runs/{run}/records.csv?q=frozen"),
            &admin,
        )
        .await;
    assert_eq!(csv.status, axum::http::StatusCode::OK);
    assert_eq!(
        csv.body.lines().count(),
        11,
        "header and the ten kept: {}",
        csv.body
    );
    assert!(
        csv.body.contains("A000010,,card_no=A000010; status=frozen"),
        "{}",
        csv.body
    );

    // The pages render on the server: the list, the rule with its chart, the run's records.
    let list = desk.page("/console/monitor", Some(&admin)).await;
    assert!(
        list.body.contains("冻结的股东卡") && list.body.contains("正常 0 · 异常 12"),
        "{}",
        list.body
    );
    let page = desk
        .page(&format!("/console/monitor/r/{rule}"), Some(&admin))
        .await;
    assert!(
        page.body.contains("<svg") && page.body.contains(&format!("/console/monitor/runs/{run}"))
    );
    let records = desk
        .page(
            &format!("/console/monitor/runs/{run}?q=A000003"),
            Some(&admin),
        )
        .await;
    assert_eq!(
        records
            .body
            .matches(r#"data-testid="monitor-record""#)
            .count(),
        1
    );
    assert!(records.body.contains("共 12 条异常，保留了前 10 条"));
    business.drop_database().await;
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_demo_brokerage_shows_its_planted_problems_on_the_first_runs(pool: PgPool) {
    // The demo people and rules, as a first start with demo data makes them.
    crate::support::install_test_keys();
    assert!(app::demo::seed_if_empty(&pool).await.expect("demo"));
    let demo = app::demo::brokerage::prepare(&pool)
        .await
        .expect("brokerage");
    let mut sources = Sources::default();
    for source in &demo {
        sources = sources.with(source.clone());
    }
    // A second start rebuilds it as it was.
    app::demo::brokerage::prepare(&pool).await.expect("again");
    let ran = schedule::run_due(
        &pool,
        &watching(&sources, RunSettings::default()),
        Utc::now(),
    )
    .await
    .expect("run");
    assert_eq!(ran, 3, "the demo rules are due at once");
    let runs: Vec<(String, Option<String>, i64, i64)> = sqlx::query_as(
        "SELECT r.name, u.outcome, u.normal_count, u.abnormal_count
         FROM monitor_runs u JOIN monitor_rules r ON r.id = u.rule_id ORDER BY r.name",
    )
    .fetch_all(&pool)
    .await
    .expect("runs");
    assert_eq!(
        runs,
        [
            (
                "开户申请审核超过 2 小时".to_owned(),
                Some("abnormal".to_owned()),
                0,
                4
            ),
            // Yesterday's WeChat applications, a fifth of the weekday's usual.
            (
                "每日开户申请（按渠道）".to_owned(),
                Some("abnormal".to_owned()),
                2,
                1
            ),
            (
                "股东卡状态：账户系统对交易系统".to_owned(),
                Some("abnormal".to_owned()),
                1995,
                6
            ),
        ]
    );
    // Read as an account that may only read.
    let app::monitor::sources::Connections::Postgres(demo_pool) = demo[0].connections() else {
        panic!("the demo's sources are PostgreSQL");
    };
    let reader: String = sqlx::query_scalar("SELECT current_user")
        .fetch_one(demo_pool)
        .await
        .expect("reader");
    assert_eq!(reader, "desk_monitor_reader");
    let database = app::demo::brokerage::database_of(pool.connect_options().as_ref());
    for source in demo {
        source.close().await;
    }
    sqlx::query(&format!("DROP DATABASE \"{database}\" WITH (FORCE)"))
        .execute(&pool)
        .await
        .expect("drop");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_abnormal_rule_alerts_once_keeps_quiet_in_its_cooldown_and_sends_a_recovery(
    pool: PgPool,
) {
    use app::mail::{delivery::Mailer, MailSettings};
    use app::notifications::{store as notifications, Audience, NewRobot};
    let clock = app::notifications::delivery::Clock::default();
    let mock = wecom_mock::WeComMock::start().await.expect("mock");
    let desk = crate::support::Desk::with_wecom(pool.clone(), &mock.base_url, clock).await;
    notifications::add_robot(
        &pool,
        &NewRobot {
            name: "处理组".into(),
            audience: Audience::Handlers,
            system: None,
            key: "monitor-robot-key-0001".into(),
        },
    )
    .await
    .expect("robot");
    let sink = crate::smtp_sink::SmtpSink::start().await;
    let mail = MailSettings::from_parts(
        Some(format!("smtp://{}", sink.addr)),
        Some("事件处理平台 <desk@example.com>".into()),
        None,
        "https://desk.example.com",
    )
    .expect("settings")
    .expect("mail on");
    let business = Business::new(&pool, ACCOUNTS).await;
    let monitoring = schedule::Monitoring {
        sources: business.sources.clone(),
        runs: RunSettings::default(),
        alerts: app::monitor::alerts::Alerts {
            mail: Some(mail.clone()),
            mail_to: app::mail::mailboxes(Some("oncall@example.com"), "MONITOR_MAIL_TO")
                .expect("to"),
        },
    };
    let rule = due_rule(
        &pool,
        "冻结的股东卡",
        row_check("SELECT card_no, status FROM accounts WHERE status = 'frozen'"),
    )
    .await;
    let run_again = || run_again(&pool, &monitoring, rule);
    let notices = || async {
        let kinds = notice_kinds(&pool).await;
        let mails: Vec<String> = sqlx::query_scalar("SELECT subject FROM mail_outbox ORDER BY id")
            .fetch_all(&pool)
            .await
            .expect("mails");
        (kinds, mails)
    };

    let first = run_again().await;
    assert_eq!(first.alert.as_deref(), Some("alerted"));
    // Still abnormal within the cooldown: recorded, not alerted again.
    let second = run_again().await;
    assert_eq!(second.outcome, Some(Outcome::Abnormal));
    assert_eq!(second.alert.as_deref(), Some("cooldown"));
    assert_eq!(
        notices().await,
        (
            vec!["monitor_alert".to_owned()],
            vec!["【业务监控】冻结的股东卡 异常".to_owned()]
        )
    );
    // The data is fixed: one recovery notice.
    sqlx::query("UPDATE accounts SET status = 'normal'")
        .execute(&business.pool)
        .await
        .expect("fix");
    let third = run_again().await;
    assert_eq!(
        (third.outcome, third.alert.as_deref()),
        (Some(Outcome::Normal), Some("recovered"))
    );
    let fourth = run_again().await;
    assert_eq!(fourth.alert, None, "normal again says nothing more");
    assert_eq!(
        notices().await,
        (
            vec!["monitor_alert".to_owned(), "monitor_recovered".to_owned()],
            vec![
                "【业务监控】冻结的股东卡 异常".to_owned(),
                "【业务监控】冻结的股东卡 已恢复正常".to_owned()
            ]
        )
    );

    // Both reach WeCom's robot and the mailbox, with counts and a link, no record.
    assert_eq!(desk.notifier.deliver_due(10).await.expect("deliver"), 2);
    // The worker sends side by side: in either order.
    let pushed: Vec<String> = mock.requests().iter().map(|r| r.body.to_string()).collect();
    assert_eq!(pushed.len(), 2);
    assert!(
        pushed
            .iter()
            .any(|p| p.contains("业务监控异常") && p.contains("正常 0 · 异常 12")),
        "{pushed:?}"
    );
    assert!(
        pushed.iter().any(|p| p.contains("业务监控恢复正常")),
        "{pushed:?}"
    );
    let mailer = Mailer::new(pool.clone(), &mail).expect("mailer");
    assert_eq!(mailer.deliver_due().await.expect("mail"), 2);
    let received = sink.received();
    assert_eq!(received.len(), 2);
    assert_eq!(received[0].recipients, ["<oncall@example.com>"]);
    let link = format!("https://desk.example.com/console/monitor/runs/{}", first.id);
    assert!(received.iter().any(|r| r.data.contains(&link)));
    for text in pushed.iter().chain(received.iter().map(|r| &r.data)) {
        assert!(!text.contains("A000001"), "no record leaves: {text}");
    }

    // Abnormal again but silenced by whoever is on duty: recorded, not alerted.
    sqlx::query("UPDATE accounts SET status = 'frozen' WHERE card_no = 'A000001'")
        .execute(&business.pool)
        .await
        .expect("break");
    let handler = desk.session_of(app::auth::Role::Handler).await;
    let reply = desk
        .call(
            "monitor/silence",
            Some(&handler),
            &format!("id={rule}&hours=4"),
        )
        .await;
    assert_eq!(reply.status, axum::http::StatusCode::OK, "{}", reply.body);
    let silenced = run_again().await;
    assert_eq!(silenced.alert.as_deref(), Some("silenced"));
    let refused = desk
        .call(
            "monitor/silence",
            Some(&handler),
            &format!("id={rule}&hours=5"),
        )
        .await;
    assert_eq!(refused.status, axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(notices().await.0.len(), 2);
    business.drop_database().await;
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_metric_with_a_planted_dip_alerts_once_and_recovers_when_the_data_is_fixed(pool: PgPool) {
    use app::notifications::{store as notifications, Audience, NewRobot};
    let _desk = crate::support::Desk::new(pool.clone()).await;
    notifications::add_robot(
        &pool,
        &NewRobot {
            name: "处理组".into(),
            audience: Audience::Handlers,
            system: None,
            key: "metric-robot-key-0001".into(),
        },
    )
    .await
    .expect("robot");
    // Eight weeks of daily applications by channel, 100 each; yesterday WeChat's fell to 20.
    let business = Business::new(
        &pool,
        "CREATE TABLE applications (day DATE NOT NULL, channel TEXT NOT NULL, n INT NOT NULL);
         INSERT INTO applications
         SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date - d, c, 100
         FROM generate_series(1, 56) d, unnest(ARRAY['app', 'branch', 'wechat']) c;
         UPDATE applications SET n = 20
         WHERE channel = 'wechat' AND day = (now() AT TIME ZONE 'Asia/Shanghai')::date - 1;",
    )
    .await;
    let monitoring = watching(&business.sources, RunSettings::default());
    let rule = due_rule(
        &pool,
        "每日开户申请（按渠道）",
        Check::Metric {
            query: Query {
                source: "business".into(),
                sql: "SELECT day, channel, sum(n) FROM applications GROUP BY 1, 2".into(),
            },
            threshold: app::monitor::Threshold::Weekday {
                weeks: 4,
                drop_percent: 30.0,
            },
            day: app::monitor::MetricDay::Yesterday,
        },
    )
    .await;
    let run_again = || run_again(&pool, &monitoring, rule);
    let alerts = || notice_kinds(&pool);
    let first = run_again().await;
    assert_eq!(
        (
            first.outcome,
            first.normal,
            first.abnormal,
            first.alert.as_deref()
        ),
        (Some(Outcome::Abnormal), 2, 1, Some("alerted"))
    );
    let (key, detail): (String, serde_json::Value) =
        sqlx::query_as("SELECT key, detail FROM monitor_records WHERE run_id = $1")
            .bind(first.id)
            .fetch_one(&pool)
            .await
            .expect("record");
    assert_eq!(key, "wechat");
    assert_eq!(detail["values"][2], "20.0");
    assert_eq!(detail["values"][3], "100.0");
    let second = run_again().await;
    assert_eq!(second.alert.as_deref(), Some("cooldown"));
    assert_eq!(alerts().await, ["monitor_alert"]);
    // The day's figures corrected at the source: one recovery notice.
    sqlx::query("UPDATE applications SET n = 100")
        .execute(&business.pool)
        .await
        .expect("fix");
    let third = run_again().await;
    assert_eq!(
        (third.outcome, third.normal, third.alert.as_deref()),
        (Some(Outcome::Normal), 3, Some("recovered"))
    );
    assert_eq!(alerts().await, ["monitor_alert", "monitor_recovered"]);
    // A channel with no figure yesterday is abnormal by itself.
    sqlx::query("DELETE FROM applications WHERE channel = 'branch' AND day = (now() AT TIME ZONE 'Asia/Shanghai')::date - 1")
        .execute(&business.pool)
        .await
        .expect("gap");
    let fourth = run_again().await;
    assert_eq!(
        (fourth.outcome, fourth.abnormal),
        (Some(Outcome::Abnormal), 1)
    );
    let kind: String = sqlx::query_scalar("SELECT kind FROM monitor_records WHERE run_id = $1")
        .bind(fourth.id)
        .fetch_one(&pool)
        .await
        .expect("record");
    assert_eq!(kind, "no_data");
    business.drop_database().await;
}
