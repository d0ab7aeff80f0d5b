//! A stand-in for the WeCom API on loopback. It records every request (path, credential,
//! body, time of arrival) and answers as a test tells it: an errcode, an HTTP error, a delay,
//! a body that is not JSON, or an expired access token. Robot webhooks, `gettoken` and
//! application messages are served; anything not scripted is answered `errcode 0`.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Which endpoint a request reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    Robot,
    Token,
    AppMessage,
}

/// One request as it arrived.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Recorded {
    pub endpoint: Endpoint,
    /// The robot key, or the access token of an application message.
    pub credential: String,
    pub body: Value,
    /// When it arrived, in milliseconds since the epoch, by the mock's clock.
    pub at_ms: i64,
}

/// An answer a test scripts for the next request to one credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scripted {
    Errcode(i64),
    Http(u16),
    /// Wait this long, then answer `errcode 0`.
    DelayMs(u64),
    NotJson,
}

/// Where the mock's time comes from: a test moving its clock forward shares it here.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

#[derive(Default)]
struct Script {
    requests: Vec<Recorded>,
    answers: HashMap<String, VecDeque<Scripted>>,
    tokens_issued: u32,
    expired: HashSet<String>,
}

#[derive(Clone)]
struct Shared {
    script: Arc<Mutex<Script>>,
    clock: Clock,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Script> {
        self.script
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A running mock.
#[derive(Clone)]
pub struct WeComMock {
    pub base_url: String,
    shared: Shared,
}

fn system_ms() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl WeComMock {
    /// Starts on a free loopback port, timing arrivals by the system clock.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with_clock(Arc::new(system_ms)).await
    }

    /// Starts on `address` (`127.0.0.1:3190`, say), timing arrivals by the system clock.
    pub async fn start_at(address: &str) -> std::io::Result<Self> {
        Self::serve(address, Arc::new(system_ms)).await
    }

    pub async fn start_with_clock(clock: Clock) -> std::io::Result<Self> {
        Self::serve("127.0.0.1:0", clock).await
    }

    async fn serve(address: &str, clock: Clock) -> std::io::Result<Self> {
        let shared = Shared {
            script: Arc::default(),
            clock,
        };
        let listener = tokio::net::TcpListener::bind(address).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let app = router(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { base_url, shared })
    }

    /// Queues `answer` for the next request with `credential` (a robot key, or `"app"` for
    /// application messages).
    pub fn answer_next(&self, credential: &str, answer: Scripted) {
        self.shared
            .lock()
            .answers
            .entry(credential.to_owned())
            .or_default()
            .push_back(answer);
    }

    /// Every access token issued so far is refused from now on (`42001`).
    pub fn expire_tokens(&self) {
        let mut script = self.shared.lock();
        let issued: Vec<String> = (1..=script.tokens_issued).map(token_name).collect();
        script.expired.extend(issued);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.lock().requests.clone()
    }

    /// Requests to one endpoint.
    pub fn requests_to(&self, endpoint: Endpoint) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.endpoint == endpoint)
            .collect()
    }
}

fn token_name(n: u32) -> String {
    format!("mock-token-{n}")
}

fn router(shared: Shared) -> Router {
    Router::new()
        .route("/cgi-bin/webhook/send", post(robot))
        .route("/cgi-bin/gettoken", get(token))
        .route("/cgi-bin/message/send", post(app_message))
        .route("/_mock/requests", get(list))
        .route("/_mock/answer", post(script_answer))
        .with_state(shared)
}

#[derive(Deserialize)]
struct Credentials {
    key: Option<String>,
    access_token: Option<String>,
}

fn ok() -> Response {
    Json(json!({"errcode": 0, "errmsg": "ok"})).into_response()
}

fn record(shared: &Shared, endpoint: Endpoint, credential: &str, body: Value) {
    let at_ms = (shared.clock)();
    shared.lock().requests.push(Recorded {
        endpoint,
        credential: credential.to_owned(),
        body,
        at_ms,
    });
}

async fn answer(shared: &Shared, credential: &str) -> Response {
    let next = shared
        .lock()
        .answers
        .get_mut(credential)
        .and_then(VecDeque::pop_front);
    match next {
        None => ok(),
        Some(Scripted::Errcode(code)) => {
            Json(json!({"errcode": code, "errmsg": format!("mock error {code}")})).into_response()
        }
        Some(Scripted::Http(status)) => (
            StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "mock failure",
        )
            .into_response(),
        Some(Scripted::DelayMs(ms)) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            ok()
        }
        Some(Scripted::NotJson) => "<html>gateway</html>".into_response(),
    }
}

async fn robot(
    State(shared): State<Shared>,
    Query(query): Query<Credentials>,
    Json(body): Json<Value>,
) -> Response {
    let key = query.key.unwrap_or_default();
    record(&shared, Endpoint::Robot, &key, body);
    answer(&shared, &key).await
}

async fn token(State(shared): State<Shared>) -> Response {
    record(&shared, Endpoint::Token, "", Value::Null);
    let issued = {
        let mut script = shared.lock();
        script.tokens_issued += 1;
        token_name(script.tokens_issued)
    };
    Json(json!({"errcode": 0, "errmsg": "ok", "access_token": issued, "expires_in": 7200}))
        .into_response()
}

async fn app_message(
    State(shared): State<Shared>,
    Query(query): Query<Credentials>,
    Json(body): Json<Value>,
) -> Response {
    let token = query.access_token.unwrap_or_default();
    record(&shared, Endpoint::AppMessage, &token, body);
    if shared.lock().expired.contains(&token) {
        return Json(json!({"errcode": 42001, "errmsg": "access_token expired"})).into_response();
    }
    answer(&shared, "app").await
}

async fn list(State(shared): State<Shared>) -> Json<Vec<Recorded>> {
    Json(shared.lock().requests.clone())
}

#[derive(Deserialize)]
struct ScriptRequest {
    credential: String,
    answer: Scripted,
}

async fn script_answer(
    State(shared): State<Shared>,
    Json(request): Json<ScriptRequest>,
) -> StatusCode {
    shared
        .lock()
        .answers
        .entry(request.credential)
        .or_default()
        .push_back(request.answer);
    StatusCode::NO_CONTENT
}
