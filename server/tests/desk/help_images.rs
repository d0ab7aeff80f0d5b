//! Images in help articles: uploaded by writers through the screenshots' pipeline, shown to
//! readers only while a live article shows them.

use axum::http::{header, StatusCode};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::{body, small_png, Desk};
use app::auth::Role;

const UPLOAD: &str = "/api/kb/images";

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_article_image_reaches_readers_only_while_the_article_is_live(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let handler = desk.session_of(Role::Handler).await;
    let reviewer = desk.session_of(Role::Reviewer).await;
    let reporter = desk.session_of(Role::Reporter).await;

    // Writers upload; a retried upload stores nothing twice; what is no image is refused.
    let client_id = Uuid::new_v4();
    let uploaded = desk
        .upload_to(UPLOAD, &handler, client_id, &small_png())
        .await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    let id = body(&uploaded)["id"].as_str().expect("id").to_owned();
    let again = desk
        .upload_to(UPLOAD, &handler, client_id, &small_png())
        .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(body(&again)["id"].as_str(), Some(id.as_str()));
    let text = desk
        .upload_to(UPLOAD, &handler, Uuid::new_v4(), b"<svg onload=alert(1)>")
        .await;
    assert_eq!(
        text.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        text.body
    );
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM help_images")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(stored, 1);
    assert_eq!(
        desk.upload_to(UPLOAD, &reporter, Uuid::new_v4(), &small_png())
            .await
            .status,
        StatusCode::FORBIDDEN
    );

    // Not yet in a live article: the team sees it (kept by no browser), readers do not.
    let path = format!("/help/images/{id}");
    let seen = desk.open(&path, &handler).await;
    assert_eq!(seen.status(), StatusCode::OK);
    assert_eq!(seen.headers()[header::CACHE_CONTROL], "private, no-store");
    assert_eq!(desk.page(&path, None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        desk.page(&path, Some(&reporter)).await.status,
        StatusCode::NOT_FOUND
    );

    // Published: readers get it, re-encoded, and the page links it full size.
    let input = json!({"slug": "binding-flow", "system": "custody", "module": "binding",
        "title": "三方存管绑定流程", "tags": [],
        "body": format!("## 流程\n\n![绑定流程图](/help/images/{id})\n")});
    let created = desk
        .post_json(
            "/api/kb/create",
            &handler,
            &json!({"input": input, "incident": null}),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let article = body(&created).as_i64().expect("article id");
    for (path, cookie) in [("/api/kb/submit", &handler), ("/api/kb/publish", &reviewer)] {
        let reply = desk.post_json(path, cookie, &json!({"id": article})).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    }
    let image = desk.open(&path, "desk_session=none").await;
    assert_eq!(image.status(), StatusCode::OK);
    assert_eq!(image.headers()[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(
        image.headers()[header::CACHE_CONTROL],
        "public, max-age=3600"
    );
    let bytes = axum::body::to_bytes(image.into_body(), usize::MAX)
        .await
        .expect("image");
    assert!(
        bytes.starts_with(&[0xFF, 0xD8]),
        "a JPEG, whatever was sent"
    );
    let page = desk.page("/help/a/binding-flow", None).await.body;
    assert!(
        page.contains(&format!(r#"<a href="{path}""#))
            && page.contains(&format!(r#"<img src="{path}" alt="绑定流程图">"#)),
        "{page}"
    );

    // Archived: readers lose it again.
    let archived = desk
        .post_json("/api/kb/archive", &handler, &json!({"id": article}))
        .await;
    assert_eq!(archived.status, StatusCode::OK, "{}", archived.body);
    assert_eq!(desk.page(&path, None).await.status, StatusCode::NOT_FOUND);
}
