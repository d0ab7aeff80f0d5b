//! Forged requests: a page on another site makes a signed-in browser post to the desk. Each
//! such request is refused before it reaches a server function or endpoint; the same request
//! from the app itself goes through.

use axum::http::{Method, StatusCode};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::{file_report, Desk, SAME_ORIGIN};
use app::auth::Role;

const CROSS_SITE: [(&str, &str); 2] = [
    ("sec-fetch-site", "cross-site"),
    ("origin", "https://evil.example"),
];
/// An older browser, which sends `Origin` but not `Sec-Fetch-Site`.
const FOREIGN_ORIGIN: [(&str, &str); 2] = [("origin", "https://evil.example"), ("host", "desk")];
const OWN_ORIGIN: [(&str, &str); 2] = [("origin", "http://desk"), ("host", "desk")];

async fn reveals(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM identity_reveals")
        .fetch_one(pool)
        .await
        .expect("reveals")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_cross_site_post_to_a_server_function_is_refused(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let number = file_report(&desk, &reporter, "伪造请求", "看看身份").await;
    desk.step_ok(&handler, number, "claimed", json!({})).await;
    let reveal =
        json!({"number": number, "field": "id_number", "reason": "verify_identity"}).to_string();
    let send = |content_type: &'static str, headers: &'static [(&'static str, &'static str)]| {
        desk.send_with(
            Method::POST,
            "/api/console/reveal",
            Some(&handler),
            Some(content_type),
            headers,
            reveal.clone().into_bytes(),
        )
    };

    // A form with enctype="text/plain" can carry a JSON body; no request of the app is text.
    let text = send("text/plain", &[SAME_ORIGIN]).await;
    assert_eq!(
        text.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        text.body
    );
    for headers in [&CROSS_SITE[..], &FOREIGN_ORIGIN[..]] {
        let forged = send("application/json", headers).await;
        assert_eq!(
            forged.status,
            StatusCode::FORBIDDEN,
            "{headers:?}: {}",
            forged.body
        );
    }
    let login = desk
        .send_with(
            Method::POST,
            "/api/login",
            None,
            Some("application/x-www-form-urlencoded"),
            &CROSS_SITE,
            b"login=handler&password=x&next=".to_vec(),
        )
        .await;
    assert_eq!(login.status, StatusCode::FORBIDDEN, "{}", login.body);
    // A form post with no word of where it comes from is no request of the app either.
    let bare = desk
        .send(
            Method::POST,
            "/api/console/reveal",
            Some(&handler),
            Some("application/x-www-form-urlencoded"),
            format!("number={number}&field=id_number&reason=verify_identity").into_bytes(),
        )
        .await;
    assert_eq!(bare.status, StatusCode::FORBIDDEN, "{}", bare.body);
    assert_eq!(
        reveals(&pool).await,
        0,
        "a refused request revealed identity"
    );

    for headers in [&[SAME_ORIGIN][..], &OWN_ORIGIN[..]] {
        let own = send("application/json", headers).await;
        assert_eq!(own.status, StatusCode::OK, "{headers:?}: {}", own.body);
    }
    assert_eq!(reveals(&pool).await, 2);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_cross_site_post_to_each_plain_endpoint_is_refused(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let number = file_report(&desk, &reporter, "伪造消息", "原始描述").await;
    let report = json!({
        "client_id": Uuid::new_v4(), "customer_name": "李四", "id_doc_type": "id_card",
        "id_number": "110101199003074477", "system": "custody", "title": "伪造上报",
        "description": "不该出现",
    });
    let message = json!({
        "client_id": Uuid::new_v4(), "incident_number": number.to_string(), "body": "不该出现",
    });
    let endpoints = [
        ("/api/m/reports", report.to_string()),
        ("/api/m/messages", message.to_string()),
        ("/api/m/uploads", String::new()),
    ];
    for (path, payload) in &endpoints {
        for (content_type, headers, expected) in [
            (
                "text/plain",
                &[SAME_ORIGIN][..],
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ),
            ("application/json", &CROSS_SITE[..], StatusCode::FORBIDDEN),
            (
                "application/json",
                &FOREIGN_ORIGIN[..],
                StatusCode::FORBIDDEN,
            ),
            (
                "multipart/form-data; boundary=x",
                &CROSS_SITE[..],
                StatusCode::FORBIDDEN,
            ),
        ] {
            let reply = desk
                .send_with(
                    Method::POST,
                    path,
                    Some(&reporter),
                    Some(content_type),
                    headers,
                    payload.clone().into_bytes(),
                )
                .await;
            assert_eq!(
                reply.status, expected,
                "{path} {content_type} {headers:?}: {}",
                reply.body
            );
        }
    }
    let written: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM incidents), (SELECT count(*) FROM incident_messages)",
    )
    .fetch_one(&pool)
    .await
    .expect("counts");
    assert_eq!(written, (1, 0), "a refused request wrote something");

    // The app's own requests: the outbox posts JSON from the page's origin.
    for (path, payload) in &endpoints[..2] {
        let reply = desk
            .send_with(
                Method::POST,
                path,
                Some(&reporter),
                Some("application/json"),
                &[SAME_ORIGIN],
                payload.clone().into_bytes(),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{path}: {}", reply.body);
    }
    let upload = desk
        .upload(&reporter, Uuid::new_v4(), b"not an image")
        .await;
    assert_eq!(
        upload.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        upload.body
    );
    assert!(upload.body.contains("NotAnImage"), "{}", upload.body);
}
