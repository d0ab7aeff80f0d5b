//! Running a job: each step of its recipe rendered, sent, checked and logged in turn, resuming
//! where the job stands (a retry from the failed step starts there, with the values earlier
//! steps extracted). Progress is written after every call, so a worker that dies loses at most
//! the call in flight.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};
use sqlx::PgPool;

use super::params::{ParamKind, ParamValue, Params};
use super::recipe::{Recipe, Step};
use super::redact::Redactor;
use super::store::{self, NewCall};
use super::{template, CallOutcome, System};
use crate::error::AppError;

/// A test environment as a run uses it: its credentials opened.
#[derive(Debug, Clone)]
pub struct Target {
    pub id: i64,
    pub name: String,
    pub base_urls: BTreeMap<System, String>,
    pub secrets: BTreeMap<String, String>,
    pub concurrency: i32,
}

/// A job a worker has taken.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub recipe: Recipe,
    pub target: Target,
    pub params: Params,
    pub next_step: usize,
    pub next_item: usize,
    pub vars: Map<String, Value>,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Ending {
    Success(Vec<(String, String)>),
    Failed {
        step: String,
        reason: String,
    },
    Cancelled,
    /// Another worker holds the job now (this one stalled past its lease): stop writing.
    Lost,
}

/// The most of a request or response body a log keeps.
const EXCERPT_CHARS: usize = 2_000;
/// The most of a response body read at all.
const MAX_RESPONSE_BYTES: usize = 1 << 20;

fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

/// Everything the job's log must not show, for this job.
pub fn redactor(job: &Claimed) -> Redactor {
    let mut redactor = Redactor::default();
    for secret in job.target.secrets.values() {
        redactor.secret(secret);
    }
    for spec in job.recipe.identity_params() {
        let value = job
            .params
            .get(&spec.name)
            .map(ParamValue::text)
            .unwrap_or_default();
        match spec.kind {
            ParamKind::IdNumber => redactor.id_number(value),
            _ => redactor.name(value),
        }
    }
    for extract in job.recipe.steps.iter().flat_map(|s| &s.extract) {
        if extract.secret {
            hide_extracted(&mut redactor, job.vars.get(&extract.name));
        }
    }
    redactor
}

fn hide_extracted(redactor: &mut Redactor, value: Option<&Value>) {
    match value {
        Some(Value::String(text)) => redactor.secret(text),
        Some(Value::Array(items)) => items.iter().for_each(|i| hide_extracted(redactor, Some(i))),
        Some(other) => redactor.secret(&other.to_string()),
        None => {}
    }
}

/// The values templates see.
pub fn context(job: &Claimed, item: Option<(&Value, usize)>) -> Value {
    let today = crate::time::shanghai_today().format("%Y%m%d").to_string();
    let mut context = json!({
        "params": job.params,
        "vars": job.vars,
        "secrets": job.target.secrets,
        "job": { "id": job.id, "today": today },
    });
    if let (Some((item, index)), Some(map)) = (item, context.as_object_mut()) {
        map.insert("item".into(), item.clone());
        map.insert("loop_index".into(), json!(index));
    }
    context
}

/// A request as rendered from its step.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl Request {
    pub fn render(step: &Step, target: &Target, context: &Value) -> Result<Self, String> {
        let base = target
            .base_urls
            .get(&step.system)
            .ok_or_else(|| format!("目标环境没有 {} 系统的地址", step.system.as_str()))?;
        let path = template::render(&step.path, context)?;
        let headers = step
            .headers
            .iter()
            .map(|(name, value)| Ok((name.clone(), template::render(value, context)?)))
            .collect::<Result<Vec<_>, String>>()?;
        let body = match &step.body {
            Some(body) => {
                let body = template::render(body, context)?;
                serde_json::from_str::<Value>(&body)
                    .map_err(|e| format!("请求体不是合法的 JSON：{e}"))?;
                Some(body)
            }
            None => None,
        };
        Ok(Self {
            method: step.method.as_str(),
            url: format!("{}{path}", base.trim_end_matches('/')),
            headers,
            body,
        })
    }

    /// The request as the log shows it (before redaction).
    fn describe(&self) -> String {
        let mut text = String::new();
        for (name, value) in &self.headers {
            text.push_str(&format!("{name}: {value}\n"));
        }
        if let Some(body) = &self.body {
            text.push('\n');
            text.push_str(body);
        }
        excerpt(&text)
    }
}

