//! The service report over a fixture week whose answers are worked out by hand below: counts,
//! both rates, medians and P90s in business time (across a holiday), hand-off times, the
//! channel mix, a reopened incident, the week's edges in Shanghai time; and every drill-down
//! link answering exactly the incidents its figure counts.

use axum::http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::support::{body, file_report, Desk};
use app::auth::Role;

/// How one fixture incident stands. Times are Shanghai wall-clock times.
struct Shape {
    created: &'static str,
    category: Option<&'static str>,
    subcategory: Option<&'static str>,
    channel: &'static str,
    system: &'static str,
    module: Option<&'static str>,
    status: &'static str,
    first_response: Option<&'static str>,
    resolved: Option<&'static str>,
    target_secs: Option<i32>,
    breached: bool,
}

const OPEN: Shape = Shape {
    created: "",
    category: None,
    subcategory: None,
    channel: "mobile",
    system: "custody",
    module: None,
    status: "new",
    first_response: None,
    resolved: None,
    target_secs: None,
    breached: false,
};

fn at(time: &str) -> Option<String> {
    (!time.is_empty()).then(|| format!("2026-11-{time}+08"))
}

async fn shape(pool: &PgPool, number: i64, s: Shape) {
    sqlx::query(
        "UPDATE incidents SET
             created_at = $2::timestamptz, last_activity_at = $2::timestamptz,
             category = $3, subcategory = $4, channel = $5,
             system_id = (SELECT id FROM systems WHERE code = $6),
             module_id = (SELECT m.id FROM system_modules m JOIN systems s ON s.id = m.system_id
                          WHERE s.code = $6 AND m.code = $7),
             status = $8, first_response_at = $9::timestamptz, resolved_at = $10::timestamptz,
             closed_at = CASE WHEN $8 = 'closed' THEN $10::timestamptz END,
             sla_target_secs = $11,
             sla_breached_at = CASE WHEN $12 THEN $10::timestamptz END
         WHERE number = $1",
    )
    .bind(number)
    .bind(at(s.created))
    .bind(s.category)
    .bind(s.subcategory)
    .bind(s.channel)
    .bind(s.system)
    .bind(s.module)
    .bind(s.status)
    .bind(s.first_response.and_then(at))
    .bind(s.resolved.and_then(at))
    .bind(s.target_secs)
    .bind(s.breached)
    .execute(pool)
    .await
    .expect("shape");
}

async fn hand_off(pool: &PgPool, number: i64, target: &str, from: &str, to: Option<&str>) {
    sqlx::query(
        "INSERT INTO incident_handoffs (incident_id, target, started_by, started_at, ended_at)
         SELECT id, $2, reporter_id, $3::timestamptz, $4::timestamptz
         FROM incidents WHERE number = $1",
    )
    .bind(number)
    .bind(target)
    .bind(at(from))
    .bind(to.and_then(at))
    .execute(pool)
    .await
    .expect("hand-off");
}

async fn reopened(pool: &PgPool, number: i64) {
    sqlx::query(
        "INSERT INTO incident_events (incident_id, actor_id, kind, to_status, created_at)
         SELECT id, reporter_id, 'reopened', 'analysing', '2026-11-24 12:00+08'
         FROM incidents WHERE number = $1",
    )
    .bind(number)
    .execute(pool)
    .await
    .expect("reopened");
}

