//! A whole desk (router, sessions, database) driven request by request, without a socket.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use leptos::prelude::LeptosOptions;
use sqlx::PgPool;
use tower::ServiceExt as _;
use tower_sessions_sqlx_store::PostgresStore;

use app::attachments::media::Media;
use app::auth::{password, store, Role};
use app::help::cache::HelpPages;
use app::incidents::live::Activity;
use app::monitor::schedule::Monitoring;
use app::notifications::delivery::{Clock, Deliverer};
use app::notifications::render::Links;
use app::notifications::wecom::WeCom;
use server::client_address::TrustedProxies;
use server::forgery::PublicOrigin;
use server::http::{router, session_layer, AppState, Settings};

pub const PASSWORD: &str = "correct horse 42";

/// Where a desk not given a mock sends notifications: nothing listens on the discard port.
const UNREACHABLE_WECOM: &str = "http://127.0.0.1:9";
/// How long a call to the mock may take before it counts as timed out.
pub const WECOM_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(500);
/// The public address links in messages lead to.
pub const PUBLIC_BASE: &str = "https://desk.example.com";

/// What a browser adds to the app's own requests.
pub const SAME_ORIGIN: (&str, &str) = ("sec-fetch-site", "same-origin");

pub struct Desk {
    router: Router,
    pub pool: PgPool,
    /// The notification sender the desk's server functions use, on `clock`.
    pub notifier: Deliverer,
    pub clock: Clock,
    /// Where this desk stores images; removed with the desk.
    pub media_dir: tempfile::TempDir,
    /// Its cached help pages and unwritten article views.
    pub help_pages: HelpPages,
    /// Its site folder, removed with the desk: `HASHED_FILE` and its brotli copy.
    _site_dir: tempfile::TempDir,
}

/// A file of the site folder every test desk serves, as the bundles' files are named.
pub const HASHED_FILE: &str = "/pkg/incident-desk.probe.js";
/// What `HASHED_FILE` holds, and its stand-in brotli copy.
pub const HASHED_FILE_TEXT: &str = "export const probe = 1;";
pub const HASHED_FILE_BROTLI: &str = "brotli copy";

/// The identity keys every test server of this process seals with (the server installs its
/// keyring once a process, as `main` does).
pub const TEST_IDENTITY_KEYS: &str = "test1:dGVzdCBrZXkgZm9yIGlkZW50aXR5IHNlYWxpbmchISE=";

pub fn install_test_keys() {
    app::incidents::sealed::install(
        app::incidents::sealed::Keyring::parse(TEST_IDENTITY_KEYS).expect("test keys"),
    );
}

pub fn default_settings() -> Settings {
    Settings {
        cookie_secure: false,
        public_origin: PublicOrigin::default(),
        trusted_proxies: TrustedProxies::default(),
        reveal_alert_per_hour: app::reveals::DEFAULT_ALERT_PER_HOUR,
    }
}

/// One user of each role, logins named after the role.
pub async fn create_users(pool: &PgPool) {
    let hash = password::hash(PASSWORD.to_owned()).await.expect("hash");
    for role in Role::ALL {
        store::create(
            pool,
            store::NewUser {
                login: role.as_str(),
                display_name: role.as_str(),
                role,
                password_hash: &hash,
            },
        )
        .await
        .expect("create user");
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body as text (lossy); `bytes` as sent.
    pub body: String,
    pub bytes: axum::body::Bytes,
}

impl Reply {
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .find(|pair| pair.starts_with(&format!("{name}=")))
            .map(str::to_owned)
    }
}

impl Desk {
    /// A desk on `pool` with one user of each role, logins named after the role.
    pub async fn new(pool: PgPool) -> Self {
        Self::with_settings(pool, default_settings()).await
    }

    /// As `new`, served as `settings` say (HTTPS, say).
    pub async fn with_settings(pool: PgPool, settings: Settings) -> Self {
        create_users(&pool).await;
        Self::serving(
            pool,
            settings,
            None,
            (UNREACHABLE_WECOM, Clock::default()),
            Monitoring::default(),
        )
        .await
    }

    /// As `new`, sending notifications to WeCom at `wecom_base` (a mock), on `clock`.
    pub async fn with_wecom(pool: PgPool, wecom_base: &str, clock: Clock) -> Self {
        create_users(&pool).await;
        Self::serving(
            pool,
            default_settings(),
            None,
            (wecom_base, clock),
            Monitoring::default(),
        )
        .await
    }

