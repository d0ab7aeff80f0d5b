//! Sign-in, sign-out and the role rule of every area, through the real HTTP stack and a real
//! PostgreSQL database (one per test).

use axum::http::{header, StatusCode};
use sqlx::PgPool;

use crate::support::{Desk, PASSWORD};
use app::auth::Role;

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn sign_in_answers_the_role_home_and_a_hardened_session_cookie(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let reply = desk
        .sign_in_from("REPORTER", PASSWORD, [127, 0, 0, 1])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/m")
    );
    let set_cookie: Vec<&str> = reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let session = set_cookie
        .iter()
        .find(|c| c.starts_with("desk_session="))
        .expect("session cookie");
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Lax"), "{session}");
    assert!(set_cookie.iter().any(|c| c.starts_with("desk_lang=zh")));

    let handler = desk.sign_in_from("handler", PASSWORD, [127, 0, 0, 1]).await;
    assert_eq!(
        handler
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/console")
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn wrong_password_is_a_typed_401_without_a_session(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let reply = desk.sign_in_from("handler", "not it", [127, 0, 0, 1]).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body, r#"{"kind":"BadCredentials"}"#);
    assert_eq!(reply.cookie("desk_session"), None);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn empty_login_is_refused_at_the_field(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let reply = desk.call("login", None, "login=+&password=x&next=").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains(r#""field":"login""#), "{}", reply.body);
    assert!(reply.body.contains("Required"), "{}", reply.body);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn reporter_calling_a_console_function_gets_403(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let cookie = desk.session_of(Role::Reporter).await;
    let reply = desk.call("console/team", Some(&cookie), "").await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.body, r#"{"kind":"Forbidden"}"#);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn console_roles_may_call_console_functions(pool: PgPool) {
    let desk = Desk::new(pool).await;
    for role in [Role::Handler, Role::Reviewer, Role::Admin] {
        let cookie = desk.session_of(role).await;
        let reply = desk.call("console/team", Some(&cookie), "").await;
        assert_eq!(reply.status, StatusCode::OK, "{role:?}: {}", reply.body);
        assert!(reply.body.contains(r#""role":"handler""#), "{}", reply.body);
        assert!(
            !reply.body.contains(r#""role":"reporter""#),
            "reporters are not staff"
        );
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn visitors_calling_role_functions_get_401(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let reply = desk.call("console/team", None, "").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body, r#"{"kind":"Unauthenticated"}"#);
    let reply = desk.call("enter_area", None, "area=Mobile").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn every_role_meets_the_area_rule_on_the_server(pool: PgPool) {
    let desk = Desk::new(pool).await;
    for role in Role::ALL {
        let cookie = desk.session_of(role).await;
        for (area, admitted) in [
            ("Mobile", role == Role::Reporter),
            ("Console", role != Role::Reporter),
        ] {
            let reply = desk
                .call("enter_area", Some(&cookie), &format!("area={area}"))
                .await;
            let expected = if admitted {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(
                reply.status, expected,
                "{role:?} entering {area}: {}",
                reply.body
            );
        }
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn pages_check_the_role_before_rendering(pool: PgPool) {
    let desk = Desk::new(pool).await;

    let visitor = desk.page("/console", None).await;
    assert_eq!(visitor.status, StatusCode::FOUND);
    assert_eq!(
        visitor
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/login?next=%2Fconsole")
    );

    let reporter = desk.session_of(Role::Reporter).await;
    let page = desk.page("/console", Some(&reporter)).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("无权访问"));
    assert!(!page.body.contains("data-testid=\"team\""));
    let own = desk.page("/m", Some(&reporter)).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(own.body.contains("我的上报"));

    let handler = desk.session_of(Role::Handler).await;
    assert_eq!(
        desk.page("/m", Some(&handler)).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        desk.page("/console", Some(&handler)).await.status,
        StatusCode::OK
    );

    let help = desk.page("/help", None).await;
    assert_eq!(help.status, StatusCode::OK);
    assert!(help.body.contains("三方存管"), "help lists the systems");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn sign_out_ends_the_session(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let cookie = desk.session_of(Role::Handler).await;
    let reply = desk.call("logout", Some(&cookie), "").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let after = desk.call("console/team", Some(&cookie), "").await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn language_choice_is_remembered_for_the_user(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let cookie = desk.session_of(Role::Handler).await;
    let reply = desk.call("set_locale", Some(&cookie), "locale=en").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.cookie("desk_lang").as_deref(), Some("desk_lang=en"));

    // A new sign-in, from a browser that never chose, brings the saved language back.
    let again = desk.sign_in_from("handler", PASSWORD, [127, 0, 0, 1]).await;
    assert_eq!(again.cookie("desk_lang").as_deref(), Some("desk_lang=en"));
    // The browser then sends both cookies.
    let cookies = format!(
        "{}; {}",
        again.cookie("desk_session").expect("session"),
        again.cookie("desk_lang").expect("language")
    );
    let page = desk.page("/console", Some(&cookies)).await;
    assert!(page.body.contains("Incident queue"), "English page");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn health_and_readiness(pool: PgPool) {
    let desk = Desk::new(pool).await;
    assert_eq!(desk.page("/healthz", None).await.status, StatusCode::OK);
    assert_eq!(desk.page("/readyz", None).await.status, StatusCode::OK);
    let missing = desk.page("/no/such/page", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.headers.contains_key("x-request-id"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn console_sessions_idle_out_in_30_minutes_and_phones_in_7_days(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    for (role, idle_minutes) in [
        (Role::Handler, 30.0),
        (Role::Admin, 30.0),
        (Role::Reporter, 7.0 * 24.0 * 60.0),
    ] {
        let cookie = desk.session_of(role).await;
        let id = cookie
            .split_once('=')
            .map(|(_, id)| id.to_owned())
            .unwrap_or_default();
        let minutes: f64 = sqlx::query_scalar(
            "SELECT EXTRACT(EPOCH FROM expiry_date - now())::float8 / 60
             FROM tower_sessions.session WHERE id = $1",
        )
        .bind(&id)
        .fetch_one(&pool)
        .await
        .expect("session row");
        assert!(
            (idle_minutes - 1.0..=idle_minutes).contains(&minutes),
            "{role:?}: expires in {minutes} minutes"
        );
        // The session works, and an expired one does not.
        let home = role.home();
        assert_eq!(desk.page(home, Some(&cookie)).await.status, StatusCode::OK);
        sqlx::query("UPDATE tower_sessions.session SET expiry_date = now() - interval '1 second' WHERE id = $1")
            .bind(&id)
            .execute(&pool)
            .await
            .expect("expire");
        let after = desk.page(home, Some(&cookie)).await;
        assert_eq!(after.status, StatusCode::FOUND, "{role:?}: {}", after.body);
    }
}
