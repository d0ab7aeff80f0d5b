//! Last week's report goes out on Monday at 09:00 (Shanghai) once: as a WeCom summary of the
//! fixture week's hand-computed figures when the kind is on, never twice, never early.

use serde_json::Value;
use sqlx::PgPool;

use crate::service_report::fixture_week;
use crate::support::Desk;
use app::notifications::render::{robot_message, Links};
use app::notifications::{store, Audience, Kind, NewRobot};
use app::reports::weekly::send_due;

fn at(rfc3339: &str) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|at| at.with_timezone(&chrono::Utc))
        .expect("time")
}

async fn summaries(pool: &PgPool) -> Vec<(Option<i16>, Value)> {
    sqlx::query_as(
        "SELECT robot_id, facts FROM notifications WHERE kind = 'weekly_report' ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .expect("rows")
}

/// A handlers' robot, for all systems or for `system`.
async fn robot(pool: &PgPool, name: &str, system: Option<&str>) -> i16 {
    store::add_robot(
        pool,
        &NewRobot {
            name: name.into(),
            audience: Audience::Handlers,
            system: system.map(Into::into),
            key: format!("weekly-robot-key-{}", system.unwrap_or("all")),
        },
    )
    .await
    .expect("robot")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn monday_nine_sends_last_weeks_summary_once(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    fixture_week(&desk, &pool).await;
    let team = robot(&pool, "处理组", None).await;
    // A system's own robot does not get the team's summary.
    robot(&pool, "存管处理群", Some("custody")).await;
    store::set_kind(&pool, Kind::WeeklyReport, true)
        .await
        .expect("kind");

    // Monday 2026-11-30, 09:05 in Shanghai: the fixture week (2026-11-23 to 29) goes out.
    let sent = send_due(&pool, None, at("2026-11-30T01:05:00Z"))
        .await
        .expect("send");
    assert_eq!(
        sent.map(|week| week.first.to_string()).as_deref(),
        Some("2026-11-23")
    );
    let rows = summaries(&pool).await;
    assert_eq!(rows.len(), 1);
    let (robot, facts) = &rows[0];
    assert_eq!(*robot, Some(team));
    assert_eq!(facts["title"], "2026-11-23 – 2026-11-29");
    assert_eq!(
        facts["path"],
        "/console/reports?period=week&start=2026-11-23"
    );
    let text = facts["text"].as_str().expect("text");
    let lines: Vec<&str> = text.lines().collect();
    // Hand-computed in service_report.rs: 6 reported, 4 resolved, 2 of them in time, 3
    // consultations, 1 reopened; first responses' median 30 minutes, resolutions' 3 hours.
    assert_eq!(lines[0], "上报 6 件，已解决 4 件（解决率 66.7%）");
    assert_eq!(lines[1], "及时解决率 50.0%，咨询类占比 50.0%，重开 1 件");
    assert_eq!(
        lines[2],
        "首次响应中位数 30分，解决用时中位数 3小时0分（工作时间）"
    );
    assert!(
        lines[3].starts_with("热点问题：转账限额 2 件、"),
        "{}",
        lines[3]
    );
    assert_eq!(lines.len(), 4);

    // As WeCom gets it: markdown with the period, the lines and a link to the report.
    let facts: app::notifications::outbox::Facts =
        serde_json::from_value(facts.clone()).expect("facts");
    let message = robot_message(
        Kind::WeeklyReport,
        &facts,
        &Links::new("https://desk.example.com"),
    );
    let content = message["markdown"]["content"].as_str().expect("markdown");
    assert!(
        content.starts_with("**上周服务报表 2026-11-23 – 2026-11-29**\n> 上报 6 件"),
        "{content}"
    );
    assert!(
        content.ends_with(
            "[查看详情](https://desk.example.com/console/reports?period=week&start=2026-11-23)"
        ),
        "{content}"
    );

    // Later that week and early next Monday: that week is sent already.
    for now in [
        "2026-11-30T01:06:00Z",
        "2026-12-04T08:00:00Z",
        "2026-12-07T00:59:00Z",
    ] {
        assert_eq!(
            send_due(&pool, None, at(now)).await.expect("send"),
            None,
            "{now}"
        );
    }
    assert_eq!(summaries(&pool).await.len(), 1);
    // From 09:00 next Monday, the next week goes out.
    let next = send_due(&pool, None, at("2026-12-07T01:00:00Z"))
        .await
        .expect("send");
    assert_eq!(
        next.map(|week| week.first.to_string()).as_deref(),
        Some("2026-11-30")
    );
    assert_eq!(summaries(&pool).await.len(), 2);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_summary_is_off_until_an_admin_switches_it_on(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    fixture_week(&desk, &pool).await;
    robot(&pool, "处理组", None).await;
    let sent = send_due(&pool, None, at("2026-11-30T01:05:00Z"))
        .await
        .expect("send");
    assert!(sent.is_some(), "the week is done, with nothing to push");
    assert_eq!(summaries(&pool).await.len(), 0);
    // Switching it on later does not send that week again.
    store::set_kind(&pool, Kind::WeeklyReport, true)
        .await
        .expect("kind");
    assert_eq!(
        send_due(&pool, None, at("2026-11-30T02:00:00Z"))
            .await
            .expect("send"),
        None
    );
    assert_eq!(summaries(&pool).await.len(), 0);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_week_is_mailed_with_its_workbook_and_retried_when_the_server_is_away(pool: PgPool) {
    use app::mail::{delivery::Mailer, MailSettings};
    let desk = Desk::new(pool.clone()).await;
    fixture_week(&desk, &pool).await;
    let sink = crate::smtp_sink::SmtpSink::start().await;
    let settings = |url: String| {
        MailSettings::from_parts(
            Some(url),
            Some("事件处理平台 <desk@example.com>".into()),
            Some("lead@example.com, ops@example.com".into()),
            "https://desk.example.com",
        )
        .expect("settings")
        .expect("mail on")
    };
    let mail = settings(format!("smtp://{}", sink.addr));

    let sent = send_due(&pool, Some(&mail), at("2026-11-30T01:05:00Z"))
        .await
        .expect("send");
    assert!(sent.is_some());
    // Written with the week's row; nothing leaves before the worker sends it.
    let pending: (String, Vec<String>, String) =
        sqlx::query_as("SELECT subject, recipients, state FROM mail_outbox")
            .fetch_one(&pool)
            .await
            .expect("row");
    assert_eq!(
        pending,
        (
            "服务报表 2026-11-23 – 2026-11-29".to_owned(),
            vec!["lead@example.com".to_owned(), "ops@example.com".to_owned()],
            "pending".to_owned()
        )
    );
    assert!(sink.received().is_empty());

    // An SMTP server that is not there: the message waits and is tried again later.
    let away = Mailer::new(pool.clone(), &settings("smtp://127.0.0.1:9".into())).expect("mailer");
    assert_eq!(away.deliver_due().await.expect("pass"), 0);
    let (attempts, state, wait, error): (i32, String, bool, Option<String>) = sqlx::query_as(
        "SELECT attempts, state, due_at > now() + INTERVAL '50 seconds', last_error FROM mail_outbox",
    )
    .fetch_one(&pool)
    .await
    .expect("row");
    assert_eq!((attempts, state.as_str(), wait), (1, "pending", true));
    assert!(error.is_some_and(|e| !e.is_empty()));
    sqlx::query("UPDATE mail_outbox SET due_at = now()")
        .execute(&pool)
        .await
        .expect("due");

    let mailer = Mailer::new(pool.clone(), &mail).expect("mailer");
    assert_eq!(mailer.deliver_due().await.expect("pass"), 1);
    assert_eq!(mailer.deliver_due().await.expect("pass"), 0, "sent once");
    let received = sink.received();
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].recipients,
        ["<lead@example.com>", "<ops@example.com>"]
    );
    let data = &received[0].data;
    assert!(
        data.contains("From: =?utf-8?b?"),
        "the sender's name, encoded: {data}"
    );
    assert!(
        data.contains("To: lead@example.com, ops@example.com"),
        "{data}"
    );
    assert!(
        data.contains("service-report-2026-11-23-2026-11-29.xlsx"),
        "{data}"
    );
    // The attachment is the report's workbook.
    let (_, attached) = data
        .split_once(
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .expect("the workbook part");
    let (_, encoded) = attached.split_once("\r\n\r\n").expect("its body");
    let encoded: String = encoded
        .lines()
        .take_while(|line| !line.starts_with("--"))
        .collect();
    use base64::Engine;
    let workbook = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .expect("base64");
    let book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(workbook)).expect("xlsx");
    use calamine::Reader;
    assert_eq!(book.sheet_names().first().map(String::as_str), Some("概览"));
    let state: String = sqlx::query_scalar("SELECT state FROM mail_outbox")
        .fetch_one(&pool)
        .await
        .expect("row");
    assert_eq!(state, "sent");
}
