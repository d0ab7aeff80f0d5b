//! Release builds of the desk's WASM keep each page's strings in their own data segments, so the
//! split loader moves them out of the first load with the page's code (wasm-ld otherwise merges
//! string tails across segments and they stay in the main module: cargo-leptos issue 679).
//! A link argument of this crate alone, not a rustflag: every other crate's build is shared with
//! the phone's bundle, which links only the phone's pages and is smaller with merged segments.
//! Dev builds keep the default: with the flag, dev-built console pages never finished hydrating.

fn main() {
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|arch| arch == "wasm32");
    let release = std::env::var("PROFILE").is_ok_and(|profile| profile == "release");
    if wasm && release {
        println!("cargo:rustc-link-arg-cdylib=--no-merge-data-segments");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
