//! The WeCom HTTP API: group robot webhooks, the application's access token and its
//! messages. Answers are sorted into what the worker does next. Keys, secrets and tokens are
//! in URLs: no error text here ever includes a URL.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

/// WeCom's public address; tests point the worker at a local mock instead.
pub const DEFAULT_BASE_URL: &str = "https://qyapi.weixin.qq.com";

/// What an attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Delivered,
    /// `45009`: the robot or application is over its limit; wait at least a minute.
    RateLimited,
    /// `42001`/`40014`: the access token expired or is not valid; get a new one.
    TokenExpired,
    /// Worth another try later: `-1` (busy), a timeout, a 5xx, an answer that is not WeCom's.
    Retry(String),
    /// Will never succeed as it is: invalid webhook, bad message type or parameter, unknown
    /// user, or any other error code.
    Permanent(String),
}

impl Answer {
    /// The errcode and errmsg shown to an admin after a test message.
    pub fn describe(&self) -> (Option<i64>, String) {
        match self {
            Self::Delivered => (Some(0), "ok".to_owned()),
            Self::RateLimited => (Some(45009), "rate limited".to_owned()),
            Self::TokenExpired => (Some(42001), "access token expired".to_owned()),
            Self::Retry(why) | Self::Permanent(why) => (errcode_in(why), why.clone()),
        }
    }
}

fn errcode_in(text: &str) -> Option<i64> {
    text.strip_prefix("errcode ")?
        .split(|c: char| !(c.is_ascii_digit() || c == '-'))
        .next()?
        .parse()
        .ok()
}

#[derive(Debug, Deserialize)]
struct Reply {
    errcode: Option<i64>,
    errmsg: Option<String>,
    access_token: Option<String>,
    expires_in: Option<i64>,
}

fn sort(status: reqwest::StatusCode, body: &[u8]) -> Result<Reply, Answer> {
    if !status.is_success() {
        return Err(Answer::Retry(format!("HTTP {}", status.as_u16())));
    }
    let reply: Reply = serde_json::from_slice(body)
        .map_err(|_| Answer::Retry("answer is not WeCom's JSON".to_owned()))?;
    let why = || {
        format!(
            "errcode {} {}",
            reply.errcode.unwrap_or_default(),
            reply.errmsg.as_deref().unwrap_or_default()
        )
    };
    match reply.errcode {
        Some(0) => Ok(reply),
        None => Err(Answer::Retry("answer without errcode".to_owned())),
        Some(45009) => Err(Answer::RateLimited),
        Some(42001 | 40014) => Err(Answer::TokenExpired),
        Some(-1) => Err(Answer::Retry(why())),
        Some(_) => Err(Answer::Permanent(why())),
    }
}

/// A client of one WeCom address.
#[derive(Debug, Clone)]
pub struct WeCom {
    http: reqwest::Client,
    base: String,
}

impl WeCom {
    pub fn new(base: &str, timeout: Duration) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
        })
    }

    async fn post(
        &self,
        path: &str,
        query: &[(&str, &str)],
        payload: &Value,
    ) -> Result<Reply, Answer> {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .query(query)
            .json(payload)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(transport)?;
        sort(status, &body)
    }

    /// Sends a group robot message.
    pub async fn robot(&self, key: &str, payload: &Value) -> Answer {
        match self
            .post("/cgi-bin/webhook/send", &[("key", key)], payload)
            .await
        {
            Ok(_) => Answer::Delivered,
            Err(answer) => answer,
        }
    }

    /// A new access token and how many seconds it lives.
    pub async fn token(&self, corp_id: &str, secret: &str) -> Result<(String, i64), Answer> {
        let response = self
            .http
            .get(format!("{}/cgi-bin/gettoken", self.base))
            .query(&[("corpid", corp_id), ("corpsecret", secret)])
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(transport)?;
        let reply = sort(status, &body)?;
        match (reply.access_token, reply.expires_in) {
            (Some(token), Some(expires_in)) if !token.is_empty() => Ok((token, expires_in)),
            _ => Err(Answer::Retry("token answer without a token".to_owned())),
        }
    }

    /// Sends an application message with `token`.
    pub async fn app_message(&self, token: &str, payload: &Value) -> Answer {
        match self
            .post("/cgi-bin/message/send", &[("access_token", token)], payload)
            .await
        {
            Ok(_) => Answer::Delivered,
            Err(answer) => answer,
        }
    }
}

/// A failure to reach WeCom, described without its URL (which holds the key or token).
fn transport(error: reqwest::Error) -> Answer {
    let error = error.without_url();
    let what = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "could not connect".to_owned()
    } else {
        error.to_string()
    };
    Answer::Retry(what)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        match sort(
            reqwest::StatusCode::from_u16(status).unwrap_or_default(),
            body.as_bytes(),
        ) {
            Ok(_) => Answer::Delivered,
            Err(answer) => answer,
        }
    }

    #[test]
    fn wecom_answers_are_sorted_by_what_comes_next() {
        assert_eq!(
            answer(200, r#"{"errcode":0,"errmsg":"ok"}"#),
            Answer::Delivered
        );
        assert_eq!(
            answer(200, r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#),
            Answer::RateLimited
        );
        assert_eq!(
            answer(200, r#"{"errcode":42001,"errmsg":"expired"}"#),
            Answer::TokenExpired
        );
        assert_eq!(
            answer(200, r#"{"errcode":40014,"errmsg":"invalid"}"#),
            Answer::TokenExpired
        );
        assert!(matches!(
            answer(200, r#"{"errcode":-1,"errmsg":"busy"}"#),
            Answer::Retry(_)
        ));
        for code in [93000, 40008, 40058, 81013] {
            let body = format!(r#"{{"errcode":{code},"errmsg":"no"}}"#);
            assert!(matches!(answer(200, &body), Answer::Permanent(_)), "{code}");
        }
        assert!(matches!(answer(502, "bad gateway"), Answer::Retry(_)));
        assert!(matches!(answer(200, "<html>"), Answer::Retry(_)));
        let (code, _) =
            answer(200, r#"{"errcode":93000,"errmsg":"invalid webhook url"}"#).describe();
        assert_eq!(code, Some(93000));
    }
}
