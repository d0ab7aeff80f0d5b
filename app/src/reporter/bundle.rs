//! The scripts and the stylesheet of a `/m` page: the phone's own bundle. cargo-leptos builds
//! it as the `phone` project of Cargo.toml into a site folder of its own beside the desk's (each
//! build empties its project's folder). Both are served under `/pkg/` (cargo-leptos 0.3.6
//! writes that path into the split loader); every file there is named by its content hash, so
//! the two never collide. Leptos' `HydrationScripts` serves one bundle a process (its split
//! manifest is kept in a process-wide static), hence these few lines for the second.

use leptos::prelude::*;

/// The phone's site folder for the desk's `site_root`: `target/site` → `target/site-phone`.
pub fn site_root(desk_site_root: &str) -> String {
    format!("{}-phone", desk_site_root.trim_end_matches('/'))
}

#[component]
pub fn PhoneScripts(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        let files = files::of(&options);
        if let Some(manifest) = &files.manifest {
            // Lazy pages rendered on the server preload their pieces (leptos_integration_utils).
            provide_context(manifest.clone());
        }
        let nonce = leptos::nonce::use_nonce();
        // Paint first, then fetch the app. The page arrives rendered, so on a slow network the
        // text shows as soon as the HTML and CSS are in, instead of sharing the line with the
        // WASM (no preload links); the module and its glue then load side by side. As Leptos'
        // own hydration script otherwise, with this bundle's names, quoted whole so the service
        // worker finds them in the page. Hydrating starts in a task of its own: on a slow phone
        // the module's instantiation alone is a long task, and one that also hydrates is what
        // keeps a tap waiting (Lighthouse counts the part of a task beyond 50 ms as blocking).
        let script = format!(
            "requestAnimationFrame(() => setTimeout(() => {{ const wasm = fetch({wasm:?}); \
             import({js:?}).then((app) => app.default({{ module_or_path: wasm }}).then(() => setTimeout(app.hydrate))); }}));",
            js = files.js,
            wasm = files.wasm,
        );
        view! { <script type="module" nonce=nonce>{script}</script> }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = options;
}

/// The phone's own stylesheet (style/phone.css): only the classes of what `/m` renders.
#[component]
pub fn PhoneStylesheet(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        let href = files::of(&options).css.clone();
        view! { <link rel="stylesheet" id="leptos" href=href /> }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = options;
}

#[cfg(feature = "ssr")]
mod files {
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};
    use std::sync::OnceLock;

    use leptos::prelude::{ArcStoredValue, LeptosOptions};
    use leptos::WasmSplitManifest;

    /// The hash file cargo-leptos writes beside the server's executable for the `phone` project.
    const HASH_FILE: &str = "phone-hash.txt";

    pub struct Files {
        pub js: String,
        pub wasm: String,
        pub css: String,
        pub manifest: Option<WasmSplitManifest>,
    }

    /// Read once a process: the files change only with a new build, which restarts the server.
    pub fn of(options: &LeptosOptions) -> &'static Files {
        static FILES: OnceLock<Files> = OnceLock::new();
        FILES.get_or_init(|| read(options))
    }

    fn read(options: &LeptosOptions) -> Files {
        let hashes = if options.hash_files {
            hashes()
        } else {
            HashMap::new()
        };
        let named = |kind: &str, stem: &str, extension: &str| match hashes.get(kind) {
            Some(hash) => format!("{stem}.{hash}.{extension}"),
            None => format!("{stem}.{extension}"),
        };
        let name = options.output_name.as_ref();
        let pkg = format!("/{}", options.site_pkg_dir);
        let dir =
            Path::new(&super::site_root(&options.site_root)).join(options.site_pkg_dir.as_ref());
        let manifest =
            std::fs::read_to_string(dir.join(named("manifest", "__wasm_split_manifest", "json")))
                .ok()
                .and_then(|text| serde_json::from_str::<HashMap<String, Vec<String>>>(&text).ok())
                .map(|preloads| {
                    let split = match hashes.get("split") {
                        Some(hash) => format!("__wasm_split.{hash}.js"),
                        None => "__wasm_split.______________________.js".to_owned(),
                    };
                    WasmSplitManifest(ArcStoredValue::new((pkg.clone(), preloads, split)))
                });
        if manifest.is_none() {
            tracing::warn!(dir = %dir.display(), "the phone's bundle has no split manifest: is it built?");
        }
        Files {
            js: format!("{pkg}/{}", named("js", name, "js")),
            wasm: format!("{pkg}/{}", named("wasm", name, "wasm")),
            css: format!("{pkg}/{}", named("css", name, "css")),
            manifest,
        }
    }

    /// `kind: hash` lines, as cargo-leptos writes them.
    fn hashes() -> HashMap<String, String> {
        let path = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|dir| dir.join(HASH_FILE)))
            .unwrap_or_else(|| PathBuf::from(HASH_FILE));
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter_map(|line| line.split_once(':'))
            .map(|(kind, hash)| (kind.trim().to_owned(), hash.trim().to_owned()))
            .collect()
    }
}
