//! Every server function and plain endpoint, taken from the route list so a new one is covered
//! without a word here, gets generated hostile input (control characters, invalid UTF-8, huge
//! and negative numbers, deep JSON, long strings, wrong types), as JSON and as form fields, from
//! a visitor and from each role. None may answer 500, and the server keeps serving.

use axum::http::{Method, StatusCode};
use sqlx::PgPool;

use crate::support::{file_report, Desk, SAME_ORIGIN};
use app::auth::Role;

/// Plain endpoints that change something (their GETs only read and are covered by the pages).
const PLAIN_ENDPOINTS: [&str; 3] = ["/api/m/reports", "/api/m/messages", "/api/m/uploads"];

/// Values that have broken parsers and databases before.
fn nasty_values(number: i64) -> Vec<serde_json::Value> {
    use serde_json::json;
    vec![
        json!(null),
        json!(""),
        json!("\u{0}"),
        json!("名\u{0}字\u{1b}[31m\u{7f}"),
        json!("x".repeat(70_000)),
        json!(-1),
        json!(0),
        json!(number),
        json!(i64::MAX),
        json!(i64::MIN),
        json!(u64::MAX),
        json!(1e308),
        json!(-0.5),
        json!(true),
        json!([]),
        json!({}),
        json!(["\u{0}"]),
        json!({"nested": {"deeper": [1, 2, 3]}}),
        json!("2026-02-30"),
        json!("../../etc/passwd"),
        json!("' OR 1=1 --"),
        json!("<script>alert(1)</script>"),
    ]
}

/// Field names the desk's requests use, so generated objects reach past the first parse.
const FIELDS: [&str; 24] = [
    "number",
    "id",
    "field",
    "body",
    "internal",
    "title",
    "description",
    "customer_name",
    "id_doc_type",
    "id_number",
    "system",
    "module",
    "step",
    "input",
    "filter",
    "after",
    "login",
    "password",
    "next",
    "reason",
    "comment",
    "note",
    "date",
    "client_id",
];

/// Bodies for one endpoint: raw hostile bytes, then objects with each field set to each value.
fn bodies(number: i64) -> Vec<(&'static str, Vec<u8>)> {
    let json = "application/json";
    let form = "application/x-www-form-urlencoded";
    let mut out: Vec<(&'static str, Vec<u8>)> = vec![
        (json, b"".to_vec()),
        (json, b"{".to_vec()),
        (json, b"\xff\xfe\x00{\"number\":1}".to_vec()),
        (json, "[".repeat(5_000).into_bytes()),
        (
            json,
            format!("{}1{}", "{\"a\":".repeat(2_000), "}".repeat(2_000)).into_bytes(),
        ),
        (json, b"\"just a string\"".to_vec()),
        (json, b"12345678901234567890123456789".to_vec()),
        (form, b"%00=%00&number=%FF%FE".to_vec()),
        (form, b"number=-1&body=%00&login=%C0%AF".to_vec()),
        (form, format!("title={}", "a".repeat(200_000)).into_bytes()),
    ];
    for value in nasty_values(number) {
        let object: serde_json::Map<String, serde_json::Value> = FIELDS
            .iter()
            .map(|field| ((*field).to_owned(), value.clone()))
            .collect();
        out.push((
            json,
            serde_json::Value::Object(object).to_string().into_bytes(),
        ));
        let text = match &value {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let encoded: String = url_encode(&text);
        let fields: Vec<String> = FIELDS.iter().map(|f| format!("{f}={encoded}")).collect();
        out.push((form, fields.join("&").into_bytes()));
    }
    out
}

fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn no_endpoint_answers_500_to_generated_input(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let number = file_report(&desk, &reporter, "模糊测试", "生成的输入").await;
    let mut callers = vec![None, Some(reporter)];
    for role in [Role::Handler, Role::Reviewer, Role::Admin] {
        callers.push(Some(desk.session_of(role).await));
    }

    let mut endpoints: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .filter(|(_, method)| *method == Method::POST)
        .map(|(path, _)| path.to_owned())
        // Signing out would end the callers' sessions half-way.
        .filter(|path| path != "/api/logout")
        .chain(PLAIN_ENDPOINTS.iter().map(|path| (*path).to_owned()))
        .collect();
    endpoints.sort();
    assert!(endpoints.len() > 20, "the route list: {endpoints:?}");

    let inputs = bodies(number);
    let mut failures = Vec::new();
    let mut sent = 0;
    for endpoint in &endpoints {
        // Sign-in is slowed on purpose after twenty failures from one address: it gets the
        // visitor's first twenty inputs only, which still reach every check before the hash.
        let (callers, inputs) = if endpoint == "/api/login" {
            (&callers[..1], &inputs[..20])
        } else {
            (&callers[..], &inputs[..])
        };
        for cookie in callers {
            for (content_type, body) in inputs {
                let reply = desk
                    .send_with(
                        Method::POST,
                        endpoint,
                        cookie.as_deref(),
                        Some(content_type),
                        &[SAME_ORIGIN],
                        body.clone(),
                    )
                    .await;
                sent += 1;
                if reply.status.is_server_error() && reply.status != StatusCode::SERVICE_UNAVAILABLE
                {
                    let shown: String = String::from_utf8_lossy(body).chars().take(80).collect();
                    failures.push(format!(
                        "{endpoint} {} <- {shown}: {}",
                        reply.status, reply.body
                    ));
                }
            }
        }
    }
    println!(
        "fuzzed {} endpoints, {} inputs each ({} callers x {} bodies; sign-in 20), {sent} requests",
        endpoints.len(),
        callers.len() * inputs.len(),
        callers.len(),
        inputs.len()
    );
    assert!(
        failures.is_empty(),
        "{} answered 5xx:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let health = desk
        .send(Method::GET, "/healthz", None, None, Vec::new())
        .await;
    assert_eq!(health.status, StatusCode::OK);
}
