//! Switches: a test tool (no token) that makes a system answer as if redeploying (`down`: 503),
//! slowly (`slow`), or refusing one operation (`reject`: 422). Kept in PostgreSQL and read on
//! every request, so every sandbox process on the database obeys them.
//!
//! - `PUT /switches/{system}` `{"mode":"down","seconds":20}` (seconds omitted: until cleared)
//! - `PUT /switches/{system}` `{"mode":"slow","delay_ms":1500}`
//! - `PUT /switches/{system}` `{"mode":"reject","operation":"bind_bank","message":"银行卡状态异常"}`
//! - `DELETE /switches/{system}` clears the system's switches (`?mode=...&operation=...` one);
//!   `DELETE /switches` clears all; `GET /switches` lists those in force.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::ops::{operations, time, App, System};
use crate::reply::{success, Body, Failure};

/// What is in force for one system.
#[derive(Debug, Default)]
pub(crate) struct Active {
    pub down: bool,
    pub delay_ms: Option<u64>,
    /// Operation name to the message it is refused with.
    pub rejections: HashMap<String, String>,
}

pub(crate) async fn active(pool: &PgPool, system: System) -> Result<Active, Failure> {
    let rows: Vec<(String, String, Option<i32>, Option<String>)> = sqlx::query_as(
        "SELECT mode, operation, delay_ms, message FROM brokerage_sandbox.switches
         WHERE system = $1 AND (until IS NULL OR until > now())",
    )
    .bind(system.as_str())
    .fetch_all(pool)
    .await?;
    let mut active = Active::default();
    for (mode, operation, delay_ms, message) in rows {
        match mode.as_str() {
            "down" => active.down = true,
            "slow" => {
                active.delay_ms = delay_ms.and_then(|ms| u64::try_from(ms).ok());
            }
            "reject" => {
                active
                    .rejections
                    .insert(operation, message.unwrap_or_default());
            }
            _ => {}
        }
    }
    Ok(active)
}

pub(crate) fn router() -> Router<App> {
    Router::new()
        .route("/switches", get(list).delete(clear_all))
        .route("/switches/{system}", axum::routing::put(set).delete(clear))
}

const MODES: [&str; 3] = ["down", "slow", "reject"];
const MAX_SECONDS: i64 = 86_400;
const MAX_DELAY_MS: i64 = 60_000;
const DEFAULT_REJECTION: &str = "业务办理失败（沙箱模拟拒绝）";

fn system(text: &str) -> Result<System, Failure> {
    System::parse(text).ok_or_else(|| {
        Failure::bad(
            "E_UNKNOWN_SYSTEM",
            format!("未知系统：{text}，可选 account（账户系统）、custody（三方存管）、trading（交易系统）"),
        )
    })
}

