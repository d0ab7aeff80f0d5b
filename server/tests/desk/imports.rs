//! Importing a week of ITSM or WeChat-group records from a spreadsheet: the dry run says what
//! each row would become and records nothing; the import records the ready rows once each,
//! quietly, at the time they reached the team; a second import of the same file records nothing.

use axum::http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::support::{body, invalid, Desk, Reply};
use app::auth::Role;
use app::notifications::{store as notifications, Audience, NewRobot};

/// `days` days before now at 09:05 in Shanghai, as an export writes it (`format`).
fn days_ago(days: i64, format: &str) -> String {
    let day =
        app::time::to_shanghai(chrono::Utc::now() - chrono::Duration::days(days)).date_naive();
    day.and_hms_opt(9, 5, 0)
        .map(|at| at.format(format).to_string())
        .unwrap_or_default()
}

fn itsm_export() -> String {
    let at = days_ago(3, "%Y/%m/%d %H:%M");
    [
        "工单号,创建时间,提出人,客户姓名,证件号码,所属系统,功能模块,标题,问题描述".to_owned(),
        format!("ITSM-1,{at},王经理,李四,11010519491231002X,custody,binding,绑卡失败,客户绑定存管银行提示卡号异常"),
        format!("ITSM-2,{at},王经理,张三,110105194912310021,custody,,转账失败,银证转账提示异常"),
        format!("ITSM-1,{at},王经理,李四,11010519491231002X,custody,,重复的单,同一工单导出了两次"),
        format!("ITSM-3,{at},,赵六,11010519491231002X,三方存管,存管银行绑定,\"解绑, 再绑\",客户询问如何更换存管银行"),
        format!("ITSM-4,{at},,钱七,11010519491231002X,核心系统,,未知系统,系统名写错了"),
        // ITSM-2 again, its ID number corrected: the refused line above leaves it free.
        format!("ITSM-2,{at},王经理,张三,11010519491231002X,custody,,转账失败,银证转账提示异常"),
    ]
    .join("\n")
}

/// What a plain endpoint's 422 names: `{"field", "problem"}`.
fn refused(reply: &Reply) -> Value {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    invalid(body(reply)["error"].clone())
}

fn outcomes(preview: &Value) -> Vec<Value> {
    preview["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| json!([r["line"], r["external_ref"], r["outcome"]]))
                .collect()
        })
        .unwrap_or_default()
}

async fn itsm_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM incidents WHERE channel = 'itsm'")
        .fetch_one(pool)
        .await
        .expect("count")
}

