//! Knowledge sessions: planned and changed by those who write help articles, checked field by
//! field, their results recorded, and their effect counted: consultations on their topics in
//! the four weeks before and after.

use axum::http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::support::{body, file_report, refusal, Desk};
use app::auth::Role;

fn plan(starts_at: &str, subcategories: &str) -> Value {
    json!({"plan": {
        "id": null,
        "starts_at": starts_at,
        "talk_minutes": "30",
        "quiz_minutes": "10",
        "qa_minutes": "15",
        "topic": "三方存管转账限额",
        "subcategories": subcategories,
        "articles": "",
    }})
}

/// The session's start: two weeks ago at 20:00 Shanghai time, so the last four weeks (the
/// hot list) hold some of the consultations around it whatever day the test runs.
fn session_start() -> chrono::NaiveDateTime {
    let today = app::time::to_shanghai(chrono::Utc::now()).date_naive();
    (today - chrono::Duration::days(14))
        .and_hms_opt(20, 0, 0)
        .unwrap_or_default()
}

fn local(at: chrono::NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M").to_string()
}

/// A consultation reported `days` days from the session's start (negative: before).
async fn consultation(
    desk: &Desk,
    pool: &PgPool,
    cookie: &str,
    subcategory: &str,
    days: i64,
    category: &str,
) {
    let number = file_report(desk, cookie, "咨询转账限额", "客户问银证转账单笔限额").await;
    let at = session_start() + chrono::Duration::days(days);
    sqlx::query(
        "UPDATE incidents SET category = $2, subcategory = $3,
                created_at = ($4 || '+08')::timestamptz
         WHERE number = $1",
    )
    .bind(number)
    .bind(category)
    .bind(subcategory)
    .bind(at.format("%Y-%m-%d %H:%M").to_string())
    .execute(pool)
    .await
    .expect("consultation");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_session_is_planned_recorded_and_measured_by_the_consultations_around_it(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let handler = desk.session_of(Role::Handler).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let start = session_start();
    let saved = desk
        .post_json(
            "/api/sessions/save",
            &handler,
            &plan(&local(start), "转账限额、银行卡变更"),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let id = body(&saved).as_i64().expect("id");

    // Two consultations on its topics in the four weeks before, one after; one 30 days
    // before (outside), one on another topic, one data incident on the same topic.
    consultation(&desk, &pool, &reporter, "转账限额", -3, "consultation").await;
    consultation(&desk, &pool, &reporter, "银行卡变更", -27, "consultation").await;
    consultation(&desk, &pool, &reporter, "转账限额", 5, "consultation").await;
    consultation(&desk, &pool, &reporter, "转账限额", -30, "consultation").await;
    consultation(&desk, &pool, &reporter, "开户进度", 2, "consultation").await;
    consultation(&desk, &pool, &reporter, "转账限额", 1, "data").await;

    let results = json!({"results": {
        "id": id,
        "replay_url": "https://live.example.com/replay/1110",
        "live_audience": "120",
        "total_viewers": "310",
        "quiz_questions": "单笔转账限额是多少？\n如何变更存管银行？",
        "score_bands": ["3", "10", "25", "40", "22"],
    }});
    let recorded = desk
        .post_json("/api/sessions/results", &handler, &results)
        .await;
    assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.body);

    let list = desk
        .post_json("/api/sessions/list", &handler, &json!({}))
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let session = &body(&list)[0];
    assert_eq!(session["id"], id);
    assert_eq!(session["subcategories"], json!(["转账限额", "银行卡变更"]));
    assert_eq!(
        (
            session["talk_minutes"].as_i64(),
            session["qa_minutes"].as_i64()
        ),
        (Some(30), Some(15))
    );
    assert_eq!(session["effect"], json!({"before": 2, "after": 1}));
    assert_eq!(session["live_audience"], 120);
    assert_eq!(session["total_viewers"], 310);
    assert_eq!(session["quiz_questions"].as_array().map(Vec::len), Some(2));
    assert_eq!(session["score_bands"], json!([3, 10, 25, 40, 22]));

    // The hot list counts consultations of the last four weeks (from 14 days before the
    // session on): 转账限额 at -3 and +5 days, 开户进度 at +2; not the older ones.
    let hot = desk
        .post_json("/api/sessions/hot", &handler, &json!({}))
        .await;
    assert_eq!(
        body(&hot)["subcategories"],
        json!([["转账限额", 2], ["开户进度", 1]])
    );

    // The report of that week names the session and its effect; the week after does not.
    let week = app::reports::Period::containing(app::reports::PeriodKind::Week, start.date());
    let report = desk
        .post_json("/api/reports/figures", &handler, &json!({ "period": week }))
        .await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.body);
    let sessions = &body(&report)["sessions"];
    assert_eq!(sessions[0]["topic"], "三方存管转账限额");
    assert_eq!(sessions[0]["effect"], json!({"before": 2, "after": 1}));
    let report = desk
        .post_json(
            "/api/reports/figures",
            &handler,
            &json!({ "period": week.after() }),
        )
        .await;
    assert_eq!(body(&report)["sessions"], json!([]));

    // Moving it three days later changes what is counted around it.
    let mut moved = plan(&local(start + chrono::Duration::days(3)), "转账限额");
    moved["plan"]["id"] = json!(id);
    let saved = desk.post_json("/api/sessions/save", &handler, &moved).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let list = desk
        .post_json("/api/sessions/list", &handler, &json!({}))
        .await;
    // 转账限额 at -6 days before; at +2 after; the -27 银行卡变更 is no longer a topic.
    assert_eq!(body(&list)[0]["effect"], json!({"before": 1, "after": 1}));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn bad_plans_and_results_are_refused_by_field_and_only_writers_change_them(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let handler = desk.session_of(Role::Handler).await;
    let refused = |reply: crate::support::Reply| {
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        refusal(&reply)["field"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let mut bad = plan("明天晚上", "转账限额");
    assert_eq!(
        refused(desk.post_json("/api/sessions/save", &handler, &bad).await),
        "starts_at"
    );
    bad = plan("2026-12-08T20:00", "转账限额");
    bad["plan"]["qa_minutes"] = json!("300");
    assert_eq!(
        refused(desk.post_json("/api/sessions/save", &handler, &bad).await),
        "qa_minutes"
    );
    bad = plan("2026-12-08T20:00", "转账限额");
    bad["plan"]["articles"] = json!("no-such-article");
    assert_eq!(
        refused(desk.post_json("/api/sessions/save", &handler, &bad).await),
        "articles"
    );
    bad["plan"]["articles"] = json!("<script>");
    assert_eq!(
        refused(desk.post_json("/api/sessions/save", &handler, &bad).await),
        "articles"
    );
    let eleven = (1..=11)
        .map(|i| format!("子类{i}"))
        .collect::<Vec<_>>()
        .join("、");
    assert_eq!(
        refused(
            desk.post_json(
                "/api/sessions/save",
                &handler,
                &plan("2026-12-08T20:00", &eleven)
            )
            .await
        ),
        "subcategories"
    );

    let saved = desk
        .post_json(
            "/api/sessions/save",
            &handler,
            &plan("2026-12-08T20:00", ""),
        )
        .await;
    let id = body(&saved).as_i64().expect("id");
    let results = |replay: &str, live: &str, total: &str, bands: [&str; 5]| {
        json!({"results": {"id": id, "replay_url": replay, "live_audience": live,
            "total_viewers": total, "quiz_questions": "", "score_bands": bands}})
    };
    let blank = ["", "", "", "", ""];
    assert_eq!(
        refused(
            desk.post_json(
                "/api/sessions/results",
                &handler,
                &results("javascript:alert(1)", "", "", blank)
            )
            .await
        ),
        "replay_url"
    );
    assert_eq!(
        refused(
            desk.post_json(
                "/api/sessions/results",
                &handler,
                &results("", "100", "20", blank)
            )
            .await
        ),
        "total_viewers"
    );
    assert_eq!(
        refused(
            desk.post_json(
                "/api/sessions/results",
                &handler,
                &results("", "", "", ["1", "", "", "", ""])
            )
            .await
        ),
        "score_bands"
    );
    let gone = json!({"results": {"id": id + 1000, "replay_url": "", "live_audience": "",
        "total_viewers": "", "quiz_questions": "", "score_bands": blank}});
    assert_eq!(
        desk.post_json("/api/sessions/results", &handler, &gone)
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // A reviewer reads sessions but does not plan them; a reporter sees none.
    let reviewer = desk.session_of(Role::Reviewer).await;
    assert_eq!(
        desk.post_json("/api/sessions/list", &reviewer, &json!({}))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        desk.post_json(
            "/api/sessions/save",
            &reviewer,
            &plan("2026-12-08T20:00", "")
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let reporter = desk.session_of(Role::Reporter).await;
    assert_eq!(
        desk.post_json("/api/sessions/list", &reporter, &json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
