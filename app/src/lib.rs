//! The incident desk web application: every page, component and server function.
//! One folder a domain; each holds its shared types, `#[server]` functions, `ssr`-only store
//! code and pages.

#![recursion_limit = "256"]

pub mod app;
pub mod attachments;
pub mod auth;
pub mod console;
pub mod error;
pub mod help;
pub mod i18n;
pub mod incidents;
pub mod reference;
pub mod reporter;
pub mod shell;
pub mod time;

#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod search;
#[cfg(feature = "ssr")]
pub mod state;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Browser tests wait for this marker: clicks before hydration would be lost.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
