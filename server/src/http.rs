//! The HTTP surface: Leptos pages and server functions, static assets, health checks, and the
//! layers every request passes (sessions, request ids, logs, body limits).

use std::path::Path;
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderName, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use sqlx::PgPool;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::PostgresStore;

use app::app::App;
use app::attachments::media::Media;
use app::document::shell;
use app::error::AppError;
use app::help::cache::{self as help_cache, HelpPages};
use app::incidents::live::Activity;
use app::notifications::delivery::Deliverer;
use app::reporter::PhoneApp;
use app::rest::Routes;

use crate::client_address::{self, TrustedProxies};
use crate::forgery::{self, PublicOrigin};

/// Largest request body accepted by pages, server functions and JSON endpoints; image uploads
/// have their own, larger limit.
const BODY_LIMIT: usize = 1024 * 1024;
const SESSION_COOKIE: &str = "desk_session";
/// Over HTTPS: a cookie by this name is only ever set by this host, for every path, `Secure`.
const SECURE_SESSION_COOKIE: &str = "__Host-desk_session";

#[derive(Clone, axum::extract::FromRef)]
pub struct AppState {
    pub pool: PgPool,
    pub leptos_options: LeptosOptions,
    pub media: Media,
    pub activity: Activity,
    /// Sends the notification outbox; server functions use it for an admin's test message.
    pub notifier: Deliverer,
    /// Rendered help pages and the article views not yet written.
    pub help_pages: HelpPages,
    /// The business databases monitoring rules read, and how.
    pub monitoring: app::monitor::schedule::Monitoring,
}

pub struct Settings {
    /// Served over HTTPS: `Secure` cookies and HSTS.
    pub cookie_secure: bool,
    pub public_origin: PublicOrigin,
    pub trusted_proxies: TrustedProxies,
    /// Identity reveals an hour by one user past which an alert is raised.
    pub reveal_alert_per_hour: u32,
}

pub fn session_layer(
    store: PostgresStore,
    settings: &Settings,
) -> SessionManagerLayer<PostgresStore> {
    SessionManagerLayer::new(store)
        .with_name(if settings.cookie_secure {
            SECURE_SESSION_COOKIE
        } else {
            SESSION_COOKIE
        })
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(settings.cookie_secure)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::days(7),
        ))
}

pub fn router(
    state: AppState,
    sessions: SessionManagerLayer<PostgresStore>,
    settings: &Settings,
) -> Router {
    let options = state.leptos_options.clone();
    let pool = state.pool.clone();
    let threshold = app::reveals::AlertThreshold(settings.reveal_alert_per_hour);
    let notifier = state.notifier.clone();
    let help_pages = state.help_pages.clone();
    let monitoring = state.monitoring.clone();
    let context = move || {
        provide_context(pool.clone());
        provide_context(threshold);
        provide_context(notifier.clone());
        provide_context(help_pages.clone());
        provide_context(monitoring.clone());
    };

    let render_options = options.clone();
    let render_not_found =
        leptos_axum::render_app_to_stream_with_context(context.clone(), move || {
            shell(render_options.clone())
        });
    let site_root = Path::new(options.site_root.as_ref()).to_owned();
    let pkg_dir = site_root.join(options.site_pkg_dir.as_ref());
    let phone_pkg_dir = Path::new(&app::reporter::bundle::site_root(&options.site_root))
        .join(options.site_pkg_dir.as_ref());

    // cargo-leptos names these files by content hash, so they never change under one name, and
    // the desk's and the phone's bundles share the URL folder without colliding. Nothing asks
    // whether they changed, so they carry no date for it.
    let hashed_assets = ServiceBuilder::new()
        .layer(vary_by_encoding())
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ))
        .layer(axum::middleware::map_response(immutable))
        .service(
            ServeDir::new(pkg_dir)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(
                    ServeDir::new(phone_pkg_dir)
                        .precompressed_br()
                        .precompressed_gzip(),
                ),
        );
    let other_files = ServiceBuilder::new()
        .layer(vary_by_encoding())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .service(
            ServeDir::new(site_root)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(axum::handler::HandlerWithoutStateExt::into_service(
                    move |req: Request<Body>| render_not_found(req),
                )),
        );

    let page_options = options.clone();
    let pages = Router::new()
        .leptos_routes_with_context(&state, route_list(), context, move || {
            shell(page_options.clone())
        })
        .layer(axum::middleware::map_response(server_fn_error_status))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.help_pages.clone(),
            help_cache::serve,
        ));
    // axum's extractors (JSON, multipart) honour this limit and answer 413 past it; the
    // upload route sets its own.
    let endpoints = plain_routes()
        .router
        .layer(axum::middleware::from_fn(app::rest::in_callers_language))
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readyz))
        .merge(endpoints)
        .merge(pages)
        .fallback_service(other_files)
        // Answered where somebody may quote it when something went wrong: not with the hashed
        // files, which are most of a phone's first load.
        .layer(PropagateRequestIdLayer::x_request_id())
        .nest_service(&format!("/{}", options.site_pkg_dir), hashed_assets)
        // Pages and JSON over a phone network; precompressed files, images and event streams
        // pass through untouched.
        .layer(CompressionLayer::new())
        .layer(sessions)
        // Before the session is read: a forged request gets nothing.
        .layer(axum::middleware::from_fn_with_state(
            std::sync::Arc::new(settings.public_origin.clone()),
            forgery::refuse_forged,
        ))
        .layer(axum::middleware::from_fn(not_stored))
        .layer(axum::middleware::from_fn_with_state(
            std::sync::Arc::new(settings.trusted_proxies.clone()),
            client_address::determine,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_span)
                        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
                ),
        )
        .with_state(state);
    with_security_headers(
        app,
        settings.cookie_secure,
        format!("/{}/", options.site_pkg_dir),
    )
}

