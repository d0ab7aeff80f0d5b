//! Uploads no report took within a day are deleted, files and rows; a report that still names
//! one is answered 410 with its id, so the phone uploads it again from its own copy.

use axum::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::{body, small_png, Desk};
use app::attachments::media::Media;
use app::auth::Role;

async fn uploaded(desk: &Desk, cookie: &str) -> Uuid {
    let reply = desk.upload(cookie, Uuid::new_v4(), &small_png()).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    body(&reply)["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("id")
}

fn report(attachment_ids: &[Uuid]) -> serde_json::Value {
    json!({
        "client_id": Uuid::new_v4(),
        "customer_name": "王小明",
        "id_doc_type": "id_card",
        "id_number": "11010519491231002X",
        "system": "custody",
        "title": "截图",
        "description": "附截图",
        "attachment_ids": attachment_ids,
    })
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn uploads_never_attached_go_after_a_day_and_a_late_report_is_told_which(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let abandoned = uploaded(&desk, &reporter).await;
    let recent = uploaded(&desk, &reporter).await;
    let attached = uploaded(&desk, &reporter).await;
    let filed = desk
        .post_json("/api/m/reports", &reporter, &report(&[attached]))
        .await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    sqlx::query(
        "UPDATE attachments SET created_at = now() - interval '25 hours' WHERE id = ANY($1)",
    )
    .bind(vec![abandoned, attached])
    .execute(&pool)
    .await
    .expect("age");

    let media = Media::local(desk.media_dir.path()).expect("media");
    let deleted = app::attachments::store::delete_unattached(&pool, &media)
        .await
        .expect("clean-up");
    assert_eq!(deleted, 1, "only the day-old upload no report took");
    assert!(!desk
        .media_dir
        .path()
        .join(format!("attachments/{abandoned}.jpg"))
        .exists());
    assert!(!desk
        .media_dir
        .path()
        .join(format!("attachments/{abandoned}.thumb.jpg"))
        .exists());
    assert!(desk
        .media_dir
        .path()
        .join(format!("attachments/{recent}.jpg"))
        .exists());
    assert!(desk
        .media_dir
        .path()
        .join(format!("attachments/{attached}.jpg"))
        .exists());
    let gone = desk
        .get(&format!("/api/attachments/{abandoned}"), &reporter)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);

    // The phone files the report late: told exactly which upload to send again.
    let late = desk
        .post_json("/api/m/reports", &reporter, &report(&[recent, abandoned]))
        .await;
    assert_eq!(late.status, StatusCode::GONE, "{}", late.body);
    assert_eq!(body(&late)["error"]["ids"], json!([abandoned]));
    assert!(body(&late)["message"]
        .as_str()
        .unwrap_or_default()
        .contains("重新上传"));
    // Nothing was filed, and the recent upload is still free to attach.
    let again = uploaded(&desk, &reporter).await;
    let retried = desk
        .post_json("/api/m/reports", &reporter, &report(&[recent, again]))
        .await;
    assert_eq!(retried.status, StatusCode::CREATED, "{}", retried.body);

    // Another account's upload is no "gone": it is refused as before.
    let other = desk.another("reporter_b", Role::Reporter).await;
    let stranger = desk
        .post_json("/api/m/reports", &other, &report(&[attached]))
        .await;
    assert_eq!(
        stranger.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        stranger.body
    );
}
