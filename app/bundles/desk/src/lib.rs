//! The desk's browser bundle: sign-in, the console and the help center (`app::app::App`), its
//! pages split into pieces fetched on their first visit. The reporter's `/m` has a bundle of
//! its own (`app/bundles/phone`), so the desk can grow without costing a phone a byte.

/// Called by the page's hydration script once this module has loaded.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    app::hydrate_body(app::app::App);
}
