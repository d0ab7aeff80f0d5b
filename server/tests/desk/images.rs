//! Hostile pictures: a decompression bomb is refused by its declared size before a pixel is
//! decoded, many at once leave the server serving, and decodes wait their turn.

use std::io::Cursor;

use axum::http::{Method, StatusCode};
use futures_util::future::join_all;
use image::{DynamicImage, GrayImage, ImageFormat};
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::Desk;
use app::auth::Role;

fn png(image: DynamicImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, ImageFormat::Png).expect("png");
    out.into_inner()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn twenty_bombs_at_once_are_refused_and_the_server_keeps_serving(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    // 5000 x 5000 (25 MP) of zeros: about 130 KB that would decode to 25 MB and more.
    let bomb = png(DynamicImage::ImageLuma8(GrayImage::new(5000, 5000)));

    let uploads = (0..20).map(|_| desk.upload(&reporter, Uuid::new_v4(), &bomb));
    let health = desk.send(Method::GET, "/healthz", None, None, Vec::new());
    let (replies, health) = tokio::join!(join_all(uploads), health);
    assert_eq!(health.status, StatusCode::OK);
    for reply in &replies {
        assert_eq!(
            reply.status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "{}",
            reply.body
        );
        assert!(reply.body.contains("百万像素"), "{}", reply.body);
    }
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM attachments")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(stored, 0);

    // A real screenshot still goes through.
    let screenshot = png(DynamicImage::ImageRgb8(image::RgbImage::from_fn(
        1200,
        800,
        |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 40]),
    )));
    let reply = desk.upload(&reporter, Uuid::new_v4(), &screenshot).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
}
