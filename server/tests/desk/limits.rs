//! Per-user hourly write limits, counted in PostgreSQL (so every replica shares them): past the
//! allowance a write is refused with 429 and when to retry, nothing is written, and other users
//! are not affected.

use axum::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::{error_of, file_report, Desk};
use app::auth::Role;
use app::limits::Write;

/// Spends all but `left` of `login`'s allowance of `kind` for this hour.
async fn spent(pool: &PgPool, login: &str, kind: &str, left: i32) {
    let allowance = match kind {
        "report" => Write::Report.per_hour(),
        "reveal" => Write::Reveal.per_hour(),
        _ => Write::Message.per_hour(),
    };
    sqlx::query(
        "INSERT INTO write_counts (user_id, kind, window_start, count)
         SELECT id, $2, date_trunc('hour', now()), $3 FROM users WHERE login = $1
         ON CONFLICT (user_id, kind, window_start) DO UPDATE SET count = EXCLUDED.count",
    )
    .bind(login)
    .bind(kind)
    .bind(allowance - left)
    .execute(pool)
    .await
    .expect("spend");
}

fn expect_limited(reply: &crate::support::Reply) {
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        reply.body
    );
    let error = error_of(reply);
    assert_eq!(error["kind"], "RateLimited", "{}", reply.body);
    let retry = error["retry_after_secs"].as_u64().expect("retry");
    assert!((1..=3600).contains(&retry), "{retry}");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn writes_past_the_hourly_allowance_are_refused_with_when_to_retry(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let number = file_report(&desk, &reporter, "限流", "第一条").await;

    spent(&pool, "reporter", "report", 1).await;
    file_report(&desk, &reporter, "限流", "最后一条").await;
    let report = json!({
        "client_id": Uuid::new_v4(), "customer_name": "李四", "id_doc_type": "id_card",
        "id_number": "110101199003074477", "system": "custody", "title": "超出", "description": "超出",
    });
    let refused = desk.post_json("/api/m/reports", &reporter, &report).await;
    expect_limited(&refused);
    assert!(refused.body.contains("分钟后再试"), "{}", refused.body);

    spent(&pool, "reporter", "message", 0).await;
    let message = json!({
        "client_id": Uuid::new_v4(), "incident_number": number.to_string(), "body": "补充",
    });
    expect_limited(&desk.post_json("/api/m/messages", &reporter, &message).await);

    spent(&pool, "handler", "reveal", 0).await;
    let reveal = desk
        .post_json(
            "/api/console/reveal",
            &handler,
            &json!({"number": number, "field": "id_number", "reason": "contact_customer"}),
        )
        .await;
    expect_limited(&reveal);

    let written: (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM incidents), (SELECT count(*) FROM incident_messages),
                (SELECT count(*) FROM identity_reveals)",
    )
    .fetch_one(&pool)
    .await
    .expect("counts");
    assert_eq!(written, (2, 0, 0), "a refused write was stored");

    // Someone else's allowance is their own.
    let colleague = desk.another("reporter_two", Role::Reporter).await;
    file_report(&desk, &colleague, "同事", "不受影响").await;
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_retried_report_or_message_costs_no_more_allowance(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let number = file_report(&desk, &reporter, "重试", "先有一条").await;
    spent(&pool, "reporter", "report", 1).await;
    spent(&pool, "reporter", "message", 1).await;
    let report = json!({
        "client_id": Uuid::new_v4(), "customer_name": "李四", "id_doc_type": "id_card",
        "id_number": "110101199003074477", "system": "custody", "title": "重试", "description": "弱网重发",
    });
    let message =
        json!({"client_id": Uuid::new_v4(), "incident_number": number.to_string(), "body": "补充"});
    // The outbox sends again when an answer was lost: each retry gets the first answer.
    for _ in 0..4 {
        let filed = desk.post_json("/api/m/reports", &reporter, &report).await;
        assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
        let posted = desk.post_json("/api/m/messages", &reporter, &message).await;
        assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
    }
    let fresh = json!({
        "client_id": Uuid::new_v4(), "customer_name": "李四", "id_doc_type": "id_card",
        "id_number": "110101199003074477", "system": "custody", "title": "新的", "description": "新的",
    });
    expect_limited(&desk.post_json("/api/m/reports", &reporter, &fresh).await);
}
