//! The bridge to `public/outbox.js`, which keeps drafts (text and images) and unsent reports and
//! messages in IndexedDB, sealed with the signed-in account's key, and sends them when the network
//! allows (from the page or the service worker). Everything crossing the bridge is JSON; blobs
//! and keys stay on the JavaScript side.

use crate::incidents::IncidentNumber;
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemState {
    Queued,
    Sending,
    Sent,
    Failed,
}

impl ItemState {
    /// As `outbox.js` writes it, for `data-state` attributes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ItemImage {
    pub id: String,
    pub url: String,
    #[serde(default)]
    pub progress: f64,
}

/// A report or message waiting in (or just sent from) the outbox.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxItem {
    pub id: String,
    pub state: ItemState,
    pub error: Option<String>,
    /// Still queued after several failed tries: shown with its error and what to do.
    #[serde(default)]
    pub stuck: bool,
    pub created_at: f64,
    pub payload: serde_json::Value,
    #[serde(default)]
    pub images: Vec<ItemImage>,
}

impl OutboxItem {
    /// Changes whenever the item's row must be drawn again: its state or its images' progress.
    pub fn render_key(&self) -> (String, u8, bool, u32) {
        let progress = self.images.iter().map(|i| (i.progress * 100.0) as u32);
        (
            self.id.clone(),
            self.state as u8,
            self.stuck,
            progress.sum(),
        )
    }

    pub fn text(&self, key: &str) -> String {
        self.payload
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    }
}

/// An image chosen for a draft, already shrunk by the browser.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DraftImage {
    pub id: String,
    pub url: String,
    #[serde(default)]
    pub bytes: u64,
}

/// Ticks on every outbox change; provided by the mobile layout so every page can track it.
#[derive(Clone, Copy)]
pub struct OutboxTick(pub leptos::prelude::RwSignal<u32>);

pub const REPORT_DRAFT: &str = "report";

/// The signed-in user's id, stamped on what the outbox sends so the server refuses it under any
/// other account (a phone handed to a colleague before the network came back).
pub fn owner_id() -> Option<i64> {
    use leptos::prelude::*;
    let crate::auth::AreaAccess(access) = use_context()?;
    access
        .get_untracked()
        .and_then(Result::ok)
        .map(|user| user.id)
}
pub fn message_draft(number: IncidentNumber) -> String {
    format!("message:{number}")
}

