//! Server-rendered pages hand the browser the data they were rendered with: each resource once,
//! the same ones on every render, none of them a failure. A resource made inside a `Suspense`
//! or `Transition` breaks this (the server re-runs closures in there while it waits, so the
//! resource is made twice and one copy fails), and the browser then stops hydrating the page.

use axum::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use crate::support::{file_report, Desk};
use app::auth::Role;

/// Renders often enough that a page which sometimes makes its resources twice is caught.
const RENDERS: usize = 12;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn every_page_serialises_the_same_resources_on_every_render(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let reviewer = desk.session_of(Role::Reviewer).await;
    let admin = desk.session_of(Role::Admin).await;
    let number = file_report(&desk, &reporter, "存管绑定失败", "客户三方存管绑定失败").await;
    let saved = desk
        .post_json(
            "/api/canned/save",
            &handler,
            &json!({"id": null, "title": "补充截图", "body": "请上传报错截图。"}),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);

    let pages = [
        ("/m".to_owned(), Some(&reporter)),
        ("/m/new".to_owned(), Some(&reporter)),
        (format!("/m/r/{number}"), Some(&reporter)),
        ("/console".to_owned(), Some(&handler)),
        (format!("/console/i/{number}"), Some(&handler)),
        ("/console/replies".to_owned(), Some(&handler)),
        ("/console/reviews".to_owned(), Some(&reviewer)),
        ("/console/sla".to_owned(), Some(&admin)),
    ];
    for (path, cookie) in pages {
        let mut first: Option<Vec<u32>> = None;
        for _ in 0..RENDERS {
            let page = desk.page(&path, cookie.map(String::as_str)).await;
            assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
            let resources = resolved_resources(&page.body);
            for (id, value) in &resources {
                assert!(
                    !value.starts_with(r#"{\"Err\""#),
                    "{path}: resource {id} failed while rendering: {value}"
                );
            }
            let ids: Vec<u32> = resources.iter().map(|(id, _)| *id).collect();
            match &first {
                None => first = Some(ids),
                Some(first) => assert_eq!(
                    sorted(ids),
                    sorted(first.clone()),
                    "{path}: another render serialised other resources"
                ),
            }
        }
        assert!(
            first.is_some_and(|ids| !ids.is_empty()),
            "{path}: rendered without any data"
        );
    }
}

/// `(id, serialised value)` of each `__RESOLVED_RESOURCES[id] = "…";` in the page.
fn resolved_resources(html: &str) -> Vec<(u32, String)> {
    const START: &str = "__RESOLVED_RESOURCES[";
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(START) {
        rest = &rest[at + START.len()..];
        let Some((id, after)) = rest.split_once("] = \"") else {
            break;
        };
        let Some(end) = after.find("\";") else { break };
        if let Ok(id) = id.parse() {
            found.push((id, after[..end].to_owned()));
        }
        rest = &after[end..];
    }
    found
}

fn sorted(mut ids: Vec<u32>) -> Vec<u32> {
    ids.sort_unstable();
    ids
}

/// Pages rendered at the same time each carry the title in their own reader's language. The
/// title used to be read from a signal after rendering, outside the request's reactive arena:
/// when another request had used the thread in between, the read landed in that request's
/// arena, and showed the other reader's language or panicked.
#[sqlx::test(migrator = "server::MIGRATOR")]
async fn pages_rendered_at_once_each_carry_their_own_title(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let chinese = reporter.clone();
    let english = format!("{reporter}; desk_lang=en");
    let pages = (0..24).map(|n| {
        let (cookie, title) = if n % 2 == 0 {
            (&chinese, "我的上报")
        } else {
            (&english, "My reports")
        };
        let desk = &desk;
        async move { (title, desk.page("/m", Some(cookie)).await) }
    });
    for (title, page) in futures_util::future::join_all(pages).await {
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        let shown = page
            .body
            .split_once("<title>")
            .and_then(|(_, rest)| rest.split_once("</title>"))
            .map(|(shown, _)| shown);
        assert_eq!(
            shown,
            Some(title),
            "a page titled in another reader's language"
        );
    }
}
