use leptos::prelude::*;

use super::CannedReply;
use crate::error::AppError;
use crate::i18n::use_i18n;
use crate::resource::PageResource;
use crate::ui::{Labeled, INPUT};

/// A menu of canned replies; choosing one hands its text to `on_pick`. The page makes `replies`
/// (from `canned_list`) where its own resources are made, never inside a `Suspense` or a
/// `Transition`: server-side rendering re-runs closures in there while it waits, and a resource
/// made twice breaks hydration (see `AreaGate`).
#[component]
pub fn CannedPicker(
    replies: PageResource<Result<Vec<CannedReply>, AppError>>,
    on_pick: Callback<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    // Back to the prompt after each choice, so the same reply can be chosen again.
    let choice = RwSignal::new(String::new());
    view! {
        <Labeled label=move || i18n.canned().insert hidden_label=true class="contents">
        <select
            prop:value=move || choice.get()
            data-testid="canned-picker"
            class=format!("max-w-xs text-sm {INPUT}")
            on:change=move |ev| {
                let id = event_target_value(&ev);
                let body = replies
                    .get_untracked()
                    .and_then(Result::ok)
                    .and_then(|list| list.into_iter().find(|r| r.id.to_string() == id))
                    .map(|r| r.body);
                if let Some(body) = body {
                    on_pick.run(body);
                }
                choice.set(String::new());
            }
        >
            <option value="">{move || i18n.canned().insert}</option>
            <Suspense>
                {move || Suspend::new(async move {
                    replies.await.unwrap_or_default().into_iter().map(|r| view! {
                        <option value=r.id.to_string()>{r.title}</option>
                    }).collect_view()
                })}
            </Suspense>
        </select>
        </Labeled>
    }
}
