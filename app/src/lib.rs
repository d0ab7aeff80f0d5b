//! The incident desk web application: every page, component and server function.
//! One folder a domain; each holds its shared types, `#[server]` functions, `ssr`-only store
//! code and pages.

#![recursion_limit = "256"]

pub mod app;
pub mod attachments;
pub mod auth;
pub mod canned;
pub mod charts;
pub mod checks;
pub mod console;
pub mod datafix;
pub mod datagen;
pub mod error;
pub mod help;
#[cfg(feature = "hydrate")]
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

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Readable panics while developing; release builds abort without the formatting code.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    // Lazy pages hydrate once their code has arrived, so hydration is asynchronous; Leptos sets
    // up its own executor inside, so this outer task runs on the browser's.
    wasm_bindgen_futures::spawn_local(async {
        let body = leptos::prelude::document().body();
        let Some(body) = body else { return };
        leptos::mount::hydrate_from_async(body.clone(), app::App)
            .await
            .forget();
        // Browser tests wait for this marker: clicks before hydration would be lost.
        let _ = body.set_attribute("data-hydrated", "true");
        hydration::finished();
    });
}