    /// As `new`, reading business databases for monitoring as `monitoring` says.
    pub async fn with_monitoring(pool: PgPool, monitoring: Monitoring) -> Self {
        create_users(&pool).await;
        Self::serving(
            pool,
            default_settings(),
            None,
            (UNREACHABLE_WECOM, Clock::default()),
            monitoring,
        )
        .await
    }

    /// As `new`, with images in `media` (an S3-compatible store, say).
    pub async fn with_media(pool: PgPool, media: Media) -> Self {
        create_users(&pool).await;
        Self::serving(
            pool,
            default_settings(),
            Some(media),
            (UNREACHABLE_WECOM, Clock::default()),
            Monitoring::default(),
        )
        .await
    }

    /// Another server on this desk's database, with its own sessions layer, live feed and
    /// storage client: a replica behind the same load balancer.
    pub async fn replica(&self, media: Media) -> Self {
        Self::serving(
            self.pool.clone(),
            default_settings(),
            Some(media),
            (UNREACHABLE_WECOM, Clock::default()),
            Monitoring::default(),
        )
        .await
    }

    async fn serving(
        pool: PgPool,
        settings: Settings,
        media: Option<Media>,
        (wecom_base, clock): (&str, Clock),
        monitoring: Monitoring,
    ) -> Self {
        install_test_keys();
        let sessions = PostgresStore::new(pool.clone());
        sessions.migrate().await.expect("session schema");
        let media_dir = tempfile::tempdir().expect("media folder");
        let site_dir = site_folder();
        // Quick session checks, so a test sees a stream end with its session.
        let activity =
            Activity::new().checking_sessions_every(std::time::Duration::from_millis(100));
        tokio::spawn(activity.clone().listen(pool.clone()));
        let media = match media {
            Some(media) => media,
            None => Media::local(media_dir.path()).expect("media store"),
        };
        let help_pages = HelpPages::new();
        tokio::spawn(help_pages.clone().listen(pool.clone()));
        let notifier = Deliverer::new(
            pool.clone(),
            WeCom::new(wecom_base, WECOM_TIMEOUT).expect("WeCom client"),
            Links::new(PUBLIC_BASE),
        )
        .with_clock(clock.clone());
        let state = AppState {
            pool: pool.clone(),
            leptos_options: LeptosOptions::builder()
                .output_name("incident-desk")
                .site_root(site_dir.path().to_string_lossy().into_owned())
                .build(),
            media,
            activity,
            notifier: notifier.clone(),
            help_pages: help_pages.clone(),
            monitoring,
        };
        Self {
            router: router(state, session_layer(sessions, &settings), &settings),
            pool,
            notifier,
            clock,
            media_dir,
            help_pages,
            _site_dir: site_dir,
        }
    }

    /// Another user of `role`, signed in; returns the session cookie.
    pub async fn another(&self, login: &str, role: Role) -> String {
        let hash = password::hash(PASSWORD.to_owned()).await.expect("hash");
        store::create(
            &self.pool,
            store::NewUser {
                login,
                display_name: login,
                role,
                password_hash: &hash,
            },
        )
        .await
        .expect("create user");
        let reply = self.sign_in_from(login, PASSWORD, [127, 0, 0, 1]).await;
        reply.cookie("desk_session").expect("session cookie")
    }

