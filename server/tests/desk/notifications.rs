//! WeCom notifications against a mock WeCom: what each event sends and to whom, that no
//! customer identity leaves, and the delivery rules (retries, pauses, dead rows, tokens,
//! 20 a minute per robot). The worker is driven step by step on the desk's clock.

use std::time::Duration;

use axum::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use crate::support::{body, file_report, Desk, PUBLIC_BASE};
use app::auth::Role;
use app::notifications::{store, Audience, NewAppCredentials, NewRobot};
use wecom_mock::{Endpoint, Scripted, WeComMock};

const CUSTODY_KEY: &str = "custody-robot-key-0001";
const TEAM_KEY: &str = "team-robot-key-0002";
const REPORTERS_KEY: &str = "reporters-robot-0003";

/// The seeded customer of `file_report`, none of which may ever leave.
const IDENTITY: [&str; 4] = ["王小明", "11010519491231002", "310000123456", "13800138000"];

async fn robot(
    pool: &PgPool,
    name: &str,
    audience: Audience,
    system: Option<&str>,
    key: &str,
) -> i16 {
    store::add_robot(
        pool,
        &NewRobot {
            name: name.to_owned(),
            audience,
            system: system.map(str::to_owned),
            key: key.to_owned(),
        },
    )
    .await
    .expect("robot")
}

/// The handlers' robot for every system.
async fn team_robot(pool: &PgPool) -> i16 {
    robot(pool, "处理组", Audience::Handlers, None, TEAM_KEY).await
}

/// The handlers' robot of third-party custody.
async fn custody_robot(pool: &PgPool) -> i16 {
    robot(
        pool,
        "存管处理群",
        Audience::Handlers,
        Some("custody"),
        CUSTODY_KEY,
    )
    .await
}

/// The reporters' group robot.
async fn reporters_robot(pool: &PgPool) -> i16 {
    robot(pool, "客户经理群", Audience::Reporters, None, REPORTERS_KEY).await
}

