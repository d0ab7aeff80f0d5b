//! The queue's per-status counts come from the rollup incidents keep as they change: they
//! match counting the incidents themselves, for every filter the rollup answers, before and
//! after the changes are folded in.

use serde_json::{json, Value};
use sqlx::PgPool;

use crate::support::{body, file_report, Desk};
use app::auth::Role;

/// The queue's counts for `filter`, sorted by status.
async fn counted(desk: &Desk, cookie: &str, filter: Value) -> Vec<(String, i64)> {
    let reply = desk
        .post_json(
            "/api/console/queue",
            cookie,
            &json!({"filter": filter, "after": null}),
        )
        .await;
    let mut counts: Vec<(String, i64)> =
        serde_json::from_value(body(&reply)["counts"].clone()).expect("counts");
    counts.sort();
    counts
}

/// The same counts from the incidents themselves.
async fn truth(pool: &PgPool, condition: &str) -> Vec<(String, i64)> {
    let sql = format!(
        "SELECT status, count(*) FROM incidents i WHERE {condition} GROUP BY status ORDER BY status"
    );
    sqlx::query_as(&sql).fetch_all(pool).await.expect("counts")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn queue_counts_match_the_incidents_before_and_after_folding(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let handler_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'handler'")
        .fetch_one(&pool)
        .await
        .expect("handler");
    let mut numbers = Vec::new();
    for title in ["甲", "乙", "丙", "丁", "戊"] {
        numbers.push(file_report(&desk, &reporter, title, "队列计数").await);
    }
    desk.step_ok(&handler, numbers[0], "claimed", json!({}))
        .await;
    desk.step_ok(&handler, numbers[1], "claimed", json!({}))
        .await;
    desk.step_ok(
        &handler,
        numbers[1],
        "classified",
        json!({"category": "data", "severity": "p3", "subcategory": "", "system": "custody", "module": null}),
    )
    .await;
    desk.step_ok(
        &handler,
        numbers[1],
        "resolved",
        json!({"solution": "已处理"}),
    )
    .await;
    desk.step_ok(&handler, numbers[2], "claimed", json!({}))
        .await;
    desk.step_ok(
        &handler,
        numbers[2],
        "classified",
        json!({"category": "consultation", "severity": "p4", "subcategory": "", "system": "trading", "module": null}),
    )
    .await;

    let me = format!("i.assignee_id = {handler_id}");
    let cases = [
        (json!({"assignee": "anyone"}), "TRUE".to_owned()),
        (json!({"assignee": "me"}), me),
        (
            json!({"assignee": "unassigned"}),
            "i.assignee_id IS NULL".to_owned(),
        ),
        (
            json!({"assignee": "anyone", "category": "data"}),
            "i.category = 'data'".to_owned(),
        ),
        (
            json!({"assignee": "anyone", "unclassified": true}),
            "i.category IS NULL".to_owned(),
        ),
        (
            json!({"assignee": "anyone", "system": "trading"}),
            "i.system_id = (SELECT id FROM systems WHERE code = 'trading')".to_owned(),
        ),
        (
            json!({"assignee": "anyone", "channel": "mobile"}),
            "i.channel = 'mobile'".to_owned(),
        ),
        (
            json!({"assignee": "anyone", "outcome": "done"}),
            "i.status IN ('resolved', 'closed')".to_owned(),
        ),
        // Not cells of the rollup: counted from the incidents.
        (
            json!({"assignee": "anyone", "outcome": "responded"}),
            "i.first_response_at IS NOT NULL".to_owned(),
        ),
        (
            json!({"assignee": "anyone", "severity": "p4"}),
            "i.severity = 'p4'".to_owned(),
        ),
    ];
    let unfolded: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM queue_count_changes) + (SELECT count(*) FROM report_day_changes)",
    )
        .fetch_one(&pool)
        .await
        .expect("changes");
    assert!(unfolded > 0, "each filing and step appended its change");
    for folded in [false, true] {
        if folded {
            let moved = app::rollups::fold(&pool).await.expect("fold");
            assert_eq!(moved as i64, unfolded);
        }
        for (filter, condition) in &cases {
            let mut filter = filter.clone();
            filter["search"] = json!("");
            assert_eq!(
                counted(&desk, &handler, filter.clone()).await,
                truth(&pool, condition).await,
                "{filter} (folded: {folded})"
            );
        }
    }
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM queue_count_changes")
        .fetch_one(&pool)
        .await
        .expect("changes");
    assert_eq!(left, 0);
    // Updates that change no cell (activity, read marks) append nothing.
    sqlx::query("UPDATE incidents SET last_activity_at = now()")
        .execute(&pool)
        .await
        .expect("touch");
    let touched: i64 = sqlx::query_scalar("SELECT count(*) FROM queue_count_changes")
        .fetch_one(&pool)
        .await
        .expect("changes");
    assert_eq!(touched, 0);
}