    /// Sends raw bytes as a program would (JSON accepted back), with no browser headers.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        self.send_with(method, path, cookie, content_type, &[], body)
            .await
    }

    /// As `send`, with more headers (such as the ones a browser adds).
    pub async fn send_with(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        content_type: Option<&str>,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::ACCEPT, "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let request = request.body(Body::from(body)).expect("request");
        self.respond(request, [127, 0, 0, 1]).await
    }

    pub async fn post_json(&self, path: &str, cookie: &str, body: &serde_json::Value) -> Reply {
        self.send(
            Method::POST,
            path,
            Some(cookie),
            Some("application/json"),
            body.to_string().into_bytes(),
        )
        .await
    }

    pub async fn get(&self, path: &str, cookie: &str) -> Reply {
        self.send(Method::GET, path, Some(cookie), None, Vec::new())
            .await
    }

    /// A multipart upload as the outbox sends it.
    pub async fn upload(&self, cookie: &str, client_id: uuid::Uuid, file: &[u8]) -> Reply {
        self.upload_to("/api/m/uploads", cookie, client_id, file)
            .await
    }

    /// A multipart upload of `file` to `path`, as the phone's outbox and the article editor send it.
    pub async fn upload_to(
        &self,
        path: &str,
        cookie: &str,
        client_id: uuid::Uuid,
        file: &[u8],
    ) -> Reply {
        const BOUNDARY: &str = "desk-test-boundary";
        let mut body = format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"client_id\"\r\n\r\n{client_id}\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\n\
             Content-Type: image/jpeg\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        self.send_with(
            Method::POST,
            path,
            Some(cookie),
            Some(&format!("multipart/form-data; boundary={BOUNDARY}")),
            &[SAME_ORIGIN],
            body,
        )
        .await
    }

    /// `POST /api/console/import` with the sheet and its fields, as the import page sends them.
    pub async fn import(
        &self,
        cookie: &str,
        channel: &str,
        mapping: Option<&str>,
        commit: bool,
        file: &[u8],
    ) -> Reply {
        const BOUNDARY: &str = "desk-import-boundary";
        let field = |name: &str, value: &str| {
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
        };
        let mut body = field("channel", channel);
        if let Some(mapping) = mapping {
            body += &field("mapping", mapping);
        }
        body += &field("commit", if commit { "true" } else { "false" });
        body += &format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"export\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        );
        let mut body = body.into_bytes();
        body.extend_from_slice(file);
        body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
        self.send_with(
            Method::POST,
            "/api/console/import",
            Some(cookie),
            Some(&format!("multipart/form-data; boundary={BOUNDARY}")),
            &[SAME_ORIGIN],
            body,
        )
        .await
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        cookie: Option<&str>,
        form: Option<&str>,
        from: [u8; 4],
    ) -> Reply {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header(SAME_ORIGIN.0, SAME_ORIGIN.1);
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        if form.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        } else {
            // As a browser navigating: pages then answer redirects with a real 302.
            request = request.header(header::ACCEPT, "text/html");
        }
        let request = request
            .body(Body::from(form.unwrap_or_default().to_owned()))
            .expect("request");
        self.respond(request, from).await
    }

    /// A GET whose answer is not read: for event streams, which stay open.
    pub async fn open(&self, path: &str, cookie: &str) -> axum::response::Response {
        let request = Request::builder()
            .uri(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .expect("request");
        self.router
            .clone()
            .layer(MockConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40000))))
            .oneshot(request)
            .await
            .expect("response")
    }

    async fn respond(&self, request: Request<Body>, from: [u8; 4]) -> Reply {
        let response = self
            .router
            .clone()
            .layer(MockConnectInfo(SocketAddr::from((from, 40000))))
            .oneshot(request)
            .await
            .expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body");
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }

    /// Calls a server function the way the browser does (form-encoded POST).
    pub async fn call(&self, endpoint: &str, cookie: Option<&str>, form: &str) -> Reply {
        self.request(
            Method::POST,
            &format!("/api/{endpoint}"),
            cookie,
            Some(form),
            [127, 0, 0, 1],
        )
        .await
    }

    /// Submits a plain HTML form as a browser without JavaScript does.
    pub async fn submit_form(&self, path: &str, cookie: Option<&str>, form: &str) -> Reply {
        let mut request = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(SAME_ORIGIN.0, SAME_ORIGIN.1)
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(cookie) = cookie {
            request = request.header(header::COOKIE, cookie);
        }
        let request = request.body(Body::from(form.to_owned())).expect("request");
        self.respond(request, [127, 0, 0, 1]).await
    }

    pub async fn page(&self, path: &str, cookie: Option<&str>) -> Reply {
        self.request(Method::GET, path, cookie, None, [127, 0, 0, 1])
            .await
    }

    pub async fn sign_in_from(&self, login: &str, password: &str, from: [u8; 4]) -> Reply {
        let form = format!(
            "login={login}&password={}&next=",
            password.replace(' ', "+")
        );
        self.request(Method::POST, "/api/login", None, Some(&form), from)
            .await
    }

    /// Signs in as the user of `role`; returns the session cookie.
    pub async fn session_of(&self, role: Role) -> String {
        let reply = self
            .sign_in_from(role.as_str(), PASSWORD, [127, 0, 0, 1])
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "sign-in failed: {}",
            reply.body
        );
        reply.cookie("desk_session").expect("session cookie")
    }
}

