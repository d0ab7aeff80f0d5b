//! Rendered help pages, kept in memory for anonymous readers.
//!
//! A help page changes only when an article is published, archived or restored, so its HTML is
//! rendered once, compressed once (brotli and gzip) and served from memory with an `ETag` until
//! then: a cached page costs about what a static file does. A change empties the cache of this
//! process at once and of every other replica through `NOTIFY`; a minute's freshness bounds
//! how stale the hot list (which moves with views) can get. Readers asking for a page that is
//! not kept wait for one render of it, not one each. Signed-in readers (their name is in the
//! header) are rendered each time.

use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine as _;
use http::header::{self, HeaderMap, HeaderValue};
use http::{Method, StatusCode};
use sha2::{Digest, Sha256};
use sqlx::postgres::PgListener;
use sqlx::PgPool;

use super::views::ViewTally;
use crate::i18n::{request_locale, Locale};

const CHANGED_CHANNEL: &str = "help_changed";
const FRESH_FOR: Duration = Duration::from_secs(60);
const CAPACITY_BYTES: u64 = 32 * 1024 * 1024;
/// A rendered page larger than this is served but not kept.
const LARGEST_PAGE: usize = 2 * 1024 * 1024;

#[derive(Clone)]
pub struct HelpPages {
    pages: moka::future::Cache<PageKey, Arc<Page>>,
    pub views: ViewTally,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq)]
struct PageKey {
    path_and_query: String,
    locale: Locale,
}

struct Page {
    etag: HeaderValue,
    policy: Option<HeaderValue>,
    plain: Bytes,
    brotli: Bytes,
    gzip: Bytes,
}

impl Default for HelpPages {
    fn default() -> Self {
        Self::new()
    }
}

impl HelpPages {
    pub fn new() -> Self {
        let pages = moka::future::Cache::builder()
            .max_capacity(CAPACITY_BYTES)
            .weigher(|key: &PageKey, page: &Arc<Page>| {
                let bytes = key.path_and_query.len()
                    + page.plain.len()
                    + page.brotli.len()
                    + page.gzip.len();
                u32::try_from(bytes).unwrap_or(u32::MAX)
            })
            .time_to_live(FRESH_FOR)
            .build();
        Self {
            pages,
            views: ViewTally::default(),
        }
    }

    /// Forgets every page of this process (the other replicas hear it through `NOTIFY`).
    pub fn forget_all(&self) {
        self.pages.invalidate_all();
    }

