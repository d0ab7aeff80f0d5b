//! The notification outbox across real server processes: a message committed survives the
//! server being killed before or during its send, and two servers on one database send every
//! message exactly once.

use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::PgPool;

use crate::server_process::{wait_until, ServerProcess};
use crate::support::{file_report, Desk};
use app::auth::Role;
use app::notifications::{store, Audience, NewAppCredentials, NewRobot};
use wecom_mock::{Endpoint, Scripted, WeComMock};

const TEAM_KEY: &str = "team-robot-key-0002";

async fn count(pool: &PgPool, state: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM notifications WHERE state = $1")
        .bind(state)
        .fetch_one(pool)
        .await
        .expect("count")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_committed_message_is_sent_after_the_server_dies_before_or_during_its_send(pool: PgPool) {
    let mock = WeComMock::start().await.expect("mock");
    // Reports committed by a desk that never sends: the server "died" before the send.
    let desk = Desk::new(pool.clone()).await;
    store::add_robot(
        &pool,
        &NewRobot {
            name: "处理组".into(),
            audience: Audience::Handlers,
            system: None,
            key: TEAM_KEY.into(),
        },
    )
    .await
    .expect("robot");
    let reporter = desk.session_of(Role::Reporter).await;
    file_report(&desk, &reporter, "宕机之前", "说明").await;
    assert_eq!(count(&pool, "pending").await, 1);

    // The first server takes it and is killed while WeCom has not answered yet.
    mock.answer_next(TEAM_KEY, Scripted::DelayMs(30_000));
    let first = ServerProcess::start(&pool, &[("WECOM_BASE_URL", mock.base_url.as_str())]).await;
    wait_until("the first send arrives", async || {
        !mock.requests().is_empty()
    })
    .await;
    first.kill().await;
    assert_eq!(
        count(&pool, "pending").await,
        1,
        "a send cut short stays due"
    );

    // The next server sends it.
    let second = ServerProcess::start(&pool, &[("WECOM_BASE_URL", mock.base_url.as_str())]).await;
    wait_until("the message is sent", async || {
        count(&pool, "sent").await == 1
    })
    .await;
    second.kill().await;
    let sent = mock.requests_to(Endpoint::Robot);
    assert_eq!(sent.len(), 2, "the unknown outcome is retried once");
    assert_eq!(sent[0].body, sent[1].body);
    assert!(sent[1].body.to_string().contains("宕机之前"));
}

/// A desk with the WeCom application set up and one incident; answers its id and reporter.
async fn application_and_incident(pool: &PgPool) -> (i64, i64) {
    let desk = Desk::new(pool.clone()).await;
    store::set_app(
        pool,
        &NewAppCredentials {
            corp_id: "ww0001".into(),
            agent_id: "1000002".into(),
            secret: "app-secret-value".into(),
        },
    )
    .await
    .expect("app");
    let reporter = desk.session_of(Role::Reporter).await;
    file_report(&desk, &reporter, "两台服务器", "说明").await;
    sqlx::query_as("SELECT id, reporter_id FROM incidents LIMIT 1")
        .fetch_one(pool)
        .await
        .expect("incident")
}

/// Personal messages `from..to`, written in one transaction that wakes the workers on commit.
async fn enqueue(pool: &PgPool, (incident, user): (i64, i64), from: usize, to: usize) {
    let mut tx = pool.begin().await.expect("tx");
    for i in from..to {
        let facts = json!({"locale": "zh", "numbers": [1001], "title": format!("消息 {i}"),
            "touser": "zhang.reporter", "path": "/m/r/1001"});
        sqlx::query(
            "INSERT INTO notifications (kind, incident_id, to_user_id, facts)
             VALUES ('handler_replied', $1, $2, $3)",
        )
        .bind(incident)
        .bind(user)
        .bind(facts)
        .execute(&mut *tx)
        .await
        .expect("row");
    }
    sqlx::query("SELECT pg_notify('notifications_due', '')")
        .execute(&mut *tx)
        .await
        .expect("notify");
    tx.commit().await.expect("commit");
}

/// Commit-to-send delays in milliseconds, sorted.
async fn delays(pool: &PgPool) -> Vec<f64> {
    sqlx::query_scalar(
        "SELECT extract(epoch FROM sent_at - created_at)::FLOAT8 * 1000 FROM notifications
         WHERE state = 'sent' ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .expect("delays")
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q) as usize]
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn two_servers_on_one_database_send_each_of_two_hundred_messages_once(pool: PgPool) {
    let mock = WeComMock::start().await.expect("mock");
    let incident = application_and_incident(&pool).await;
    let servers = [
        ServerProcess::start(&pool, &[("WECOM_BASE_URL", mock.base_url.as_str())]).await,
        ServerProcess::start(&pool, &[("WECOM_BASE_URL", mock.base_url.as_str())]).await,
    ];
    for i in 0..200 {
        enqueue(&pool, incident, i, i + 1).await;
    }
    wait_until("all are sent", async || count(&pool, "sent").await == 200).await;
    for server in servers {
        server.kill().await;
    }
    let cards = mock.requests_to(Endpoint::AppMessage);
    let mut texts: Vec<String> = cards
        .iter()
        .map(|card| card.body["textcard"]["description"].to_string())
        .collect();
    texts.sort();
    texts.dedup();
    assert_eq!(
        cards.len(),
        200,
        "sent more than once: {}",
        cards.len() - texts.len()
    );
    assert_eq!(texts.len(), 200);
    let attempts: i64 = sqlx::query_scalar("SELECT max(attempts)::BIGINT FROM notifications")
        .fetch_one(&pool)
        .await
        .expect("attempts");
    assert_eq!(attempts, 1);
}

/// `make bench-notifications`: two server processes against the mock. Prints how many
/// messages a second they send from a burst of 2,000, and the delay from commit to send of
/// 300 messages written one at a time, 50 a second. Asserts only that all were sent.
#[ignore = "a benchmark, run by `make bench-notifications`"]
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn bench_two_replicas_against_the_mock(pool: PgPool) {
    let mock = WeComMock::start().await.expect("mock");
    let incident = application_and_incident(&pool).await;
    let servers = [
        ServerProcess::start(&pool, &[("WECOM_BASE_URL", mock.base_url.as_str())]).await,
        ServerProcess::start(&pool, &[("WECOM_BASE_URL", mock.base_url.as_str())]).await,
    ];
    let burst = 2_000;
    let started = Instant::now();
    enqueue(&pool, incident, 0, burst).await;
    wait_until("the burst is sent", async || {
        count(&pool, "sent").await == burst as i64
    })
    .await;
    let drained = started.elapsed().as_secs_f64();
    let burst_delays = delays(&pool).await;
    sqlx::query("DELETE FROM notifications")
        .execute(&pool)
        .await
        .expect("clear");

    let paced = 300;
    for i in 0..paced {
        enqueue(&pool, incident, burst + i, burst + i + 1).await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    wait_until("the paced messages are sent", async || {
        count(&pool, "sent").await == paced as i64
    })
    .await;
    let paced_delays = delays(&pool).await;
    for server in servers {
        server.kill().await;
    }
    assert_eq!(mock.requests_to(Endpoint::AppMessage).len(), burst + paced);
    println!("notification worker, two replicas, against the WeCom mock:");
    println!(
        "  burst of {burst}: drained in {drained:.2} s, {:.0} messages/s; commit to send p50 {:.0} ms, p95 {:.0} ms",
        burst as f64 / drained,
        percentile(&burst_delays, 0.5),
        percentile(&burst_delays, 0.95)
    );
    println!(
        "  {paced} written one at a time, 50/s: commit to send p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        percentile(&paced_delays, 0.5),
        percentile(&paced_delays, 0.95),
        paced_delays.last().copied().unwrap_or_default()
    );
}
