//! Refuses forged state-changing requests: a page on another site may make a signed-in browser
//! send a form or a `fetch` here, cookies included. Browsers say where such a request comes from
//! (`Sec-Fetch-Site`, else `Origin`), and a script cannot change either; a program that is no
//! browser sends neither, and may then only send JSON, which no cross-site form can produce.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;

use app::error::AppError;

/// Where the app is served from, as browsers write it in `Origin`.
#[derive(Clone, Debug, Default)]
pub struct PublicOrigin(Option<String>);

impl PublicOrigin {
    /// `origin` such as `https://desk.example.com`; without one, a request's `Origin` must name
    /// the host it was sent to.
    pub fn new(origin: Option<String>) -> Self {
        Self(origin.map(|o| o.trim_end_matches('/').to_ascii_lowercase()))
    }
}

/// The body encodings the app's own requests use: JSON (endpoints and most server functions),
/// form fields (the other server functions) and multipart (image uploads). Anything else, such
/// as the `text/plain` a cross-site form may send, is refused.
const ACCEPTED_BODIES: [&str; 3] = [
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
];

#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Sent by a page of another site, or by something that hides where it comes from.
    CrossSite,
    /// A body in an encoding none of the app's requests use.
    ContentType,
}

/// Judges one request; safe methods (reading) always pass.
pub fn judge(method: &Method, headers: &HeaderMap, origin: &PublicOrigin) -> Result<(), Refusal> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    let text = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let content_type = text(header::CONTENT_TYPE).map(|value| {
        value
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    });
    if let Some(kind) = &content_type {
        if !ACCEPTED_BODIES.contains(&kind.as_str()) {
            return Err(Refusal::ContentType);
        }
    }
    if let Some(site) = headers.get("sec-fetch-site") {
        // "none": the user asked for it (typed, bookmarked); anything else came from a page.
        return match site.as_bytes() {
            b"same-origin" | b"none" => Ok(()),
            _ => Err(Refusal::CrossSite),
        };
    }
    if let Some(sender) = text(header::ORIGIN) {
        let sender = sender.to_ascii_lowercase();
        let expected = match &origin.0 {
            Some(expected) => sender == *expected,
            None => text(header::HOST).is_some_and(|host| {
                let host = host.to_ascii_lowercase();
                sender == format!("http://{host}") || sender == format!("https://{host}")
            }),
        };
        return if expected {
            Ok(())
        } else {
            Err(Refusal::CrossSite)
        };
    }
    // No browser sent this; only JSON, which a cross-site form cannot send.
    match content_type.as_deref() {
        Some("application/json") => Ok(()),
        _ => Err(Refusal::CrossSite),
    }
}

/// The layer: a refused request is answered 403 (or 415 for its encoding) and logged with its
/// path only.
pub async fn refuse_forged(
    State(origin): State<Arc<PublicOrigin>>,
    request: Request,
    next: Next,
) -> Response {
    match judge(request.method(), request.headers(), &origin) {
        Ok(()) => next.run(request).await,
        Err(refusal) => {
            tracing::warn!(
                path = request.uri().path(),
                ?refusal,
                "refused a forged request"
            );
            let (status, error) = match refusal {
                Refusal::CrossSite => (StatusCode::FORBIDDEN, AppError::Forbidden),
                Refusal::ContentType => (
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    AppError::UnsupportedContentType,
                ),
            };
            (status, Json(error)).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn post(pairs: &[(&'static str, &'static str)], origin: &PublicOrigin) -> Result<(), Refusal> {
        judge(&Method::POST, &headers(pairs), origin)
    }

    const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");
    const JSON: (&str, &str) = ("content-type", "application/json; charset=utf-8");

    #[test]
    fn the_browser_names_the_site_a_request_comes_from() {
        let any = PublicOrigin::default();
        assert_eq!(
            post(&[FORM, ("sec-fetch-site", "same-origin")], &any),
            Ok(())
        );
        assert_eq!(post(&[FORM, ("sec-fetch-site", "none")], &any), Ok(()));
        for site in ["cross-site", "same-site", "bogus"] {
            let mut map = headers(&[FORM]);
            map.insert("sec-fetch-site", HeaderValue::from_static(site));
            assert_eq!(
                judge(&Method::POST, &map, &any),
                Err(Refusal::CrossSite),
                "{site}"
            );
        }
        // The browser's word wins over an Origin that happens to match.
        let sent = [
            FORM,
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://desk"),
            ("host", "desk"),
        ];
        assert_eq!(post(&sent, &any), Err(Refusal::CrossSite));
    }

    #[test]
    fn an_origin_must_be_the_public_one_or_the_host_asked() {
        let configured = PublicOrigin::new(Some("https://Desk.example.com/".to_owned()));
        assert_eq!(
            post(&[FORM, ("origin", "https://desk.example.com")], &configured),
            Ok(())
        );
        assert_eq!(
            post(&[FORM, ("origin", "http://desk.example.com")], &configured),
            Err(Refusal::CrossSite)
        );
        let by_host = PublicOrigin::default();
        let sent = [
            FORM,
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ];
        assert_eq!(post(&sent, &by_host), Ok(()));
        let sent = [
            FORM,
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:3000"),
        ];
        assert_eq!(post(&sent, &by_host), Err(Refusal::CrossSite));
        assert_eq!(
            post(&[FORM, ("origin", "null")], &by_host),
            Err(Refusal::CrossSite)
        );
    }

    #[test]
    fn a_program_without_browser_headers_may_only_send_json() {
        let any = PublicOrigin::default();
        assert_eq!(post(&[JSON], &any), Ok(()));
        assert_eq!(post(&[FORM], &any), Err(Refusal::CrossSite));
        assert_eq!(post(&[], &any), Err(Refusal::CrossSite));
        assert_eq!(judge(&Method::GET, &HeaderMap::new(), &any), Ok(()));
    }

    #[test]
    fn text_bodies_are_refused_whoever_sends_them() {
        let any = PublicOrigin::default();
        let sent = [
            ("content-type", "text/plain"),
            ("sec-fetch-site", "same-origin"),
        ];
        assert_eq!(post(&sent, &any), Err(Refusal::ContentType));
        assert_eq!(
            post(&[("content-type", "multipart/form-data; boundary=x")], &any),
            Err(Refusal::CrossSite)
        );
    }
}
