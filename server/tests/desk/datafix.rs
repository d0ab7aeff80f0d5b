//! Data-fix scripts: handlers submit, somebody else reviews, handlers record the run; every
//! step on the timeline; none of it reaches the reporter.

use axum::http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::support::{body, file_report, refusal, Desk};
use app::auth::Role;

fn script(number: i64, rollback: &str) -> Value {
    json!({"number": number, "script": {
        "system": "custody",
        "script": "UPDATE custody_binding SET status = 'bound' WHERE fund_account = '310000123456';",
        "rollback_script": rollback,
        "note": "修复绑定状态",
    }})
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_script_is_reviewed_by_a_reviewer_once_and_its_run_is_recorded(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let reviewer = desk.session_of(Role::Reviewer).await;
    let admin = desk.session_of(Role::Admin).await;
    let number = file_report(&desk, &reporter, "绑定状态错误", "需要修数据").await;

    let reply = desk
        .post_json("/api/datafix/submit", &handler, &script(number, "  "))
        .await;
    assert_eq!(refusal(&reply)["field"], "rollback_script");
    let rollback =
        "UPDATE custody_binding SET status = 'failed' WHERE fund_account = '310000123456';";
    let reply = desk
        .post_json("/api/datafix/submit", &reviewer, &script(number, rollback))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::FORBIDDEN,
        "reviewers do not write scripts"
    );
    let reply = desk
        .post_json("/api/datafix/submit", &handler, &script(number, rollback))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let id = body(&reply);

    let pending = body(&desk.call("datafix/reviews", Some(&reviewer), "").await);
    assert_eq!(pending[0]["id"], id);
    assert_eq!(pending[0]["status"], "pending");
    let reply = desk.call("datafix/reviews", Some(&handler), "").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);

    let decide = |approve: bool, comment: &str| json!({"script_id": id, "approve": approve, "comment": comment});
    let reply = desk
        .post_json("/api/datafix/review", &handler, &decide(true, ""))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::FORBIDDEN,
        "handlers do not review"
    );
    let reply = desk
        .post_json("/api/datafix/review", &reviewer, &decide(false, " "))
        .await;
    assert_eq!(body(&reply)["field"], "comment", "a rejection says why");
    let reply = desk
        .post_json("/api/datafix/review", &reviewer, &decide(true, "可以执行"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reply = desk
        .post_json("/api/datafix/review", &admin, &decide(false, "晚了"))
        .await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.body);
    assert_eq!(body(&reply)["kind"], "AlreadyReviewed", "{}", reply.body);
    assert_eq!(body(&reply)["by"], "reviewer");

    let executed = json!({"number": number, "script_id": id, "note": "运维 14:05 执行完毕"});
    let reply = desk
        .post_json("/api/datafix/executed", &handler, &executed)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reply = desk
        .post_json("/api/datafix/executed", &handler, &executed)
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "recorded once: {}",
        reply.body
    );

    let team = desk.team_incident(&handler, number).await;
    assert_eq!(team["scripts"][0]["status"], "executed");
    assert_eq!(team["scripts"][0]["reviewer"], "reviewer");
    let timeline: Vec<(String, String)> = team["report"]["timeline"]
        .as_array()
        .map(|t| {
            t.iter()
                .map(|e| {
                    (
                        e["step"].as_str().unwrap_or_default().to_owned(),
                        e["actor_name"].as_str().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    for expected in [
        ("script_submitted", "handler"),
        ("script_approved", "reviewer"),
        ("script_executed", "handler"),
    ] {
        assert!(
            timeline
                .iter()
                .any(|(s, a)| s == expected.0 && a == expected.1),
            "{expected:?} in {timeline:?}"
        );
    }

    // The reporter sees none of it.
    let view = desk
        .call(
            "m/reports/view",
            Some(&reporter),
            &format!("number={number}"),
        )
        .await;
    assert_eq!(view.status, StatusCode::OK);
    assert!(!view.body.contains("script_"), "{}", view.body);
    assert!(!view.body.contains("custody_binding"), "{}", view.body);
    for (path, payload) in [
        ("/api/datafix/submit", script(number, rollback)),
        ("/api/datafix/review", decide(true, "")),
        ("/api/datafix/executed", executed.clone()),
    ] {
        let reply = desk.post_json(path, &reporter, &payload).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
    }
}