/// What one attempt at a call came back with.
enum Answer {
    Response {
        status: u16,
        body: String,
    },
    /// No answer: refused, reset, or too slow.
    Unreachable(String),
}

async fn send(http: &reqwest::Client, request: &Request, timeout: Duration) -> Answer {
    let method =
        reqwest::Method::from_bytes(request.method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let mut builder = http.request(method, &request.url).timeout(timeout);
    for (name, value) in &request.headers {
        builder = builder.header(name, value);
    }
    if let Some(body) = &request.body {
        builder = builder
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.clone());
    }
    let response = match builder.send().await {
        Ok(response) => response,
        Err(error) if error.is_timeout() => {
            return Answer::Unreachable(format!("超过 {} 毫秒没有响应", timeout.as_millis()))
        }
        Err(error) => return Answer::Unreachable(format!("连接失败：{}", root_cause(&error))),
    };
    let status = response.status().as_u16();
    let mut body = Vec::new();
    let mut response = response;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) if body.len() + chunk.len() <= MAX_RESPONSE_BYTES => {
                body.extend_from_slice(&chunk)
            }
            Ok(Some(_)) | Ok(None) => break,
            Err(error) if error.is_timeout() => {
                return Answer::Unreachable(format!("超过 {} 毫秒没有响应", timeout.as_millis()))
            }
            Err(error) => return Answer::Unreachable(format!("响应中断：{}", root_cause(&error))),
        }
    }
    Answer::Response {
        status,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// What a redeploying environment answers: worth another attempt.
fn passing(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// The business reason in a refusal's body (`code` and `message`), else its status.
fn refusal(status: u16, body: &str) -> String {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let field = |name: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(name))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    match (field("code"), field("message")) {
        (Some(code), Some(message)) => format!("HTTP {status} {code}：{message}"),
        (None, Some(message)) => format!("HTTP {status}：{message}"),
        _ => format!(
            "HTTP {status}：{}",
            excerpt(body).chars().take(200).collect::<String>()
        ),
    }
}

/// The JSON value at `pointer` as a template sees it and as an assertion compares it.
fn as_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Checks a response against the step: its status, assertions and extractions.
fn check(step: &Step, status: u16, body: &str) -> Result<Vec<(String, Value, bool)>, String> {
    if !step.expect_status.contains(&status) {
        return Err(refusal(status, body));
    }
    if step.assert.is_empty() && step.extract.is_empty() {
        return Ok(Vec::new());
    }
    let json: Value =
        serde_json::from_str(body).map_err(|_| format!("HTTP {status}：响应不是 JSON"))?;
    for assertion in &step.assert {
        let found = json.pointer(&assertion.pointer).map(as_text);
        if found.as_deref() != Some(assertion.equals.as_str()) {
            return Err(format!(
                "断言失败：{} 应为 {}，实际为 {}",
                assertion.pointer,
                assertion.equals,
                found.unwrap_or_else(|| "（无）".into())
            ));
        }
    }
    step.extract
        .iter()
        .map(|extract| {
            json.pointer(&extract.pointer)
                .map(|value| (extract.name.clone(), value.clone(), extract.secret))
                .ok_or_else(|| format!("响应中没有 {}", extract.pointer))
        })
        .collect()
}

/// The worker side of a run: where to write, and whether to stop.
pub struct Runner<'a> {
    pub pool: &'a PgPool,
    pub http: &'a reqwest::Client,
    pub worker: &'a str,
    /// Set when the job is to stop (cancelled, or its lease lost).
    pub stop: &'a AtomicBool,
}

