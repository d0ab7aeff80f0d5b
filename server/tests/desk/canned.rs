//! Canned replies: the team adds, rewrites and retires them; titles stay unique; reporters
//! have no access.

use axum::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use crate::support::{body, refusal, Desk};
use app::auth::Role;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_team_manages_canned_replies_with_unique_titles(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let handler = desk.session_of(Role::Handler).await;
    let reporter = desk.session_of(Role::Reporter).await;

    let save =
        |id: Option<i64>, title: &str, text: &str| json!({"id": id, "title": title, "body": text});
    let reply = desk
        .post_json(
            "/api/canned/save",
            &handler,
            &save(None, "补充资金账号", "请提供客户的资金账号。"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let id = body(&reply).as_i64().expect("id");
    let reply = desk
        .post_json(
            "/api/canned/save",
            &handler,
            &save(None, "补充资金账号", "另一条"),
        )
        .await;
    assert_eq!(refusal(&reply)["problem"], "Duplicate");
    let reply = desk
        .post_json("/api/canned/save", &handler, &save(None, "空的", "  "))
        .await;
    assert_eq!(body(&reply)["field"], "canned_body");

    let reply = desk
        .post_json(
            "/api/canned/save",
            &handler,
            &save(Some(id), "补充资金账号", "请提供资金账号和手机号。"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let list = body(&desk.call("canned/list", Some(&handler), "").await);
    assert_eq!(list[0]["body"], "请提供资金账号和手机号。");

    let reply = desk
        .post_json("/api/canned/retire", &handler, &json!({"id": id}))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        body(&desk.call("canned/list", Some(&handler), "").await),
        json!([])
    );
    // The title is free again once retired.
    let reply = desk
        .post_json(
            "/api/canned/save",
            &handler,
            &save(None, "补充资金账号", "新版"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    assert_eq!(
        desk.call("canned/list", Some(&reporter), "").await.status,
        StatusCode::FORBIDDEN
    );
    let reply = desk
        .post_json("/api/canned/save", &reporter, &save(None, "x", "y"))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}