    /// Runs for the life of the process: empties the cache whenever any replica changes what
    /// readers see, and after a lost connection (a change may have gone unheard).
    pub async fn listen(self, pool: PgPool) {
        loop {
            match PgListener::connect_with(&pool).await {
                Ok(mut listener) => match listener.listen(CHANGED_CHANNEL).await {
                    Ok(()) => loop {
                        match listener.recv().await {
                            Ok(_) => self.forget_all(),
                            Err(err) => {
                                tracing::warn!(error = %err, "help change listener lost");
                                break;
                            }
                        }
                    },
                    Err(err) => tracing::warn!(error = %err, "cannot listen for help changes"),
                },
                Err(err) => tracing::warn!(error = %err, "help change listener cannot connect"),
            }
            self.forget_all();
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// Tells every replica, at commit, that published help content changed.
pub async fn announce_change(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
) -> Result<(), sqlx::Error> {
    sqlx::query!("SELECT pg_notify('help_changed', '')")
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// This process's cache forgets at once, so the editor who published sees the change.
pub fn forget_here() {
    if let Some(pages) = leptos::prelude::use_context::<HelpPages>() {
        pages.forget_all();
    }
}

/// Middleware around the page routes: serves and fills the cache for help pages, counts
/// article views, and gives every help page its script-free form.
pub async fn serve(State(pages): State<HelpPages>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if request.method() != Method::GET || !crate::document::is_static_page(path) {
        return next.run(request).await;
    }
    let cacheable = path != "/help/search" && !signed_in(request.headers());
    let slug = path.strip_prefix("/help/a/").map(str::to_owned);
    let headers = request.headers().clone();

    let mut response = if cacheable {
        let key = PageKey {
            path_and_query: request
                .uri()
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default(),
            locale: request_locale(request.headers()).unwrap_or_default(),
        };
        // A GET: its head is the whole request, so it can be asked again.
        let (head, _) = request.into_parts();
        let again = || Request::from_parts(head.clone(), Body::empty());
        // Readers missing the same page at once wait for this one render. What is not kept
        // (a 404, a redirect, a page setting a cookie) goes to this reader alone; the others
        // ask for their own.
        let mut own = None;
        let kept = pages
            .pages
            .try_get_with(key, async {
                match render(next.clone(), again()).await {
                    Rendered::Page(parts, html)
                        if !parts.headers.contains_key(header::SET_COOKIE) =>
                    {
                        let policy = parts.headers.get(header::CONTENT_SECURITY_POLICY);
                        Ok(Arc::new(Page::new(html, policy)))
                    }
                    other => {
                        own = Some(other.into_response());
                        Err(NotKept)
                    }
                }
            })
            .await;
        match (kept, own) {
            (Ok(page), _) => answer(&page, &headers),
            (Err(_), Some(own)) => own,
            (Err(_), None) => render(next, again()).await.into_response(),
        }
    } else {
        render(next, request).await.into_response()
    };
    let shown = matches!(response.status(), StatusCode::OK | StatusCode::NOT_MODIFIED);
    if let (true, Some(slug)) = (shown, slug) {
        if let Some(cookie) = pages.views.look(&headers, &slug) {
            if let Ok(cookie) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
        }
    }
    response
}

/// What the app answered for a help page.
enum Rendered {
    /// A page, read whole, without inline scripts and under the nonce-free policy.
    Page(http::response::Parts, Bytes),
    /// Anything else (a redirect, a 404), untouched.
    Other(Response),
    Unreadable,
}

async fn render(next: Next, request: Request) -> Rendered {
    let rendered = next.run(request).await;
    if rendered.status() != StatusCode::OK || !is_html(rendered.headers()) {
        return Rendered::Other(rendered);
    }
    let (mut parts, body) = rendered.into_parts();
    let Ok(html) = to_bytes(body, LARGEST_PAGE).await else {
        return Rendered::Unreadable;
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    set_static_policy(&mut parts.headers);
    Rendered::Page(parts, without_inline_scripts(&html))
}

impl Rendered {
    fn into_response(self) -> Response {
        match self {
            Self::Page(parts, html) => Response::from_parts(parts, Body::from(html)),
            Self::Other(response) => response,
            Self::Unreadable => error_page(),
        }
    }
}

/// The render was not for keeping.
#[derive(Debug)]
struct NotKept;

impl Page {
    fn new(html: Bytes, policy: Option<&HeaderValue>) -> Self {
        let digest = Sha256::digest(&html);
        let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16]);
        let etag = HeaderValue::from_str(&format!("\"{tag}\""))
            .unwrap_or_else(|_| HeaderValue::from_static("\"\""));
        Self {
            etag,
            policy: policy.map(static_policy),
            brotli: brotli(&html),
            gzip: gzip(&html),
            plain: html,
        }
    }
}

fn answer(page: &Page, request: &HeaderMap) -> Response {
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|t| t.trim().trim_start_matches("W/") == page.etag)
        });
    let (status, encoding, body) = if fresh {
        (StatusCode::NOT_MODIFIED, None, Bytes::new())
    } else {
        match preferred_encoding(request) {
            Encoding::Brotli => (StatusCode::OK, Some("br"), page.brotli.clone()),
            Encoding::Gzip => (StatusCode::OK, Some("gzip"), page.gzip.clone()),
            Encoding::Plain => (StatusCode::OK, None, page.plain.clone()),
        }
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Some(encoding) = encoding {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    headers.insert(header::ETAG, page.etag.clone());
    // Anyone may keep it; it holds nothing of an account. Asked again each time (the ETag
    // makes that cheap), so a published change shows at once.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::VARY,
        HeaderValue::from_static("accept-encoding, cookie"),
    );
    if let Some(policy) = &page.policy {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy.clone());
    }
    response
}

fn error_page() -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
}

/// A session cookie means a signed-in reader, whose header differs from everybody else's.
fn signed_in(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|pair| {
            pair.trim()
                .split_once('=')
                .is_some_and(|(name, _)| name.ends_with("desk_session"))
        })
}

