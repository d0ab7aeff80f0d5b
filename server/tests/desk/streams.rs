//! Live event streams end with the session that opened them, and one user holds a bounded
//! number of them.

use std::time::Duration;

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::support::{file_report, Desk};
use app::auth::Role;
use app::incidents::live::MAX_STREAMS_PER_USER;

/// The whole body of a stream that must end within a few seconds.
async fn ended_body(response: axum::response::Response) -> String {
    let body = tokio::time::timeout(
        Duration::from_secs(5),
        axum::body::to_bytes(response.into_body(), usize::MAX),
    )
    .await
    .expect("the stream ended")
    .expect("body");
    String::from_utf8_lossy(&body).into_owned()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_stream_ends_when_its_session_signs_out_or_the_account_is_deactivated(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let number = file_report(&desk, &reporter, "直播流", "看看事件流").await;

    let phone = desk
        .open(&format!("/api/m/reports/{number}/events"), &reporter)
        .await;
    assert_eq!(phone.status(), StatusCode::OK);
    let console = desk.open("/api/console/events", &handler).await;
    assert_eq!(console.status(), StatusCode::OK);

    let logout = desk.call("logout", Some(&reporter), "").await;
    assert!(!logout.status.is_server_error(), "{}", logout.status);
    assert!(ended_body(phone).await.contains("event: ready"));

    sqlx::query("UPDATE users SET active = false WHERE login = 'handler'")
        .execute(&pool)
        .await
        .expect("deactivate");
    assert!(ended_body(console).await.contains("event: ready"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn one_user_holds_a_bounded_number_of_streams(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let handler = desk.session_of(Role::Handler).await;
    let reviewer = desk.session_of(Role::Reviewer).await;
    let mut open = Vec::new();
    for _ in 0..MAX_STREAMS_PER_USER {
        let stream = desk.open("/api/console/events", &handler).await;
        assert_eq!(stream.status(), StatusCode::OK);
        open.push(stream);
    }
    let refused = desk.open("/api/console/events", &handler).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    // Another user is not affected, and a closed stream frees its place.
    let other = desk.open("/api/console/events", &reviewer).await;
    assert_eq!(other.status(), StatusCode::OK);
    drop(open.pop());
    let again = desk.open("/api/console/events", &handler).await;
    assert_eq!(again.status(), StatusCode::OK);
}
