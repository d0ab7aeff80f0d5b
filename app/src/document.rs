//! The HTML document, rendered on the server only: which app renders a path, and the scripts
//! that hydrate it.

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags};

use crate::app::App;
use crate::i18n::initial_locale;
use crate::reporter::bundle::{PhoneScripts, PhoneStylesheet};
use crate::reporter::{is_phone_path, PhoneApp};

/// The HTML document, rendered on the server only. `lang` carries the chosen language to the
/// browser so hydration renders the same strings. The reporter's pages (`/m`) are the phone's
/// own app with its own bundle, so nothing of the desk costs a phone a byte. Help center pages
/// are served as plain HTML without the app's scripts: they render completely on the server,
/// work with JavaScript off and weigh a few kilobytes.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let path = use_context::<http::request::Parts>().map(|parts| parts.uri.path().to_owned());
    let page = match path.as_deref() {
        Some(path) if is_static_page(path) => Page::Static,
        Some(path) if is_phone_path(path) => Page::Phone,
        _ => Page::Desk,
    };
    document(options, page)
}

/// Paths served without the app's scripts.
pub fn is_static_page(path: &str) -> bool {
    path == "/help" || path.starts_with("/help/")
}

/// Which app renders a document, and which bundle (if any) hydrates it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Page {
    Desk,
    Phone,
    Static,
}

fn document(options: LeptosOptions, page: Page) -> impl IntoView {
    let lang = initial_locale().html_lang();
    content_security_policy();
    let scripts = (page != Page::Static).then(|| {
        let bundle = match page {
            Page::Phone => view! { <PhoneScripts options=options.clone() /> }.into_any(),
            _ => view! { <HydrationScripts options=options.clone() /> }.into_any(),
        };
        view! {
            // Keeps unsent reports and registers the service worker; before the app's
            // module script, so it is defined when the app hydrates.
            <script src="/outbox.js" defer></script>
            <AutoReload options=options.clone() />
            {bundle}
        }
    });
    let app = match page {
        Page::Phone => view! { <PhoneApp /> }.into_any(),
        _ => view! { <App /> }.into_any(),
    };
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover" />
                <meta name="theme-color" content="#0369a1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/icons/icon-192.png" />
                {scripts}
                {match page {
                    Page::Phone => view! { <PhoneStylesheet options /> }.into_any(),
                    _ => view! { <HashedStylesheet options id="leptos" /> }.into_any(),
                }}
                <MetaTags />
            </head>
            <body class="bg-slate-50 text-slate-900 antialiased">{app}</body>
        </html>
    }
}

/// The page's Content-Security-Policy: scripts only from here or carrying this response's nonce
/// (Leptos puts it on the inline scripts it writes), WASM compiled, nothing inline otherwise, and
/// no other site may frame the page. Screenshots waiting in the outbox are `blob:` URLs, shown
/// and read back (to shrink and send them).
fn content_security_policy() {
    let Some(nonce) = use_nonce() else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' blob:; connect-src 'self' blob:; worker-src 'self'; \
         manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    );
    if let (Some(response), Ok(policy)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&policy),
    ) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, policy);
    }
}