impl Runner<'_> {
    /// Runs `job` from where it stands to its end.
    pub async fn run(&self, mut job: Claimed) -> Result<Ending, AppError> {
        let mut redactor = redactor(&job);
        while job.next_step < job.recipe.steps.len() {
            let step = job.recipe.steps[job.next_step].clone();
            let base = context(&job, None);
            if let Some(when) = &step.when {
                let go = template::evaluate(when, &base).map_err(|e| format!("when：{e}"));
                match go {
                    Ok(go) if !go.is_true() => {
                        self.log_skip(&job, &step).await?;
                        let next = job.next_step + 1;
                        if !self.advance(&mut job, next, 0).await? {
                            return self.halted(&job).await;
                        }
                        continue;
                    }
                    Ok(_) => {}
                    Err(reason) => return self.fail(&job, &step, reason).await,
                }
            }
            let items: Option<Vec<Value>> = match &step.each {
                None => None,
                Some(each) => match template::evaluate(each, &base) {
                    Ok(list) => Some(
                        serde_json::to_value(&list)
                            .ok()
                            .and_then(|v| v.as_array().cloned())
                            .unwrap_or_default(),
                    ),
                    Err(e) => return self.fail(&job, &step, format!("each：{e}")).await,
                },
            };
            let rounds = items.as_ref().map_or(1, Vec::len);
            let index = job.next_step;
            while job.next_step == index && job.next_item < rounds {
                let item = items
                    .as_ref()
                    .map(|items| (&items[job.next_item], job.next_item));
                let context = context(&job, item);
                match self
                    .call(&job, &step, item.map(|i| i.1), &context, &mut redactor)
                    .await?
                {
                    Call::Done(extracted) => {
                        for (name, value, _) in extracted {
                            store_value(&mut job.vars, &name, value, step.each.is_some());
                        }
                        let next = if job.next_item + 1 < rounds {
                            (index, job.next_item + 1)
                        } else {
                            (index + 1, 0)
                        };
                        if !self.advance(&mut job, next.0, next.1).await? {
                            return self.halted(&job).await;
                        }
                    }
                    Call::Failed(reason) => return self.fail(&job, &step, reason).await,
                    Call::Stopped => return self.halted(&job).await,
                }
            }
            // An empty list (no bank chosen, say): nothing to call.
            if job.next_step == index && !self.advance(&mut job, index + 1, 0).await? {
                return self.halted(&job).await;
            }
        }
        let context = context(&job, None);
        let result = job
            .recipe
            .result
            .iter()
            .map(|field| {
                let value =
                    template::render(&field.value, &context).unwrap_or_else(|e| format!("（{e}）"));
                (field.name.clone(), redactor.apply(&value))
            })
            .collect::<Vec<_>>();
        if store::finish_success(self.pool, job.id, self.worker, &result).await? {
            Ok(Ending::Success(result))
        } else {
            Ok(Ending::Lost)
        }
    }

    /// One call of a step with its retries, each attempt logged.
    async fn call(
        &self,
        job: &Claimed,
        step: &Step,
        item: Option<usize>,
        context: &Value,
        redactor: &mut Redactor,
    ) -> Result<Call, AppError> {
        let request = match Request::render(step, &job.target, context) {
            Ok(request) => request,
            Err(reason) => return Ok(Call::Failed(format!("模板错误：{reason}"))),
        };
        let timeout = Duration::from_millis(step.timeout_ms);
        let mut attempt = 1;
        loop {
            let started = Instant::now();
            let at = chrono::Utc::now();
            let answer = send(self.http, &request, timeout).await;
            let took_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
            let (status, body, verdict) = match answer {
                Answer::Unreachable(reason) => (None, String::new(), Err((reason, true))),
                Answer::Response { status, body } => {
                    let verdict = if passing(status) && !step.expect_status.contains(&status) {
                        Err((refusal(status, &body), true))
                    } else {
                        check(step, status, &body).map_err(|reason| (reason, false))
                    };
                    (Some(status), body, verdict)
                }
            };
            if let Ok(extracted) = &verdict {
                for (_, value, secret) in extracted {
                    if *secret {
                        hide_extracted(redactor, Some(value));
                    }
                }
            }
            let retry = matches!(&verdict, Err((_, true))) && attempt < step.retry.attempts;
            let outcome = match &verdict {
                Ok(_) => CallOutcome::Ok,
                Err(_) if retry => CallOutcome::Retrying,
                Err(_) => CallOutcome::Failed,
            };
            let extracted = match &verdict {
                Ok(values) => values
                    .iter()
                    .map(|(name, value, _)| (name.clone(), redactor.apply(&as_text(value))))
                    .collect(),
                Err(_) => Vec::new(),
            };
            let error = verdict
                .as_ref()
                .err()
                .map(|(reason, _)| redactor.apply(reason));
            store::log_call(
                self.pool,
                &NewCall {
                    job_id: job.id,
                    step_index: job.next_step as i32,
                    item_index: item.map(|i| i as i32),
                    name: &step.name,
                    system: step.system,
                    method: request.method,
                    url: &redactor.apply(&request.url),
                    request: &redactor.apply(&request.describe()),
                    attempt: attempt as i32,
                    status: status.map(i32::from),
                    response: &redactor.apply(&excerpt(&body)),
                    extracted: &extracted,
                    outcome,
                    error: error.as_deref(),
                    at,
                    took_ms,
                },
            )
            .await?;
            match verdict {
                Ok(values) => return Ok(Call::Done(values)),
                Err((reason, _)) if !retry => {
                    let reason = if attempt > 1 {
                        format!("重试 {attempt} 次后仍失败：{reason}")
                    } else {
                        reason
                    };
                    return Ok(Call::Failed(redactor.apply(&reason)));
                }
                Err(_) => {
                    if self.pause(step.retry.backoff(attempt)).await {
                        return Ok(Call::Stopped);
                    }
                    attempt += 1;
                }
            }
        }
    }

    /// Waits, waking early when the job is to stop; answers whether it is.
    async fn pause(&self, wait: Duration) -> bool {
        let until = Instant::now() + wait;
        while Instant::now() < until {
            if self.stop.load(Ordering::Relaxed) {
                return true;
            }
            tokio::time::sleep(
                until
                    .saturating_duration_since(Instant::now())
                    .min(Duration::from_millis(200)),
            )
            .await;
        }
        self.stop.load(Ordering::Relaxed)
    }

    /// Records progress; answers whether to go on.
    async fn advance(&self, job: &mut Claimed, step: usize, item: usize) -> Result<bool, AppError> {
        job.next_step = step;
        job.next_item = item;
        let going = store::advance(self.pool, job.id, self.worker, step, item, &job.vars).await?;
        Ok(going && !self.stop.load(Ordering::Relaxed))
    }

    async fn log_skip(&self, job: &Claimed, step: &Step) -> Result<(), AppError> {
        store::log_call(
            self.pool,
            &NewCall {
                job_id: job.id,
                step_index: job.next_step as i32,
                item_index: None,
                name: &step.name,
                system: step.system,
                method: step.method.as_str(),
                url: "",
                request: "",
                attempt: 1,
                status: None,
                response: "",
                extracted: &[],
                outcome: CallOutcome::Skipped,
                error: None,
                at: chrono::Utc::now(),
                took_ms: 0,
            },
        )
        .await
    }

    async fn fail(&self, job: &Claimed, step: &Step, reason: String) -> Result<Ending, AppError> {
        if store::finish_failed(self.pool, job.id, self.worker, &step.name, &reason).await? {
            Ok(Ending::Failed {
                step: step.name.clone(),
                reason,
            })
        } else {
            Ok(Ending::Lost)
        }
    }

    /// Stopped between calls: cancelled if that was asked, else the job is another's now.
    async fn halted(&self, job: &Claimed) -> Result<Ending, AppError> {
        if store::finish_cancelled(self.pool, job.id, self.worker).await? {
            Ok(Ending::Cancelled)
        } else {
            Ok(Ending::Lost)
        }
    }
}

