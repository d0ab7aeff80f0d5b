//! The knowledge base's weekly maintenance: stale, unhelpful and missing articles listed for
//! the meeting; pinning an article to the hot questions; confirming a live text still holds.

use axum::http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::support::{body, ints_of, Desk};
use app::auth::Role;

async fn article_id(pool: &PgPool, slug: &str) -> i64 {
    sqlx::query_scalar("SELECT id FROM help_articles WHERE slug = $1")
        .bind(slug)
        .fetch_one(pool)
        .await
        .expect("article")
}

async fn maintenance(desk: &Desk, cookie: &str) -> Value {
    let reply = desk
        .post_json("/api/kb/maintenance", cookie, &json!({}))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    body(&reply)
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_weekly_meeting_sees_stale_unhelpful_and_missing_articles(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    app::demo::seed_articles(&pool)
        .await
        .expect("demo articles");
    let handler = desk.session_of(Role::Handler).await;
    let reviewer = desk.session_of(Role::Reviewer).await;
    let stale = article_id(&pool, "custody-bank-binding-failed").await;
    let fresh = article_id(&pool, "forgot-trading-or-fund-password").await;
    sqlx::query(
        "UPDATE help_articles SET last_reviewed_at = CASE WHEN id = $1 THEN now() - INTERVAL '40 days'
                                                          ELSE now() - INTERVAL '3 days' END",
    )
    .bind(stale)
    .execute(&pool)
    .await
    .expect("review dates");
    // Two readers find one article unhelpful, one with a comment; another finds it helpful.
    for form in [
        "slug=forgot-trading-or-fund-password&helpful=false&comment=%E6%B2%A1%E6%9C%89%E6%88%AA%E5%9B%BE",
        "slug=forgot-trading-or-fund-password&helpful=false",
        "slug=forgot-trading-or-fund-password&helpful=true",
    ] {
        let voted = desk.submit_form("/api/help/feedback", None, form).await;
        assert_eq!(voted.status, StatusCode::FOUND, "{}", voted.body);
    }
    // The same search that found nothing, three times, in different cases.
    for query in ["QQZZ", "qqzz", "QQZZ"] {
        desk.page(&format!("/help/search?q={query}"), None).await;
    }

    let lists = maintenance(&desk, &handler).await;
    assert_eq!(ints_of(&lists["unreviewed"], "id"), vec![stale], "{lists}");
    assert_eq!(ints_of(&lists["unhelpful"], "id"), vec![fresh], "{lists}");
    let unhelpful = &lists["unhelpful"][0];
    assert_eq!(
        (
            unhelpful["not_helpful"].as_i64(),
            unhelpful["helpful"].as_i64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(unhelpful["comments"], json!(["没有截图"]));
    let missed = lists["missed"].as_array().expect("missed");
    assert_eq!(missed.len(), 1, "{lists}");
    assert_eq!(missed[0]["times"], json!(3));

    // A reporter may not confirm a review; a reviewer does, and the article leaves the list.
    let reporter = desk.session_of(Role::Reporter).await;
    let refused = desk
        .post_json("/api/kb/confirm_reviewed", &reporter, &json!({"id": stale}))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let confirmed = desk
        .post_json("/api/kb/confirm_reviewed", &reviewer, &json!({"id": stale}))
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert!(ints_of(&maintenance(&desk, &handler).await["unreviewed"], "id").is_empty());
    let missing = desk
        .post_json(
            "/api/kb/confirm_reviewed",
            &reviewer,
            &json!({"id": 999_999}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_pinned_article_leads_the_hot_questions_at_once(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    app::demo::seed_articles(&pool)
        .await
        .expect("demo articles");
    let handler = desk.session_of(Role::Handler).await;
    let reporter = desk.session_of(Role::Reporter).await;
    // The least read, oldest article, pinned, comes first; the home page was cached before.
    let (least_read, title): (i64, String) = sqlx::query_as(
        "SELECT a.id, v.title FROM help_articles a
         JOIN help_article_versions v ON v.article_id = a.id AND v.version = a.live_version
         ORDER BY a.views, a.id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .expect("article");
    let hot_first = |html: &str| {
        let hot = html.split("data-testid=\"hot\"").nth(1).unwrap_or_default();
        hot.split("<li>").nth(1).unwrap_or_default().to_owned()
    };
    let before = desk.page("/help", None).await.body;
    assert!(!hot_first(&before).contains(&title), "{before}");

    let refused = desk
        .post_json(
            "/api/kb/pin",
            &reporter,
            &json!({"id": least_read, "pinned": true}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let pinned = desk
        .post_json(
            "/api/kb/pin",
            &handler,
            &json!({"id": least_read, "pinned": true}),
        )
        .await;
    assert_eq!(pinned.status, StatusCode::OK, "{}", pinned.body);
    let after = desk.page("/help", None).await.body;
    assert!(hot_first(&after).contains(&title), "{after}");
    let draft = desk
        .post_json("/api/kb/draft", &handler, &json!({"id": least_read}))
        .await;
    assert_eq!(body(&draft)["pinned"], json!(true));

    desk.post_json(
        "/api/kb/pin",
        &handler,
        &json!({"id": least_read, "pinned": false}),
    )
    .await;
    let unpinned = desk.page("/help", None).await.body;
    assert!(!hot_first(&unpinned).contains(&title));
}
