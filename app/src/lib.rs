//! The incident desk web application: every page, component and server function.
//! One folder a domain; each holds its shared types, `#[server]` functions, `ssr`-only store
//! code and pages.

#![recursion_limit = "256"]

/// A page whose code the browser fetches only when it is visited (`cargo leptos --split`): a
/// route type `$route` whose view is `$page`. Defined before the modules so each area declares
/// its own lazy pages.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        struct $route;

        #[leptos_router::lazy_route]
        impl leptos_router::LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(this: Self) -> leptos::prelude::AnyView {
                use leptos::prelude::IntoAny as _;
                let _ = this;
                leptos::view! { <$page /> }.into_any()
            }
        }
    };
}

#[cfg(feature = "desk")]
pub mod app;
pub mod attachments;
pub mod auth;
pub mod canned;
pub mod charts;
pub mod checks;
pub mod console;
pub mod datafix;
pub mod datagen;
#[cfg(feature = "ssr")]
pub mod document;
pub mod error;
pub mod help;
pub mod hydration;
pub mod i18n;
pub mod imports;
pub mod incidents;
pub mod limits;
pub mod monitor;
pub mod notifications;
pub mod reference;
pub mod reporter;
pub mod reports;
pub mod resource;
pub mod reveals;
pub mod sessions;
pub mod settings_history;
pub mod shell;
pub mod sla;
pub mod time;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod gate;
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod rollups;
#[cfg(feature = "ssr")]
pub mod search;
#[cfg(feature = "ssr")]
pub mod state;

/// Hydrates the page the server rendered with `root`, the app of one bundle (see
/// `app/bundles/`): the desk's whole app, or the reporter's phone app alone.
#[cfg(feature = "hydrate")]
pub fn hydrate_body<V: leptos::prelude::IntoView + 'static>(root: fn() -> V) {
    // Readable panics while developing; release builds abort without the formatting code.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    // Lazy pages hydrate once their code has arrived, so hydration is asynchronous; Leptos sets
    // up its own executor inside, so this outer task runs on the browser's.
    wasm_bindgen_futures::spawn_local(async move {
        let body = leptos::prelude::document().body();
        let Some(body) = body else { return };
        leptos::mount::hydrate_from_async(body.clone(), root)
            .await
            .forget();
        // Browser tests wait for this marker: clicks before hydration would be lost. Parts
        // hydrated apart (`hydration::HydrateApart`) count.
        hydration::after_hydration(move || {
            let _ = body.set_attribute("data-hydrated", "true");
        });
        hydration::tree_hydrated();
    });
}
