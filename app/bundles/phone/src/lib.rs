//! The reporter's phone app as a browser bundle of its own (`app::reporter::PhoneApp`): only
//! `/m`, `/m/new`, `/m/r/{n}` and `/m/settings`, so what the desk adds never reaches a phone on
//! a bad network. `make check-phone` fails if words or code of another area get in.

/// Called by the page's hydration script once this module has loaded.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    app::hydrate_body(app::reporter::PhoneApp);
}
