//! The help home's and list pages' counts and orders, read from the narrow search entries,
//! agree with the live versions themselves, and follow an article that moves or goes.

use axum::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use crate::support::Desk;
use app::auth::Role;
use app::help::reading::{home, system};
use app::help::ListOrder;

/// Live articles per system and module, counted from the versions readers see.
async fn live_count(pool: &PgPool, system: &str, module: Option<&str>) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM help_articles a
         JOIN help_article_versions v ON v.article_id = a.id AND v.version = a.live_version
         JOIN systems s ON s.id = v.system_id
         LEFT JOIN system_modules m ON m.id = v.module_id
         WHERE a.state <> 'archived' AND s.code = $1 AND ($2::text IS NULL OR m.code = $2)",
    )
    .bind(system)
    .bind(module)
    .fetch_one(pool)
    .await
    .expect("count")
}

async fn post_ok(desk: &Desk, path: &str, cookie: &str, body: serde_json::Value) {
    let reply = desk.post_json(path, cookie, &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn counts_and_orders_follow_the_live_articles(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    app::demo::seed_articles(&pool)
        .await
        .expect("demo articles");
    let handler = desk.session_of(Role::Handler).await;
    let reviewer = desk.session_of(Role::Reviewer).await;

    let shelves = home(&pool).await.expect("home").shelves;
    assert!(shelves.iter().any(|s| s.articles > 0), "{shelves:?}");
    for shelf in &shelves {
        let code = &shelf.system.code;
        assert_eq!(
            shelf.articles,
            live_count(&pool, code, None).await,
            "{code}"
        );
        for (module, count) in &shelf.modules {
            assert_eq!(
                *count,
                live_count(&pool, code, Some(&module.code)).await,
                "{code}/{}",
                module.code
            );
        }
    }

    // Views decide the hot order, publication the new one; a module filter keeps to it.
    sqlx::query(
        "UPDATE help_articles SET views = (id * 7919) % 1000 WHERE live_version IS NOT NULL",
    )
    .execute(&pool)
    .await
    .expect("views");
    let hot = system(&pool, "custody", None, ListOrder::Hot, 0)
        .await
        .expect("hot");
    let views = |slugs: Vec<String>| {
        let pool = pool.clone();
        async move {
            let mut views = Vec::new();
            for slug in slugs {
                let n: i64 = sqlx::query_scalar("SELECT views FROM help_articles WHERE slug = $1")
                    .bind(slug)
                    .fetch_one(&pool)
                    .await
                    .expect("views");
                views.push(n);
            }
            views
        }
    };
    let hot_views = views(hot.articles.iter().map(|a| a.slug.clone()).collect()).await;
    assert!(hot_views.len() > 1, "{hot_views:?}");
    assert!(hot_views.windows(2).all(|w| w[0] >= w[1]), "{hot_views:?}");
    assert_eq!(hot.total, live_count(&pool, "custody", None).await);
    let new = system(&pool, "custody", Some("binding"), ListOrder::New, 0)
        .await
        .expect("new");
    assert!(
        new.articles
            .windows(2)
            .all(|w| w[0].updated_at >= w[1].updated_at),
        "{:?}",
        new.articles
    );
    assert_eq!(
        new.total,
        live_count(&pool, "custody", Some("binding")).await
    );
    assert_eq!(
        new.articles.len() as i64,
        new.total.min(app::help::PAGE_SIZE)
    );

    // An article moved to another module is counted there once its new version is live.
    let (id, slug): (i64, String) = sqlx::query_as(
        "SELECT a.id, a.slug FROM help_articles a JOIN system_modules m ON m.id = a.module_id
         WHERE m.code = 'binding' ORDER BY a.id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .expect("article in binding");
    let before = live_count(&pool, "custody", Some("binding")).await;
    let draft = desk
        .post_json("/api/kb/draft", &handler, &json!({"id": id}))
        .await;
    let draft = crate::support::body(&draft);
    let mut input = draft["input"].clone();
    input["module"] = json!("transfer");
    post_ok(
        &desk,
        "/api/kb/save",
        &handler,
        json!({"id": id, "input": input}),
    )
    .await;
    assert_eq!(
        live_count(&pool, "custody", Some("binding")).await,
        before,
        "a draft moves nothing"
    );
    post_ok(&desk, "/api/kb/submit", &handler, json!({"id": id})).await;
    post_ok(&desk, "/api/kb/publish", &reviewer, json!({"id": id})).await;
    let custody = system(&pool, "custody", Some("binding"), ListOrder::New, 0)
        .await
        .expect("binding");
    assert_eq!(custody.total, before - 1);
    let moved = system(&pool, "custody", Some("transfer"), ListOrder::New, 0)
        .await
        .expect("transfer");
    assert_eq!(
        moved.articles.first().map(|a| a.slug.as_str()),
        Some(slug.as_str())
    );
    assert_eq!(
        moved.total,
        live_count(&pool, "custody", Some("transfer")).await
    );

    // Archived, it leaves the counts and the lists.
    post_ok(&desk, "/api/kb/archive", &handler, json!({"id": id})).await;
    let after = system(&pool, "custody", Some("transfer"), ListOrder::New, 0)
        .await
        .expect("transfer");
    assert_eq!(after.total, moved.total - 1);
    assert!(after.articles.iter().all(|a| a.slug != slug));
}
