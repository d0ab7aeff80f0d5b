//! What every answer tells the browser: a Content-Security-Policy that only the page's own
//! scripts pass, no framing, no sniffing, no referrer to other sites, nothing stored of pages
//! and API answers; over HTTPS also HSTS and a `__Host-` session cookie. The bundles' hashed
//! files carry no sniffing (and HSTS) only.

use axum::http::{header, StatusCode};
use serde_json::json;
use sqlx::PgPool;

use crate::support::{file_report, Desk, Reply, HASHED_FILE, HASHED_FILE_BROTLI, HASHED_FILE_TEXT};
use app::auth::Role;
use server::forgery::PublicOrigin;
use server::http::Settings;

fn header<'a>(reply: &'a Reply, name: &str) -> &'a str {
    reply
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn expect_common_headers(reply: &Reply, what: &str) {
    expect_headers_kept(reply, what, "private, no-store");
}

fn expect_headers_kept(reply: &Reply, what: &str, cache_control: &str) {
    assert_eq!(header(reply, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(reply, "referrer-policy"), "same-origin", "{what}");
    assert_eq!(header(reply, "x-frame-options"), "DENY", "{what}");
    assert!(
        header(reply, "permissions-policy").contains("camera=()"),
        "{what}"
    );
    assert_eq!(header(reply, "cache-control"), cache_control, "{what}");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn pages_run_under_a_nonce_policy_and_nothing_is_stored(pool: PgPool) {
    let desk = Desk::new(pool).await;
    let reporter = desk.session_of(Role::Reporter).await;
    let handler = desk.session_of(Role::Handler).await;
    let number = file_report(&desk, &reporter, "安全头", "看看响应头").await;

    for (path, cookie) in [
        ("/m".to_owned(), Some(&reporter)),
        (format!("/console/i/{number}"), Some(&handler)),
    ] {
        let page = desk.page(&path, cookie.map(String::as_str)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        expect_common_headers(&page, &path);
        let policy = header(&page, "content-security-policy");
        for directive in [
            "default-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "style-src 'self'",
        ] {
            assert!(
                policy.contains(directive),
                "{path}: {directive} in {policy}"
            );
        }
        assert!(!policy.contains("unsafe-inline"), "{path}: {policy}");
        assert!(!policy.contains("'unsafe-eval'"), "{path}: {policy}");
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("a nonce in the policy");
        // Every script the page carries is a file from here or carries this response's nonce.
        let scripts: Vec<&str> = page.body.split("<script").skip(1).collect();
        assert!(scripts.len() > 1, "{path}: the page has its scripts");
        for script in scripts {
            let tag = script.split('>').next().unwrap_or_default();
            assert!(
                tag.contains(" src=\"/") || tag.contains(&format!("nonce=\"{nonce}\"")),
                "{path}: <script{tag}> runs neither from a file nor with the nonce"
            );
        }
        // A fresh nonce for every answer.
        let again = desk.page(&path, cookie.map(String::as_str)).await;
        assert!(
            !header(&again, "content-security-policy").contains(nonce),
            "{path}: nonce reused"
        );
    }

    // A help page is public and runs nothing inline: the policy needs no nonce, and a
    // browser may keep it as long as it asks again (the ETag answers).
    let help = desk.page("/help", None).await;
    assert_eq!(help.status, StatusCode::OK);
    expect_headers_kept(&help, "/help", "no-cache");
    let policy = header(&help, "content-security-policy");
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(policy.contains(directive), "/help: {directive} in {policy}");
    }
    assert!(
        !policy.contains("unsafe-inline") && !policy.contains("nonce"),
        "{policy}"
    );
    // Its one script, the search box's suggestions, is a file from here.
    let scripts: Vec<&str> = help.body.split("<script").skip(1).collect();
    assert_eq!(scripts.len(), 1, "{}", help.body);
    assert!(
        scripts[0].starts_with(r#" src="/help-suggest.js" defer></script>"#),
        "{}",
        help.body
    );

    let answer = desk
        .post_json(
            "/api/console/incident",
            &handler,
            &json!({"number": number}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    expect_common_headers(&answer, "a server function's answer");
    let refused = desk
        .post_json(
            "/api/console/incident",
            &reporter,
            &json!({"number": number}),
        )
        .await;
    expect_common_headers(&refused, "a refusal");
    assert!(
        header(&answer, "strict-transport-security").is_empty(),
        "HSTS over plain HTTP"
    );
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn over_https_the_session_cookie_is_host_only_and_hsts_is_on(pool: PgPool) {
    let desk = Desk::with_settings(
        pool,
        Settings {
            cookie_secure: true,
            public_origin: PublicOrigin::new(Some("https://desk.example.com".to_owned())),
            trusted_proxies: Default::default(),
            reveal_alert_per_hour: app::reveals::DEFAULT_ALERT_PER_HOUR,
        },
    )
    .await;
    let reply = desk
        .sign_in_from("handler", crate::support::PASSWORD, [127, 0, 0, 1])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let cookie = reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.contains("desk_session="))
        .expect("session cookie")
        .to_owned();
    assert!(cookie.starts_with("__Host-desk_session="), "{cookie}");
    for part in ["Secure", "HttpOnly", "Path=/"] {
        assert!(cookie.contains(part), "{part} in {cookie}");
    }
    assert!(!cookie.contains("Domain="), "{cookie}");
    assert_eq!(
        header(&reply, "strict-transport-security"),
        "max-age=31536000; includeSubDomains"
    );
    // The cookie signs the browser in.
    let session = cookie.split(';').next().unwrap_or_default();
    let queue = desk.page("/console", Some(session)).await;
    assert_eq!(queue.status, StatusCode::OK);
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn hashed_files_are_never_sniffed(pool: PgPool) {
    // The bundles' files carry only what means something for a file that is no page (the
    // document headers would be a phone's first load paying for nothing); nosniff does.
    let desk = Desk::new(pool).await;
    let file = desk.page(HASHED_FILE, None).await;
    assert_eq!(file.status, StatusCode::OK);
    assert_eq!(header(&file, "x-content-type-options"), "nosniff");
    assert_eq!(
        header(&file, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    for document_only in [
        "x-frame-options",
        "referrer-policy",
        "last-modified",
        "x-request-id",
    ] {
        assert!(
            !file.headers.contains_key(document_only),
            "a hashed file carries {document_only}"
        );
    }
    let page = desk.page("/no/such/page", None).await;
    assert_eq!(header(&page, "x-frame-options"), "DENY");
}

#[sqlx::test(migrator = "server::MIGRATOR")]
async fn static_files_tell_caches_they_vary_by_encoding(pool: PgPool) {
    // A proxy that kept the brotli copy for one browser must not give it to one that cannot
    // read it: both answers say what they depend on.
    let desk = Desk::new(pool).await;
    let brotli = hashed_file_accepting(&desk, "br").await;
    assert_eq!(brotli.status, StatusCode::OK);
    assert_eq!(header(&brotli, "content-encoding"), "br");
    assert_eq!(brotli.body, HASHED_FILE_BROTLI);
    assert_eq!(header(&brotli, "vary"), "accept-encoding");
    let plain = hashed_file_accepting(&desk, "identity").await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(!plain.headers.contains_key("content-encoding"));
    assert_eq!(plain.body, HASHED_FILE_TEXT);
    assert_eq!(header(&plain, "vary"), "accept-encoding");
}

async fn hashed_file_accepting(desk: &Desk, encoding: &str) -> Reply {
    let accepts = [("accept-encoding", encoding)];
    desk.send_with(
        axum::http::Method::GET,
        HASHED_FILE,
        None,
        None,
        &accepts,
        Vec::new(),
    )
    .await
}
