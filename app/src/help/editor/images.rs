//! The editor's "insert image": the chosen file goes to `POST /api/kb/images` (shrunk and
//! re-encoded there), and a Markdown image pointing at it goes into the body at the cursor.

use leptos::html::Textarea;
use leptos::prelude::*;

use crate::i18n::use_i18n;

/// Where an upload stands; the body keeps everything typed whatever happens.
#[derive(Clone, Debug, PartialEq)]
// The server renders only the idle state; the browser half fails uploads.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Upload {
    Idle,
    Sending,
    Failed(String),
}

#[component]
pub fn ImageInsert(body: RwSignal<String>, textarea: NodeRef<Textarea>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.kb();
    let state = RwSignal::new(Upload::Idle);
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        browser::upload(ev, body, textarea, state, t());
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, body, textarea);
    };
    view! {
        <div class="flex flex-wrap items-center gap-2 text-sm">
            <label class="cursor-pointer rounded-lg border border-slate-300 bg-white px-3 py-1.5 hover:bg-slate-50">
                {move || t().insert_image}
                <input type="file" accept="image/jpeg,image/png,image/webp" class="sr-only"
                    data-testid="kb-image" on:change=on_change
                    prop:disabled=move || state.get() == Upload::Sending />
            </label>
            <span class="text-slate-500">{move || t().image_hint}</span>
            {move || match state.get() {
                Upload::Idle => None,
                Upload::Sending => Some(view! {
                    <span role="status" class="text-slate-600">{t().image_uploading}</span>
                }.into_any()),
                Upload::Failed(why) => Some(view! {
                    <span role="alert" class="text-red-700" data-testid="kb-image-error">{why}</span>
                }.into_any()),
            }}
        </div>
    }
}

/// `![alt](url)` put at the cursor (on a line of its own), or at the end when the body was
/// never focused. `cursor` counts UTF-16 units, as the browser does.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub fn with_image(body: &str, cursor: Option<usize>, alt: &str, url: &str) -> String {
    let at = cursor
        .map(|units| {
            let mut seen = 0;
            body.char_indices()
                .find(|(_, c)| {
                    let before = seen;
                    seen += c.len_utf16();
                    before >= units
                })
                .map_or(body.len(), |(index, _)| index)
        })
        .unwrap_or(body.len());
    let (before, after) = body.split_at(at);
    let lead = if before.is_empty() || before.ends_with("\n\n") {
        ""
    } else if before.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    let trail = if after.starts_with("\n\n") {
        ""
    } else if after.starts_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    format!("{before}{lead}![{alt}]({url}){trail}{after}")
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::html::Textarea;
    use leptos::prelude::*;
    use wasm_bindgen::JsCast as _;

    use super::{with_image, Upload};
    use crate::attachments::Uploaded;
    use crate::help::editor::texts::KbTexts;
    use crate::help::images::image_url;

    pub fn upload(
        ev: leptos::ev::Event,
        body: RwSignal<String>,
        textarea: NodeRef<Textarea>,
        state: RwSignal<Upload>,
        t: &'static KbTexts,
    ) {
        let Some(input) = ev
            .target()
            .and_then(|target| target.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        // The same file chosen again is a new upload.
        input.set_value("");
        let Some(form) = form_of(&file) else {
            state.set(Upload::Failed(t.image_offline.to_owned()));
            return;
        };
        let cursor = textarea.get_untracked().and_then(|area| {
            area.selection_start()
                .ok()
                .flatten()
                .and_then(|at| usize::try_from(at).ok())
        });
        state.set(Upload::Sending);
        leptos::task::spawn_local(async move {
            match send(form).await {
                Ok(uploaded) => {
                    body.update(|text| {
                        *text = with_image(text, cursor, t.image_alt, &image_url(uploaded.id));
                    });
                    state.set(Upload::Idle);
                }
                Err(why) => state.set(Upload::Failed(why.unwrap_or(t.image_offline.to_owned()))),
            }
        });
    }

    fn form_of(file: &web_sys::File) -> Option<web_sys::FormData> {
        let form = web_sys::FormData::new().ok()?;
        let client_id = web_sys::window()?.crypto().ok()?.random_uuid();
        form.append_with_str("client_id", &client_id).ok()?;
        form.append_with_blob("file", file).ok()?;
        Some(form)
    }

    /// The stored image, or the server's sentence for why not (`None`: no answer at all).
    async fn send(form: web_sys::FormData) -> Result<Uploaded, Option<String>> {
        crate::ui::post_form("/api/kb/images", form)
            .await
            .map_err(|refusal| refusal.and_then(|r| r.message))
    }
}

#[cfg(test)]
mod tests {
    use super::with_image;

    #[test]
    fn the_image_goes_on_its_own_line_at_the_cursor() {
        let url = "/help/images/x";
        assert_eq!(with_image("", None, "图", url), "![图](/help/images/x)\n\n");
        assert_eq!(
            with_image("第一段\n\n第二段", Some(3), "图", url),
            "第一段\n\n![图](/help/images/x)\n\n第二段"
        );
        assert_eq!(
            with_image("第一段", None, "图", url),
            "第一段\n\n![图](/help/images/x)\n\n"
        );
        // UTF-16 units: "😀" counts two.
        assert_eq!(
            with_image("😀ab", Some(2), "图", url),
            "😀\n\n![图](/help/images/x)\n\nab"
        );
    }
}
