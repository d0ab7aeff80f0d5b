//! The handlers' console through the real HTTP stack: the queue, claiming under real
//! concurrency, steps that need details, and revealing identity on the record.

use std::collections::HashSet;

use axum::http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::support::Desk;
use app::auth::Role;

use crate::support::{body, file_report as file, refusal};

fn step(number: i64, step: &str) -> Value {
    json!({"number": number, "step": step})
}

async fn queue(desk: &Desk, cookie: &str, filter: Value, after: Value) -> Value {
    let reply = desk
        .post_json(
            "/api/console/queue",
            cookie,
            &json!({"filter": filter, "after": after}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    body(&reply)
}

fn numbers(page: &Value) -> Vec<i64> {
    page["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| row["number"].as_i64().expect("number"))
        .collect()
}

fn any_filter() -> Value {
    json!({"status": null, "system": null, "assignee": "anyone", "search": ""})
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn two_handlers_claiming_at_once_get_one_winner_and_a_clear_answer(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let first = desk.session_of(Role::Handler).await;
    let second = desk.another("handler_two", Role::Handler).await;
    let number = file(&desk, &reporter, "同时受理", "两人同时点了受理").await;

    // Both requests are in flight together; the row lock decides who is first.
    let claim = step(number, "claimed");
    let (a, b) = tokio::join!(
        desk.post_json("/api/console/step", &first, &claim),
        desk.post_json("/api/console/step", &second, &claim),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "{} / {}",
        a.body,
        b.body
    );
    let loser = if a.status == StatusCode::CONFLICT {
        &a
    } else {
        &b
    };
    let winner_login = if a.status == StatusCode::OK {
        "handler"
    } else {
        "handler_two"
    };
    let winner_name: String = sqlx::query_scalar("SELECT display_name FROM users WHERE login = $1")
        .bind(winner_login)
        .fetch_one(&pool)
        .await
        .expect("winner");
    assert_eq!(body(loser)["kind"], "AlreadyClaimed", "{}", loser.body);
    assert_eq!(
        body(loser)["by"].as_str(),
        Some(winner_name.as_str()),
        "{}",
        loser.body
    );
    let claims: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM incident_events e JOIN incidents i ON i.id = e.incident_id
         WHERE i.number = $1 AND e.kind = 'claimed'",
    )
    .bind(number)
    .fetch_one(&pool)
    .await
    .expect("count");
    assert_eq!(claims, 1);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn steps_that_need_details_or_another_status_are_refused_with_reasons(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let number = file(&desk, &reporter, "分类测试", "需要分类").await;

    let reply = desk
        .post_json("/api/console/step", &handler, &step(number, "classified"))
        .await;
    assert_eq!(refusal(&reply)["field"], "category");

    let reply = desk
        .post_json("/api/console/step", &handler, &step(number, "closed"))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(body(&reply)["status"], "new");

    // Notes and solutions are bounded like thread messages.
    let mut long_note = step(number, "classified");
    long_note["input"] = json!({"category": "data", "severity": "p2", "note": "问".repeat(2001)});
    let reply = desk
        .post_json("/api/console/step", &handler, &long_note)
        .await;
    assert_eq!(refusal(&reply)["field"], "note");
    assert_eq!(refusal(&reply)["problem"], "TooLong");
    assert_eq!(refusal(&reply)["max"], 2000);

    let mut classify = step(number, "classified");
    classify["input"] = json!({"category": "data", "severity": "p2"});
    let reply = desk
        .post_json("/api/console/step", &handler, &classify)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(body(&reply), json!("new"), "classifying keeps the status");

    let page = queue(&desk, &handler, any_filter(), Value::Null).await;
    let row = &page["rows"][0];
    assert_eq!(row["number"], number);
    assert_eq!(row["category"], "data");
    assert_eq!(row["severity"], "p2");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_queue_filters_searches_and_pages_through_every_incident_once(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let binding = file(
        &desk,
        &reporter,
        "存管问题",
        "客户三方存管绑定失败，提示无法绑定",
    )
    .await;
    let other = file(&desk, &reporter, "行情问题", "行情刷新很慢").await;
    desk.post_json("/api/console/step", &handler, &step(other, "claimed"))
        .await;

    // 130 more, many sharing one activity time: the order's tie-break must hold across pages.
    sqlx::query(
        "INSERT INTO incidents (client_id, reporter_id, customer_name, id_doc_type,
                                identity_key_id, id_number_sealed, id_number_index,
                                system_id, title, description, last_activity_at)
         SELECT gen_random_uuid(), i.reporter_id, i.customer_name, i.id_doc_type,
                i.identity_key_id, i.id_number_sealed, i.id_number_index,
                i.system_id, '批量 ' || n, '批量数据', now() - interval '1 day' * (n % 3)
         FROM incidents i, generate_series(1, 130) n WHERE i.number = $1",
    )
    .bind(other)
    .execute(&pool)
    .await
    .expect("bulk insert");

    let search =
        json!({"status": null, "system": null, "assignee": "anyone", "search": "无法绑定三方存管"});
    assert_eq!(
        numbers(&queue(&desk, &handler, search, Value::Null).await),
        [binding]
    );
    let by_number = json!({"status": null, "system": null, "assignee": "anyone", "search": binding.to_string()});
    assert_eq!(
        numbers(&queue(&desk, &handler, by_number, Value::Null).await),
        [binding]
    );

    let mine = json!({"status": null, "system": null, "assignee": "me", "search": ""});
    assert_eq!(
        numbers(&queue(&desk, &handler, mine, Value::Null).await),
        [other]
    );
    let analysing =
        json!({"status": "analysing", "system": null, "assignee": "anyone", "search": ""});
    let page = queue(&desk, &handler, analysing, Value::Null).await;
    assert_eq!(numbers(&page), [other]);
    let counts: Vec<(String, i64)> =
        serde_json::from_value(page["counts"].clone()).expect("counts");
    assert!(counts.contains(&("new".to_owned(), 131)), "{counts:?}");
    assert!(counts.contains(&("analysing".to_owned(), 1)), "{counts:?}");

    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = queue(&desk, &handler, any_filter(), after).await;
        seen.extend(numbers(&page));
        after = page["next"].clone();
        if after.is_null() {
            break;
        }
    }
    assert_eq!(seen.len(), 132);
    assert_eq!(
        seen.iter().collect::<HashSet<_>>().len(),
        132,
        "no incident twice"
    );
    let expected: Vec<i64> =
        sqlx::query_scalar("SELECT number FROM incidents ORDER BY last_activity_at DESC, id DESC")
            .fetch_all(&pool)
            .await
            .expect("order");
    assert_eq!(seen, expected);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn identity_stays_masked_until_a_handler_reveals_it_on_the_record(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let number = file(&desk, &reporter, "身份信息", "看看身份").await;

    let reply = desk
        .post_json(
            "/api/console/incident",
            &handler,
            &json!({"number": number}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    for full in [
        "11010519491231002X",
        "王小明",
        "310000123456",
        "13800138000",
    ] {
        assert!(
            !reply.body.contains(full),
            "{full} unmasked: {}",
            reply.body
        );
    }
    // The one masking rule: at most the last four characters, never more than a third.
    let incident = body(&reply);
    assert_eq!(
        incident["report"]["customer"]["id_number"],
        "**************002X"
    );
    assert_eq!(incident["report"]["customer"]["name"], "王**");
    assert_eq!(incident["fund_account"], "********3456");
    assert_eq!(incident["customer_mobile"], "*******8000");
    let queue = desk
        .post_json(
            "/api/console/queue",
            &handler,
            &json!({"filter": any_filter(), "after": null}),
        )
        .await;
    for full in [
        "11010519491231002X",
        "王小明",
        "310000123456",
        "13800138000",
        "1101*",
        "3100*",
    ] {
        assert!(
            !queue.body.contains(full),
            "{full} in the queue: {}",
            queue.body
        );
    }

    desk.step_ok(&handler, number, "claimed", json!({})).await;
    let reply = desk
        .post_json(
            "/api/console/reveal",
            &handler,
            &json!({"number": number, "field": "id_number", "reason": "verify_identity"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(body(&reply), json!("11010519491231002X"));
    let recorded: Vec<(String, String)> = sqlx::query_as(
        "SELECT r.field, u.login FROM identity_reveals r JOIN users u ON u.id = r.actor_id",
    )
    .fetch_all(&pool)
    .await
    .expect("reveals");
    assert_eq!(recorded, [("id_number".to_owned(), "handler".to_owned())]);

    let reply = desk
        .post_json(
            "/api/console/reveal",
            &reporter,
            &json!({"number": number, "field": "id_number", "reason": "verify_identity"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn reporters_cannot_read_the_queue_or_its_event_streams(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let number = file(&desk, &reporter, "越权队列", "不应看到队列").await;
    for (path, payload) in [
        (
            "/api/console/queue",
            json!({"filter": any_filter(), "after": null}),
        ),
        ("/api/console/incident", json!({"number": number})),
    ] {
        let reply = desk.post_json(path, &reporter, &payload).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{path}: {}",
            reply.body
        );
    }
    for path in [
        "/api/console/events".to_owned(),
        format!("/api/console/incidents/{number}/events"),
    ] {
        let reply = desk.get(&path, &reporter).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path}");
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn assigning_names_the_handler_and_reopening_needs_a_resolution(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let colleague = desk.another("handler_two", Role::Handler).await;
    let number = file(&desk, &reporter, "指派测试", "交给同事").await;
    let id_of = |login: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT id FROM users WHERE login = $1")
                .bind(login)
                .fetch_one(&pool)
                .await
                .expect("user id")
        }
    };

    let reopen = desk
        .post_json("/api/console/step", &handler, &step(number, "reopened"))
        .await;
    assert_eq!(
        reopen.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reopen.body
    );
    assert_eq!(body(&reopen)["status"], "new");

    let to_reporter = crate::support::step_with(
        number,
        "assigned",
        json!({"assignee_id": id_of("reporter").await}),
    );
    let reply = desk
        .post_json("/api/console/step", &handler, &to_reporter)
        .await;
    assert_eq!(body(&reply)["field"], "assignee", "{}", reply.body);
    desk.step_ok(
        &handler,
        number,
        "assigned",
        json!({"assignee_id": id_of("handler_two").await}),
    )
    .await;

    let team = desk.team_incident(&colleague, number).await;
    assert_eq!(team["assignee"], "handler_two");
    assert_eq!(team["mine"], true);
    assert_eq!(team["report"]["status"], "analysing");
    let last = &team["report"]["timeline"][1];
    assert_eq!(
        (
            last["step"].as_str(),
            last["actor_name"].as_str(),
            last["detail"].as_str()
        ),
        (Some("assigned"), Some("handler"), Some("handler_two"))
    );

    desk.step_ok(
        &colleague,
        number,
        "resolved",
        json!({"solution": "已处理"}),
    )
    .await;
    desk.step_ok(
        &colleague,
        number,
        "reopened",
        json!({"note": "客户反馈仍未解决"}),
    )
    .await;
    let team = desk.team_incident(&colleague, number).await;
    assert_eq!(team["report"]["status"], "analysing");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_queue_filters_by_every_column_and_sorts(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let colleague = desk.another("zhao_reporter", Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let oldest = file(&desk, &reporter, "数据问题", "一").await;
    let middle = file(&desk, &colleague, "程序问题", "二").await;
    let newest = file(&desk, &reporter, "咨询问题", "三").await;
    desk.step_ok(
        &handler,
        oldest,
        "classified",
        json!({"category": "data", "severity": "p1"}),
    )
    .await;
    desk.step_ok(
        &handler,
        middle,
        "classified",
        json!({"category": "program", "severity": "p3"}),
    )
    .await;
    sqlx::query(
        "UPDATE incidents SET created_at = created_at - INTERVAL '3 days' WHERE number = $1",
    )
    .bind(oldest)
    .execute(&pool)
    .await
    .expect("backdate");

    let find = |filter: Value| {
        let desk = &desk;
        let handler = handler.clone();
        async move { numbers(&queue(desk, &handler, filter, Value::Null).await) }
    };
    assert_eq!(find(json!({"category": "data"})).await, [oldest]);
    assert_eq!(find(json!({"severity": "p3"})).await, [middle]);
    // Reports from the phone app are MSS; one that came by phone is found by its channel, and
    // the team sees where it came from.
    sqlx::query("UPDATE incidents SET channel = 'phone' WHERE number = $1")
        .bind(newest)
        .execute(&pool)
        .await
        .expect("channel");
    assert_eq!(find(json!({"channel": "phone"})).await, [newest]);
    let mut from_phones = find(json!({"channel": "mobile"})).await;
    from_phones.sort_unstable();
    assert_eq!(from_phones, [oldest, middle]);
    assert_eq!(
        desk.team_incident(&handler, newest).await["channel"],
        "phone"
    );
    assert_eq!(find(json!({"reporter": "zhao"})).await, [middle]);
    assert_eq!(
        find(json!({"reporter": "%"})).await,
        Vec::<i64>::new(),
        "no wildcards"
    );
    let today = app::time::shanghai_today().format("%Y-%m-%d").to_string();
    let mut recent = find(json!({"from": today})).await;
    recent.sort_unstable();
    assert_eq!(recent, [middle, newest]);
    assert_eq!(find(json!({"to": (app::time::shanghai_today() - chrono::Duration::days(2)).format("%Y-%m-%d").to_string()})).await, [oldest]);
    assert_eq!(
        find(json!({"sort": "oldest"})).await,
        [oldest, middle, newest]
    );
    assert_eq!(
        find(json!({"sort": "newest"})).await,
        [newest, middle, oldest]
    );
    // Soonest due first; unclassified (no clock) last.
    assert_eq!(find(json!({"sort": "due"})).await, [oldest, middle, newest]);
    let reply = desk
        .post_json(
            "/api/console/queue",
            &handler,
            &json!({"filter": {"from": "yesterday"}, "after": null}),
        )
        .await;
    assert_eq!(body(&reply)["field"], "from", "{}", reply.body);
}
