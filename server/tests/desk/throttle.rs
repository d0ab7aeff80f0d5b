//! Repeated failed sign-ins slow down, per account and per client address.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::support::{Desk, PASSWORD};

const OFFICE: [u8; 4] = [10, 1, 2, 3];

fn retry_after(body: &str) -> u64 {
    let value: serde_json::Value = serde_json::from_str(body).expect("json error");
    value["Throttled"]["retry_after_secs"]
        .as_u64()
        .expect("retry_after_secs")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn five_wrong_passwords_lock_the_login_even_for_the_right_one(pool: PgPool) {
    let desk = Desk::new(pool).await;
    for _ in 0..5 {
        let reply = desk.sign_in_from("handler", "guess", OFFICE).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let locked = desk.sign_in_from("handler", PASSWORD, [10, 9, 9, 9]).await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );
    let wait = retry_after(&locked.body);
    assert!((1..=30).contains(&wait), "{wait}");
    assert_eq!(locked.cookie("desk_session"), None);

    // Another login is not affected.
    let other = desk.sign_in_from("reviewer", PASSWORD, OFFICE).await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.body);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn one_address_guessing_many_logins_is_slowed_down(pool: PgPool) {
    let desk = Desk::new(pool).await;
    for n in 0..20 {
        let reply = desk
            .sign_in_from(&format!("nobody{n}"), "guess", OFFICE)
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let locked = desk.sign_in_from("admin", PASSWORD, OFFICE).await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );

    let elsewhere = desk.sign_in_from("admin", PASSWORD, [10, 7, 7, 7]).await;
    assert_eq!(elsewhere.status, StatusCode::OK, "{}", elsewhere.body);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_successful_sign_in_forgives_earlier_failures(pool: PgPool) {
    let desk = Desk::new(pool).await;
    for _ in 0..4 {
        desk.sign_in_from("handler", "guess", OFFICE).await;
    }
    assert_eq!(
        desk.sign_in_from("handler", PASSWORD, OFFICE).await.status,
        StatusCode::OK
    );
    for _ in 0..4 {
        desk.sign_in_from("handler", "guess", OFFICE).await;
    }
    let reply = desk.sign_in_from("handler", PASSWORD, OFFICE).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}
