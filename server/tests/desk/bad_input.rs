//! Text PostgreSQL cannot store, such as the NUL byte pasted text can carry, is the sender's
//! mistake: a 422 naming the field, never a 500, wherever it is typed.

use axum::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::{body, error_of, file_report, invalid, step_with, Desk};
use app::auth::Role;

const NUL: &str = "客户\u{0}张三";

fn expect_refused(reply: &crate::support::Reply, field: &str, what: &str) {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{what}: {}",
        reply.body
    );
    assert_eq!(
        invalid(error_of(reply)),
        json!({"field": field, "problem": "ControlCharacter"}),
        "{what}: {}",
        reply.body
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_nul_anywhere_is_refused_naming_its_field(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let number = file_report(&desk, &reporter, "控制字符", "原始描述").await;

    let report = |field: &str| {
        let mut report = json!({
            "client_id": Uuid::new_v4(), "customer_name": "李四", "id_doc_type": "id_card",
            "id_number": "110101199003074477", "system": "custody", "title": "标题",
            "description": "描述",
        });
        report[field] = json!(NUL);
        report
    };
    for field in ["customer_name", "title", "description"] {
        let reply = desk
            .post_json("/api/m/reports", &reporter, &report(field))
            .await;
        expect_refused(&reply, field, field);
    }
    let message = json!({
        "client_id": Uuid::new_v4(), "incident_number": number.to_string(), "body": NUL,
    });
    let reply = desk.post_json("/api/m/messages", &reporter, &message).await;
    expect_refused(&reply, "message", "a message");

    let queue = |filter: serde_json::Value| json!({"filter": filter, "after": null});
    let mut filter = json!({
        "status": null, "system": null, "category": null, "severity": null, "assignee": "anyone",
        "reporter": "", "from": "", "to": "", "overdue": false, "search": "", "sort": "activity",
    });
    let reply = desk
        .post_json("/api/console/queue", &handler, &queue(filter.clone()))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    for field in ["search", "reporter", "system"] {
        let mut bad = filter.clone();
        bad[field] = json!(NUL);
        let reply = desk
            .post_json("/api/console/queue", &handler, &queue(bad))
            .await;
        expect_refused(&reply, field, field);
    }
    filter["search"] = json!("x".repeat(101));
    let reply = desk
        .post_json("/api/console/queue", &handler, &queue(filter))
        .await;
    assert_eq!(body(&reply)["field"], "search", "{}", reply.body);

    let reply = desk
        .post_json(
            "/api/console/reply",
            &handler,
            &json!({"number": number, "body": NUL, "internal": false}),
        )
        .await;
    expect_refused(&reply, "message", "a reply");
    let reply = desk
        .post_json(
            "/api/canned/save",
            &handler,
            &json!({"id": null, "title": NUL, "body": "正文"}),
        )
        .await;
    expect_refused(&reply, "canned_title", "a canned reply");

    let login = desk
        .call("login", None, "login=%00handler&password=x&next=")
        .await;
    expect_refused(&login, "login", "a login");

    // A code no form check names still never reaches the database as a 500.
    let reply = desk
        .post_json(
            "/api/console/step",
            &handler,
            &step_with(
                number,
                "classified",
                json!({"category": "data", "severity": "p3", "subcategory": "", "system": NUL,
                       "module": null}),
            ),
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );

    // A day that is no date (the fuzz test found this one reaching the database).
    let admin = desk.session_of(Role::Admin).await;
    let reply = desk
        .post_json("/api/sla/day/remove", &admin, &json!({"date": NUL}))
        .await;
    assert_eq!(
        invalid(error_of(&reply)),
        json!({"field": "date", "problem": "Format"}),
        "{}",
        reply.body
    );

    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(stored, 1, "a refused report was stored");
}