#[cfg(feature = "hydrate")]
pub use browser::*;

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use serde::de::DeserializeOwned;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_futures::JsFuture;

    use super::{DraftImage, IncidentNumber, OutboxItem};

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = DeskOutbox, js_name = draftImages, catch)]
        fn js_draft_images(key: &str) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = DeskOutbox, js_name = addDraftImage, catch)]
        fn js_add_draft_image(key: &str, file: &web_sys::File) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = DeskOutbox, js_name = removeDraftImage, catch)]
        fn js_remove_draft_image(key: &str, id: &str) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = DeskOutbox, js_name = submit, catch)]
        fn js_submit(
            kind: &str,
            key: &str,
            number: Option<String>,
            payload: &str,
        ) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = DeskOutbox, js_name = items, catch)]
        fn js_items(kind: &str, number: Option<String>) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = DeskOutbox, js_name = retry, catch)]
        fn js_retry(id: &str) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = DeskOutbox, js_name = restore, catch)]
        fn js_restore(id: &str, key: &str) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = DeskOutbox, js_name = discard, catch)]
        fn js_discard(id: &str) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = DeskOutbox, js_name = forget, catch)]
        fn js_forget(id: &str) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = DeskOutbox, js_name = onChange, catch)]
        fn js_on_change(callback: &Closure<dyn FnMut()>) -> Result<(), JsValue>;
        #[wasm_bindgen(js_namespace = DeskOutbox, js_name = warm, catch)]
        fn js_warm() -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = DeskOutbox, js_name = enter, catch)]
        fn js_enter(owner: f64) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = DeskOutbox, js_name = leave, catch)]
        fn js_leave(discard_unsent: bool) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = DeskOutbox, js_name = pending, catch)]
        fn js_pending() -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = DeskOutbox, js_name = loadText, catch)]
        fn js_load_text(key: &str) -> Result<js_sys::Promise, JsValue>;
        #[wasm_bindgen(js_namespace = DeskOutbox, js_name = saveText, catch)]
        fn js_save_text(key: &str, text: &str) -> Result<js_sys::Promise, JsValue>;
    }

    fn describe(error: JsValue) -> String {
        error
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| error.as_string())
            .unwrap_or_else(|| "outbox unavailable".to_owned())
    }

    async fn call(promise: Result<js_sys::Promise, JsValue>) -> Result<JsValue, String> {
        JsFuture::from(promise.map_err(describe)?)
            .await
            .map_err(describe)
    }

    async fn call_json<T: DeserializeOwned>(
        promise: Result<js_sys::Promise, JsValue>,
    ) -> Result<T, String> {
        let text = call(promise).await?.as_string().unwrap_or_default();
        serde_json::from_str(&text).map_err(|e| e.to_string())
    }

    pub async fn draft_images(key: &str) -> Result<Vec<DraftImage>, String> {
        call_json(js_draft_images(key)).await
    }

    pub async fn add_draft_image(key: &str, file: &web_sys::File) -> Result<DraftImage, String> {
        call_json(js_add_draft_image(key, file)).await
    }

    pub async fn remove_draft_image(key: &str, id: &str) -> Result<(), String> {
        call(js_remove_draft_image(key, id)).await.map(drop)
    }

    /// Queues the draft (its text as `payload`, its images) and starts sending.
    pub async fn submit(
        kind: &str,
        key: &str,
        number: Option<IncidentNumber>,
        payload: &serde_json::Value,
    ) -> Result<String, String> {
        let promise = js_submit(
            kind,
            key,
            number.map(|n| n.to_string()),
            &payload.to_string(),
        );
        Ok(call(promise).await?.as_string().unwrap_or_default())
    }

    pub async fn items(
        kind: &str,
        number: Option<IncidentNumber>,
    ) -> Result<Vec<OutboxItem>, String> {
        call_json(js_items(kind, number.map(|n| n.to_string()))).await
    }

    pub async fn retry(id: &str) -> Result<(), String> {
        call(js_retry(id)).await.map(drop)
    }

    /// Turns a refused item back into the draft `key` (its images included); answers its payload.
    pub async fn restore(id: &str, key: &str) -> Result<serde_json::Value, String> {
        let text = call(js_restore(id, key))
            .await?
            .as_string()
            .unwrap_or_default();
        serde_json::from_str(&text).map_err(|e| e.to_string())
    }

    pub async fn discard(id: &str) -> Result<(), String> {
        call(js_discard(id)).await.map(drop)
    }

    pub async fn forget(id: &str) -> Result<(), String> {
        call(js_forget(id)).await.map(drop)
    }

    /// The signed-in reporter is `owner`: fetch (or find) their key, remove any other
    /// account's drafts and pages. Other calls wait for this.
    pub async fn enter(owner: i64) {
        // Account ids stay far below 2^53.
        let _ = call(js_enter(owner as f64)).await;
    }

    /// Signing out: the account's drafts, key and cached pages go; unsent items stay sealed
    /// unless `discard_unsent`.
    pub async fn leave(discard_unsent: bool) {
        let _ = call(js_leave(discard_unsent)).await;
    }

    /// How many of the signed-in account's items are not sent yet.
    pub async fn pending() -> usize {
        call_json(js_pending()).await.unwrap_or(0)
    }

    /// The text draft kept under `key`, if any.
    pub async fn load_text(key: &str) -> Option<String> {
        call_json::<Option<String>>(js_load_text(key))
            .await
            .ok()
            .flatten()
    }

    /// Keeps `text` as the draft under `key` (sealed; an empty text removes it).
    pub async fn save_text(key: &str, text: &str) {
        let _ = call(js_save_text(key, text)).await;
    }

    /// Puts a restored item's text where its form reads drafts, then opens that form.
    pub async fn reopen_draft(key: &str, payload: &serde_json::Value) {
        if key == super::REPORT_DRAFT {
            save_text(key, &payload.to_string()).await;
            let _ = window().location().assign("/m/new");
        } else {
            let body = payload
                .get("body")
                .and_then(|b| b.as_str())
                .unwrap_or_default();
            save_text(key, body).await;
            let _ = window().location().reload();
        }
    }

    /// Asks the service worker to keep the app's start pages for offline use.
    pub async fn warm() {
        let _ = call(js_warm()).await;
    }

    /// Bumps `tick` whenever the outbox changes anywhere (this tab, other tabs, the service
    /// worker). Called once a page load, by the mobile layout.
    pub fn watch(tick: RwSignal<u32>) {
        let callback = Closure::<dyn FnMut()>::new(move || tick.update(|n| *n += 1));
        if js_on_change(&callback).is_ok() {
            // Lives as long as the page.
            callback.forget();
        }
    }
}