async fn notification_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar!("SELECT count(*) AS \"n!\" FROM notifications")
        .fetch_one(pool)
        .await
        .expect("count")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn an_itsm_export_is_checked_then_imported_once_and_quietly(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let handler = desk.session_of(Role::Handler).await;
    notifications::add_robot(
        &pool,
        &NewRobot {
            name: "处理组".into(),
            audience: Audience::Handlers,
            system: None,
            key: "import-robot-key-0001".into(),
        },
    )
    .await
    .expect("robot");
    let file = itsm_export();

    // The dry run: every row's fate, nothing recorded.
    let reply = desk
        .import(&handler, "itsm", None, false, file.as_bytes())
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let preview = body(&reply);
    assert_eq!(preview["committed"], false);
    assert_eq!(preview["mapping_problem"], Value::Null);
    assert_eq!(
        outcomes(&preview),
        [
            json!([2, "ITSM-1", {"kind": "ready"}]),
            json!([3, "ITSM-2", {"kind": "refused", "field": "id_number", "problem": "IdCardChecksum"}]),
            json!([4, "ITSM-1", {"kind": "refused", "field": "external_ref", "problem": "Duplicate"}]),
            json!([5, "ITSM-3", {"kind": "ready"}]),
            json!([6, "ITSM-4", {"kind": "refused", "field": "system", "problem": "UnknownChoice"}]),
            json!([7, "ITSM-2", {"kind": "ready"}]),
        ]
    );
    assert_eq!(preview["rows"][3]["title"], "解绑, 再绑");
    // Rows are named by reference and title, never by the customer.
    for identity in ["李四", "赵六", "11010519491231002X"] {
        assert!(
            !reply.body.contains(identity),
            "{identity} in {}",
            reply.body
        );
    }
    assert_eq!(itsm_count(&pool).await, 0);

    // The import records the three ready rows, at the time they reached the team, quietly.
    let reply = desk
        .import(&handler, "itsm", None, true, file.as_bytes())
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let imported = body(&reply);
    assert_eq!(imported["committed"], true);
    let number = |row: usize| {
        imported["rows"][row]["outcome"]["number"]
            .as_i64()
            .expect("number")
    };
    assert_eq!(imported["rows"][0]["outcome"]["kind"], "imported");
    assert_eq!(imported["rows"][3]["outcome"]["kind"], "imported");
    assert_eq!(imported["rows"][1]["outcome"]["kind"], "refused");
    let (first, third) = (number(0), number(3));
    let row = sqlx::query!(
        r#"SELECT external_ref, contact, m.code AS "module?", status,
                  to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY/MM/DD HH24:MI') AS "received!"
           FROM incidents i LEFT JOIN system_modules m ON m.id = i.module_id WHERE number = $1"#,
        third
    )
    .fetch_one(&pool)
    .await
    .expect("row");
    assert_eq!(row.external_ref.as_deref(), Some("ITSM-3"));
    assert_eq!(row.contact, None);
    assert_eq!(row.module.as_deref(), Some("binding"));
    assert_eq!(row.status, "new");
    assert_eq!(row.received, days_ago(3, "%Y/%m/%d %H:%M"));
    assert_eq!(imported["rows"][5]["outcome"]["kind"], "imported");
    assert_eq!(itsm_count(&pool).await, 3);
    assert_eq!(
        notification_count(&pool).await,
        0,
        "an import pushes nothing"
    );
    let seen = desk.team_incident(&handler, first).await;
    assert_eq!(seen["channel"], "itsm");
    assert_eq!(
        seen["report"]["customer"]["id_number"],
        "**************002X"
    );

    // The same file again: the rows it recorded answer their incidents; nothing new.
    let again = body(
        &desk
            .import(&handler, "itsm", None, true, file.as_bytes())
            .await,
    );
    assert_eq!(
        again["rows"][0]["outcome"],
        json!({"kind": "existing", "number": first})
    );
    assert_eq!(
        again["rows"][3]["outcome"],
        json!({"kind": "existing", "number": third})
    );
    assert_eq!(itsm_count(&pool).await, 3);
    // The dry run says so too; the same references in another channel are new there.
    let wechat = body(
        &desk
            .import(&handler, "wechat", None, false, file.as_bytes())
            .await,
    );
    assert_eq!(wechat["rows"][0]["outcome"]["kind"], "ready");

    // The control: a record typed into the form does push, so the silence above is the import's.
    let typed = desk
        .post_json(
            "/api/console/record",
            &handler,
            &json!({"incident": {
                "channel": "phone",
                "received_at": app::time::to_shanghai(chrono::Utc::now()).format("%Y-%m-%dT%H:%M").to_string(),
                "report": {"customer_name": "李四", "id_doc_type": "id_card",
                    "id_number": "11010519491231002X", "system": "custody",
                    "title": "来电", "description": "客户来电"}}}),
        )
        .await;
    assert_eq!(typed.status, StatusCode::OK, "{}", typed.body);
    assert_eq!(notification_count(&pool).await, 1);
}