/// Eight incidents: six in the week of Monday 23 November 2026 (Wednesday the 25th a
/// holiday), one the week before, one on the next Monday at midnight.
pub(crate) async fn fixture_week(desk: &Desk, pool: &PgPool) -> [i64; 8] {
    let reporter = desk.session_of(Role::Reporter).await;
    let mut numbers = [0; 8];
    for (i, number) in numbers.iter_mut().enumerate() {
        *number = file_report(desk, &reporter, &format!("报表样例 {i}"), "用于服务报表").await;
    }
    sqlx::query(
        "INSERT INTO calendar_days (day, kind, name) VALUES ('2026-11-25', 'holiday', '测试假日')",
    )
    .execute(pool)
    .await
    .expect("holiday");
    let [a, b, c, d, e, f, g, h] = numbers;
    // A: data, answered in 30 min, resolved in 2 h, in time.
    shape(
        pool,
        a,
        Shape {
            created: "23 09:00",
            category: Some("data"),
            subcategory: Some("资金账号冻结"),
            module: Some("binding"),
            status: "resolved",
            first_response: Some("23 09:30"),
            resolved: Some("23 11:00"),
            target_secs: Some(14_400),
            ..OPEN
        },
    )
    .await;
    // B: program from a WeChat group, Monday 17:00; answered Tuesday 9:15 (1 h 15 min);
    // closed Thursday 10:00 over the holiday: 1 + 9 + 0 + 1 = 11 h; past its target.
    shape(
        pool,
        b,
        Shape {
            created: "23 17:00",
            category: Some("program"),
            subcategory: Some("登录失败"),
            channel: "wechat",
            system: "app",
            status: "closed",
            first_response: Some("24 09:15"),
            resolved: Some("26 10:00"),
            target_secs: Some(28_800),
            breached: true,
            ..OPEN
        },
    )
    .await;
    // With development Tuesday 10:00 to Thursday 9:30: 8 h + 0 + 30 min.
    hand_off(pool, b, "development", "24 10:00", Some("26 09:30")).await;
    // C: consultation, answered in 10 min, reopened, resolved again at 14:00 (4 h), in time.
    shape(
        pool,
        c,
        Shape {
            created: "24 10:00",
            category: Some("consultation"),
            subcategory: Some("转账限额"),
            status: "resolved",
            first_response: Some("24 10:10"),
            resolved: Some("24 14:00"),
            target_secs: Some(16_200),
            ..OPEN
        },
    )
    .await;
    reopened(pool, c).await;
    // D: consultation from ITSM, answered in 30 min, with product since Thursday 15:00.
    shape(
        pool,
        d,
        Shape {
            created: "26 14:00",
            category: Some("consultation"),
            subcategory: Some("转账限额"),
            channel: "itsm",
            status: "transferred",
            first_response: Some("26 14:30"),
            ..OPEN
        },
    )
    .await;
    hand_off(pool, d, "product", "26 15:00", None).await;
    // E: a phone call on Sunday 23:30, the week's last half hour; nobody has looked yet.
    shape(
        pool,
        e,
        Shape {
            created: "29 23:30",
            channel: "phone",
            system: "trading",
            ..OPEN
        },
    )
    .await;
    // F: consultation from a WeChat group, answered in 5 min, resolved in 3 h, no SLA target.
    shape(
        pool,
        f,
        Shape {
            created: "27 09:00",
            category: Some("consultation"),
            subcategory: Some("开户进度"),
            channel: "wechat",
            system: "account_opening",
            status: "resolved",
            first_response: Some("27 09:05"),
            resolved: Some("27 12:00"),
            ..OPEN
        },
    )
    .await;
    hand_off(pool, f, "test", "27 09:10", Some("27 10:10")).await;
    // G: the Friday before: the previous week's one 转账限额.
    shape(
        pool,
        g,
        Shape {
            created: "20 10:00",
            category: Some("consultation"),
            subcategory: Some("转账限额"),
            status: "resolved",
            first_response: Some("20 10:05"),
            resolved: Some("20 10:30"),
            target_secs: Some(16_200),
            ..OPEN
        },
    )
    .await;
    // H: Monday 30 November at midnight: the next week.
    sqlx::query("UPDATE incidents SET created_at = '2026-11-30 00:00+08' WHERE number = $1")
        .bind(h)
        .execute(pool)
        .await
        .expect("next week");
    numbers
}

const WEEK: &str = r#"{"kind": "week", "first": "2026-11-23", "last": "2026-11-29"}"#;

