//! Batches of duplicates: linking rules, and resolving the parent resolving every duplicate
//! with its solution and a reply each reporter sees as unread.

use axum::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use crate::support::{body, file_report, ints_of, refusal, texts_of, Desk};
use app::auth::Role;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn resolving_a_parent_resolves_its_duplicates_and_tells_each_reporter(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let first_reporter = desk.session_of(Role::Reporter).await;
    let second_reporter = desk.another("reporter_two", Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let parent = file_report(&desk, &first_reporter, "存管绑定失败", "提示无法绑定").await;
    let child = file_report(&desk, &second_reporter, "绑定不了银行", "同样的问题").await;
    let other = file_report(&desk, &second_reporter, "另一个问题", "无关").await;

    let link = |number: i64, parent: i64| json!({"number": number, "parent": parent});
    for (number, to) in [(child, child), (child, 999_999)] {
        let reply = desk
            .post_json("/api/console/link", &handler, &link(number, to))
            .await;
        assert_eq!(refusal(&reply)["problem"], "BadLink");
    }
    let reply = desk
        .post_json("/api/console/link", &handler, &link(child, parent))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    // One level only: the parent cannot become somebody's duplicate now.
    let reply = desk
        .post_json("/api/console/link", &handler, &link(parent, other))
        .await;
    assert_eq!(body(&reply)["problem"], "BadLink", "{}", reply.body);
    let reply = desk
        .post_json("/api/console/link", &handler, &link(other, child))
        .await;
    assert_eq!(body(&reply)["problem"], "BadLink", "{}", reply.body);

    let team_view = desk.team_incident(&handler, parent).await;
    let members: Vec<i64> = ints_of(&team_view["batch"], "number");
    assert_eq!(members, [child]);

    desk.step_ok(
        &handler,
        parent,
        "resolved",
        json!({"solution": "已重新绑定存管银行"}),
    )
    .await;

    // Before the reporter opens it (which marks replies read), the list counts the reply.
    let mine = body(
        &desk
            .call("m/reports/mine", Some(&second_reporter), "filter=all")
            .await,
    );
    let row = mine
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["number"] == child))
        .cloned()
        .unwrap_or_default();
    assert_eq!(row["unread"], 1, "the reporter is told: {mine}");
    let untouched = mine
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["number"] == other))
        .cloned()
        .unwrap_or_default();
    assert_eq!(untouched["status"], "new");

    let view = body(
        &desk
            .call(
                "m/reports/view",
                Some(&second_reporter),
                &format!("number={child}"),
            )
            .await,
    );
    assert_eq!(view["status"], "resolved");
    assert_eq!(view["solution"], "已重新绑定存管银行");
    let steps: Vec<&str> = texts_of(&view["timeline"], "step");
    assert_eq!(
        steps,
        ["reported", "resolved"],
        "batch bookkeeping stays internal"
    );

    // Finished incidents leave batches alone.
    let reply = desk
        .post_json("/api/console/unlink", &handler, &json!({"number": child}))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(body(&reply)["kind"], "NotNow", "{}", reply.body);
}
