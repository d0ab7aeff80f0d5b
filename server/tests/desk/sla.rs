//! SLA clocks through the real stack: targets and calendar that only admins change, due times
//! from the target in business time, pauses while waiting, and the overdue filter.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::PgPool;

use crate::support::{body, file_report, ints_of, refusal, Desk};
use app::auth::Role;

/// Every day 00:00 to 23:59, so a test's "now" is business time.
async fn around_the_clock(desk: &Desk, admin: &str) {
    let hours = json!({"hours": {"day_start": "00:00", "day_end": "23:59", "weekdays": [1, 2, 3, 4, 5, 6, 7]}});
    let reply = desk.post_json("/api/sla/hours", admin, &hours).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[derive(sqlx::FromRow)]
struct ClockRow {
    due: Option<DateTime<Utc>>,
    running_since: Option<DateTime<Utc>>,
    target: Option<i32>,
    spent: i32,
}

async fn clock(pool: &PgPool, number: i64) -> ClockRow {
    sqlx::query_as(
        "SELECT sla_due_at AS due, sla_running_since AS running_since,
                sla_target_secs AS target, sla_spent_secs AS spent
         FROM incidents WHERE number = $1",
    )
    .bind(number)
    .fetch_one(pool)
    .await
    .expect("clock")
}

/// The due time the calendar in the database gives a running clock.
async fn expected_due(pool: &PgPool, row: &ClockRow) -> Option<DateTime<Utc>> {
    let mut conn = pool.acquire().await.expect("connection");
    let calendar = app::sla::store::load_calendar(&mut conn)
        .await
        .expect("calendar");
    let left = i64::from(row.target? - row.spent);
    calendar.add_seconds(row.running_since?, left)
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn classifying_starts_the_due_time_and_waiting_or_a_review_pauses_it(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let reviewer = desk.session_of(Role::Reviewer).await;
    let admin = desk.session_of(Role::Admin).await;
    around_the_clock(&desk, &admin).await;
    let number = file_report(&desk, &reporter, "转账失败", "银证转账提示失败").await;

    assert_eq!(desk.team_incident(&handler, number).await["sla"], "None");
    assert_eq!(
        clock(&pool, number).await.due,
        None,
        "no target before classifying"
    );

    desk.step_ok(
        &handler,
        number,
        "classified",
        json!({"category": "data", "severity": "p1"}),
    )
    .await;
    let row = clock(&pool, number).await;
    assert_eq!(row.target, Some(120 * 60), "data P1 is two business hours");
    let due = row.due.expect("due time");
    assert!(due > Utc::now(), "{due}");
    assert_eq!(Some(due), expected_due(&pool, &row).await);
    let shown = &desk.team_incident(&handler, number).await["sla"]["Running"]["due_at"];
    assert_eq!(shown.as_i64(), Some(due.timestamp_millis()));

    // Asking the reporter pauses the clock; the answer restarts it with the time left.
    desk.step_ok(
        &handler,
        number,
        "waiting",
        json!({"note": "请提供资金账号"}),
    )
    .await;
    let paused = clock(&pool, number).await;
    assert_eq!((paused.due, paused.running_since), (None, None));
    let left = desk.team_incident(&handler, number).await["sla"]["Paused"]["left_secs"]
        .as_i64()
        .expect("paused with time left");
    assert_eq!(left, i64::from(120 * 60 - paused.spent));
    let answer = json!({"client_id": uuid::Uuid::new_v4(), "incident_number": number.to_string(), "body": "资金账号 10086001"});
    let posted = desk.post_json("/api/m/messages", &reporter, &answer).await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
    let resumed = clock(&pool, number).await;
    assert!(resumed.due.is_some() && resumed.spent == paused.spent);
    assert_eq!(resumed.due, expected_due(&pool, &resumed).await);

    // A data-fix script waiting for review pauses it too, until the review.
    let script = json!({"number": number, "script": {"system": "custody", "script": "UPDATE t SET x = 1;", "rollback_script": "UPDATE t SET x = 0;", "note": ""}});
    let submitted = desk
        .post_json("/api/datafix/submit", &handler, &script)
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    assert_eq!(
        clock(&pool, number).await.due,
        None,
        "paused for the review"
    );
    let review = json!({"script_id": body(&submitted), "approve": true, "comment": ""});
    let reviewed = desk
        .post_json("/api/datafix/review", &reviewer, &review)
        .await;
    assert_eq!(reviewed.status, StatusCode::OK, "{}", reviewed.body);
    assert!(
        clock(&pool, number).await.due.is_some(),
        "running after the review"
    );

    // Resolving in time stops the clock: met, no breach.
    desk.step_ok(&handler, number, "resolved", json!({"solution": "已修复"}))
        .await;
    assert_eq!(desk.team_incident(&handler, number).await["sla"], "Met");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn only_admins_change_targets_and_calendar_and_bad_values_are_named(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let handler = desk.session_of(Role::Handler).await;
    let admin = desk.session_of(Role::Admin).await;
    let reporter = desk.session_of(Role::Reporter).await;

    let targets = json!({"targets": [{"category": "data", "severity": "p1", "minutes": 90}]});
    let refused = desk.post_json("/api/sla/targets", &handler, &targets).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let read = desk.call("sla/settings", Some(&reporter), "").await;
    assert_eq!(read.status, StatusCode::FORBIDDEN, "{}", read.body);

    let zero = json!({"targets": [{"category": "data", "severity": "p1", "minutes": 0}]});
    let reply = desk.post_json("/api/sla/targets", &admin, &zero).await;
    assert_eq!(refusal(&reply)["field"], "minutes");
    let reply = desk.post_json("/api/sla/targets", &admin, &targets).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    let backwards = json!({"hours": {"day_start": "18:00", "day_end": "09:00", "weekdays": [1]}});
    let reply = desk.post_json("/api/sla/hours", &admin, &backwards).await;
    assert_eq!(refusal(&reply)["field"], "day_end");
    assert_eq!(body(&reply)["problem"], "NotAfterStart");
    let no_days = json!({"hours": {"day_start": "09:00", "day_end": "18:00", "weekdays": []}});
    let reply = desk.post_json("/api/sla/hours", &admin, &no_days).await;
    assert_eq!(body(&reply)["field"], "weekdays");

    let holiday = json!({"day": {"date": "2026-12-31", "kind": "holiday", "name": "元旦前夕"}});
    let reply = desk.post_json("/api/sla/day", &admin, &holiday).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let bad_date = json!({"day": {"date": "2026-02-30", "kind": "holiday", "name": "x"}});
    let reply = desk.post_json("/api/sla/day", &admin, &bad_date).await;
    assert_eq!(body(&reply)["field"], "date");

    let settings = body(&desk.call("sla/settings", Some(&handler), "").await);
    assert_eq!(settings["editable"], false, "handlers read only");
    assert_eq!(settings["days"][0]["date"], "2026-12-31");
    let p1 = settings["targets"]
        .as_array()
        .and_then(|t| {
            t.iter()
                .find(|t| t["category"] == "data" && t["severity"] == "p1")
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(p1["minutes"], 90);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_passed_due_time_is_recorded_as_breached_and_found_by_the_overdue_filter(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let late = file_report(&desk, &reporter, "超时的", "等了很久").await;
    let fine = file_report(&desk, &reporter, "按时的", "刚报").await;
    for number in [late, fine] {
        desk.step_ok(
            &handler,
            number,
            "classified",
            json!({"category": "program", "severity": "p2"}),
        )
        .await;
    }
    // Time passes for one of them.
    sqlx::query(
        "UPDATE incidents SET sla_due_at = now() - INTERVAL '5 minutes', sla_target_secs = 60
         WHERE number = $1",
    )
    .bind(late)
    .execute(&pool)
    .await
    .expect("age the clock");
    let breached = app::sla::store::record_breaches(&pool)
        .await
        .expect("sweep");
    assert_eq!(breached.len(), 1);
    assert_eq!(
        app::sla::store::record_breaches(&pool)
            .await
            .expect("sweep")
            .len(),
        0,
        "a breach is recorded once"
    );

    let queue = |overdue: bool| json!({"filter": {"overdue": overdue}, "after": null});
    let page = body(
        &desk
            .post_json("/api/console/queue", &handler, &queue(true))
            .await,
    );
    let numbers: Vec<i64> = ints_of(&page["rows"], "number");
    assert_eq!(numbers, [late]);
    assert!(page["rows"][0]["sla"]["Breached"]["at"].is_i64());
    let all = body(
        &desk
            .post_json("/api/console/queue", &handler, &queue(false))
            .await,
    );
    assert_eq!(all["rows"].as_array().map(Vec::len), Some(2));
}

/// A code the program does not know (a migration ahead of the binary, a hand edit) is an error
/// that says so, never a row silently left out of a list.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_unknown_code_in_the_database_is_an_error_not_a_missing_row(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let handler = desk.session_of(Role::Handler).await;
    let settings = desk.call("sla/settings", Some(&handler), "").await;
    assert_eq!(settings.status, StatusCode::OK, "{}", settings.body);

    sqlx::query("ALTER TABLE calendar_days DROP CONSTRAINT calendar_days_kind_check")
        .execute(&pool)
        .await
        .expect("drop check");
    sqlx::query(
        "INSERT INTO calendar_days (day, kind, name) VALUES ('2026-12-25', 'festival', 'x')",
    )
    .execute(&pool)
    .await
    .expect("insert");
    let settings = desk.call("sla/settings", Some(&handler), "").await;
    assert_eq!(
        settings.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "{}",
        settings.body
    );
}