fn whole(
    body: &Body,
    key: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, Failure> {
    match body.get(key) {
        None => Ok(None),
        Some(value) => value
            .as_i64()
            .filter(|n| range.contains(n))
            .map(Some)
            .ok_or_else(|| {
                Failure::bad(
                    "E_BAD_FIELD",
                    format!(
                        "字段 {key} 须为 {} 至 {} 之间的整数",
                        range.start(),
                        range.end()
                    ),
                )
            }),
    }
}

async fn set(State(app): State<App>, Path(name): Path<String>, body: Bytes) -> Response {
    match put(&app.pool, &name, &body).await {
        Ok(data) => success(data),
        Err(failure) => failure.into_response(),
    }
}

async fn put(pool: &PgPool, name: &str, body: &[u8]) -> Result<Value, Failure> {
    let system = system(name)?;
    let body = Body::parse(body)?;
    let mode = body.text("mode")?;
    if !MODES.contains(&mode.as_str()) {
        return Err(Failure::bad(
            "E_UNKNOWN_MODE",
            format!("未知开关模式：{mode}，可选 down（发布中，返回 503）、slow（延迟响应）、reject（拒绝某个操作）"),
        ));
    }
    let seconds = whole(&body, "seconds", 1..=MAX_SECONDS)?;
    let (operation, delay_ms, message) = match mode.as_str() {
        "slow" => {
            let delay = whole(&body, "delay_ms", 1..=MAX_DELAY_MS)?.ok_or_else(|| {
                Failure::bad("E_MISSING_FIELD", "slow 模式须给出 delay_ms（毫秒）")
            })?;
            (String::new(), i32::try_from(delay).ok(), None)
        }
        "reject" => {
            let operation = body.text("operation").map_err(|_| {
                Failure::bad("E_MISSING_FIELD", "reject 模式须给出 operation（操作名）")
            })?;
            if !operations(system).any(|o| o == operation) {
                let known: Vec<&str> = operations(system).collect();
                return Err(Failure::bad(
                    "E_UNKNOWN_OPERATION",
                    format!(
                        "{}没有操作 {operation}，可选：{}",
                        system.title(),
                        known.join("、")
                    ),
                ));
            }
            let message = body
                .opt_text("message")?
                .unwrap_or_else(|| DEFAULT_REJECTION.to_owned());
            (operation, None, Some(message))
        }
        _ => (String::new(), None, None),
    };
    sqlx::query("DELETE FROM brokerage_sandbox.switches WHERE until <= now()")
        .execute(pool)
        .await?;
    let until: Option<chrono::DateTime<chrono::Utc>> = sqlx::query_scalar(
        "INSERT INTO brokerage_sandbox.switches (system, mode, operation, delay_ms, message, until)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6::bigint))
         ON CONFLICT (system, mode, operation) DO UPDATE
             SET delay_ms = EXCLUDED.delay_ms, message = EXCLUDED.message,
                 until = EXCLUDED.until, created_at = now()
         RETURNING until",
    )
    .bind(system.as_str())
    .bind(&mode)
    .bind(&operation)
    .bind(delay_ms)
    .bind(&message)
    .bind(seconds)
    .fetch_one(pool)
    .await?;
    Ok(describe(
        system.as_str(),
        &mode,
        &operation,
        delay_ms,
        message,
        until,
    ))
}

fn describe(
    system: &str,
    mode: &str,
    operation: &str,
    delay_ms: Option<i32>,
    message: Option<String>,
    until: Option<chrono::DateTime<chrono::Utc>>,
) -> Value {
    let mut switch = json!({
        "system": system,
        "mode": mode,
        "until": time(until),
    });
    if mode == "slow" {
        switch["delay_ms"] = json!(delay_ms);
    }
    if mode == "reject" {
        switch["operation"] = json!(operation);
        switch["message"] = json!(message);
    }
    switch
}

async fn list(State(app): State<App>) -> Response {
    match listing(&app.pool).await {
        Ok(data) => success(data),
        Err(failure) => failure.into_response(),
    }
}

async fn listing(pool: &PgPool) -> Result<Value, Failure> {
    type Row = (
        String,
        String,
        String,
        Option<i32>,
        Option<String>,
        Option<chrono::DateTime<chrono::Utc>>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT system, mode, operation, delay_ms, message, until FROM brokerage_sandbox.switches
         WHERE until IS NULL OR until > now()
         ORDER BY system, mode, operation",
    )
    .fetch_all(pool)
    .await?;
    let switches: Vec<Value> = rows
        .into_iter()
        .map(|(system, mode, operation, delay_ms, message, until)| {
            describe(&system, &mode, &operation, delay_ms, message, until)
        })
        .collect();
    let operations: serde_json::Map<String, Value> = System::ALL
        .into_iter()
        .map(|s| {
            (
                s.as_str().to_owned(),
                json!(operations(s).collect::<Vec<_>>()),
            )
        })
        .collect();
    Ok(json!({"switches": switches, "operations": operations}))
}

async fn clear(
    State(app): State<App>,
    Path(name): Path<String>,
    Query(filter): Query<HashMap<String, String>>,
) -> Response {
    let cleared = async {
        let system = system(&name)?;
        let mode = filter.get("mode").map(String::as_str);
        if let Some(mode) = mode.filter(|m| !MODES.contains(m)) {
            return Err(Failure::bad(
                "E_UNKNOWN_MODE",
                format!("未知开关模式：{mode}，可选 down、slow、reject"),
            ));
        }
        let count = sqlx::query(
            "DELETE FROM brokerage_sandbox.switches
             WHERE system = $1 AND ($2::text IS NULL OR mode = $2) AND ($3::text IS NULL OR operation = $3)",
        )
        .bind(system.as_str())
        .bind(mode)
        .bind(filter.get("operation"))
        .execute(&app.pool)
        .await?
        .rows_affected();
        Ok(json!({"cleared": count}))
    };
    match cleared.await {
        Ok(data) => success(data),
        Err(failure) => failure.into_response(),
    }
}

async fn clear_all(State(app): State<App>) -> Response {
    match sqlx::query("DELETE FROM brokerage_sandbox.switches")
        .execute(&app.pool)
        .await
    {
        Ok(done) => success(json!({"cleared": done.rows_affected()})),
        Err(error) => Failure::from(error).into_response(),
    }
}
