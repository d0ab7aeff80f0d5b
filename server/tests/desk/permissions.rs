//! The role × endpoint matrix. Every server function and plain endpoint, taken from the route
//! lists, is called by a visitor, by each role and by a reviewer also given the handler role,
//! with a request that would succeed; each answer is compared with the permission table
//! (`Role::may`). A route without a rule below fails the test, and so does a rule whose route
//! is gone.

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::{body, file_report, small_png, Desk, SAME_ORIGIN};
use app::auth::{Action, Role};

/// Who may call a route.
#[derive(Debug, Clone, Copy)]
enum Rule {
    /// Visitors too (sign-in, the language, the public reference lists).
    Anyone,
    /// A signed-in user holding any of these actions.
    AnyOf(&'static [Action]),
}

/// How a case is sent.
enum Call {
    /// A server function, form-encoded as the browser sends it.
    Form(String),
    /// A server function or endpoint taking JSON.
    Json(Value),
    Upload,
    /// A dry run of a spreadsheet import.
    Import,
    /// An image for articles, uploaded from the editor.
    ArticleImage,
    /// A GET whose answer may stay open (event streams); only its status is read.
    Open(String),
    Get(String),
}

/// The incident, script, reply and image every case acts on.
struct Fixture {
    number: i64,
    other: i64,
    script_id: i64,
    canned_id: i64,
    attachment: String,
    /// A published article (slug `matrix`) every writer may edit.
    article: i64,
    /// An article under review, written by someone who is none of the callers.
    in_review: i64,
    /// A draft that may be archived.
    archivable: i64,
    /// A synonym group that may be removed.
    synonyms: i64,
    /// An image the published article shows.
    article_image: String,
    /// A knowledge session whose results may be recorded.
    session: i64,
    /// A monitoring rule and a run of it.
    rule: i64,
    run: i64,
}

/// A row check as the editor sends it.
fn monitor_rule() -> Value {
    json!({"id": null, "name": "矩阵", "kind": "row_check", "source": "business",
        "sql": "SELECT 1", "other_source": "", "other_sql": "", "key": "", "compare": "",
        "schedule": "0 8 * * *", "severity": "p3", "enabled": true, "cooldown_minutes": "60"})
}

/// A recipe of one step, as the editor sends it.
const MATRIX_RECIPE: &str = "key = \"matrix\"\nname = \"矩阵\"\n\n[[steps]]\nname = \"ping\"\nsystem = \"account\"\nmethod = \"GET\"\npath = \"/ping\"\n";

/// The rule and a request for `path`; `None` when the route has no rule (a failure).
fn case(method: &Method, path: &str, f: &Fixture) -> Option<(Rule, Call)> {
    use Action::*;
    use Rule::*;
    let n = f.number;
    let json = |value: Value| Call::Json(value);
    let form = |text: String| Call::Form(text);
    let rule = |actions: &'static [Action]| AnyOf(actions);
    Some(match (method.as_str(), path) {
        ("POST", "/api/login") => (
            Anyone,
            form("login=reporter&password=correct+horse+42&next=".into()),
        ),
        ("POST", "/api/logout") => (Anyone, form(String::new())),
        ("POST", "/api/whoami") => (Anyone, form(String::new())),
        ("POST", "/api/set_locale") => (Anyone, form("locale=zh".into())),
        ("POST", "/api/reference/systems") => (Anyone, form(String::new())),
        ("POST", "/api/help/home") => (Anyone, form(String::new())),
        ("POST", "/api/help/system") => (Anyone, form("code=custody&order=hot&page=0".into())),
        ("POST", "/api/help/article") => (Anyone, form("slug=matrix".into())),
        ("POST", "/api/help/feedback") => (Anyone, form("slug=matrix&helpful=true".into())),
        ("POST", "/api/help/search") => (Anyone, form("q=%E7%BB%91%E5%AE%9A&page=0".into())),
        ("GET", "/api/help/suggest") => (
            Anyone,
            Call::Get("/api/help/suggest?q=%E7%BB%91%E5%AE%9A".into()),
        ),
        ("POST", "/api/kb/for_incident") => (rule(&[SeeIncidents]), json(json!({"number": n}))),
        // The fixture incident is not resolved: the writer is told so (422), others refused.
        ("POST", "/api/kb/from_incident") => (rule(&[WriteArticles]), json(json!({"number": n}))),
        ("POST", "/api/kb/synonyms") => (rule(&[SeeIncidents]), json(json!({}))),
        ("POST", "/api/kb/synonyms/save") => (
            rule(&[WriteArticles]),
            json(json!({"id": null, "words": ["矩阵", "权限矩阵"]})),
        ),
        ("POST", "/api/kb/synonyms/remove") => {
            (rule(&[WriteArticles]), json(json!({"id": f.synonyms})))
        }
        ("POST", "/api/kb/list") => (rule(&[SeeIncidents]), json(json!({"state": null}))),
        ("POST", "/api/kb/draft") => (rule(&[SeeIncidents]), json(json!({"id": f.article}))),
        ("POST", "/api/kb/diff") => (
            rule(&[SeeIncidents]),
            json(json!({"id": f.article, "from": 1, "to": 1})),
        ),
        ("POST", "/api/kb/create") => (
            rule(&[WriteArticles]),
            json(json!({"input": matrix_article(""), "incident": null})),
        ),
        ("POST", "/api/kb/save") => (
            rule(&[WriteArticles]),
            json(json!({"id": f.article, "input": matrix_article("matrix")})),
        ),
        ("POST", "/api/kb/submit") => (rule(&[WriteArticles]), json(json!({"id": f.article}))),
        ("POST", "/api/kb/archive") => (rule(&[WriteArticles]), json(json!({"id": f.archivable}))),
        ("POST", "/api/kb/restore") => (
            rule(&[WriteArticles]),
            json(json!({"id": f.article, "version": 1})),
        ),
        ("POST", "/api/kb/preview") => (rule(&[WriteArticles]), json(json!({"body": "## 标题"}))),
        ("POST", "/api/kb/beside") => (rule(&[SeeIncidents]), json(json!({"number": n}))),
        ("POST", "/api/kb/find") => (rule(&[SeeIncidents]), json(json!({"q": "三方存管"}))),
        ("POST", "/api/kb/maintenance") => (rule(&[SeeIncidents]), json(json!({}))),
        ("POST", "/api/kb/confirm_reviewed") => {
            (rule(&[PublishArticles]), json(json!({"id": f.article})))
        }
        ("POST", "/api/kb/pin") => (
            rule(&[WriteArticles]),
            json(json!({"id": f.article, "pinned": true})),
        ),
        ("POST", "/api/kb/publish") => (rule(&[PublishArticles]), json(json!({"id": f.in_review}))),
        ("POST", "/api/kb/send_back") => {
            (rule(&[PublishArticles]), json(json!({"id": f.in_review})))
        }
        ("POST", "/api/enter_area") => (rule(&[SeeIncidents]), form("area=Console".into())),
        ("POST", "/api/m/suggestions") => (
            rule(&[Report]),
            form("text=%E4%B8%89%E6%96%B9%E5%AD%98%E7%AE%A1".into()),
        ),
        ("POST", "/api/m/suggestions/opened") => {
            (rule(&[Report]), form("slug=matrix&system=".into()))
        }
        ("POST", "/api/m/reports/mine") => (rule(&[Report]), form("filter=all".into())),
        ("POST", "/api/m/reports/view") => (rule(&[Report]), form(format!("number={n}"))),
        ("POST", "/api/m/reports/confirm") => (rule(&[Report]), form(format!("number={n}"))),
        ("POST", "/api/m/reports/reopen") => (
            rule(&[Report]),
            form(format!("number={n}&reason=%E8%BF%98%E6%B2%A1%E5%A5%BD")),
        ),
        ("POST", "/api/datafix/submit") => (
            rule(&[WriteDataFix]),
            json(json!({"number": n, "script": {"system": "custody",
                "script": "UPDATE t SET x = 1;", "rollback_script": "UPDATE t SET x = 0;",
                "note": ""}})),
        ),
        ("POST", "/api/datafix/reviews") => (rule(&[ReviewDataFix]), form(String::new())),
        ("POST", "/api/datafix/review") => (
            rule(&[ReviewDataFix]),
            json(json!({"script_id": f.script_id, "approve": false, "comment": "回滚不完整"})),
        ),
        ("POST", "/api/datafix/executed") => (
            rule(&[WriteDataFix]),
            json(json!({"number": n, "script_id": f.script_id, "note": "已执行"})),
        ),
        ("POST", "/api/canned/list") => (rule(&[SeeIncidents]), form(String::new())),
        ("POST", "/api/canned/save") => (
            rule(&[EditCannedReplies]),
            json(
                json!({"id": null, "title": format!("矩阵 {}", Uuid::new_v4().simple()),
                "body": "您好"}),
            ),
        ),
        ("POST", "/api/canned/retire") => {
            (rule(&[EditCannedReplies]), json(json!({"id": f.canned_id})))
        }
        ("POST", "/api/sla/settings") => (rule(&[SeeIncidents]), form(String::new())),
        ("POST", "/api/sla/targets") => (
            rule(&[ManageSettings]),
            json(json!({"targets": [{"category": "data", "severity": "p1", "minutes": 150}]})),
        ),
        ("POST", "/api/sla/hours") => (
            rule(&[ManageSettings]),
            json(json!({"hours": {"day_start": "09:00", "day_end": "18:00",
                "weekdays": [1, 2, 3, 4, 5]}})),
        ),
        ("POST", "/api/sla/day") => (
            rule(&[ManageSettings]),
            json(json!({"day": {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}})),
        ),
        ("POST", "/api/sla/day/remove") => {
            (rule(&[ManageSettings]), json(json!({"date": "2027-01-01"})))
        }
        ("POST", "/api/settings/history") => {
            (rule(&[SeeIncidents]), json(json!({"subject": "Sla"})))
        }
        ("POST", "/api/console/team") => (rule(&[SeeIncidents]), form(String::new())),
        ("POST", "/api/console/queue") => (
            rule(&[SeeIncidents]),
            json(
                json!({"filter": {"status": null, "system": null, "assignee": "anyone",
                "search": ""}, "after": null}),
            ),
        ),
        ("POST", "/api/console/incident") => (rule(&[SeeIncidents]), json(json!({"number": n}))),
        // Nobody is assigned the fixture incident: only those who may reveal on any incident
        // may here (assignees are tried in `reveals.rs`).
        ("POST", "/api/console/reveal") => (
            rule(&[RevealAnyIdentity]),
            json(json!({"number": n, "field": "fund_account", "reason": "verify_identity"})),
        ),
        ("POST", "/api/settings/reveals") => (
            rule(&[AuditReveals]),
            json(
                json!({"filter": {"login": null, "number": null, "field": null,
                "reason": null, "from": null, "to": null}, "before": null}),
            ),
        ),
        ("POST", "/api/settings/notifications") => (rule(&[ManageNotifications]), json(json!({}))),
        ("POST", "/api/settings/notifications/robot") => (
            rule(&[ManageNotifications]),
            json(
                json!({"robot": {"name": "处理组", "audience": "handlers", "system": null,
                "key": "matrix-robot-key-0001"}}),
            ),
        ),
        ("POST", "/api/settings/notifications/robot/remove") => {
            (rule(&[ManageNotifications]), json(json!({"id": 1})))
        }
        ("POST", "/api/settings/notifications/robot/test") => {
            (rule(&[ManageNotifications]), json(json!({"id": 1})))
        }
        ("POST", "/api/settings/notifications/app") => (
            rule(&[ManageNotifications]),
            json(json!({"app": {"corp_id": "ww01", "agent_id": "1000002", "secret": "s3cret"}})),
        ),
        ("POST", "/api/settings/notifications/app/remove") => {
            (rule(&[ManageNotifications]), json(json!({})))
        }
        ("POST", "/api/settings/notifications/kind") => (
            rule(&[ManageNotifications]),
            json(json!({"kind": "sla_due_soon", "enabled": true})),
        ),
        ("POST", "/api/settings/notifications/contact") => (
            rule(&[ManageNotifications]),
            json(json!({"user_id": 1, "wecom_userid": "reporter", "work_mobile": ""})),
        ),
        ("POST", "/api/settings/notifications/log") => (
            rule(&[ManageNotifications]),
            json(
                json!({"filter": {"state": null, "kind": null, "robot_id": null}, "before": null}),
            ),
        ),
        ("POST", "/api/settings/notifications/resend") => {
            (rule(&[ManageNotifications]), json(json!({"id": 1})))
        }
        // Everyone signed in mutes their own messages.
        ("POST", "/api/notifications/mutes") => (rule(&[Report, SeeIncidents]), json(json!({}))),
        ("POST", "/api/notifications/mute") => (
            rule(&[Report, SeeIncidents]),
            json(json!({"kind": "resolved", "muted": true})),
        ),
        ("POST", "/api/console/reply") => (
            rule(&[WorkIncidents]),
            json(json!({"number": n, "body": "内部记录", "internal": true})),
        ),
        ("POST", "/api/sessions/list") => (rule(&[SeeIncidents]), form(String::new())),
        ("POST", "/api/sessions/hot") => (rule(&[SeeIncidents]), form(String::new())),
        ("POST", "/api/sessions/save") => (
            rule(&[WriteArticles]),
            json(json!({"plan": {"id": null, "starts_at": "2026-12-08T20:00",
                "talk_minutes": "30", "quiz_minutes": "10", "qa_minutes": "15",
                "topic": "矩阵直播", "subcategories": "转账限额", "articles": "matrix"}})),
        ),
        ("POST", "/api/sessions/results") => (
            rule(&[WriteArticles]),
            json(
                json!({"results": {"id": f.session, "replay_url": "https://live.example.com/r/1",
                "live_audience": "10", "total_viewers": "20", "quiz_questions": "",
                "score_bands": ["", "", "", "", ""]}}),
            ),
        ),
        ("POST", "/api/monitor/rules") => (rule(&[SeeIncidents]), form(String::new())),
        ("POST", "/api/monitor/sources") => (rule(&[SeeIncidents]), form(String::new())),
        ("POST", "/api/monitor/rule") => (rule(&[SeeIncidents]), form(format!("id={}", f.rule))),
        ("POST", "/api/monitor/run") => (
            rule(&[SeeIncidents]),
            form(format!("id={}&q=&page=0", f.run)),
        ),
        // No source is configured here: the rule is refused at its source (422) or its run
        // records the error; either answers the caller, who may ask.
        ("POST", "/api/monitor/save") => (
            rule(&[WriteMonitorRules]),
            json(json!({"input": monitor_rule()})),
        ),
        ("POST", "/api/monitor/dry_run") => (
            rule(&[WriteMonitorRules]),
            json(json!({"input": monitor_rule()})),
        ),
        ("POST", "/api/monitor/silence") => (
            rule(&[WorkIncidents]),
            form(format!("id={}&hours=1", f.rule)),
        ),
        ("POST", "/api/monitor/run_now") => {
            (rule(&[WriteMonitorRules]), form(format!("id={}", f.rule)))
        }
        // The run kept no records: the incident carries none. Repeated, it answers the first.
        ("POST", "/api/monitor/raise") => (
            rule(&[WorkIncidents]),
            json(
                json!({"input": {"run_id": f.run, "q": "", "page": 0, "columns": [],
                "title": "矩阵告警", "system": "custody", "module": "",
                "description": "监控发现异常"}}),
            ),
        ),
        ("POST", "/api/monitor/for_incident") => {
            (rule(&[SeeIncidents]), form(format!("number={n}")))
        }
        // The incident is not resolved: allowed callers hear 409, the others 401/403.
        ("POST", "/api/monitor/draft") => (rule(&[WriteMonitorRules]), form(format!("number={n}"))),
        ("GET", "/api/monitor/runs/{id}/records.csv") => (
            rule(&[SeeIncidents]),
            Call::Get(format!("/api/monitor/runs/{}/records.csv", f.run)),
        ),
        // No job 1 exists: allowed callers hear 404; no target 0: refused at the field (422).
        ("POST", "/api/datagen/recipes") => (rule(&[BuildTestData]), form(String::new())),
        ("POST", "/api/datagen/targets") => (rule(&[BuildTestData]), form(String::new())),
        ("POST", "/api/datagen/submit") => (
            rule(&[BuildTestData]),
            json(
                json!({"input": {"recipe_id": 0, "target_id": 0, "params": {}, "incident": null}}),
            ),
        ),
        ("POST", "/api/datagen/jobs") => (rule(&[BuildTestData]), form(String::new())),
        ("POST", "/api/datagen/job") => (rule(&[BuildTestData]), form("id=1".into())),
        ("POST", "/api/datagen/retry") => (rule(&[BuildTestData]), form("id=1".into())),
        ("POST", "/api/datagen/cancel") => (rule(&[BuildTestData]), form("id=1".into())),
        ("POST", "/api/datagen/stats") => (
            rule(&[BuildTestData]),
            json(json!({"filter": {"recipe": null, "target": null, "days": 30}})),
        ),
        ("POST", "/api/datagen/recipe_source") => (rule(&[WriteRecipes]), form("id=1".into())),
        ("POST", "/api/datagen/preview") => (
            rule(&[WriteRecipes]),
            json(json!({"source": MATRIX_RECIPE, "target": null})),
        ),
        // The first allowed caller saves it; the others are told the key is taken (422).
        ("POST", "/api/datagen/save_recipe") => (
            rule(&[WriteRecipes]),
            json(json!({"id": null, "source": MATRIX_RECIPE, "note": ""})),
        ),
        ("POST", "/api/datagen/save_target") => (
            rule(&[ManageTestTargets]),
            json(
                json!({"input": {"id": null, "name": "矩阵环境", "description": "",
                "base_urls": [["account", "http://127.0.0.1:9/a"], ["custody", "http://127.0.0.1:9/c"],
                              ["trading", "http://127.0.0.1:9/t"]],
                "secrets": [["token", "matrix-secret-1"]], "concurrency": 2}}),
            ),
        ),
        ("GET", "/api/reports/export") => (
            rule(&[SeeIncidents]),
            Call::Get("/api/reports/export?period=week&start=2026-11-23&format=xlsx".into()),
        ),
        ("POST", "/api/reports/figures") => (
            rule(&[SeeIncidents]),
            json(json!({"period": {"kind": "week", "first": "2026-11-23", "last": "2026-11-29"}})),
        ),
        // Each call records another incident (no reference, so none is the same).
        ("POST", "/api/console/record") => (
            rule(&[WorkIncidents]),
            json(json!({"incident": {
                "channel": "phone",
                "received_at": app::time::to_shanghai(chrono::Utc::now())
                    .format("%Y-%m-%dT%H:%M").to_string(),
                "report": {"customer_name": "李四", "id_doc_type": "id_card",
                    "id_number": "11010519491231002X", "system": "custody",
                    "title": "来电咨询", "description": "客户来电询问转账限额"},
            }})),
        ),
        ("POST", "/api/console/step") => (
            rule(&[WorkIncidents]),
            json(json!({"number": n, "step": "claimed"})),
        ),
        ("POST", "/api/console/link") => (
            rule(&[WorkIncidents]),
            json(json!({"number": f.other, "parent": n})),
        ),
        ("POST", "/api/console/unlink") => {
            (rule(&[WorkIncidents]), json(json!({"number": f.other})))
        }
        ("POST", "/api/console/read") => (rule(&[WorkIncidents]), json(json!({"number": n}))),
        ("POST", "/api/m/reports") => (
            rule(&[Report]),
            json(
                json!({"client_id": Uuid::new_v4(), "customer_name": "王小明",
                "id_doc_type": "id_card", "id_number": "11010519491231002X",
                "system": "custody", "title": "矩阵", "description": "权限矩阵"}),
            ),
        ),
        ("POST", "/api/m/messages") => (
            rule(&[Report]),
            json(
                json!({"client_id": Uuid::new_v4(), "incident_number": n.to_string(),
                "body": "补充说明"}),
            ),
        ),
        ("POST", "/api/m/uploads") => (rule(&[Report]), Call::Upload),
        ("POST", "/api/console/import") => (rule(&[WorkIncidents]), Call::Import),
        ("POST", "/api/m/storage-key") => (rule(&[Report]), json(json!({}))),
        ("GET", "/api/m/reports/{number}/events") => (
            rule(&[Report]),
            Call::Open(format!("/api/m/reports/{n}/events")),
        ),
        ("GET", "/api/console/events") => (
            rule(&[SeeIncidents]),
            Call::Open("/api/console/events".into()),
        ),
        ("GET", "/api/console/incidents/{number}/events") => (
            rule(&[SeeIncidents]),
            Call::Open(format!("/api/console/incidents/{n}/events")),
        ),
        // The reporter of the incident and the team; anyone else is told "not found".
        ("GET", "/api/attachments/{id}") => (
            rule(&[Report, SeeIncidents]),
            Call::Get(format!("/api/attachments/{}", f.attachment)),
        ),
        ("POST", "/api/kb/images") => (rule(&[WriteArticles]), Call::ArticleImage),
        // Readers see the images of live articles.
        ("GET", "/help/images/{id}") => (
            Anyone,
            Call::Get(format!("/help/images/{}", f.article_image)),
        ),
        ("GET", "/api/attachments/{id}/thumb") => (
            rule(&[Report, SeeIncidents]),
            Call::Get(format!("/api/attachments/{}/thumb", f.attachment)),
        ),
        _ => return None,
    })
}

fn matrix_article(slug: &str) -> Value {
    json!({"slug": slug, "system": "custody", "module": null, "title": "矩阵文章",
        "tags": [], "body": "## 问题描述\n\n权限矩阵"})
}

/// Writes an article as `cookie`; returns its id.
async fn write_article(desk: &Desk, cookie: &str, slug: &str) -> i64 {
    let reply = desk
        .post_json(
            "/api/kb/create",
            cookie,
            &json!({"input": matrix_article(slug), "incident": null}),
        )
        .await;
    body(&reply).as_i64().expect("article id")
}

/// Every route: server functions from Leptos's registry, plain endpoints from their lists.
/// Sign-in and sign-out come last: they replace the caller's session.
fn routes() -> Vec<(Method, String)> {
    let mut routes: Vec<(Method, String)> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, method)| (method, path.to_owned()))
        .chain(
            server::http::plain_routes()
                .list
                .into_iter()
                .map(|(method, path)| (method, path.to_owned())),
        )
        .collect();
    let last = |path: &str| match path {
        "/api/login" => 1,
        "/api/logout" => 2,
        _ => 0,
    };
    routes.sort_by(|a, b| (last(&a.1), &a.1).cmp(&(last(&b.1), &b.1)));
    routes
}

