//! Screenshots in S3-compatible storage (moto, started by `make test`), shared by replicas:
//! what one server stores, another serves, and nothing touches the local disk.

use axum::http::StatusCode;
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::{body, Desk};
use app::attachments::media::Media;
use app::auth::Role;

/// The test bucket under a prefix of this test's own.
fn bucket(prefix: &str) -> Media {
    let endpoint = std::env::var("S3_TEST_ENDPOINT")
        .expect("S3_TEST_ENDPOINT is not set: run the tests through `make test`");
    let options = [
        ("aws_endpoint", endpoint.as_str()),
        ("aws_access_key_id", "desk-test"),
        ("aws_secret_access_key", "desk-test-secret"),
        ("aws_region", "us-east-1"),
        ("aws_allow_http", "true"),
    ]
    .map(|(key, value)| (key.to_owned(), value.to_owned()));
    Media::from_url_with(&format!("s3://desk-test/{prefix}"), options).expect("s3 media")
}

fn photo() -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_fn(800, 600, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    })
    .write_to(&mut bytes, image::ImageFormat::Png)
    .expect("png");
    bytes.into_inner()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_screenshot_stored_by_one_replica_is_served_by_another(pool: PgPool) {
    let prefix = format!("run-{}", Uuid::new_v4().simple());
    let first = Desk::with_media(pool, bucket(&prefix)).await;
    let second = first.replica(bucket(&prefix)).await;
    let reporter = first.session_of(Role::Reporter).await;

    let uploaded = first.upload(&reporter, Uuid::new_v4(), &photo()).await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    let id = body(&uploaded)["id"].as_str().expect("id").to_owned();

    // The handler's requests go to the other replica.
    let handler = second.session_of(Role::Handler).await;
    let full = second
        .get(&format!("/api/attachments/{id}"), &handler)
        .await;
    assert_eq!(full.status, StatusCode::OK, "{}", full.body);
    assert_eq!(full.headers["content-type"], "image/jpeg");
    assert!(full.bytes.starts_with(&[0xFF, 0xD8]), "a JPEG");
    let thumb = second
        .get(&format!("/api/attachments/{id}/thumb"), &handler)
        .await;
    assert_eq!(thumb.status, StatusCode::OK);
    assert!(
        full.body.len() > thumb.body.len(),
        "the thumbnail is smaller"
    );

    // The bytes live in the bucket, under this run's prefix, and nowhere on local disk.
    let stored = bucket(&prefix)
        .get(&format!("attachments/{id}.jpg"))
        .await
        .expect("object in the bucket");
    assert!(stored.starts_with(&[0xFF, 0xD8]), "a JPEG");
    let local_files = std::fs::read_dir(first.media_dir.path())
        .expect("folder")
        .count();
    assert_eq!(local_files, 0, "nothing written to the local folder");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_missing_object_is_a_clear_not_found_and_the_server_keeps_serving(pool: PgPool) {
    let prefix = format!("run-{}", Uuid::new_v4().simple());
    let desk = Desk::with_media(pool.clone(), bucket(&prefix)).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let uploaded = desk.upload(&reporter, Uuid::new_v4(), &photo()).await;
    let id = body(&uploaded)["id"].as_str().expect("id").to_owned();
    // Served from another prefix: the row exists, the object does not.
    let elsewhere = desk.replica(bucket("elsewhere")).await;
    let reply = elsewhere
        .get(&format!("/api/attachments/{id}"), &reporter)
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.body);
    let again = desk.get(&format!("/api/attachments/{id}"), &reporter).await;
    assert_eq!(again.status, StatusCode::OK);
}