fn is_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind.as_bytes().starts_with(b"text/html"))
}

enum Encoding {
    Brotli,
    Gzip,
    Plain,
}

fn preferred_encoding(request: &HeaderMap) -> Encoding {
    let accepted: Vec<String> = request
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter(|item| {
            // `q=0` refuses an encoding.
            !item.split(';').skip(1).any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            })
        })
        .filter_map(|item| item.split(';').next())
        .map(|name| name.trim().to_ascii_lowercase())
        .collect();
    if accepted.iter().any(|e| e == "br") {
        Encoding::Brotli
    } else if accepted.iter().any(|e| e == "gzip") {
        Encoding::Gzip
    } else {
        Encoding::Plain
    }
}

fn brotli(html: &[u8]) -> Bytes {
    let mut out = Vec::with_capacity(html.len() / 4);
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
        if writer.write_all(html).is_err() {
            return Bytes::new();
        }
    }
    Bytes::from(out)
}

fn gzip(html: &[u8]) -> Bytes {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    match encoder.write_all(html).and_then(|()| encoder.finish()) {
        Ok(out) => Bytes::from(out),
        Err(_) => Bytes::new(),
    }
}

/// Help pages run no script of their own but the framework still writes its resource data
/// inline: without the app's WASM nothing reads it. Dropped, the page needs no nonce and can be
/// served to many readers.
fn without_inline_scripts(html: &[u8]) -> Bytes {
    const OPEN: &[u8] = b"<script";
    const CLOSE: &[u8] = b"</script>";
    let mut out = Vec::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = find(rest, OPEN) {
        let tag_end = find(&rest[start..], b">").map(|e| start + e);
        let Some(tag_end) = tag_end else { break };
        let external = find(&rest[start..tag_end], b" src=").is_some();
        match find(&rest[tag_end..], CLOSE) {
            Some(close) if !external => {
                out.extend_from_slice(&rest[..start]);
                rest = &rest[tag_end + close + CLOSE.len()..];
            }
            _ => {
                out.extend_from_slice(&rest[..tag_end + 1]);
                rest = &rest[tag_end + 1..];
            }
        }
    }
    out.extend_from_slice(rest);
    Bytes::from(out)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The page's policy without its nonce: no inline script is left to allow.
fn static_policy(policy: &HeaderValue) -> HeaderValue {
    let text = policy.to_str().unwrap_or_default();
    let cleaned: String = text
        .split(' ')
        .filter(|part| !part.starts_with("'nonce-"))
        .collect::<Vec<_>>()
        .join(" ");
    HeaderValue::from_str(&cleaned).unwrap_or_else(|_| policy.clone())
}

fn set_static_policy(headers: &mut HeaderMap) {
    if let Some(policy) = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .map(static_policy)
    {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_go_and_external_ones_stay() {
        let html = br#"<head><script src="/help.js" defer></script></head><body><p>a</p><script nonce="x">__RESOLVED_RESOURCES=[];</script><p>b</p><script>x()</script></body>"#;
        let out = without_inline_scripts(html);
        assert_eq!(
            std::str::from_utf8(&out).unwrap_or_default(),
            r#"<head><script src="/help.js" defer></script></head><body><p>a</p><p>b</p></body>"#
        );
    }

    #[test]
    fn the_policy_loses_only_its_nonce() {
        let policy = HeaderValue::from_static("default-src 'self'; script-src 'self' 'nonce-abc' 'wasm-unsafe-eval'; style-src 'self'");
        assert_eq!(
            static_policy(&policy),
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'"
        );
    }

    #[test]
    fn encodings_follow_the_request() {
        let mut headers = HeaderMap::new();
        assert!(matches!(preferred_encoding(&headers), Encoding::Plain));
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip, deflate, br, zstd"),
        );
        assert!(matches!(preferred_encoding(&headers), Encoding::Brotli));
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("br;q=0, gzip"),
        );
        assert!(matches!(preferred_encoding(&headers), Encoding::Gzip));
    }

    #[test]
    fn only_the_session_cookie_means_signed_in() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("desk_lang=en; help_seen=0a0b0c0d"),
        );
        assert!(!signed_in(&headers));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("desk_lang=en; __Host-desk_session=abc"),
        );
        assert!(signed_in(&headers));
    }
}
