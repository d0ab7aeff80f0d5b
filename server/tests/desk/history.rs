//! Changes to canned replies and SLA settings are kept with who made them and when.

use axum::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use crate::support::{body, Desk};
use app::auth::Role;

async fn history(desk: &Desk, cookie: &str, subject: &str) -> Vec<serde_json::Value> {
    let reply = desk
        .post_json(
            "/api/settings/history",
            cookie,
            &json!({"subject": subject}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    body(&reply).as_array().cloned().unwrap_or_default()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn canned_reply_edits_are_kept_with_who_and_when(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let handler = desk.session_of(Role::Handler).await;
    let save =
        |id: serde_json::Value, title: &str| json!({"id": id, "title": title, "body": "您好"});
    let id = body(
        &desk
            .post_json("/api/canned/save", &handler, &save(json!(null), "补充截图"))
            .await,
    );
    desk.post_json(
        "/api/canned/save",
        &handler,
        &save(id.clone(), "补充完整截图"),
    )
    .await;
    // Saving the same text again changes nothing and records nothing.
    desk.post_json(
        "/api/canned/save",
        &handler,
        &save(id.clone(), "补充完整截图"),
    )
    .await;
    desk.post_json("/api/canned/retire", &handler, &json!({"id": id}))
        .await;

    let reviewer = desk.session_of(Role::Reviewer).await;
    let changes = history(&desk, &reviewer, "CannedReplies").await;
    let kinds: Vec<(&str, &str, bool)> = changes
        .iter()
        .map(|c| {
            (
                c["change"].as_str().unwrap_or_default(),
                c["after"]["title"].as_str().unwrap_or_default(),
                c["after"]["retired"] == true,
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("update", "补充完整截图", true),
            ("update", "补充完整截图", false),
            ("insert", "补充截图", false),
        ]
    );
    assert_eq!(changes[1]["before"]["title"], "补充截图");
    assert!(
        changes.iter().all(|c| c["changed_by"] == "handler"),
        "{changes:?}"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_removed_calendar_day_names_who_removed_it(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let admin = desk.session_of(Role::Admin).await;
    let day = json!({"day": {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}});
    let put = desk.post_json("/api/sla/day", &admin, &day).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let removed = desk
        .post_json(
            "/api/sla/day/remove",
            &admin,
            &json!({"date": "2027-01-01"}),
        )
        .await;
    assert_eq!(removed.status, StatusCode::OK, "{}", removed.body);

    let handler = desk.session_of(Role::Handler).await;
    let changes = history(&desk, &handler, "Sla").await;
    assert_eq!(changes[0]["change"], "delete");
    assert_eq!(changes[0]["before"]["name"], "元旦");
    assert_eq!(changes[0]["changed_by"], "admin");
    assert_eq!(changes[1]["change"], "insert");

    // No path can remove a setting without naming who did it.
    let unnamed = sqlx::query("DELETE FROM calendar_days")
        .execute(&pool)
        .await;
    sqlx::query(
        "INSERT INTO calendar_days (day, kind, name) VALUES ('2027-05-01', 'holiday', '劳动节')",
    )
    .execute(&pool)
    .await
    .expect("insert");
    let unnamed_after = sqlx::query("DELETE FROM calendar_days")
        .execute(&pool)
        .await;
    assert!(unnamed.is_ok(), "nothing to remove, nothing refused");
    assert!(
        unnamed_after.is_err(),
        "a removal without an actor must be refused"
    );
}
