//! Reports, threads and images from the reporter's side, through the real HTTP stack: filed
//! once per client id, checked like the browser checks, images cleaned, every path to somebody
//! else's report closed.

use std::io::Cursor;

use axum::http::StatusCode;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::support::Desk;
use app::auth::Role;

fn report(title: &str) -> Value {
    json!({
        "customer_name": "张三",
        "id_doc_type": "id_card",
        "id_number": "11010519491231002X",
        "fund_account": "",
        "customer_mobile": "13800138000",
        "system": "custody",
        "module": "binding",
        "title": title,
        "description": "客户三方存管绑定失败，提示无法绑定",
    })
}

fn body(reply: &crate::support::Reply) -> Value {
    serde_json::from_str(&reply.body).unwrap_or(Value::Null)
}

/// A JPEG carrying an EXIF block (with a GPS marker) right after its start marker.
fn jpeg_with_exif(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut plain = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut plain, image::ImageFormat::Jpeg)
        .expect("encode jpeg");
    let plain = plain.into_inner();
    let mut exif = b"Exif\0\0MM\0*\0\0\0\x08\0\0\0\0\0\0GPSLatitude 31.2304N".to_vec();
    let length = u16::try_from(exif.len() + 2).expect("short segment");
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend_from_slice(&length.to_be_bytes());
    out.append(&mut exif);
    out.extend_from_slice(&plain[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn upload(desk: &Desk, cookie: &str, bytes: &[u8]) -> Uuid {
    let reply = desk.upload(cookie, Uuid::new_v4(), bytes).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    body(&reply)["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("attachment id")
}

async fn file(desk: &Desk, cookie: &str, title: &str, attachments: &[Uuid]) -> i64 {
    let mut submission = report(title);
    submission["client_id"] = json!(Uuid::new_v4());
    submission["attachment_ids"] = json!(attachments);
    let reply = desk.post_json("/api/m/reports", cookie, &submission).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    body(&reply)["number"].as_i64().expect("number")
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_report_is_filed_once_with_its_images_cleaned(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let photo = jpeg_with_exif(2400, 1800);
    assert!(contains(&photo, b"Exif"));
    let first = upload(&desk, &reporter, &photo).await;
    let second = upload(&desk, &reporter, &jpeg_with_exif(300, 200)).await;

    let mut submission = report("客户三方存管绑定失败");
    submission["client_id"] = json!(Uuid::new_v4());
    submission["attachment_ids"] = json!([first, second]);
    let reply = desk
        .post_json("/api/m/reports", &reporter, &submission)
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let number = body(&reply)["number"].as_i64().expect("number");
    // The outbox retries after a lost answer: same client id, same incident.
    let retry = desk
        .post_json("/api/m/reports", &reporter, &submission)
        .await;
    assert_eq!(retry.status, StatusCode::CREATED, "{}", retry.body);
    assert_eq!(body(&retry)["number"].as_i64(), Some(number));

    let incidents: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(incidents, 1);
    let stored: Vec<(String, i32, i32)> = sqlx::query_as(
        "SELECT object_key, width, height FROM attachments a JOIN incidents i ON i.id = a.incident_id
         WHERE i.number = $1 ORDER BY width DESC",
    )
    .bind(number)
    .fetch_all(&pool)
    .await
    .expect("attachments");
    assert_eq!(stored.len(), 2);
    assert_eq!(
        (stored[0].1, stored[0].2),
        (1600, 1200),
        "shrunk to 1600 px"
    );
    for (key, _, _) in &stored {
        let bytes = std::fs::read(desk.media_dir.path().join(key)).expect("stored file");
        assert!(!contains(&bytes, b"Exif"), "{key} still has EXIF");
        assert!(!contains(&bytes, b"GPS"), "{key} still has GPS");
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_repeated_upload_stores_the_image_once(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let client_id = Uuid::new_v4();
    let photo = jpeg_with_exif(64, 64);
    let first = desk.upload(&reporter, client_id, &photo).await;
    let again = desk.upload(&reporter, client_id, &photo).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(body(&first)["id"], body(&again)["id"]);
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM attachments")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(rows, 1);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn the_server_refuses_a_wrong_id_checksum_at_the_field(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let mut submission = report("身份证号有误");
    submission["client_id"] = json!(Uuid::new_v4());
    submission["id_number"] = json!("110101199003074478");
    let reply = desk
        .post_json("/api/m/reports", &reporter, &submission)
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    let answer = body(&reply);
    assert_eq!(answer["error"]["field"], "id_number");
    assert_eq!(answer["error"]["problem"], "IdCardChecksum");
    assert_eq!(answer["message"], "身份证号码校验位不正确，请核对每一位");
    let incidents: i64 = sqlx::query_scalar("SELECT count(*) FROM incidents")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(incidents, 0);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn files_that_are_not_images_and_oversize_bodies_are_refused(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let text = desk
        .upload(&reporter, Uuid::new_v4(), b"quarterly numbers, not a photo")
        .await;
    assert_eq!(
        text.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        text.body
    );
    assert_eq!(
        body(&text)["message"],
        "这个文件不是图片，请选择 JPG、PNG 或 WebP 图片"
    );

    let huge = vec![0xFF_u8; 12 * 1024 * 1024];
    let oversize = desk.upload(&reporter, Uuid::new_v4(), &huge).await;
    assert_eq!(
        oversize.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        oversize.body
    );
    assert_eq!(
        body(&oversize)["message"],
        "文件太大，单张图片不能超过 10 MB"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_reporter_cannot_reach_another_reporters_report(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let owner = desk.session_of(Role::Reporter).await;
    let stranger = desk.another("reporter2", Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let image = upload(&desk, &owner, &jpeg_with_exif(64, 64)).await;
    let number = file(&desk, &owner, "他人的上报", &[image]).await;

    let mine = desk
        .call("m/reports/view", Some(&owner), &format!("number={number}"))
        .await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert!(mine.body.contains("他人的上报"));
    // Customer identity is masked for the reporter too.
    assert!(!mine.body.contains("11010519491231002X"), "{}", mine.body);
    assert!(mine.body.contains("**************002X"), "{}", mine.body);

    let view = desk
        .call(
            "m/reports/view",
            Some(&stranger),
            &format!("number={number}"),
        )
        .await;
    assert_eq!(view.status, StatusCode::NOT_FOUND, "{}", view.body);
    let list = desk
        .call("m/reports/mine", Some(&stranger), "filter=all")
        .await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(!list.body.contains("他人的上报"), "{}", list.body);

    let message = json!({"client_id": Uuid::new_v4(), "incident_number": number.to_string(), "body": "我也看看"});
    let posted = desk.post_json("/api/m/messages", &stranger, &message).await;
    assert_eq!(posted.status, StatusCode::NOT_FOUND, "{}", posted.body);

    let events = desk
        .get(&format!("/api/m/reports/{number}/events"), &stranger)
        .await;
    assert_eq!(events.status, StatusCode::NOT_FOUND);
    for path in [
        format!("/api/attachments/{image}"),
        format!("/api/attachments/{image}/thumb"),
    ] {
        let stolen = desk.get(&path, &stranger).await;
        assert_eq!(stolen.status, StatusCode::NOT_FOUND, "{path}");
        let own = desk.get(&path, &owner).await;
        assert_eq!(own.status, StatusCode::OK, "{path}");
        // Nothing of one account stays in a shared phone's browser cache.
        assert_eq!(
            own.headers
                .get("cache-control")
                .and_then(|v| v.to_str().ok()),
            Some("private, no-store"),
            "{path}"
        );
        let team = desk.get(&path, &handler).await;
        assert_eq!(team.status, StatusCode::OK, "{path}");
    }
    let confirm = desk
        .call(
            "m/reports/confirm",
            Some(&stranger),
            &format!("number={number}"),
        )
        .await;
    assert_eq!(confirm.status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn internal_notes_and_their_images_never_reach_the_reporter(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let number = file(&desk, &reporter, "内部备注测试", &[]).await;
    for (text, internal) in [
        ("内部：查了日志，是存管行接口超时", true),
        ("您好，请提供报错截图", false),
    ] {
        let reply = desk
            .post_json(
                "/api/console/reply",
                &handler,
                &json!({"number": number, "body": text, "internal": internal}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let view = desk
        .call(
            "m/reports/view",
            Some(&reporter),
            &format!("number={number}"),
        )
        .await;
    assert!(view.body.contains("请提供报错截图"), "{}", view.body);
    assert!(!view.body.contains("存管行接口超时"), "{}", view.body);
    let list = desk
        .call("m/reports/mine", Some(&reporter), "filter=all")
        .await;
    assert!(!list.body.contains("存管行接口超时"));
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn reporters_cannot_call_console_functions(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let number = file(&desk, &reporter, "越权测试", &[]).await;
    for (path, payload) in [
        (
            "/api/console/reply",
            json!({"number": number, "body": "hi", "internal": false}),
        ),
        (
            "/api/console/step",
            json!({"number": number, "step": "resolved", "input": {"solution": "x"}}),
        ),
        ("/api/console/read", json!({"number": number})),
    ] {
        let reply = desk.post_json(path, &reporter, &payload).await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{path}: {}",
            reply.body
        );
    }
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_waiting_report_resumes_when_the_reporter_answers_and_read_markers_follow(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let number = file(&desk, &reporter, "待补充测试", &[]).await;
    let step =
        |step: &str| json!({"number": number, "step": step, "input": {"note": "请提供资金账号"}});
    let asked = desk
        .post_json("/api/console/step", &handler, &step("waiting"))
        .await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);

    let answer = json!({"client_id": Uuid::new_v4(), "incident_number": number.to_string(), "body": "资金账号 10086001"});
    let posted = desk.post_json("/api/m/messages", &reporter, &answer).await;
    assert_eq!(posted.status, StatusCode::CREATED, "{}", posted.body);
    let again = desk.post_json("/api/m/messages", &reporter, &answer).await;
    assert_eq!(
        body(&again)["id"],
        body(&posted)["id"],
        "a retried message is stored once"
    );

    let view = desk
        .call(
            "m/reports/view",
            Some(&reporter),
            &format!("number={number}"),
        )
        .await;
    let view: Value = serde_json::from_str(&view.body).expect("json");
    assert_eq!(view["status"], "analysing");
    assert_eq!(view["messages"].as_array().map(Vec::len), Some(1));
    assert_eq!(view["messages"][0]["read_by_other"], false);
    let steps: Vec<&str> = view["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["step"].as_str())
        .collect();
    assert_eq!(steps, ["reported", "waiting", "resumed"]);

    let read = desk
        .post_json("/api/console/read", &handler, &json!({"number": number}))
        .await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    let view = desk
        .call(
            "m/reports/view",
            Some(&reporter),
            &format!("number={number}"),
        )
        .await;
    let view: Value = serde_json::from_str(&view.body).expect("json");
    assert_eq!(view["messages"][0]["read_by_other"], true);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn a_resolution_is_confirmed_or_reopened_only_when_there_is_one(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let number = file(&desk, &reporter, "确认测试", &[]).await;
    let early = desk
        .call(
            "m/reports/confirm",
            Some(&reporter),
            &format!("number={number}"),
        )
        .await;
    assert_eq!(
        early.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        early.body
    );

    let resolve = |solution: Value| json!({"number": number, "step": "resolved", "input": {"solution": solution}});
    let unexplained = desk
        .post_json("/api/console/step", &handler, &resolve(Value::Null))
        .await;
    assert_eq!(
        unexplained.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        unexplained.body
    );
    let resolved = desk
        .post_json(
            "/api/console/step",
            &handler,
            &resolve(json!("存管银行已重新签约")),
        )
        .await;
    assert_eq!(resolved.status, StatusCode::OK, "{}", resolved.body);

    let no_reason = desk
        .call(
            "m/reports/reopen",
            Some(&reporter),
            &format!("number={number}&reason="),
        )
        .await;
    assert_eq!(
        no_reason.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        no_reason.body
    );
    let reopened = desk
        .call(
            "m/reports/reopen",
            Some(&reporter),
            &format!("number={number}&reason=%E8%BF%98%E6%98%AF%E4%B8%8D%E8%A1%8C"),
        )
        .await;
    assert_eq!(reopened.status, StatusCode::OK, "{}", reopened.body);
    let resolved = desk
        .post_json("/api/console/step", &handler, &resolve(json!("已重新绑定")))
        .await;
    assert_eq!(resolved.status, StatusCode::OK, "{}", resolved.body);
    let confirmed = desk
        .call(
            "m/reports/confirm",
            Some(&reporter),
            &format!("number={number}"),
        )
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let view = desk
        .call(
            "m/reports/view",
            Some(&reporter),
            &format!("number={number}"),
        )
        .await;
    let view: Value = serde_json::from_str(&view.body).expect("json");
    assert_eq!(view["status"], "closed");
    assert_eq!(view["solution"], "已重新绑定");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn what_one_account_wrote_is_refused_under_another(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let writer: i64 = sqlx::query_scalar("SELECT id FROM users WHERE login = 'reporter'")
        .fetch_one(&pool)
        .await
        .expect("writer");
    // The phone changed hands before the network came back.
    let colleague = desk.another("reporter2", Role::Reporter).await;

    let mut submission = report("共用手机");
    submission["client_id"] = json!(Uuid::new_v4());
    submission["owner_id"] = json!(writer);
    let refused = desk
        .post_json("/api/m/reports", &colleague, &submission)
        .await;
    assert_eq!(refused.status, StatusCode::CONFLICT, "{}", refused.body);
    assert!(body(&refused)["message"]
        .as_str()
        .is_some_and(|m| m.contains("另一个账号")));

    const BOUNDARY: &str = "owner-boundary";
    let mut multipart = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"client_id\"\r\n\r\n{}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"owner_id\"\r\n\r\n{writer}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n\r\n",
        Uuid::new_v4()
    )
    .into_bytes();
    multipart.extend_from_slice(&jpeg_with_exif(32, 32));
    multipart.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    let upload = desk
        .send_with(
            axum::http::Method::POST,
            "/api/m/uploads",
            Some(&colleague),
            Some(&format!("multipart/form-data; boundary={BOUNDARY}")),
            &[crate::support::SAME_ORIGIN],
            multipart,
        )
        .await;
    assert_eq!(upload.status, StatusCode::CONFLICT, "{}", upload.body);

    let stored: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM incidents), (SELECT count(*) FROM attachments)",
    )
    .fetch_one(&pool)
    .await
    .expect("counts");
    assert_eq!(stored, (0, 0));

    // Under the right account the same item goes through.
    let writer_session = desk.session_of(Role::Reporter).await;
    let accepted = desk
        .post_json("/api/m/reports", &writer_session, &submission)
        .await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.body);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn each_reporter_gets_one_phone_storage_key_kept_sealed(pool: PgPool) {
    let desk = Desk::new(pool.clone()).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let colleague = desk.another("reporter_two", Role::Reporter).await;
    let key_of = |cookie: String| {
        let desk = &desk;
        async move {
            let reply = desk
                .post_json("/api/m/storage-key", &cookie, &json!({}))
                .await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            body(&reply)
        }
    };
    let first = key_of(reporter.clone()).await;
    let key = first["key"].as_str().expect("key").to_owned();
    assert_eq!(key.len(), 44, "32 bytes in base64: {key}");
    // The same account gets the same key on every sign-in; another account its own.
    let again = desk.session_of(Role::Reporter).await;
    assert_eq!(key_of(again).await["key"], json!(key));
    assert_ne!(key_of(colleague).await["key"], json!(key));
    // Stored sealed: the database holds no copy of it in clear.
    let stored: Vec<u8> =
        sqlx::query_scalar("SELECT phone_key_sealed FROM users WHERE login = 'reporter'")
            .fetch_one(&pool)
            .await
            .expect("stored");
    let raw = base64_bytes(&key);
    assert!(!stored.windows(raw.len()).any(|w| w == raw.as_slice()));
    assert!(!String::from_utf8_lossy(&stored).contains(&key));
}

fn base64_bytes(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .expect("base64")
}