/// A handler's thread message (`internal`: a note the reporter never sees); insists it posts.
async fn console_reply(desk: &Desk, cookie: &str, number: i64, text: &str, internal: bool) {
    let reply = desk
        .post_json(
            "/api/console/reply",
            cookie,
            &json!({"number": number, "body": text, "internal": internal}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

async fn desk_and_mock(pool: PgPool) -> (Desk, WeComMock) {
    let clock = app::notifications::delivery::Clock::default();
    // The mock times arrivals by the clock the desk's worker runs on.
    let shared = clock.clone();
    let mock =
        WeComMock::start_with_clock(std::sync::Arc::new(move || shared.now().timestamp_millis()))
            .await
            .expect("mock");
    let desk = Desk::with_wecom(pool, &mock.base_url, clock).await;
    (desk, mock)
}

async fn deliver(desk: &Desk) -> usize {
    desk.notifier.deliver_due(100).await.expect("deliver")
}

fn assert_no_identity(mock: &WeComMock) {
    for request in mock.requests() {
        let text = request.body.to_string();
        for value in IDENTITY {
            assert!(!text.contains(value), "{value} left in {text}");
        }
    }
}

async fn row_states(pool: &PgPool) -> Vec<(String, i32, Option<String>)> {
    sqlx::query_as("SELECT state, attempts, last_error FROM notifications ORDER BY id")
        .fetch_all(pool)
        .await
        .expect("rows")
}

async fn set_contact(pool: &PgPool, login: &str, userid: &str, mobile: &str) {
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = $1")
        .bind(login)
        .fetch_one(pool)
        .await
        .expect("user");
    store::set_contact(pool, id, userid, mobile)
        .await
        .expect("contact");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_new_report_goes_to_its_systems_robot_as_markdown_without_identity(pool: PgPool) {
    let (desk, mock) = desk_and_mock(pool).await;
    custody_robot(&desk.pool).await;
    team_robot(&desk.pool).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let number = file_report(
        &desk,
        &reporter,
        "王小明 11010519491231002X 绑定失败",
        "客户 13800138000 资金账号 310000123456 无法转账",
    )
    .await;
    assert_eq!(deliver(&desk).await, 1);
    let sent = mock.requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].credential, CUSTODY_KEY);
    assert_eq!(sent[0].body["msgtype"], "markdown");
    let content = sent[0].body["markdown"]["content"]
        .as_str()
        .unwrap_or_default();
    assert!(
        content.contains(&format!("{PUBLIC_BASE}/console/i/{number}")),
        "{content}"
    );
    assert!(
        content.contains("三方存管") && content.contains("王＊＊"),
        "{content}"
    );
    assert!(
        content.starts_with(&format!("**新事件 #{number}**")),
        "{content}"
    );
    assert_no_identity(&mock);
    assert_eq!(row_states(&desk.pool).await, vec![("sent".into(), 1, None)]);
    // Nothing is sent twice.
    assert_eq!(deliver(&desk).await, 0);
    assert_eq!(mock.requests().len(), 1);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_server_error_and_a_timeout_are_retried_until_delivered(pool: PgPool) {
    let (desk, mock) = desk_and_mock(pool).await;
    team_robot(&desk.pool).await;
    mock.answer_next(TEAM_KEY, Scripted::Http(500));
    mock.answer_next(TEAM_KEY, Scripted::DelayMs(2_000));
    let reporter = desk.session_of(Role::Reporter).await;
    file_report(&desk, &reporter, "转账失败", "银证转账报错").await;

    assert_eq!(deliver(&desk).await, 1);
    assert_eq!(
        row_states(&desk.pool).await,
        vec![("pending".into(), 1, Some("HTTP 500".into()))]
    );
    // Backing off: not due again yet.
    assert_eq!(deliver(&desk).await, 0);
    desk.clock.advance(Duration::from_secs(13));
    assert_eq!(deliver(&desk).await, 1);
    let states = row_states(&desk.pool).await;
    assert_eq!(
        (states[0].0.as_str(), states[0].1),
        ("pending", 2),
        "{states:?}"
    );
    assert_eq!(states[0].2.as_deref(), Some("timed out"));
    desk.clock.advance(Duration::from_secs(25));
    assert_eq!(deliver(&desk).await, 1);
    assert_eq!(row_states(&desk.pool).await, vec![("sent".into(), 3, None)]);
    assert_eq!(mock.requests_to(Endpoint::Robot).len(), 3);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_rate_limited_robot_rests_a_minute_while_another_keeps_sending(pool: PgPool) {
    let (desk, mock) = desk_and_mock(pool).await;
    custody_robot(&desk.pool).await;
    team_robot(&desk.pool).await;
    mock.answer_next(CUSTODY_KEY, Scripted::Errcode(45009));
    let reporter = desk.session_of(Role::Reporter).await;
    file_report(&desk, &reporter, "存管一", "说明").await;
    deliver(&desk).await;
    let limited_at = desk.clock.now();

    // Another custody report waits with the first; the team robot's message goes at once.
    file_report(&desk, &reporter, "存管二", "说明").await;
    trading_report(&desk, &reporter, "交易一").await;
    deliver(&desk).await;
    desk.clock.advance(Duration::from_secs(59));
    deliver(&desk).await;
    let custody: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.credential == CUSTODY_KEY)
        .collect();
    assert_eq!(
        custody.len(),
        1,
        "the paused robot was sent to: {custody:?}"
    );
    let team = mock
        .requests()
        .into_iter()
        .filter(|r| r.credential == TEAM_KEY)
        .count();
    assert_eq!(team, 1, "the other robot must keep sending");

    desk.clock.advance(Duration::from_secs(3));
    assert_eq!(deliver(&desk).await, 2);
    let custody: Vec<_> = mock
        .requests()
        .into_iter()
        .filter(|r| r.credential == CUSTODY_KEY)
        .collect();
    assert_eq!(custody.len(), 3);
    let rested = custody[1].at_ms - limited_at.timestamp_millis();
    assert!(rested >= 60_000, "resumed after {rested} ms");
    assert!(row_states(&desk.pool)
        .await
        .iter()
        .all(|(state, _, _)| state == "sent"));
}

/// Files a report about trading (the handlers' team robot's system in these tests).
async fn trading_report(desk: &Desk, cookie: &str, title: &str) {
    let reply = desk
        .post_json(
            "/api/m/reports",
            cookie,
            &json!({"client_id": uuid::Uuid::new_v4(), "customer_name": "王小明",
                "id_doc_type": "id_card", "id_number": "11010519491231002X",
                "system": "trading", "title": title, "description": "说明"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_permanent_error_goes_dead_at_once_is_listed_and_can_be_sent_again(pool: PgPool) {
    let (desk, mock) = desk_and_mock(pool).await;
    team_robot(&desk.pool).await;
    mock.answer_next(TEAM_KEY, Scripted::Errcode(93000));
    let reporter = desk.session_of(Role::Reporter).await;
    file_report(&desk, &reporter, "无效机器人", "说明").await;
    deliver(&desk).await;
    let states = row_states(&desk.pool).await;
    assert_eq!((states[0].0.as_str(), states[0].1), ("dead", 1));
    assert!(states[0].2.as_deref().unwrap_or_default().contains("93000"));

    let admin = desk.session_of(Role::Admin).await;
    let log = desk
        .post_json(
            "/api/settings/notifications/log",
            &admin,
            &json!({"filter": {"state": "dead", "kind": null, "robot_id": null}, "before": null}),
        )
        .await;
    assert_eq!(log.status, StatusCode::OK, "{}", log.body);
    let rows = body(&log);
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{rows}");
    assert_eq!(rows[0]["recipient"], "处理组");
    let id = rows[0]["id"].as_i64().expect("id");
    let again = desk
        .post_json(
            "/api/settings/notifications/resend",
            &admin,
            &json!({"id": id}),
        )
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    deliver(&desk).await;
    assert_eq!(row_states(&desk.pool).await, vec![("sent".into(), 1, None)]);
    assert_eq!(mock.requests().len(), 2);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_expired_token_is_renewed_once_and_the_message_delivered(pool: PgPool) {
    let (desk, mock) = desk_and_mock(pool).await;
    store::set_app(
        &desk.pool,
        &NewAppCredentials {
            corp_id: "ww0001".into(),
            agent_id: "1000002".into(),
            secret: "app-secret-value".into(),
        },
    )
    .await
    .expect("app");
    set_contact(&desk.pool, "reporter", "zhang.reporter", "13900000001").await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let number = file_report(&desk, &reporter, "风险测评", "无法完成").await;
    desk.step_ok(&handler, number, "claimed", json!({})).await;
    desk.step_ok(&handler, number, "waiting", json!({"note": "请提供截图"}))
        .await;
    deliver(&desk).await;
    let cards = mock.requests_to(Endpoint::AppMessage);
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].body["touser"], "zhang.reporter");
    assert_eq!(cards[0].body["msgtype"], "textcard");
    assert_eq!(
        cards[0].body["textcard"]["url"],
        format!("{PUBLIC_BASE}/m/r/{number}")
    );
    assert!(cards[0].body["textcard"]["description"]
        .as_str()
        .unwrap_or_default()
        .contains("请提供截图"));

    mock.expire_tokens();
    console_reply(&desk, &handler, number, "已收到，正在处理", false).await;
    deliver(&desk).await;
    assert_eq!(
        mock.requests_to(Endpoint::Token).len(),
        2,
        "one renewal, no more"
    );
    let cards = mock.requests_to(Endpoint::AppMessage);
    assert_eq!(cards.len(), 3);
    assert_ne!(cards[1].credential, cards[2].credential);
    assert!(row_states(&desk.pool)
        .await
        .iter()
        .all(|(state, attempts, _)| state == "sent" && *attempts == 1));
    // The secret never leaves except to WeCom's token endpoint, and never in a payload.
    assert!(mock
        .requests()
        .iter()
        .all(|r| !r.body.to_string().contains("app-secret-value")));
    assert_no_identity(&mock);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_burst_of_one_hundred_keeps_every_robot_within_twenty_a_minute(pool: PgPool) {
    let (desk, mock) = desk_and_mock(pool).await;
    let first = robot(
        &desk.pool,
        "一群",
        Audience::Handlers,
        Some("custody"),
        CUSTODY_KEY,
    )
    .await;
    let second = robot(&desk.pool, "二群", Audience::Handlers, None, TEAM_KEY).await;
    for i in 0..100 {
        let robot = if i % 3 == 0 { second } else { first };
        sqlx::query(
            "INSERT INTO notifications (kind, robot_id, facts) VALUES ('new_report', $1, $2)",
        )
        .bind(robot)
        .bind(json!({"locale": "zh", "numbers": [i], "title": format!("突发 {i}"), "path": "/console"}))
        .execute(&desk.pool)
        .await
        .expect("row");
    }
    for _ in 0..60 {
        deliver(&desk).await;
        desk.clock.advance(Duration::from_secs(7));
    }
    let sent = mock.requests();
    assert_eq!(sent.len(), 100, "every message delivered, once");
    let mut titles: Vec<String> = sent.iter().map(|r| r.body.to_string()).collect();
    titles.sort();
    titles.dedup();
    assert_eq!(titles.len(), 100, "no message twice");
    for key in [CUSTODY_KEY, TEAM_KEY] {
        let times: Vec<i64> = sent
            .iter()
            .filter(|r| r.credential == key)
            .map(|r| r.at_ms)
            .collect();
        for (i, start) in times.iter().enumerate() {
            let within = times[i..].iter().filter(|t| **t < start + 60_000).count();
            assert!(within <= 20, "{key}: {within} messages within a minute");
        }
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn long_chinese_text_is_cut_on_a_character_boundary_and_mentions_by_mobile(pool: PgPool) {
    let (desk, mock) = desk_and_mock(pool).await;
    reporters_robot(&desk.pool).await;
    set_contact(&desk.pool, "reporter", "", "13900000001").await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let number = file_report(&desk, &reporter, "长回复", "说明").await;
    desk.step_ok(&handler, number, "claimed", json!({})).await;
    let long = "三方存管银证转账失败请重新绑定".repeat(130);
    let cut = long.char_indices().nth(1990).map_or(long.len(), |(i, _)| i);
    console_reply(&desk, &handler, number, &long[..cut], false).await;
    // An internal note never goes to the reporter.
    console_reply(&desk, &handler, number, "内部：疑似系统问题", true).await;
    deliver(&desk).await;
    let sent = mock.requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0].body["msgtype"], "text");
    assert_eq!(
        sent[0].body["text"]["mentioned_mobile_list"],
        json!(["13900000001"])
    );
    let content = sent[0].body["text"]["content"].as_str().unwrap_or_default();
    assert!(content.len() <= 2048, "{} bytes", content.len());
    assert!(content.contains("…"), "{content}");
    assert!(
        content.ends_with(&format!("{PUBLIC_BASE}/m/r/{number}")),
        "{content}"
    );
    assert!(!content.contains("内部"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn muted_and_switched_off_kinds_are_not_sent(pool: PgPool) {
    let (desk, mock) = desk_and_mock(pool).await;
    team_robot(&desk.pool).await;
    reporters_robot(&desk.pool).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let admin = desk.session_of(Role::Admin).await;
    let muted = desk
        .post_json(
            "/api/notifications/mute",
            &reporter,
            &json!({"kind": "handler_replied", "muted": true}),
        )
        .await;
    assert_eq!(muted.status, StatusCode::OK, "{}", muted.body);
    let mutes = desk
        .post_json("/api/notifications/mutes", &reporter, &json!({}))
        .await;
    assert_eq!(body(&mutes), json!(["handler_replied"]));
    // A group announcement is nobody's to mute.
    let refused = desk
        .post_json(
            "/api/notifications/mute",
            &reporter,
            &json!({"kind": "new_report", "muted": true}),
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    let off = desk
        .post_json(
            "/api/settings/notifications/kind",
            &admin,
            &json!({"kind": "new_report", "enabled": false}),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{}", off.body);

    let number = file_report(&desk, &reporter, "静音", "说明").await;
    desk.step_ok(&handler, number, "claimed", json!({})).await;
    console_reply(&desk, &handler, number, "收到", false).await;
    desk.step_ok(
        &handler,
        number,
        "resolved",
        json!({"solution": "已重新绑定"}),
    )
    .await;
    deliver(&desk).await;
    let sent = mock.requests();
    assert_eq!(sent.len(), 1, "only the resolution: {sent:?}");
    assert!(sent[0].body.to_string().contains("已重新绑定"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_admin_adds_a_robot_from_its_url_tests_it_and_never_sees_the_key_again(pool: PgPool) {
    let (desk, mock) = desk_and_mock(pool).await;
    let admin = desk.session_of(Role::Admin).await;
    let bad = desk
        .post_json(
            "/api/settings/notifications/robot",
            &admin,
            &json!({"robot": {"name": "处理组", "audience": "handlers", "system": null, "key": "not a key!"}}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let url = format!("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={TEAM_KEY}");
    let added = desk
        .post_json(
            "/api/settings/notifications/robot",
            &admin,
            &json!({"robot": {"name": "处理组", "audience": "handlers", "system": null, "key": url}}),
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let id = body(&added).as_i64().expect("id");
    let settings = desk
        .post_json("/api/settings/notifications", &admin, &json!({}))
        .await;
    assert!(!settings.body.contains(TEAM_KEY), "{}", settings.body);
    assert_eq!(body(&settings)["robots"][0]["key_hint"], "…0002");
    let stored: Vec<u8> = sqlx::query_scalar("SELECT key_sealed FROM wecom_robots")
        .fetch_one(&desk.pool)
        .await
        .expect("key");
    assert!(
        !String::from_utf8_lossy(&stored).contains(TEAM_KEY),
        "sealed at rest"
    );

    let test = desk
        .post_json(
            "/api/settings/notifications/robot/test",
            &admin,
            &json!({"id": id}),
        )
        .await;
    assert_eq!(test.status, StatusCode::OK, "{}", test.body);
    assert_eq!(body(&test)["errcode"], 0);
    assert_eq!(mock.requests()[0].credential, TEAM_KEY);
    mock.answer_next(TEAM_KEY, Scripted::Errcode(93000));
    let test = desk
        .post_json(
            "/api/settings/notifications/robot/test",
            &admin,
            &json!({"id": id}),
        )
        .await;
    assert_eq!(body(&test)["errcode"], 93000, "{}", test.body);
    let log = desk
        .post_json(
            "/api/settings/notifications/log",
            &admin,
            &json!({"filter": {"state": null, "kind": "test", "robot_id": null}, "before": null}),
        )
        .await;
    let rows = body(&log);
    let states: Vec<&str> = rows
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["state"].as_str())
        .collect();
    assert_eq!(states, vec!["dead", "sent"]);
}

/// The text messages `key` received, as sent.
fn texts_to(mock: &WeComMock, key: &str) -> Vec<serde_json::Value> {
    mock.requests()
        .into_iter()
        .filter(|r| r.credential == key)
        .map(|r| r.body)
        .collect()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_reporters_answer_mentions_the_handler_and_sla_warnings_come_once(pool: PgPool) {
    let (desk, mock) = desk_and_mock(pool).await;
    team_robot(&desk.pool).await;
    set_contact(&desk.pool, "handler", "", "13900000002").await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let number = file_report(&desk, &reporter, "补充信息", "说明").await;
    desk.step_ok(&handler, number, "claimed", json!({})).await;
    desk.step_ok(&handler, number, "waiting", json!({"note": "请提供截图"}))
        .await;
    let answer = desk
        .post_json(
            "/api/m/messages",
            &reporter,
            &json!({"client_id": uuid::Uuid::new_v4(), "incident_number": number.to_string(),
                "body": "截图已上传，客户身份证 11010519491231002X"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    deliver(&desk).await;
    let sent = texts_to(&mock, TEAM_KEY);
    assert_eq!(sent.len(), 2, "the new report and the answer: {sent:?}");
    // Sent together, they may arrive in either order.
    let answered = sent
        .iter()
        .find(|m| m["msgtype"] == "text")
        .expect("the answer");
    assert_eq!(
        answered["text"]["mentioned_mobile_list"],
        json!(["13900000002"])
    );
    assert!(answered["text"]["content"]
        .as_str()
        .unwrap_or_default()
        .contains("截图已上传"));

    // A clock about to run out warns once; running out warns once more.
    sqlx::query(
        "UPDATE incidents SET sla_running_since = now(), sla_due_at = now() + interval '10 minutes'",
    )
    .execute(&desk.pool)
    .await
    .expect("clock");
    app::sla::store::record_breaches(&desk.pool)
        .await
        .expect("watch");
    app::sla::store::record_breaches(&desk.pool)
        .await
        .expect("watch again");
    sqlx::query("UPDATE incidents SET sla_due_at = now() - interval '1 minute'")
        .execute(&desk.pool)
        .await
        .expect("clock");
    app::sla::store::record_breaches(&desk.pool)
        .await
        .expect("breach");
    app::sla::store::record_breaches(&desk.pool)
        .await
        .expect("breach again");
    deliver(&desk).await;
    let sent = texts_to(&mock, TEAM_KEY);
    assert_eq!(sent.len(), 4, "{sent:?}");
    // Sent at once, they may arrive in either order.
    for headline in ["SLA 将在 30 分钟内到期", "SLA 已超时"] {
        let message = sent[2..]
            .iter()
            .find(|m| {
                m["text"]["content"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with(headline)
            })
            .unwrap_or_else(|| panic!("no {headline} in {sent:?}"));
        assert_eq!(
            message["text"]["mentioned_mobile_list"],
            json!(["13900000002"])
        );
    }
    assert_no_identity(&mock);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_script_goes_to_the_reviewers_and_the_decision_to_its_author(pool: PgPool) {
    let (desk, mock) = desk_and_mock(pool).await;
    let reviewers_key = "reviewers-robot-0004";
    robot(
        &desk.pool,
        "审核群",
        Audience::Reviewers,
        None,
        reviewers_key,
    )
    .await;
    team_robot(&desk.pool).await;
    set_contact(&desk.pool, "handler", "", "13900000002").await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let reviewer = desk.session_of(Role::Reviewer).await;
    let number = file_report(&desk, &reporter, "数据修复", "说明").await;
    let submitted = desk
        .post_json(
            "/api/datafix/submit",
            &handler,
            &json!({"number": number, "script": {"system": "custody",
                "script": "UPDATE t SET x = 1;", "rollback_script": "UPDATE t SET x = 0;", "note": ""}}),
        )
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    let script_id = body(&submitted).as_i64().expect("id");
    let review = desk
        .post_json(
            "/api/datafix/review",
            &reviewer,
            &json!({"script_id": script_id, "approve": false, "comment": "回滚不完整"}),
        )
        .await;
    assert_eq!(review.status, StatusCode::OK, "{}", review.body);
    deliver(&desk).await;
    let pending = texts_to(&mock, reviewers_key);
    assert_eq!(pending.len(), 1);
    assert!(pending[0]["markdown"]["content"]
        .as_str()
        .unwrap_or_default()
        .contains("数据修复脚本待审核"));
    let team = texts_to(&mock, TEAM_KEY);
    let decided = team
        .iter()
        .find(|m| m["msgtype"] == "text")
        .expect("the decision");
    let content = decided["text"]["content"].as_str().unwrap_or_default();
    assert!(
        content.starts_with("数据修复脚本被驳回") && content.contains("回滚不完整"),
        "{content}"
    );
    assert_eq!(
        decided["text"]["mentioned_mobile_list"],
        json!(["13900000002"])
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_resolved_batch_tells_each_reporter_once(pool: PgPool) {
    let (desk, mock) = desk_and_mock(pool).await;
    reporters_robot(&desk.pool).await;
    set_contact(&desk.pool, "reporter", "", "13900000001").await;
    let first = desk.session_of(Role::Reporter).await;
    let second = desk.another("reporter_b", Role::Reporter).await;
    set_contact(&desk.pool, "reporter_b", "", "13900000003").await;
    let handler = desk.session_of(Role::Handler).await;
    let parent = file_report(&desk, &first, "批量一", "说明").await;
    let mine = file_report(&desk, &first, "批量二", "说明").await;
    let theirs = file_report(&desk, &second, "批量三", "说明").await;
    for child in [mine, theirs] {
        let linked = desk
            .post_json(
                "/api/console/link",
                &handler,
                &json!({"number": child, "parent": parent}),
            )
            .await;
        assert_eq!(linked.status, StatusCode::OK, "{}", linked.body);
    }
    desk.step_ok(&handler, parent, "claimed", json!({})).await;
    desk.step_ok(
        &handler,
        parent,
        "resolved",
        json!({"solution": "统一重新绑定"}),
    )
    .await;
    deliver(&desk).await;
    let sent = texts_to(&mock, REPORTERS_KEY);
    assert_eq!(sent.len(), 2, "one message per reporter: {sent:?}");
    let to = |mobile: &str| {
        sent.iter()
            .find(|m| m["text"]["mentioned_mobile_list"] == json!([mobile]))
            .and_then(|m| m["text"]["content"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let first_text = to("13900000001");
    assert!(
        first_text.contains(&format!("#{parent} #{mine}")),
        "{first_text}"
    );
    let second_text = to("13900000003");
    assert!(
        second_text.contains(&format!("#{theirs}")) && !second_text.contains(&format!("#{mine}"))
    );
    assert!(second_text.contains("统一重新绑定"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_message_that_keeps_failing_is_given_up_after_its_last_attempt(pool: PgPool) {
    let (desk, mock) = desk_and_mock(pool).await;
    team_robot(&desk.pool).await;
    let worker = desk
        .notifier
        .clone()
        .with_policy(app::notifications::delivery::RetryPolicy {
            first: Duration::from_secs(1),
            longest: Duration::from_secs(2),
            attempts: 3,
        });
    for _ in 0..3 {
        mock.answer_next(TEAM_KEY, Scripted::Errcode(-1));
    }
    let reporter = desk.session_of(Role::Reporter).await;
    file_report(&desk, &reporter, "繁忙", "说明").await;
    for _ in 0..3 {
        worker.deliver_due(10).await.expect("deliver");
        desk.clock.advance(Duration::from_secs(3));
    }
    let states = row_states(&desk.pool).await;
    assert_eq!(
        (states[0].0.as_str(), states[0].1),
        ("dead", 3),
        "{states:?}"
    );
    assert!(states[0].2.as_deref().unwrap_or_default().contains("-1"));
    assert_eq!(worker.deliver_due(10).await.expect("deliver"), 0);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_rate_limited_application_message_waits_a_minute_without_using_an_attempt(pool: PgPool) {
    let (desk, mock) = desk_and_mock(pool).await;
    store::set_app(
        &desk.pool,
        &NewAppCredentials {
            corp_id: "ww0001".into(),
            agent_id: "1000002".into(),
            secret: "app-secret-value".into(),
        },
    )
    .await
    .expect("app");
    set_contact(&desk.pool, "reporter", "zhang.reporter", "").await;
    mock.answer_next("app", Scripted::Errcode(45009));
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let number = file_report(&desk, &reporter, "应用限流", "说明").await;
    desk.step_ok(&handler, number, "claimed", json!({})).await;
    console_reply(&desk, &handler, number, "请稍候", false).await;
    deliver(&desk).await;
    assert_eq!(
        row_states(&desk.pool).await,
        vec![("pending".into(), 0, None)]
    );
    desk.clock.advance(Duration::from_secs(59));
    assert_eq!(deliver(&desk).await, 0);
    desk.clock.advance(Duration::from_secs(3));
    assert_eq!(deliver(&desk).await, 1);
    assert_eq!(row_states(&desk.pool).await, vec![("sent".into(), 1, None)]);
    assert_eq!(mock.requests_to(Endpoint::AppMessage).len(), 2);
}