enum Call {
    Done(Vec<(String, Value, bool)>),
    Failed(String),
    Stopped,
}

/// Keeps an extracted value for later steps; in a loop, each round's value joins a list.
fn store_value(vars: &mut Map<String, Value>, name: &str, value: Value, looping: bool) {
    if !looping {
        vars.insert(name.to_owned(), value);
        return;
    }
    match vars.get_mut(name) {
        Some(Value::Array(list)) => list.push(value),
        _ => {
            vars.insert(name.to_owned(), Value::Array(vec![value]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_reads_the_business_reason() {
        assert_eq!(
            refusal(422, r#"{"code":"E_REJECTED","message":"银行卡状态异常"}"#),
            "HTTP 422 E_REJECTED：银行卡状态异常"
        );
        assert_eq!(refusal(500, "boom"), "HTTP 500：boom");
    }

    #[test]
    fn values_extracted_in_a_loop_become_a_list() {
        let mut vars = Map::new();
        store_value(&mut vars, "card", json!("1"), true);
        store_value(&mut vars, "card", json!("2"), true);
        store_value(&mut vars, "token", json!("t"), false);
        assert_eq!(vars["card"], json!(["1", "2"]));
        assert_eq!(vars["token"], json!("t"));
    }

    #[test]
    fn excerpts_cut_on_a_character() {
        let long = "账".repeat(EXCERPT_CHARS + 5);
        assert_eq!(excerpt(&long).chars().count(), EXCERPT_CHARS + 1);
    }
}
