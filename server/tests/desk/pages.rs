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