async fn send(desk: &Desk, path: &str, cookie: Option<&str>, call: &Call) -> StatusCode {
    let cookie_or_none = cookie.unwrap_or("desk_session=none");
    match call {
        Call::Form(text) => {
            let endpoint = path.trim_start_matches("/api/");
            desk.call(endpoint, cookie, text).await
        }
        Call::Json(value) => {
            desk.send_with(
                Method::POST,
                path,
                cookie,
                Some("application/json"),
                &[SAME_ORIGIN],
                value.to_string().into_bytes(),
            )
            .await
        }
        Call::Upload => {
            desk.upload(cookie_or_none, Uuid::new_v4(), &small_png())
                .await
        }
        Call::Import => {
            let sheet = "工单号,创建时间,客户姓名,证件号码,系统,标题,描述\n\
                         M-1,2026-11-30 09:00,李四,11010519491231002X,custody,矩阵,权限矩阵\n";
            desk.import(cookie_or_none, "itsm", None, false, sheet.as_bytes())
                .await
        }
        Call::ArticleImage => {
            desk.upload_to(
                "/api/kb/images",
                cookie_or_none,
                Uuid::new_v4(),
                &small_png(),
            )
            .await
        }
        Call::Open(path) => {
            return desk.open(path, cookie_or_none).await.status();
        }
        Call::Get(path) => desk.get(path, cookie_or_none).await,
    }
    .status
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn every_route_answers_each_role_as_the_permission_table_says(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let number = file_report(&desk, &reporter, "权限矩阵", "每个角色调用每个接口").await;
    let other = file_report(&desk, &reporter, "重复", "同一个问题").await;
    let uploaded = desk.upload(&reporter, Uuid::new_v4(), &small_png()).await;
    assert_eq!(uploaded.status, StatusCode::CREATED, "{}", uploaded.body);
    let attachment = body(&uploaded)["id"].as_str().expect("id").to_owned();
    let script = desk
        .post_json(
            "/api/datafix/submit",
            &handler,
            &json!({"number": number, "script": {"system": "custody",
                "script": "UPDATE t SET x = 1;", "rollback_script": "UPDATE t SET x = 0;",
                "note": ""}}),
        )
        .await;
    let canned = desk
        .post_json(
            "/api/canned/save",
            &handler,
            &json!({"id": null, "title": "矩阵", "body": "您好"}),
        )
        .await;
    let writer = desk.another("writer", Role::Handler).await;
    let reviewer = desk.session_of(Role::Reviewer).await;
    let image = desk
        .upload_to("/api/kb/images", &writer, Uuid::new_v4(), &small_png())
        .await;
    assert_eq!(image.status, StatusCode::CREATED, "{}", image.body);
    let article_image = body(&image)["id"].as_str().expect("id").to_owned();
    let article = write_article(&desk, &writer, "matrix").await;
    let mut shown = matrix_article("matrix");
    shown["body"] = json!(format!(
        "## 流程\n\n![流程图](/help/images/{article_image})"
    ));
    let saved = desk
        .post_json(
            "/api/kb/save",
            &writer,
            &json!({"id": article, "input": shown}),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let in_review = write_article(&desk, &writer, "matrix-review").await;
    for id in [article, in_review] {
        desk.post_json("/api/kb/submit", &writer, &json!({"id": id}))
            .await;
    }
    let published = desk
        .post_json("/api/kb/publish", &reviewer, &json!({"id": article}))
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let fixture = Fixture {
        number,
        other,
        script_id: body(&script).as_i64().expect("script id"),
        canned_id: body(&canned).as_i64().expect("canned id"),
        attachment,
        article,
        in_review,
        archivable: write_article(&desk, &writer, "matrix-archive").await,
        synonyms: body(
            &desk
                .post_json(
                    "/api/kb/synonyms/save",
                    &writer,
                    &json!({"id": null, "words": ["甲", "乙"]}),
                )
                .await,
        )
        .as_i64()
        .expect("synonyms id"),
        article_image,
        session: sqlx::query_scalar(
            "INSERT INTO knowledge_sessions (starts_at, talk_minutes, quiz_minutes, qa_minutes,
                                             topic, created_by, updated_by)
             SELECT now(), 30, 10, 15, '矩阵', id, id FROM users WHERE login = 'writer'
             RETURNING id",
        )
        .fetch_one(&pool)
        .await
        .expect("session"),
        rule: sqlx::query_scalar(
            r#"INSERT INTO monitor_rules (name, spec, schedule, created_by)
               SELECT '矩阵', '{"kind": "row_check", "query": {"source": "business", "sql": "SELECT 1"}}',
                      '0 8 * * *', id FROM users WHERE login = 'writer' RETURNING id"#,
        )
        .fetch_one(&pool)
        .await
        .expect("rule"),
        run: 0,
    };
    let fixture = Fixture {
        run: sqlx::query_scalar(
            "INSERT INTO monitor_runs (rule_id, started_by, finished_at, outcome)
             VALUES ($1, 'schedule', now(), 'normal') RETURNING id",
        )
        .bind(fixture.rule)
        .fetch_one(&pool)
        .await
        .expect("run"),
        ..fixture
    };

    // A reviewer also given the handler role holds both roles' actions.
    let both = desk.another("reviewer_handler", Role::Reviewer).await;
    sqlx::query("UPDATE users SET extra_roles = '{handler}' WHERE login = 'reviewer_handler'")
        .execute(&pool)
        .await
        .expect("extra role");
    let mut callers: Vec<(String, Option<String>, Vec<Role>)> =
        vec![("visitor".into(), None, vec![])];
    for role in Role::ALL {
        let cookie = match role {
            Role::Reporter => reporter.clone(),
            Role::Handler => handler.clone(),
            _ => desk.session_of(role).await,
        };
        callers.push((role.as_str().into(), Some(cookie), vec![role]));
    }
    callers.push((
        "reviewer+handler".into(),
        Some(both),
        vec![Role::Reviewer, Role::Handler],
    ));

    let routes = routes();
    let unruled: Vec<String> = routes
        .iter()
        .filter(|(method, path)| case(method, path, &fixture).is_none())
        .map(|(method, path)| format!("{method} {path}"))
        .collect();
    assert!(
        unruled.is_empty(),
        "routes without a rule in the permission matrix: {unruled:?}"
    );

    let mut wrong = Vec::new();
    let mut checked = 0;
    for (method, path) in &routes {
        for (name, cookie, roles) in &callers {
            let Some((rule, call)) = case(method, path, &fixture) else {
                continue;
            };
            let status = send(&desk, path, cookie.as_deref(), &call).await;
            checked += 1;
            let may = match rule {
                Rule::Anyone => true,
                Rule::AnyOf(actions) => actions
                    .iter()
                    .any(|action| roles.iter().any(|role| role.may(*action))),
            };
            let expected_refusal = if cookie.is_some() {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::UNAUTHORIZED
            };
            let ok = if may {
                !matches!(status.as_u16(), 401 | 403 | 405) && !status.is_server_error()
            } else {
                status == expected_refusal
            };
            if !ok {
                wrong.push(format!(
                    "{method} {path} as {name}: {status}, table says {}",
                    if may { "allowed" } else { "refused" }
                ));
            }
        }
    }
    println!(
        "permission matrix: {} routes × {} callers, {checked} requests",
        routes.len(),
        callers.len()
    );
    assert!(
        wrong.is_empty(),
        "answers against the table:\n{}",
        wrong.join("\n")
    );
}

/// Shows that a route without a rule is caught: the rule list without one of its routes.
#[test]
fn a_route_without_a_rule_is_reported() {
    let fixture = Fixture {
        number: 1,
        other: 2,
        script_id: 1,
        canned_id: 1,
        attachment: Uuid::nil().to_string(),
        article: 1,
        in_review: 2,
        archivable: 3,
        synonyms: 1,
        article_image: Uuid::nil().to_string(),
        session: 1,
        rule: 1,
        run: 1,
    };
    assert!(case(&Method::POST, "/api/console/new-thing", &fixture).is_none());
    assert!(case(&Method::GET, "/api/console/reply", &fixture).is_none());
}