/// A reply's JSON body (`Null` when it is not JSON).
/// A small, valid PNG screenshot.
pub fn small_png() -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(64, 48, image::Rgb([30, 120, 200]))
        .write_to(&mut bytes, image::ImageFormat::Png)
        .expect("png");
    bytes.into_inner()
}

pub fn body(reply: &Reply) -> serde_json::Value {
    serde_json::from_str(&reply.body).unwrap_or(serde_json::Value::Null)
}

/// Files a report about third-party custody as the reporter signed in with `cookie`.
pub async fn file_report(desk: &Desk, cookie: &str, title: &str, description: &str) -> i64 {
    let reply = desk
        .post_json(
            "/api/m/reports",
            cookie,
            &serde_json::json!({
                "client_id": uuid::Uuid::new_v4(),
                "customer_name": "王小明",
                "id_doc_type": "id_card",
                "id_number": "11010519491231002X",
                "fund_account": "310000123456",
                "customer_mobile": "13800138000",
                "system": "custody",
                "title": title,
                "description": description,
            }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    body(&reply)["number"].as_i64().expect("number")
}

/// A `console/step` request; `input` holds what the step needs.
pub fn step_with(number: i64, step: &str, input: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"number": number, "step": step, "input": input})
}

impl Desk {
    /// Takes a workflow step and insists it succeeds.
    pub async fn step_ok(&self, cookie: &str, number: i64, step: &str, input: serde_json::Value) {
        let reply = self
            .post_json("/api/console/step", cookie, &step_with(number, step, input))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{step}: {}", reply.body);
    }
}

impl Desk {
    /// One incident as the console shows it (`console/incident`); insists it answers.
    pub async fn team_incident(&self, cookie: &str, number: i64) -> serde_json::Value {
        let reply = self
            .post_json(
                "/api/console/incident",
                cookie,
                &serde_json::json!({"number": number}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        body(&reply)
    }
}

/// The field refusal of a 422 reply (`{"field": …, "problem": …}`).
/// The error a refusal carries: server functions answer it bare, plain endpoints beside its
/// sentence (`{"error": …, "message": …}`). One flat object: `{"kind": …, …its fields}`.
pub fn error_of(reply: &Reply) -> serde_json::Value {
    let answer = body(reply);
    match answer.get("error") {
        Some(error) => error.clone(),
        None => answer,
    }
}

pub fn refusal(reply: &Reply) -> serde_json::Value {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    invalid(body(reply))
}

/// What an `Invalid` error names (`{"field", "problem"}` and the problem's numbers), after
/// checking that it is one.
pub fn invalid(mut error: serde_json::Value) -> serde_json::Value {
    assert_eq!(error["kind"], "Invalid", "{error}");
    if let Some(fields) = error.as_object_mut() {
        fields.remove("kind");
    }
    error
}

/// The integer `key` of each object in the array `list`.
pub fn ints_of(list: &serde_json::Value, key: &str) -> Vec<i64> {
    list.as_array()
        .map(|items| items.iter().filter_map(|i| i[key].as_i64()).collect())
        .unwrap_or_default()
}

/// The text `key` of each object in the array `list`.
pub fn texts_of<'a>(list: &'a serde_json::Value, key: &str) -> Vec<&'a str> {
    list.as_array()
        .map(|items| items.iter().filter_map(|i| i[key].as_str()).collect())
        .unwrap_or_default()
}

/// The `<script>` tags of a page that run inline (carry no `src`).
pub fn inline_scripts(html: &str) -> usize {
    html.split("<script")
        .skip(1)
        .filter(|tag| !tag.split('>').next().unwrap_or_default().contains(" src="))
        .count()
}

/// A site folder holding `HASHED_FILE` and its precompressed copy (the bytes need not be brotli:
/// the server only picks the file).
fn site_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("site folder");
    let file = dir.path().join(HASHED_FILE.trim_start_matches('/'));
    std::fs::create_dir_all(file.parent().expect("pkg folder")).expect("pkg folder");
    std::fs::write(&file, HASHED_FILE_TEXT).expect("hashed file");
    std::fs::write(file.with_extension("js.br"), HASHED_FILE_BROTLI).expect("brotli copy");
    dir
}
