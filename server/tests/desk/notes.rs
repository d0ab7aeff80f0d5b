//! Notes written for development or operations stay in the team: the reporter's timeline
//! shows the step, not the note, unless the handler shared it; a question to the reporter
//! always reaches them.

use serde_json::json;
use sqlx::PgPool;

use crate::support::{body, file_report, Desk};
use app::auth::Role;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn transfer_notes_reach_the_reporter_only_when_shared(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let number = file_report(&desk, &reporter, "内部说明", "存管状态不一致").await;

    desk.step_ok(&handler, number, "claimed", json!({})).await;
    let internal = "疑似存管行接口超时，查 gateway 日志";
    desk.step_ok(
        &handler,
        number,
        "transferred",
        json!({"transfer_target": "development", "note": internal}),
    )
    .await;
    desk.step_ok(&handler, number, "claimed", json!({})).await;
    let question = "请提供客户的资金账号";
    desk.step_ok(&handler, number, "waiting", json!({"note": question}))
        .await;
    desk.step_ok(&handler, number, "claimed", json!({})).await;
    let shared = "已转运维处理，预计今天内答复";
    desk.step_ok(
        &handler,
        number,
        "transferred",
        json!({"transfer_target": "operations", "note": shared, "note_public": true}),
    )
    .await;

    let view = desk
        .call(
            "m/reports/view",
            Some(&reporter),
            &format!("number={number}"),
        )
        .await;
    let timeline = body(&view)["timeline"].clone();
    let steps: Vec<(&str, Option<&str>)> = timeline
        .as_array()
        .expect("timeline")
        .iter()
        .map(|e| (e["step"].as_str().unwrap_or_default(), e["note"].as_str()))
        .collect();
    assert!(!view.body.contains(internal), "{}", view.body);
    assert!(
        steps.contains(&("transferred", None)),
        "the step shows, its note does not: {steps:?}"
    );
    assert!(steps.contains(&("waiting", Some(question))), "{steps:?}");
    assert!(steps.contains(&("transferred", Some(shared))), "{steps:?}");

    // The team sees every note.
    let team = desk.team_incident(&handler, number).await;
    assert!(team.to_string().contains(internal));
}
