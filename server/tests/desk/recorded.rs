//! Incidents recorded from other channels: kept with their time, reference and contact, never
//! twice for one reference, checked like a report, and only by those who work incidents.

use axum::http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::support::{body, refusal, Desk};
use app::auth::Role;

/// Minutes ago, as the form's `datetime-local` field holds it (Shanghai).
fn minutes_ago(minutes: i64) -> String {
    app::time::to_shanghai(chrono::Utc::now() - chrono::Duration::minutes(minutes))
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

fn by(channel: &str, external_ref: &str, received_at: &str) -> Value {
    json!({"incident": {
        "channel": channel,
        "received_at": received_at,
        "external_ref": external_ref,
        "contact": "王经理（营业部）",
        "report": {
            "customer_name": "李四",
            "id_doc_type": "id_card",
            "id_number": "11010519491231002X",
            "fund_account": "310000123456",
            "system": "custody",
            "title": "银证转账失败",
            "description": "客户在微信群反馈：转账提示银行账户状态异常",
        },
    }})
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_handler_records_an_incident_from_a_wechat_group_once(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let handler = desk.session_of(Role::Handler).await;
    let form = by("wechat", "WX-20261201-0042", &minutes_ago(90));

    let reply = desk.post_json("/api/console/record", &handler, &form).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let recorded = body(&reply);
    assert_eq!(recorded["existing"], false);
    let number = recorded["number"].as_i64().expect("number");

    let row = sqlx::query!(
        "SELECT channel, external_ref, contact,
                EXTRACT(EPOCH FROM now() - created_at)::BIGINT AS \"age_secs!\"
         FROM incidents WHERE number = $1",
        number
    )
    .fetch_one(&pool)
    .await
    .expect("row");
    assert_eq!(row.channel, "wechat");
    assert_eq!(row.external_ref.as_deref(), Some("WX-20261201-0042"));
    assert_eq!(row.contact.as_deref(), Some("王经理（营业部）"));
    // Kept at the time it reached the team, not the time it was typed in.
    assert!(
        (89 * 60..=91 * 60).contains(&row.age_secs),
        "{}",
        row.age_secs
    );

    let seen = desk.team_incident(&handler, number).await;
    assert_eq!(seen["channel"], "wechat");
    assert_eq!(
        seen["report"]["customer"]["id_number"],
        "**************002X"
    );

    // The same reference again, by anyone: the incident it already made.
    let again = desk.post_json("/api/console/record", &handler, &form).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(body(&again), json!({"number": number, "existing": true}));
    // Another channel may use the same reference.
    let itsm = desk
        .post_json(
            "/api/console/record",
            &handler,
            &by("itsm", "WX-20261201-0042", &minutes_ago(5)),
        )
        .await;
    assert_eq!(body(&itsm)["existing"], false, "{}", itsm.body);
    let count: i64 = sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM incidents")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(count, 2);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_recorded_incident_is_checked_like_a_report_and_named_by_field(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let handler = desk.session_of(Role::Handler).await;
    let refused = |form: Value| {
        let desk = &desk;
        let handler = handler.clone();
        async move { refusal(&desk.post_json("/api/console/record", &handler, &form).await) }
    };
    assert_eq!(
        refused(by("mobile", "", &minutes_ago(1))).await,
        json!({"field": "channel", "problem": "UnknownChoice"})
    );
    assert_eq!(
        refused(by("phone", "", &minutes_ago(-60))).await,
        json!({"field": "received_at", "problem": "InFuture"})
    );
    assert_eq!(
        refused(by("phone", "", &minutes_ago(60 * 24 * 40))).await,
        json!({"field": "received_at", "problem": "TooOld", "max_days": 31})
    );
    let mut bad_id = by("phone", "", &minutes_ago(1));
    bad_id["incident"]["report"]["id_number"] = json!("110105194912310021");
    assert_eq!(
        refused(bad_id).await,
        json!({"field": "id_number", "problem": "IdCardChecksum"})
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn reviewers_and_reporters_cannot_record(pool: PgPool) {
    let desk = Desk::new(pool).await;
    for role in [Role::Reviewer, Role::Reporter] {
        let cookie = desk.session_of(role).await;
        let reply = desk
            .post_json(
                "/api/console/record",
                &cookie,
                &by("phone", "", &minutes_ago(1)),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{role:?}: {}",
            reply.body
        );
    }
}
