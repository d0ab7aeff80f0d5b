//! Help pages served from memory: rendered once for anonymous readers, answered with `304` when
//! the reader has them, emptied when an article changes; views counted once a browser session.

use axum::http::{header, Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use crate::support::{inline_scripts, Desk, Reply};
use app::auth::Role;

const SLUG: &str = "custody-bank-binding-failed";

async fn read(desk: &Desk, path: &str, headers: &[(&str, &str)]) -> Reply {
    desk.send_with(Method::GET, path, None, None, headers, Vec::new())
        .await
}

fn header_of(reply: &Reply, name: header::HeaderName) -> &str {
    reply
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

async fn live_title(pool: &PgPool, slug: &str) -> String {
    sqlx::query_scalar(
        "SELECT v.title FROM help_articles a
         JOIN help_article_versions v ON v.article_id = a.id AND v.version = a.live_version
         WHERE a.slug = $1",
    )
    .bind(slug)
    .fetch_one(pool)
    .await
    .expect("title")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_help_page_is_rendered_once_and_kept_until_an_article_changes(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    app::demo::seed_articles(&pool)
        .await
        .expect("demo articles");
    let path = format!("/help/a/{SLUG}");
    let title = live_title(&pool, SLUG).await;

    let first = read(&desk, &path, &[]).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert!(first.body.contains(&title), "{}", first.body);
    assert_eq!(
        inline_scripts(&first.body),
        0,
        "no inline data for a hydration that never comes: {}",
        first.body
    );
    let policy = header_of(&first, header::CONTENT_SECURITY_POLICY);
    assert!(
        policy.contains("script-src 'self'") && !policy.contains("nonce"),
        "{policy}"
    );
    assert_eq!(header_of(&first, header::CACHE_CONTROL), "no-cache");
    let etag = header_of(&first, header::ETAG).to_owned();
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");

    // Compressed once, in what the browser takes.
    let compressed = read(
        &desk,
        &path,
        &[("accept-encoding", "gzip, deflate, br, zstd")],
    )
    .await;
    assert_eq!(header_of(&compressed, header::CONTENT_ENCODING), "br");
    assert!(compressed.bytes.len() * 3 < first.bytes.len());
    let gzipped = read(&desk, &path, &[("accept-encoding", "gzip")]).await;
    assert_eq!(header_of(&gzipped, header::CONTENT_ENCODING), "gzip");

    // The reader who has it is told so, with nothing sent.
    let again = read(&desk, &path, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.bytes.is_empty());

    // A change behind the application's back is not seen by anonymous readers: the page is
    // served from memory. A signed-in reader's page is rendered for them.
    sqlx::query(
        "UPDATE help_article_versions v SET title = '已缓存的标题之外' FROM help_articles a
         WHERE a.slug = $1 AND v.article_id = a.id AND v.version = a.live_version",
    )
    .bind(SLUG)
    .execute(&pool)
    .await
    .expect("title changed");
    let cached = read(&desk, &path, &[]).await;
    assert!(cached.body.contains(&title) && !cached.body.contains("已缓存的标题之外"));
    let reporter = desk.session_of(Role::Reporter).await;
    let signed_in = desk.page(&path, Some(&reporter)).await;
    assert!(
        signed_in.body.contains("已缓存的标题之外"),
        "{}",
        signed_in.body
    );
    assert_eq!(
        header_of(&signed_in, header::CACHE_CONTROL),
        "private, no-store"
    );
    assert_eq!(inline_scripts(&signed_in.body), 0, "{}", signed_in.body);

    // Publishing through the knowledge base empties the cache.
    let handler = desk.session_of(Role::Handler).await;
    let reviewer = desk.session_of(Role::Reviewer).await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM help_articles WHERE slug = $1")
        .bind(SLUG)
        .fetch_one(&pool)
        .await
        .expect("id");
    let draft = desk
        .post_json("/api/kb/draft", &handler, &json!({"id": id}))
        .await;
    let mut input = crate::support::body(&draft)["input"].clone();
    input["title"] = json!("三方存管绑定失败怎么办（新版）");
    for (endpoint, cookie, args) in [
        ("/api/kb/save", &handler, json!({"id": id, "input": input})),
        ("/api/kb/submit", &handler, json!({"id": id})),
        ("/api/kb/publish", &reviewer, json!({"id": id})),
    ] {
        let reply = desk.post_json(endpoint, cookie, &args).await;
        assert_eq!(reply.status, StatusCode::OK, "{endpoint}: {}", reply.body);
    }
    let fresh = read(&desk, &path, &[("if-none-match", &etag)]).await;
    assert_eq!(fresh.status, StatusCode::OK);
    assert!(fresh.body.contains("（新版）"), "{}", fresh.body);
    assert_ne!(header_of(&fresh, header::ETAG), etag);

    // Search is not kept: it logs what found nothing, each time.
    let search = read(&desk, "/help/search?q=%E4%B8%89%E6%96%B9", &[]).await;
    assert_eq!(search.status, StatusCode::OK);
    assert_eq!(header_of(&search, header::ETAG), "");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_article_view_counts_once_a_browser_session(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    app::demo::seed_articles(&pool)
        .await
        .expect("demo articles");
    let path = format!("/help/a/{SLUG}");
    let views = || async {
        desk.help_pages.views.flush(&pool).await;
        sqlx::query_scalar::<_, i64>("SELECT views FROM help_articles WHERE slug = $1")
            .bind(SLUG)
            .fetch_one(&pool)
            .await
            .expect("views")
    };
    let before = views().await;

    let first = read(&desk, &path, &[]).await;
    let cookie = first
        .headers
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("the browser is told what it saw")
        .to_owned();
    assert!(cookie.starts_with("help_seen="), "{cookie}");
    assert_eq!(views().await, before + 1);

    // The same browser again, from the cache and as a 304: no new view.
    let etag = header_of(&first, header::ETAG).to_owned();
    let again = read(&desk, &path, &[("cookie", &cookie)]).await;
    assert!(again.headers.get(header::SET_COOKIE).is_none());
    read(
        &desk,
        &path,
        &[("cookie", &cookie), ("if-none-match", &etag)],
    )
    .await;
    assert_eq!(views().await, before + 1);

    // Another browser counts.
    read(&desk, &path, &[]).await;
    assert_eq!(views().await, before + 2);

    // An article that is not there counts nothing and sets nothing.
    let missing = read(&desk, "/help/a/no-such-article", &[]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.headers.get(header::SET_COOKIE).is_none());
}