/// The pages' routes, worked out once a process. Working them out runs the app with resource
/// loading suppressed process-wide (leptos issue #4773): a page of another router in this
/// process (test desks, replicas) whose resource first polled meanwhile would wait forever.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    // The desk's routes and the phone's (`/m`): `shell` renders each with its own app.
    ROUTES
        .get_or_init(|| {
            let mut routes = generate_route_list(App);
            routes.extend(generate_route_list(PhoneApp));
            routes
        })
        .clone()
}

/// The endpoints beside the server functions: the outbox's writes, event streams, images.
pub fn plain_routes() -> Routes<AppState> {
    app::incidents::http::routes()
        .merge(app::attachments::http::routes())
        .merge(app::help::images::routes())
        .merge(app::reporter::storage_key::routes())
        .merge(app::reports::http::routes())
        .merge(app::imports::http::routes())
        .merge(app::monitor::http::routes())
}

/// Headers every answer carries: no sniffing (and HSTS over HTTPS), and, on everything but the
/// hashed files under `/pkg/` (WASM, scripts and stylesheets, which are never framed or opened
/// as a page), no framing, no referrer to other sites and no powerful features. Pages add their
/// Content-Security-Policy (with the nonce of their inline scripts) in `app::document::shell`.
fn with_security_headers(router: Router, https: bool, pkg: String) -> Router {
    router.layer(axum::middleware::from_fn_with_state(
        std::sync::Arc::new(HeaderRules { https, pkg }),
        security_headers,
    ))
}

struct HeaderRules {
    https: bool,
    /// The hashed files' folder, `/pkg/`.
    pkg: String,
}

async fn security_headers(
    State(rules): State<std::sync::Arc<HeaderRules>>,
    request: Request<Body>,
    next: axum::middleware::Next,
) -> Response {
    let document = !request.uri().path().starts_with(&rules.pkg);
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if rules.https {
        set(
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    if document {
        set(header::REFERRER_POLICY, "same-origin");
        set(header::X_FRAME_OPTIONS, "DENY");
        set(
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
        );
    }
    response
}

/// Static files answer with their brotli or gzip copy when the browser accepts it; a cache on
/// the way (an office proxy) must not hand one browser's copy to another that cannot read it.
fn vary_by_encoding() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        header::VARY,
        HeaderValue::from_static("accept-encoding"),
    )
}

/// A hashed file never changes under its name: the date and byte ranges for revalidating and
/// resuming it are bytes a phone would fetch for nothing.
async fn immutable<B>(mut response: Response<B>) -> Response<B> {
    let headers = response.headers_mut();
    headers.remove(header::LAST_MODIFIED);
    headers.remove(header::ACCEPT_RANGES);
    response
}

/// Pages and API answers can carry what a user may see and another may not (a shared phone, a
/// proxy): nothing of them is kept by the browser or on the way. Static files set their own.
async fn not_stored(request: Request<Body>, next: axum::middleware::Next) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let page = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|kind| kind.as_bytes().starts_with(b"text/html"));
    if (api || page) && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    response
}

/// One span a request, with its id. Only the path is logged: query strings can carry what a
/// user searched for, customer identity included.
fn request_span(request: &Request<Body>) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", id, method = %request.method(), path = request.uri().path())
}

async fn readyz(State(pool): State<PgPool>) -> StatusCode {
    let ping = sqlx::query_scalar::<_, i32>("SELECT 1").fetch_one(&pool);
    match tokio::time::timeout(Duration::from_secs(2), ping).await {
        Ok(Ok(_)) => StatusCode::OK,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// Server functions answer every error with 500; give typed errors their real status (403 for
/// a role that may not call the function, 429 when throttled, ...). The body stays as it is.
async fn server_fn_error_status(response: Response) -> Response {
    let is_server_fn_error = response.status() == StatusCode::INTERNAL_SERVER_ERROR
        && response.headers().contains_key("serverfnerror");
    if !is_server_fn_error {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, 64 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = error.status();
    }
    Response::from_parts(parts, Body::from(bytes))
}
