//! The envelope every answer shares, the failures a handler answers with, and the reading of
//! request bodies with Chinese messages for what is missing or malformed.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

/// A request refused: its HTTP status, a stable code and a reason in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl Failure {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    /// Malformed input (400).
    pub fn bad(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// A business rule refuses the request (422).
    pub fn rule(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "E_NOT_FOUND", message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "E_INTERNAL",
            "沙箱内部错误，请稍后重试",
        )
    }

    pub fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({"code": self.code, "message": self.message})),
        )
            .into_response()
    }
}

impl From<sqlx::Error> for Failure {
    fn from(error: sqlx::Error) -> Self {
        tracing::error!(%error, "brokerage sandbox: database error");
        Self::internal()
    }
}

pub(crate) type Outcome = Result<Value, Failure>;

/// The success envelope.
pub(crate) fn success(data: Value) -> Response {
    (
        StatusCode::OK,
        Json(json!({"code": "0", "message": "成功", "data": data})),
    )
        .into_response()
}

/// A request's JSON object body; an empty body reads as `{}`.
pub(crate) struct Body(Map<String, Value>);

impl Body {
    pub fn parse(bytes: &[u8]) -> Result<Self, Failure> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(Map::new()));
        }
        match serde_json::from_slice::<Value>(bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(Failure::bad("E_BAD_REQUEST", "请求体须为 JSON 对象")),
            Err(error) => Err(Failure::bad(
                "E_BAD_REQUEST",
                format!(
                    "请求体不是有效的 JSON（第 {} 行第 {} 列）",
                    error.line(),
                    error.column()
                ),
            )),
        }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    /// A required text field, trimmed, not empty.
    pub fn text(&self, key: &str) -> Result<String, Failure> {
        self.opt_text(key)?
            .ok_or_else(|| Failure::bad("E_MISSING_FIELD", format!("缺少字段 {key}")))
    }

    /// An optional text field, trimmed; empty reads as absent. At most 200 characters.
    pub fn opt_text(&self, key: &str) -> Result<Option<String>, Failure> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(text)) => {
                let text = text.trim();
                if text.chars().count() > 200 {
                    Err(Failure::bad(
                        "E_BAD_FIELD",
                        format!("字段 {key} 过长（最多 200 个字符）"),
                    ))
                } else if text.chars().any(char::is_control) {
                    Err(Failure::bad(
                        "E_BAD_FIELD",
                        format!("字段 {key} 含有控制字符"),
                    ))
                } else {
                    Ok((!text.is_empty()).then(|| text.to_owned()))
                }
            }
            Some(_) => Err(Failure::bad(
                "E_BAD_FIELD",
                format!("字段 {key} 须为字符串"),
            )),
        }
    }

    pub fn flag(&self, key: &str) -> Result<Option<bool>, Failure> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(_) => Err(Failure::bad(
                "E_BAD_FIELD",
                format!("字段 {key} 须为 true 或 false"),
            )),
        }
    }

    /// A list of texts; absent reads as empty.
    pub fn texts(&self, key: &str) -> Result<Vec<String>, Failure> {
        let wrong = || Failure::bad("E_BAD_FIELD", format!("字段 {key} 须为字符串数组"));
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) if items.len() <= 50 => items
                .iter()
                .map(|item| item.as_str().map(|s| s.trim().to_owned()).ok_or_else(wrong))
                .collect(),
            Some(_) => Err(wrong()),
        }
    }

    /// The field as a JSON value, for what is stored as given (an array of objects).
    pub fn value(&self, key: &str) -> Option<Value> {
        self.get(key).cloned()
    }

    /// An amount of yuan, as a string ("100000.00") or a number, in cents.
    pub fn money(&self, key: &str) -> Result<Option<i64>, Failure> {
        let text = match self.get(key) {
            None => return Ok(None),
            Some(Value::String(text)) => text.trim().to_owned(),
            Some(Value::Number(number)) => number.to_string(),
            Some(_) => {
                return Err(Failure::bad(
                    "E_BAD_AMOUNT",
                    format!("字段 {key} 须为金额，如 \"100000.00\""),
                ))
            }
        };
        crate::check::cents(&text).map(Some).ok_or_else(|| {
            Failure::bad(
                "E_BAD_AMOUNT",
                format!("字段 {key} 须为不超过两位小数的非负金额，如 \"100000.00\""),
            )
        })
    }
}
