//! Articles suggested while a reporter writes a report, and the reports they answered: an
//! opened suggestion not followed by a report counts as deflected, per system.

use axum::http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::support::{body, file_report, Desk};
use app::auth::Role;

fn encode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

async fn suggestions(desk: &Desk, cookie: &str, text: &str) -> Vec<String> {
    let reply = desk
        .call(
            "m/suggestions",
            Some(cookie),
            &format!("text={}", encode(text)),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    body(&reply)
        .as_array()
        .expect("list")
        .iter()
        .map(|s| s["slug"].as_str().expect("slug").to_owned())
        .collect()
}

async fn opened(desk: &Desk, cookie: &str, slug: &str, system: &str) -> StatusCode {
    desk.call(
        "m/suggestions/opened",
        Some(cookie),
        &format!("slug={slug}&system={system}"),
    )
    .await
    .status
}

fn figures_of<'a>(lists: &'a Value, system: &str) -> &'a Value {
    lists["deflection"]
        .as_array()
        .expect("deflection")
        .iter()
        .find(|row| row["system"]["code"] == system)
        .unwrap_or(&Value::Null)
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_opened_suggestion_without_a_report_counts_as_deflected(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    app::demo::seed_articles(&pool)
        .await
        .expect("demo articles");
    let reporter = desk.session_of(Role::Reporter).await;
    let colleague = desk.another("reporter2", Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;

    // What a reporter types, as they type it, finds its article among the few shown.
    let shown = suggestions(&desk, &reporter, "客户三方存管绑定一直失败").await;
    assert!(shown.len() <= 3, "{shown:?}");
    assert!(
        shown.iter().any(|s| s == "custody-bank-binding-failed"),
        "{shown:?}"
    );
    assert!(suggestions(&desk, &reporter, "的了吗").await.is_empty());
    let long = desk
        .call(
            "m/suggestions",
            Some(&reporter),
            &format!("text={}", "a".repeat(2_001)),
        )
        .await;
    assert_eq!(
        long.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        long.body
    );

    // One reporter opens a suggestion (twice) and leaves; the other opens one and reports.
    for _ in 0..2 {
        assert_eq!(
            opened(&desk, &reporter, "custody-bank-binding-failed", "custody").await,
            StatusCode::OK
        );
    }
    assert_eq!(
        opened(&desk, &colleague, "custody-bank-binding-failed", "").await,
        StatusCode::OK
    );
    file_report(
        &desk,
        &colleague,
        "存管绑定失败",
        "看了帮助文章还是绑定不上",
    )
    .await;
    assert_eq!(
        opened(&desk, &reporter, "no-such-article", "custody").await,
        StatusCode::NOT_FOUND
    );

    let lists = body(
        &desk
            .post_json("/api/kb/maintenance", &handler, &json!({}))
            .await,
    );
    let custody = figures_of(&lists, "custody");
    assert_eq!(
        (
            custody["visits"].as_i64(),
            custody["reported"].as_i64(),
            custody["deflected"].as_i64()
        ),
        (Some(2), Some(1), Some(1)),
        "{lists}"
    );
    // The report took the colleague's open, not the other reporter's.
    let linked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM help_suggestion_opens WHERE incident_id IS NOT NULL",
    )
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(linked, 1);
}
