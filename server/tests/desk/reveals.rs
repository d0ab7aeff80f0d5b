//! Reveal on need: only the incident's assignee (or an admin), with a reason, each reveal
//! recorded with user, session, address, field and reason; the admin's record and its alert.

use axum::http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::support::{body, default_settings, file_report, Desk};
use app::auth::Role;

async fn reveal(desk: &Desk, cookie: &str, number: i64, field: &str, reason: &str) -> StatusCode {
    desk.post_json(
        "/api/console/reveal",
        cookie,
        &json!({"number": number, "field": field, "reason": reason}),
    )
    .await
    .status
}

async fn recorded(pool: &PgPool) -> Vec<(String, String, Option<String>, bool, Option<String>)> {
    sqlx::query_as(
        "SELECT u.login, r.field, r.reason, r.session_ref IS NOT NULL, host(r.client_ip)
         FROM identity_reveals r JOIN users u ON u.id = r.actor_id ORDER BY r.id",
    )
    .fetch_all(pool)
    .await
    .expect("reveals")
}

async fn audit(desk: &Desk, cookie: &str, filter: Value) -> (StatusCode, Value) {
    let mut full = json!({"login": null, "number": null, "field": null, "reason": null,
        "from": null, "to": null});
    if let (Some(full), Some(part)) = (full.as_object_mut(), filter.as_object()) {
        full.extend(part.clone());
    }
    let reply = desk
        .post_json(
            "/api/settings/reveals",
            cookie,
            &json!({"filter": full, "before": null}),
        )
        .await;
    let status = reply.status;
    (
        status,
        if status == StatusCode::OK {
            body(&reply)
        } else {
            Value::Null
        },
    )
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn only_the_assignee_or_an_admin_reveals_and_each_reveal_is_on_the_record(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let colleague = desk.another("handler_two", Role::Handler).await;
    let admin = desk.session_of(Role::Admin).await;
    let number = file_report(&desk, &reporter, "查看身份", "需要核对证件").await;

    // Nobody's incident yet: a handler may not look.
    assert_eq!(
        reveal(&desk, &handler, number, "id_number", "verify_identity").await,
        StatusCode::FORBIDDEN
    );
    desk.step_ok(&handler, number, "claimed", json!({})).await;
    // Now it is the handler's, and not the colleague's.
    assert_eq!(
        reveal(&desk, &colleague, number, "id_number", "verify_identity").await,
        StatusCode::FORBIDDEN
    );
    assert!(
        recorded(&pool).await.is_empty(),
        "a refused reveal was recorded"
    );
    let incident = desk.team_incident(&colleague, number).await;
    assert_eq!(incident["may_reveal"], json!(false));
    assert_eq!(
        desk.team_incident(&handler, number).await["may_reveal"],
        json!(true)
    );

    // No reason, or one not on the list: refused, nothing shown or recorded.
    for payload in [
        json!({"number": number, "field": "id_number"}),
        json!({"number": number, "field": "id_number", "reason": "curious"}),
    ] {
        let reply = desk
            .post_json("/api/console/reveal", &handler, &payload)
            .await;
        assert!(
            reply.status.is_client_error(),
            "{payload}: {}",
            reply.status
        );
        assert!(!reply.body.contains("11010519491231002X"), "{}", reply.body);
    }
    assert!(recorded(&pool).await.is_empty());

    assert_eq!(
        reveal(&desk, &handler, number, "fund_account", "data_fix").await,
        StatusCode::OK
    );
    // An admin may look at any incident.
    assert_eq!(
        reveal(&desk, &admin, number, "customer_mobile", "compliance").await,
        StatusCode::OK
    );
    assert_eq!(
        recorded(&pool).await,
        [
            (
                "handler".to_owned(),
                "fund_account".to_owned(),
                Some("data_fix".to_owned()),
                true,
                Some("127.0.0.1".to_owned())
            ),
            (
                "admin".to_owned(),
                "customer_mobile".to_owned(),
                Some("compliance".to_owned()),
                true,
                Some("127.0.0.1".to_owned())
            ),
        ]
    );
    // The session is named by a digest, never by its id.
    let refs: Vec<String> = sqlx::query_scalar("SELECT session_ref FROM identity_reveals")
        .fetch_all(&pool)
        .await
        .expect("refs");
    for reference in &refs {
        assert_eq!(reference.len(), 16, "{reference}");
        let ids: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM tower_sessions.session WHERE id LIKE '%' || $1 || '%'",
        )
        .bind(reference)
        .fetch_one(&pool)
        .await
        .expect("sessions");
        assert_eq!(ids, 0, "the reference is part of a session id");
    }
    assert_ne!(refs[0], refs[1], "two sessions, one reference");

    // The admin's record lists both, newest first, and filters.
    let (status, all) = audit(&desk, &admin, json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let logins: Vec<&str> = all["records"]
        .as_array()
        .expect("records")
        .iter()
        .filter_map(|r| r["login"].as_str())
        .collect();
    assert_eq!(logins, ["admin", "handler"]);
    assert_eq!(all["records"][1]["reason"], "data_fix");
    assert_eq!(all["records"][1]["number"], number);
    assert_eq!(all["records"][1]["address"], "127.0.0.1");
    for (filter, expected) in [
        (json!({"login": "handler"}), 1),
        (json!({"reason": "compliance"}), 1),
        (json!({"field": "id_number"}), 0),
        (json!({"number": number}), 2),
        (json!({"number": number + 1000}), 0),
        (json!({"from": "2000-01-01", "to": "2000-01-02"}), 0),
        (json!({"from": app::time::shanghai_today()}), 2),
    ] {
        let (_, page) = audit(&desk, &admin, filter.clone()).await;
        assert_eq!(
            page["records"].as_array().map(Vec::len),
            Some(expected),
            "{filter}"
        );
    }
    // Nobody else reads the record.
    for cookie in [&handler, &reporter] {
        assert_eq!(
            audit(&desk, cookie, json!({})).await.0,
            StatusCode::FORBIDDEN
        );
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn more_reveals_an_hour_than_the_threshold_raise_an_alert(pool: PgPool) {
    let settings = server::http::Settings {
        reveal_alert_per_hour: 2,
        ..default_settings()
    };
    let desk = Desk::with_settings(pool.clone(), settings).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let admin = desk.session_of(Role::Admin).await;
    let number = file_report(&desk, &reporter, "频繁查看", "预警").await;
    desk.step_ok(&handler, number, "claimed", json!({})).await;

    for field in ["customer_name", "id_number"] {
        assert_eq!(
            reveal(&desk, &handler, number, field, "verify_identity").await,
            StatusCode::OK
        );
    }
    let (_, page) = audit(&desk, &admin, json!({})).await;
    assert_eq!(page["threshold"], 2);
    assert_eq!(page["alerts"], json!([]), "at the threshold is no alert");

    assert_eq!(
        reveal(&desk, &handler, number, "fund_account", "verify_identity").await,
        StatusCode::OK
    );
    let (_, page) = audit(&desk, &admin, json!({})).await;
    assert_eq!(
        page["alerts"],
        json!([{"login": "handler", "display_name": "handler", "reveals": 3}])
    );
    // Reveals older than an hour no longer count.
    sqlx::query("UPDATE identity_reveals SET created_at = created_at - interval '61 minutes'")
        .execute(&pool)
        .await
        .expect("age");
    let (_, page) = audit(&desk, &admin, json!({})).await;
    assert_eq!(page["alerts"], json!([]));
}