/// A workbook whose headers name nothing the guess knows, with a real date cell.
fn workbook() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let headers = ["No.", "Opened", "Client", "Doc", "Area", "Heading", "Text"];
    for (column, header) in headers.iter().enumerate() {
        sheet
            .write_string(0, column as u16, *header)
            .expect("header");
    }
    let day = app::time::to_shanghai(chrono::Utc::now() - chrono::Duration::days(2)).date_naive();
    use chrono::Datelike;
    let opened = rust_xlsxwriter::ExcelDateTime::from_ymd(
        day.year() as u16,
        day.month() as u8,
        day.day() as u8,
    )
    .and_then(|at| at.and_hms(14, 30, 0))
    .expect("time");
    let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
    sheet.write_number(1, 0, 20261130.0).expect("number");
    sheet
        .write_datetime_with_format(1, 1, opened, &format)
        .expect("date");
    for (column, text) in [
        "王五",
        "11010519491231002X",
        "trading",
        "委托失败",
        "客户下单提示资金不足",
    ]
    .iter()
    .enumerate()
    {
        sheet
            .write_string(1, column as u16 + 2, *text)
            .expect("cell");
    }
    book.save_to_buffer().expect("xlsx")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_workbook_is_mapped_by_hand_when_its_headers_say_nothing(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let handler = desk.session_of(Role::Handler).await;
    let file = workbook();

    let guessed = body(&desk.import(&handler, "wechat", None, false, &file).await);
    assert_eq!(
        guessed["headers"],
        json!(["No.", "Opened", "Client", "Doc", "Area", "Heading", "Text"])
    );
    assert_eq!(
        guessed["mapping_problem"],
        json!(["external_ref", "Required"])
    );
    assert_eq!(guessed["rows"], json!([]));
    // Importing with a mapping that still lacks a field is refused at that field.
    let reply = desk.import(&handler, "wechat", None, true, &file).await;
    assert_eq!(refused(&reply)["field"], "external_ref");
    assert_eq!(itsm_count(&pool).await, 0);

    // Columns in the order of the targets: reference, received, contact, name, document type,
    // number, fund account, mobile, system, module, title, description.
    let mapping = "[0, 1, null, 2, null, 3, null, null, 4, null, 5, 6]";
    let preview = body(
        &desk
            .import(&handler, "wechat", Some(mapping), false, &file)
            .await,
    );
    assert_eq!(
        preview["rows"][0]["external_ref"], "20261130",
        "a number cell reads as typed"
    );
    assert_eq!(preview["rows"][0]["outcome"], json!({"kind": "ready"}));
    let imported = body(
        &desk
            .import(&handler, "wechat", Some(mapping), true, &file)
            .await,
    );
    let number = imported["rows"][0]["outcome"]["number"]
        .as_i64()
        .expect("number");
    let received = sqlx::query_scalar!(
        r#"SELECT to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS "at!"
           FROM incidents WHERE number = $1 AND channel = 'wechat' AND external_ref = '20261130'"#,
        number
    )
    .fetch_one(&pool)
    .await
    .expect("row");
    let day = app::time::to_shanghai(chrono::Utc::now() - chrono::Duration::days(2)).date_naive();
    assert_eq!(received, format!("{day} 14:30"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn files_and_fields_that_cannot_be_read_are_refused_by_name(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let handler = desk.session_of(Role::Handler).await;
    let file = itsm_export();

    let not_a_sheet = desk
        .import(&handler, "itsm", None, false, b"PK\x03\x04garbage")
        .await;
    assert_eq!(
        refused(&not_a_sheet),
        json!({"field": "file", "problem": "Format"})
    );
    let empty = desk.import(&handler, "itsm", None, false, b"").await;
    assert_eq!(refused(&empty)["problem"], "Required");
    // Phone calls and the phone app are not exports one imports.
    let phone = desk
        .import(&handler, "phone", None, false, file.as_bytes())
        .await;
    assert_eq!(
        refused(&phone),
        json!({"field": "channel", "problem": "UnknownChoice"})
    );
    let broken = desk
        .import(
            &handler,
            "itsm",
            Some("{\"not\": 1}"),
            false,
            file.as_bytes(),
        )
        .await;
    assert_eq!(refused(&broken)["field"], "mapping");
    let beyond = desk
        .import(&handler, "itsm", Some("[99]"), false, file.as_bytes())
        .await;
    assert_eq!(
        body(&beyond)["mapping_problem"],
        json!(["external_ref", "UnknownChoice"])
    );
    // Larger than the limit: refused before it is read.
    let huge = vec![b'x'; 7 * 1024 * 1024];
    let reply = desk.import(&handler, "itsm", None, false, &huge).await;
    assert_eq!(
        reply.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        reply.body
    );
    assert_eq!(itsm_count(&pool).await, 0);
}

/// A thousand rows of one export, as its columns (reference, received, contact, name, ID
/// number, system, module, title, description); every hundredth from the 50th is bad, in
/// one of three ways, and the field each is refused at is given with its line.
fn thousand_rows() -> (Vec<[String; 9]>, Vec<(u32, &'static str)>) {
    let at = days_ago(5, "%Y-%m-%d %H:%M");
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    for i in 1..=1000_u32 {
        let (mut id, mut system, mut title) =
            ("11010519491231002X", "custody", format!("历史事件 {i}"));
        if i % 100 == 50 {
            let field = match (i / 100) % 3 {
                0 => {
                    id = "110105194912310021";
                    "id_number"
                }
                1 => {
                    system = "核心系统";
                    "system"
                }
                _ => {
                    title.clear();
                    "title"
                }
            };
            bad.push((i + 1, field));
        }
        rows.push([
            format!("REF-{i:04}"),
            at.clone(),
            "王经理".to_owned(),
            "李四".to_owned(),
            id.to_owned(),
            system.to_owned(),
            String::new(),
            title,
            format!("第 {i} 条历史记录的描述"),
        ]);
    }
    (rows, bad)
}

const EXPORT_HEADERS: [&str; 9] = [
    "工单号",
    "创建时间",
    "提出人",
    "客户姓名",
    "证件号码",
    "所属系统",
    "功能模块",
    "标题",
    "问题描述",
];

fn as_csv(rows: &[[String; 9]]) -> Vec<u8> {
    let mut text = EXPORT_HEADERS.join(",");
    for row in rows {
        text.push('\n');
        text.push_str(&row.join(","));
    }
    text.into_bytes()
}

fn as_xlsx(rows: &[[String; 9]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (column, header) in EXPORT_HEADERS.iter().enumerate() {
        sheet
            .write_string(0, column as u16, *header)
            .expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (column, text) in row.iter().enumerate() {
            if !text.is_empty() {
                sheet
                    .write_string(r as u32 + 1, column as u16, text)
                    .expect("cell");
            }
        }
    }
    book.save_to_buffer().expect("xlsx")
}

/// How many rows of a preview ended each way, and the refused ones' lines and fields.
fn tally(preview: &Value) -> (usize, usize, Vec<(u32, String)>) {
    let rows = preview["rows"].as_array().cloned().unwrap_or_default();
    let kind = |k: &str| rows.iter().filter(|r| r["outcome"]["kind"] == k).count();
    let refused = rows
        .iter()
        .filter(|r| r["outcome"]["kind"] == "refused")
        .map(|r| {
            (
                r["line"].as_u64().unwrap_or_default() as u32,
                r["outcome"]["field"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    (kind("imported"), kind("existing"), refused)
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_thousand_rows_import_all_but_their_ten_bad_ones_and_only_once(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let handler = desk.session_of(Role::Handler).await;
    let (rows, bad) = thousand_rows();
    assert_eq!(bad.len(), 10);
    let bad: Vec<(u32, String)> = bad.into_iter().map(|(l, f)| (l, f.to_owned())).collect();
    for (channel, file) in [("itsm", as_csv(&rows)), ("wechat", as_xlsx(&rows))] {
        let in_channel = || async {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM incidents WHERE channel = $1")
                .bind(channel)
                .fetch_one(&pool)
                .await
                .expect("count")
        };
        let started = std::time::Instant::now();
        let reply = desk.import(&handler, channel, None, true, &file).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        println!(
            "{channel}: 1,000 rows imported in {:.2} s",
            started.elapsed().as_secs_f64()
        );
        assert_eq!(tally(&body(&reply)), (990, 0, bad.clone()), "{channel}");
        assert_eq!(in_channel().await, 990);

        // The same file again: every good row is found recorded, nothing is added.
        let reply = desk.import(&handler, channel, None, true, &file).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(
            tally(&body(&reply)),
            (0, 990, bad.clone()),
            "{channel} again"
        );
        assert_eq!(in_channel().await, 990);
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn history_resolved_in_its_source_comes_in_resolved_at_its_time(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let handler = desk.session_of(Role::Handler).await;
    let received = days_ago(4, "%Y-%m-%d %H:%M");
    let resolved = days_ago(3, "%Y-%m-%d %H:%M");
    let file = [
        "工单号,创建时间,客户姓名,证件号码,所属系统,标题,问题描述,事件分类,解决时间,处理结果".to_owned(),
        format!("H-1,{received},李四,11010519491231002X,custody,转账限额,客户询问限额,咨询类,{resolved},已告知限额规则"),
        format!("H-2,{received},李四,11010519491231002X,custody,绑卡失败,绑卡提示异常,数据类,,"),
        format!("H-3,{received},李四,11010519491231002X,custody,无解决方案,只有时间,,{resolved},"),
    ]
    .join("\n");
    let reply = desk
        .import(&handler, "itsm", None, true, file.as_bytes())
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let imported = body(&reply);
    assert_eq!(imported["rows"][0]["outcome"]["kind"], "imported");
    assert_eq!(imported["rows"][1]["outcome"]["kind"], "imported");
    assert_eq!(
        imported["rows"][2]["outcome"],
        json!({"kind": "refused", "field": "solution", "problem": "Required"})
    );
    let rows = sqlx::query!(
        r#"SELECT external_ref AS "external_ref!", status, category, solution,
                  to_char(resolved_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') AS resolved,
                  sla_running_since IS NULL AS "stopped!",
                  (report_day_cell(i)).done AS "done!",
                  (SELECT to_char(max(e.created_at) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')
                   FROM incident_events e WHERE e.incident_id = i.id AND e.kind = 'resolved') AS event
           FROM incidents i WHERE channel = 'itsm' ORDER BY external_ref"#
    )
    .fetch_all(&pool)
    .await
    .expect("rows");
    assert_eq!(rows.len(), 2);
    let (history, open) = (&rows[0], &rows[1]);
    assert_eq!(
        (history.external_ref.as_str(), history.status.as_str()),
        ("H-1", "resolved")
    );
    assert_eq!(history.category.as_deref(), Some("consultation"));
    assert_eq!(history.solution.as_deref(), Some("已告知限额规则"));
    assert_eq!(history.resolved.as_deref(), Some(resolved.as_str()));
    assert_eq!(history.event.as_deref(), Some(resolved.as_str()));
    assert!(history.stopped && history.done);
    // The open one waits in the queue, classified as its source had it.
    assert_eq!(
        (open.status.as_str(), open.category.as_deref()),
        ("new", Some("data"))
    );
    assert!(!open.done && open.resolved.is_none());
}
