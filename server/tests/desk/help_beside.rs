//! Knowledge beside the work: the articles and resolved incidents that match an incident, a
//! reply or a resolution that points at an article (marked as its answer), and the address
//! opening as a link in the reporter's thread.

use axum::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use crate::support::{body, file_report, texts_of, Desk};
use app::auth::Role;

const ARTICLE: &str = "custody-bank-binding-failed";

async fn answers(pool: &PgPool, number: i64) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT a.slug FROM help_article_incidents l
         JOIN help_articles a ON a.id = l.article_id
         JOIN incidents i ON i.id = l.incident_id
         WHERE i.number = $1 AND l.kind = 'answer' ORDER BY 1",
    )
    .bind(number)
    .fetch_all(pool)
    .await
    .expect("answers")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_incident_shows_matching_knowledge_and_a_reply_can_point_at_an_article(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    app::demo::seed_articles(&pool)
        .await
        .expect("demo articles");
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;

    // An earlier incident, resolved by pointing at the article.
    let earlier = file_report(
        &desk,
        &reporter,
        "存管银行绑定不上",
        "客户绑定三方存管银行时报错",
    )
    .await;
    desk.step_ok(&handler, earlier, "claimed", json!({})).await;
    let solution = format!("按《三方存管绑定失败》/help/a/{ARTICLE} 的步骤重新绑定后解决。");
    desk.step_ok(&handler, earlier, "resolved", json!({"solution": solution}))
        .await;
    assert_eq!(answers(&pool, earlier).await, vec![ARTICLE.to_owned()]);

    let number = file_report(
        &desk,
        &reporter,
        "三方存管绑定失败",
        "客户三方存管绑定失败，提示银行卡信息有误",
    )
    .await;
    let beside = desk
        .post_json("/api/kb/beside", &handler, &json!({"number": number}))
        .await;
    assert_eq!(beside.status, StatusCode::OK, "{}", beside.body);
    let beside = body(&beside);
    assert!(
        texts_of(&beside["articles"], "slug").contains(&ARTICLE),
        "{beside}"
    );
    let similar = beside["incidents"].as_array().expect("incidents");
    assert_eq!(
        similar.first().map(|i| &i["number"]),
        Some(&json!(earlier)),
        "{beside}"
    );
    assert_eq!(similar[0]["solution"], json!(solution));
    assert!(similar.iter().all(|i| i["number"] != json!(number)));

    let found = desk
        .post_json("/api/kb/find", &handler, &json!({"q": "存管银行"}))
        .await;
    assert!(
        !texts_of(&body(&found), "slug").is_empty(),
        "{}",
        found.body
    );
    let too_long = desk
        .post_json("/api/kb/find", &handler, &json!({"q": "长".repeat(101)}))
        .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);

    // An internal note names another article: not an answer. The reply is.
    let note = json!({"number": number, "body": "内部参考 /help/a/custody-transfer-failed", "internal": true});
    assert_eq!(
        desk.post_json("/api/console/reply", &handler, &note)
            .await
            .status,
        StatusCode::OK
    );
    let reply = json!({"number": number, "body": format!("请按这篇文章操作：《三方存管绑定失败》/help/a/{ARTICLE}"), "internal": false});
    assert_eq!(
        desk.post_json("/api/console/reply", &handler, &reply)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(answers(&pool, number).await, vec![ARTICLE.to_owned()]);

    // On the reporter's phone the address is a link to the article.
    let page = desk.page(&format!("/m/r/{number}"), Some(&reporter)).await;
    assert!(
        page.body
            .contains(&format!("<a href=\"/help/a/{ARTICLE}\"")),
        "{}",
        page.body
    );
}
