//! Repeated failed sign-ins slow down, per account and per client address; every attempt is
//! audited.

use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use futures_util::future::join_all;
use sqlx::PgPool;

use crate::support::{Desk, PASSWORD};
use app::auth::Role;

const OFFICE: [u8; 4] = [10, 1, 2, 3];

fn retry_after(body: &str) -> u64 {
    let value: serde_json::Value = serde_json::from_str(body).expect("json error");
    assert_eq!(value["kind"], "Throttled", "{body}");
    value["retry_after_secs"]
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
async fn one_address_guessing_many_logins_is_slowed_but_colleagues_still_sign_in(pool: PgPool) {
    let desk = Desk::new(pool).await;
    for n in 0..22 {
        let reply = desk
            .sign_in_from(&format!("nobody{n}"), "guess", OFFICE)
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    // The office's 23rd attempt in the window is held back (policy: 1 s), not refused.
    let started = Instant::now();
    let colleague = desk.sign_in_from("admin", PASSWORD, OFFICE).await;
    assert_eq!(colleague.status, StatusCode::OK, "{}", colleague.body);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "held back {:?}",
        started.elapsed()
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn parallel_guesses_for_one_login_get_five_checks_and_the_server_keeps_serving(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let guesses = (0..40).map(|_| desk.sign_in_from("handler", "guess", OFFICE));
    let health = async {
        // Asked while the guesses are being checked.
        tokio::time::sleep(Duration::from_millis(50)).await;
        desk.send(Method::GET, "/healthz", None, None, Vec::new())
            .await
    };
    let (replies, health) = tokio::join!(join_all(guesses), health);
    assert_eq!(health.status, StatusCode::OK);
    let statuses = |status: StatusCode| replies.iter().filter(|r| r.status == status).count();
    let checked = statuses(StatusCode::UNAUTHORIZED);
    assert_eq!(checked, 5, "passwords checked");
    assert_eq!(
        checked
            + statuses(StatusCode::TOO_MANY_REQUESTS)
            + statuses(StatusCode::SERVICE_UNAVAILABLE),
        40
    );
    let audited: Vec<(String, i64)> = sqlx::query_as(
        "SELECT kind, count(*) FROM auth_events WHERE login = 'handler' GROUP BY kind ORDER BY kind",
    )
    .fetch_all(&pool)
    .await
    .expect("audit");
    assert_eq!(
        audited
            .iter()
            .find(|(kind, _)| kind == "failed")
            .map(|(_, n)| *n),
        Some(5)
    );
    assert_eq!(
        audited.iter().map(|(_, n)| n).sum::<i64>(),
        40,
        "{audited:?}"
    );

    // Another account behind the same address signs in.
    let colleague = desk.sign_in_from("reviewer", PASSWORD, OFFICE).await;
    assert_eq!(colleague.status, StatusCode::OK, "{}", colleague.body);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn sign_ins_and_sign_outs_are_audited_with_the_client_address(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    desk.sign_in_from("reviewer", "guess", OFFICE).await;
    let session = desk.session_of(Role::Reviewer).await;
    let logout = desk.call("logout", Some(&session), "").await;
    assert!(
        logout.status.is_redirection() || logout.status.is_success(),
        "{}",
        logout.status
    );
    let events: Vec<(String, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT e.kind, e.user_id, host(e.client_ip) FROM auth_events e ORDER BY e.id",
    )
    .fetch_all(&pool)
    .await
    .expect("audit");
    let kinds: Vec<&str> = events.iter().map(|(kind, _, _)| kind.as_str()).collect();
    assert_eq!(kinds, ["failed", "signed_in", "signed_out"]);
    assert!(
        events.iter().all(|(_, user, _)| user.is_some()),
        "{events:?}"
    );
    assert_eq!(events[0].2.as_deref(), Some("10.1.2.3"));

    // Past the retention time, events go.
    sqlx::query("UPDATE auth_events SET at = now() - interval '181 days' WHERE kind = 'failed'")
        .execute(&pool)
        .await
        .expect("age");
    let gone = app::auth::audit::forget_older_than(&pool, 180)
        .await
        .expect("forget");
    assert_eq!(gone, 1);
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

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn behind_a_trusted_proxy_the_forwarded_address_is_the_client(pool: PgPool) {
    use crate::support::SAME_ORIGIN;
    use server::client_address::TrustedProxies;
    use server::forgery::PublicOrigin;
    use server::http::Settings;

    let desk = Desk::with_settings(
        pool.clone(),
        Settings {
            cookie_secure: false,
            public_origin: PublicOrigin::default(),
            trusted_proxies: TrustedProxies::parse("127.0.0.1").expect("list"),
            reveal_alert_per_hour: app::reveals::DEFAULT_ALERT_PER_HOUR,
        },
    )
    .await;
    let forwarded = [SAME_ORIGIN, ("x-forwarded-for", "6.6.6.6, 198.51.100.7")];
    desk.send_with(
        Method::POST,
        "/api/login",
        None,
        Some("application/x-www-form-urlencoded"),
        &forwarded,
        b"login=handler&password=guess&next=".to_vec(),
    )
    .await;
    // The same header from a peer that is no proxy of ours is the client's own word: ignored.
    let from_elsewhere = desk.sign_in_from("handler", "guess", OFFICE).await;
    assert_eq!(from_elsewhere.status, StatusCode::UNAUTHORIZED);
    let addresses: Vec<Option<String>> =
        sqlx::query_scalar("SELECT host(client_ip) FROM auth_events ORDER BY id")
            .fetch_all(&pool)
            .await
            .expect("audit");
    assert_eq!(
        addresses,
        [Some("198.51.100.7".to_owned()), Some("10.1.2.3".to_owned())]
    );
}
