//! Multipart forms (files) sent from console pages to plain endpoints, which answer JSON or a
//! refusal `{error, message}` (see `rest::in_callers_language`).

use serde::de::DeserializeOwned;

use crate::error::AppError;

/// Why a plain endpoint refused: its typed error and its sentence in the page's language.
pub struct Refusal {
    pub error: Option<AppError>,
    pub message: Option<String>,
}

/// The endpoint's answer, its refusal, or `None` when no answer came at all.
pub async fn post_form<T: DeserializeOwned>(
    url: &str,
    form: web_sys::FormData,
) -> Result<T, Option<Refusal>> {
    let reply = gloo_net::http::Request::post(url)
        .body(form)
        .map_err(|_| None)?
        .send()
        .await
        .map_err(|_| None)?;
    if reply.ok() {
        return reply.json::<T>().await.map_err(|_| None);
    }
    let refusal: serde_json::Value = reply.json().await.map_err(|_| None)?;
    Err(Some(Refusal {
        error: serde_json::from_value(refusal["error"].clone()).ok(),
        message: refusal["message"].as_str().map(str::to_owned),
    }))
}
