use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::auth::{AuthContext, LoginPage};
use crate::console::{ConsoleHome, ConsoleLayout};
use crate::help::{HelpHome, HelpLayout};
use crate::i18n::{initial_locale, provide_i18n};
use crate::reporter::{MobileLayout, NewReportPage, ReportPage, ReporterHome};
use crate::shell::{Loading, NotFound};

/// The HTML document, rendered on the server only. `lang` carries the chosen language to the
/// browser so hydration renders the same strings.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = initial_locale().html_lang();
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
                // Keeps unsent reports and registers the service worker; before the app's
                // module script, so it is defined when the app hydrates.
                <script src="/outbox.js" defer></script>
                <AutoReload options=options.clone() />
                <HydrationScripts options=options.clone() />
                <HashedStylesheet options id="leptos" />
                <MetaTags />
            </head>
            <body class="bg-slate-50 text-slate-900 antialiased">
                <App />
            </body>
        </html>
    }
}

/// Every route renders `Async`: the whole page, data included, in one response. Pages decide
/// redirects and status codes (302 to sign in, 403) before anything is sent, and hydration never
/// races fragments still streaming in over a slow phone network.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = provide_i18n();
    AuthContext::provide();

    view! {
        <Title text=move || i18n.t().app_name />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=Start ssr=SsrMode::Async />
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                <ParentRoute path=path!("/m") view=MobileLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=ReporterHome />
                    <Route path=path!("new") view=NewReportPage />
                    <Route path=path!("r/:number") view=ReportPage />
                </ParentRoute>
                <ParentRoute path=path!("/console") view=ConsoleLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=ConsoleHome />
                </ParentRoute>
                <ParentRoute path=path!("/help") view=HelpLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=HelpHome />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// `/`: the signed-in user's home, or the sign-in page.
#[component]
fn Start() -> impl IntoView {
    let user = expect_context::<AuthContext>().user();
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                let path = match user.await {
                    Ok(Some(user)) => user.role.home(),
                    _ => "/login",
                };
                view! { <Redirect path /> }
            })}
        </Suspense>
    }
}