async fn report(desk: &Desk, cookie: &str) -> Value {
    let period: Value = serde_json::from_str(WEEK).expect("period");
    let reply = desk
        .post_json("/api/reports/figures", cookie, &json!({ "period": period }))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    body(&reply)
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_fixture_week_matches_the_hand_computed_figures(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    fixture_week(&desk, &pool).await;
    let handler = desk.session_of(Role::Handler).await;
    let unfolded = report(&desk, &handler).await;
    // The trend reads the days the incidents' changes were counted into: the same before and
    // after those changes are folded into the totals.
    assert!(app::rollups::fold(&pool).await.expect("fold") > 0);
    let report = report(&desk, &handler).await;
    assert_eq!(report, unfolded);

    let trend = report["trend"].as_array().expect("trend");
    assert_eq!(trend.len(), 9, "the week and the eight before");
    let week = &trend[8];
    assert_eq!(week["period"]["first"], "2026-11-23");
    assert_eq!(week["reported"], 6, "A to F; H belongs to the next week");
    // Data, program, consultation, not classified.
    assert_eq!(week["categories"], json!([1, 1, 3, 1]));
    // Phone app, WeChat group, ITSM, monitoring, phone call.
    assert_eq!(week["channels"], json!([2, 2, 1, 0, 1]));
    // Resolved or closed: A, B, C, F; in time: A and C (B breached, F had no target).
    assert_eq!(
        (week["resolved"].as_i64(), week["timely"].as_i64()),
        (Some(4), Some(2))
    );
    assert_eq!(trend[7]["reported"], 1, "G, the week before");
    assert_eq!(trend[7]["period"]["first"], "2026-11-16");
    assert_eq!(trend[0]["period"]["first"], "2026-09-28");
    // Resolved at least once: A, B, C, F; reopened: C.
    assert_eq!(
        (
            report["ever_resolved"].as_i64(),
            report["reopened"].as_i64()
        ),
        (Some(4), Some(1))
    );

    // First responses 300, 600, 1800, 1800, 4500 s: median the 3rd, P90 the 5th.
    assert_eq!(
        report["first_response"],
        json!({"count": 5, "median_secs": 1800, "p90_secs": 4500, "total_secs": 9000})
    );
    // Resolutions 7200 (A), 10800 (F), 14400 (C), 39600 (B, over the holiday).
    assert_eq!(
        report["resolution"],
        json!({"count": 4, "median_secs": 10800, "p90_secs": 39600, "total_secs": 72000})
    );
    let handoff = |target: &str| {
        report["handoffs"]
            .as_array()
            .and_then(|all| all.iter().find(|h| h["target"] == target))
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(handoff("development")["ended"]["median_secs"], 30_600);
    assert_eq!(handoff("test")["ended"]["total_secs"], 3_600);
    assert_eq!(
        (
            handoff("product")["ended"]["count"].as_i64(),
            handoff("product")["open"].as_i64()
        ),
        (Some(0), Some(1))
    );
    assert_eq!(handoff("operations")["ended"]["count"], 0);

    let topics = report["subcategories"].as_array().expect("topics");
    assert_eq!(topics.len(), 4);
    assert_eq!(
        topics[0],
        json!({"category": "consultation", "subcategory": "转账限额", "count": 2, "previous": 1})
    );
    let systems: Vec<(&str, i64)> = report["systems"]
        .as_array()
        .expect("systems")
        .iter()
        .map(|s| {
            (
                s["system"]["code"].as_str().unwrap_or(""),
                s["count"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(systems[0], ("custody", 3));
    assert_eq!(systems.len(), 4);
    let custody = &report["systems"][0]["modules"];
    assert_eq!(custody.as_array().map(Vec::len), Some(1));
    assert_eq!(
        (
            custody[0]["module"]["code"].as_str(),
            custody[0]["count"].as_i64()
        ),
        (Some("binding"), Some(1))
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_page_shows_the_figures_without_scripts(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    fixture_week(&desk, &pool).await;
    let handler = desk.session_of(Role::Handler).await;
    let page = desk
        .page(
            "/console/reports?period=week&start=2026-11-25",
            Some(&handler),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = &page.body;
    let figure = |testid: &str| {
        let marker = format!(r#"data-testid="{testid}""#);
        let start = html.find(&marker).map(|i| i + marker.len()).unwrap_or(0);
        let rest = &html[start..];
        let text: String = rest
            .split('<')
            .map(|part| part.split_once('>').map_or("", |(_, text)| text))
            .find(|text| !text.trim().is_empty())
            .unwrap_or("")
            .trim()
            .to_owned();
        text
    };
    assert_eq!(figure("period-label"), "2026-11-23 – 2026-11-29");
    assert_eq!(figure("figure-reported"), "6");
    assert_eq!(figure("figure-resolved"), "4");
    assert_eq!(figure("figure-resolution-rate"), "66.7%");
    assert_eq!(figure("figure-timely-rate"), "50.0%");
    assert_eq!(figure("figure-consultation-share"), "50.0%");
    assert_eq!(figure("figure-reopen-rate"), "25.0%");
    assert_eq!(figure("figure-first-response-median"), "30分");
    assert_eq!(figure("figure-first-response-p90"), "1小时15分");
    assert_eq!(figure("figure-resolution-median"), "3小时0分");
    assert_eq!(figure("figure-resolution-p90"), "11小时0分");
    // Charts are SVG in the page itself, their bars links to the queue.
    assert!(html.contains("<svg"), "charts");
    assert!(
        html.contains(r#"href="/console?from=2026-11-23&amp;to=2026-11-29&amp;channel=wechat""#)
    );
    assert!(html.contains("口径说明"), "definitions");

    // A period that cannot be read is refused at its field, with what was typed kept.
    let bad = desk
        .page(
            "/console/reports?period=custom&start=2026-11-30&end=2026-11-01",
            Some(&handler),
        )
        .await;
    assert!(bad.body.contains(r#"data-testid="period-error-end""#));
    assert!(bad.body.contains(r#"value="2026-11-30""#));
    assert!(!bad.body.contains(r#"data-testid="figure-reported""#));
}

/// `%XX` escapes read back, so links compare as people read them.
fn unescaped(href: &str) -> String {
    let bytes = href.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).expect("UTF-8")
}

/// Every `<a href="/console?…">N</a>` of a page: the queue link and the count it shows.
fn counted_links(html: &str) -> Vec<(String, i64)> {
    html.split(r#"<a href="/console?"#)
        .skip(1)
        .filter_map(|rest| {
            let (query, after) = rest.split_once('"')?;
            let text = after.split_once('>')?.1.split_once('<')?.0;
            let count = text.trim().parse().ok()?;
            Some((format!("/console?{}", query.replace("&amp;", "&")), count))
        })
        .collect()
}

/// The incident numbers the queue page (rendered on the server) shows for `href`.
async fn queue_numbers(desk: &Desk, handler: &str, href: &str) -> Vec<i64> {
    let page = desk.page(href, Some(handler)).await;
    assert_eq!(page.status, StatusCode::OK, "{href}");
    let mut numbers: Vec<i64> = page
        .body
        .split(r#"data-testid="queue-row""#)
        .skip(1)
        .filter_map(|row| {
            let number = row.split_once(r#"data-number=""#)?.1.split_once('"')?.0;
            number.parse().ok()
        })
        .collect();
    numbers.sort_unstable();
    numbers
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn every_count_on_the_page_opens_exactly_its_incidents(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let [a, b, c, d, e, f, g, _] = fixture_week(&desk, &pool).await;
    // One help article answered C and D this week and G the week before.
    app::demo::seed_articles(&pool).await.expect("articles");
    let slug: String = sqlx::query_scalar(
        "SELECT slug FROM help_articles WHERE state = 'published' ORDER BY id LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .expect("an article");
    for number in [c, d, g] {
        sqlx::query(
            "INSERT INTO help_article_incidents (article_id, incident_id, kind)
             SELECT a.id, i.id, 'answer' FROM help_articles a, incidents i
             WHERE a.slug = $1 AND i.number = $2",
        )
        .bind(&slug)
        .bind(number)
        .execute(&pool)
        .await
        .expect("link");
    }
    let handler = desk.session_of(Role::Handler).await;
    let page = desk
        .page(
            "/console/reports?period=week&start=2026-11-23",
            Some(&handler),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let links = counted_links(&page.body);
    let sorted = |mut numbers: Vec<i64>| {
        numbers.sort_unstable();
        numbers
    };
    // What the fixture says each figure counts, by the link's extra condition.
    let week = "/console?from=2026-11-23&to=2026-11-29";
    let expected = [
        ("", vec![a, b, c, d, e, f]),
        ("&outcome=done", vec![a, b, c, f]),
        ("&outcome=timely", vec![a, c]),
        ("&outcome=resolved_once", vec![a, b, c, f]),
        ("&outcome=reopened", vec![c]),
        ("&outcome=responded", vec![a, b, c, d, f]),
        ("&category=consultation", vec![c, d, f]),
        ("&system=custody", vec![a, c, d]),
        ("&system=custody&module=binding", vec![a]),
        ("&system=custody&module=none", vec![c, d]),
        ("&category=consultation&subcategory=转账限额", vec![c, d]),
        (&format!("&article={slug}"), vec![c, d]),
    ];
    for (extra, numbers) in &expected {
        let wanted = format!("{week}{extra}");
        let Some((href, _)) = links.iter().find(|(link, _)| unescaped(link) == wanted) else {
            panic!("the page links {wanted}: {links:?}");
        };
        assert_eq!(
            queue_numbers(&desk, &handler, href).await,
            sorted(numbers.clone()),
            "{href}"
        );
    }
    // And every count the page links, whatever it is, is the number of rows its queue shows.
    assert!(links.len() > expected.len(), "{links:?}");
    for (href, count) in &links {
        let shown = queue_numbers(&desk, &handler, href).await.len() as i64;
        assert_eq!(shown, *count, "{href}");
    }
    // The last week's column of a topic: G alone.
    let before = "/console?from=2026-11-16&to=2026-11-22&category=consultation&subcategory=%E8%BD%AC%E8%B4%A6%E9%99%90%E9%A2%9D";
    assert_eq!(queue_numbers(&desk, &handler, before).await, vec![g]);
    // A hand-off target's name opens the incidents handed to it.
    for (target, numbers) in [
        ("development", vec![b]),
        ("product", vec![d]),
        ("test", vec![f]),
    ] {
        let href = format!("{week}&handoff={target}");
        assert!(page.body.contains(&href.replace('&', "&amp;")), "{href}");
        assert_eq!(
            queue_numbers(&desk, &handler, &href).await,
            numbers,
            "{href}"
        );
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_crooked_period_is_refused_and_reporters_see_no_report(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let handler = desk.session_of(Role::Handler).await;
    let crooked = json!({"period": {"kind": "week", "first": "2026-11-24", "last": "2026-11-30"}});
    let reply = desk
        .post_json("/api/reports/figures", &handler, &crooked)
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    let too_long =
        json!({"period": {"kind": "custom", "first": "2025-01-01", "last": "2026-11-30"}});
    let reply = desk
        .post_json("/api/reports/figures", &handler, &too_long)
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    let reporter = desk.session_of(Role::Reporter).await;
    let period: Value = serde_json::from_str(WEEK).expect("period");
    let reply = desk
        .post_json(
            "/api/reports/figures",
            &reporter,
            &json!({ "period": period }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

/// A sheet's cells as text: numbers as written (`0.667`, `30`), text as is.
fn sheet_cells(workbook: &[u8], name: &str) -> Vec<Vec<String>> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(workbook.to_vec())).expect("xlsx");
    let range = book.worksheet_range(name).expect("sheet");
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Float(f) => format!("{f}"),
                    Data::Int(n) => n.to_string(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_workbook_and_the_csv_hold_the_hand_computed_figures(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    fixture_week(&desk, &pool).await;
    let handler = desk.session_of(Role::Handler).await;
    let reply = desk
        .get(
            "/api/reports/export?period=week&start=2026-11-26&format=xlsx",
            &handler,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.headers["content-disposition"],
        "attachment; filename=\"service-report-2026-11-23-2026-11-29.xlsx\""
    );
    {
        use calamine::Reader;
        let book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(reply.bytes.to_vec()))
                .expect("xlsx");
        assert_eq!(
            book.sheet_names(),
            [
                "概览",
                "分类",
                "渠道",
                "系统与模块",
                "流转用时",
                "热点子类",
                "热点文章",
                "趋势"
            ]
        );
    }
    let summary = sheet_cells(&reply.bytes, "概览");
    let expected = [
        ("指标", "数值"),
        ("上报事件", "6"),
        ("已解决（含已关闭）", "4"),
        ("解决率", "0.667"),
        ("及时解决", "2"),
        ("及时解决率", "0.5"),
        ("咨询类占比", "0.5"),
        ("解决过的事件", "4"),
        ("重开过的事件", "1"),
        ("重开率", "0.25"),
        ("首次响应用时 · 件数", "5"),
        ("首次响应用时 · 中位数（分钟）", "30"),
        ("首次响应用时 · P90（分钟）", "75"),
        ("解决用时 · 件数", "4"),
        ("解决用时 · 中位数（分钟）", "180"),
        ("解决用时 · P90（分钟）", "660"),
    ];
    let got: Vec<(&str, &str)> = summary
        .iter()
        .map(|row| (row[0].as_str(), row[1].as_str()))
        .collect();
    assert_eq!(got, expected);
    let handoffs = sheet_cells(&reply.bytes, "流转用时");
    let development = handoffs
        .iter()
        .find(|row| row[0] == "转研发")
        .expect("development");
    assert_eq!(development[1..], ["1", "510", "510", "510", "0"]);
    let product = handoffs
        .iter()
        .find(|row| row[0] == "转产品")
        .expect("product");
    assert_eq!((product[1].as_str(), product[5].as_str()), ("0", "1"));
    let trend = sheet_cells(&reply.bytes, "趋势");
    assert_eq!(trend.len(), 10, "a header and nine periods");
    // Reported, then data, program, consultation, not classified, then the five channels.
    assert_eq!(
        trend[9][..12],
        [
            "2026-11-23",
            "2026-11-29",
            "6",
            "1",
            "1",
            "3",
            "1",
            "2",
            "2",
            "1",
            "0",
            "1"
        ]
    );

    let csv = desk
        .get(
            "/api/reports/export?period=week&start=2026-11-23&format=csv&table=summary",
            &handler,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers["content-type"]
        .to_str()
        .unwrap_or("")
        .starts_with("text/csv"));
    let text = csv.body.trim_start_matches('\u{feff}');
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "指标,数值");
    assert!(lines.contains(&"解决率,66.7%"), "{text}");
    assert!(lines.contains(&"及时解决率,50.0%"));
    assert!(lines.contains(&"解决用时 · P90（分钟）,660.0"));
    let topics = desk
        .get(
            "/api/reports/export?period=week&start=2026-11-23&format=csv&table=topics",
            &handler,
        )
        .await;
    assert!(
        topics.body.contains("转账限额,咨询类,2,1"),
        "{}",
        topics.body
    );

    // Bad asks are refused by name; reporters get nothing.
    let bad = desk
        .get(
            "/api/reports/export?period=week&start=2026-11-23&format=pdf",
            &handler,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad = desk
        .get(
            "/api/reports/export?period=custom&start=2026-11-23&format=csv",
            &handler,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("\"end\""), "{}", bad.body);
    let reporter = desk.session_of(Role::Reporter).await;
    let refused = desk
        .get(
            "/api/reports/export?period=week&start=2026-11-23&format=xlsx",
            &reporter,
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}
