//! The loop between monitoring and incidents: an incident raised from a run names no customer
//! and carries only the chosen columns of the records its page listed; a run raises one
//! incident however often it is asked; a resolved incident becomes a rule that links back; a
//! rule's page lists both.

use axum::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use crate::monitor::{watching, Business};
use crate::support::{body, refusal, Desk};
use app::auth::Role;
use app::monitor::schedule::RunSettings;

const CARDS: &str = "
    CREATE TABLE cards (card_no TEXT PRIMARY KEY, customer_name TEXT NOT NULL, status TEXT NOT NULL);
    INSERT INTO cards SELECT 'A' || lpad(n::text, 6, '0'), '客户' || n,
                             CASE WHEN n <= 7 THEN 'frozen' ELSE 'normal' END
                      FROM generate_series(1, 20) n;
";

fn row_check(sql: &str) -> serde_json::Value {
    json!({"id": null, "name": "冻结的股东卡", "kind": "row_check", "source": "business",
        "sql": sql, "other_source": "", "other_sql": "", "key": "", "compare": "",
        "schedule": "0 8 * * *", "severity": "p2", "enabled": true, "cooldown_minutes": "60",
        "system": "account"})
}

fn raise(run: i64, q: &str, columns: &[&str]) -> serde_json::Value {
    json!({"input": {"run_id": run, "q": q, "page": 0, "columns": columns,
        "title": "【监控】冻结的股东卡", "system": "account", "module": "",
        "description": "7 张股东卡被冻结"}})
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_incident_raised_from_a_run_carries_the_chosen_records_and_links_both_ways(
    pool: PgPool,
) {
    let business = Business::new(&pool, CARDS).await;
    let desk = Desk::with_monitoring(
        pool.clone(),
        watching(&business.sources, RunSettings::default()),
    )
    .await;
    let handler = desk.session_of(Role::Handler).await;
    let reviewer = desk.session_of(Role::Reviewer).await;
    // What a server function answers.
    let ask = async |endpoint: &str, cookie: &str, form: String| {
        body(&desk.call(endpoint, Some(cookie), &form).await)
    };
    let frozen = "SELECT card_no, customer_name, status FROM cards WHERE status = 'frozen' \
                  ORDER BY card_no";
    let saved = desk
        .post_json(
            "/api/monitor/save",
            &handler,
            &json!({"input": row_check(frozen)}),
        )
        .await;
    let rule = body(&saved).as_i64().expect("rule id");
    let run = ask("monitor/run_now", &handler, format!("id={rule}"))
        .await
        .as_i64()
        .expect("run id");

    // A run with records needs at least one column; a reviewer may not raise at all.
    let none = desk
        .post_json("/api/monitor/raise", &handler, &raise(run, "", &[]))
        .await;
    assert_eq!(refusal(&none)["field"], "columns");
    let refused = desk
        .post_json(
            "/api/monitor/raise",
            &reviewer,
            &raise(run, "", &["card_no"]),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let run_page = ask("monitor/run", &reviewer, format!("id={run}&q=&page=0")).await;
    assert_eq!(run_page["may_raise"], false);

    // The page's search narrows the records attached: one card of the seven.
    let raised = desk
        .post_json(
            "/api/monitor/raise",
            &handler,
            &raise(run, "A000003", &["status", "card_no"]),
        )
        .await;
    assert_eq!(raised.status, StatusCode::OK, "{}", raised.body);
    let number = body(&raised)["number"].as_i64().expect("number");
    assert_eq!(body(&raised)["existing"], false);
    let again = desk
        .post_json(
            "/api/monitor/raise",
            &handler,
            &raise(run, "", &["card_no"]),
        )
        .await;
    assert_eq!(
        (
            body(&again)["number"].as_i64(),
            body(&again)["existing"].as_bool()
        ),
        (Some(number), Some(true)),
        "one incident a run"
    );
    let run_page = ask("monitor/run", &handler, format!("id={run}&q=&page=0")).await;
    assert_eq!(run_page["raised"], number);

    // The incident: monitoring's channel, no customer, in the queue like any other.
    let stored: (String, Option<String>, Option<Vec<u8>>) = sqlx::query_as(
        "SELECT channel, customer_name, id_number_sealed FROM incidents WHERE number = $1",
    )
    .bind(number)
    .fetch_one(&pool)
    .await
    .expect("incident");
    assert_eq!(stored, ("monitoring".to_owned(), None, None));
    // A server starting (or rotating keys) reseals customers' identity: this incident has
    // none, and stays so (it once stopped a replica from starting).
    let rotated = app::incidents::sealed::Keyring::parse(&format!(
        "{},{}",
        app::incidents::sealed::Keyring::generate_entry("next"),
        crate::support::TEST_IDENTITY_KEYS
    ))
    .expect("rotated keys");
    app::incidents::sealed::reseal_all(&pool, &rotated)
        .await
        .expect("resealed");
    let after: (Option<String>, Option<Vec<u8>>) =
        sqlx::query_as("SELECT identity_key_id, id_number_sealed FROM incidents WHERE number = $1")
            .bind(number)
            .fetch_one(&pool)
            .await
            .expect("incident");
    assert_eq!(after, (None, None));
    let team = desk.team_incident(&handler, number).await;
    assert_eq!(team["channel"], "monitoring");
    assert!(team["report"]["customer"].is_null());
    let queue = desk
        .page("/console?channel=monitoring", Some(&handler))
        .await;
    assert!(
        queue.body.contains(&format!("/console/i/{number}")),
        "the queue lists it"
    );
    let reveal = desk
        .post_json(
            "/api/console/reveal",
            &handler,
            &json!({"number": number, "field": "customer_name", "reason": "verify_identity"}),
        )
        .await;
    assert!(
        matches!(reveal.status.as_u16(), 403 | 404),
        "nothing to reveal: {}",
        reveal.status
    );

    // It carries the card searched for, the chosen columns only, in the query's order; never
    // the name.
    let known = ask("monitor/for_incident", &handler, format!("number={number}")).await;
    let raised_from = &known["raised"];
    assert_eq!(raised_from["rule"]["id"], rule);
    assert_eq!(raised_from["run_id"], run);
    assert_eq!(raised_from["found"], 7);
    assert_eq!(
        raised_from["records"]["columns"],
        json!(["card_no", "status"])
    );
    let rows = raised_from["records"]["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["cells"], json!(["A000003", "frozen"]));
    assert!(!known.to_string().contains("客户"), "no name came along");

    // Resolved, it becomes a rule written from it; that rule and the first both link to it.
    desk.step_ok(
        &handler,
        number,
        "resolved",
        json!({"solution": "清算文件重新导入"}),
    )
    .await;
    let draft = ask("monitor/draft", &handler, format!("number={number}")).await;
    assert_eq!(
        (draft["system"].as_str(), draft["from_incident"].as_i64()),
        (Some("account"), Some(number))
    );
    let mut input = draft.clone();
    for (field, value) in [
        ("source", "business"),
        ("sql", "SELECT card_no FROM cards WHERE status = 'frozen'"),
    ] {
        input[field] = json!(value);
    }
    let written = desk
        .post_json("/api/monitor/save", &handler, &json!({"input": input}))
        .await;
    let written = body(&written).as_i64().expect("rule id");
    let detail = ask("monitor/rule", &handler, format!("id={written}")).await;
    assert_eq!(detail["input"]["from_incident"], number);
    assert_eq!(
        detail["rule"]["owner"], "handler",
        "its author answers for it"
    );
    assert_eq!(detail["rule"]["system"]["code"], "account");
    for id in [rule, written] {
        let detail = ask("monitor/rule", &handler, format!("id={id}")).await;
        assert_eq!(detail["incidents"][0]["number"], number, "rule {id}");
    }
    let known = ask("monitor/for_incident", &handler, format!("number={number}")).await;
    assert_eq!(known["rules"][0]["id"], written);

    // An open incident is not one to monitor yet.
    let open = crate::support::file_report(
        &desk,
        &desk.session_of(Role::Reporter).await,
        "转账失败",
        "客户转账提示存管异常",
    )
    .await;
    let early = desk
        .call("monitor/draft", Some(&handler), &format!("number={open}"))
        .await;
    assert_eq!(body(&early)["status"], "new", "{}", early.body);
    business.drop_database().await;
}
