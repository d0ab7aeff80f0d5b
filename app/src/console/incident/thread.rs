//! The incident's whole thread for the team, internal notes marked, with the reply composer.

use leptos::prelude::*;

use super::Drafts;
use crate::canned::CannedPicker;
use crate::console::attachment_viewer::AttachmentViewer;
use crate::console::ConsoleReply;
use crate::i18n::use_i18n;
use crate::incidents::IncidentNumber;
use crate::incidents::{Status, ThreadMessage};
use crate::time::format_minute;
use crate::ui::{Labeled, LinkedText, HINT, INPUT, PANEL, PRIMARY_BUTTON};

/// The whole thread, internal notes marked, and the composer. A refused reply keeps its text.
#[component]
pub(super) fn Thread(
    number: IncidentNumber,
    messages: Vec<ThreadMessage>,
    status: Status,
    /// The viewer may reply (reviewers read only).
    can_reply: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.console();
    let drafts = expect_context::<Drafts>();
    let Drafts {
        reply,
        body,
        internal,
        canned,
        ..
    } = drafts;
    let send = move |_| {
        reply.dispatch(ConsoleReply {
            number,
            body: body.get_untracked(),
            internal: internal.get_untracked(),
        });
    };
    view! {
        <section class=PANEL>
            <h2 class="font-semibold">{move || t().thread}</h2>
            <ol class="mt-3 space-y-3" data-testid="thread">
                {messages.into_iter().map(|m| {
                    let from_team = m.side == crate::incidents::Side::Handler;
                    let class = match (m.internal, from_team) {
                        (true, _) => "rounded-lg border border-amber-200 bg-amber-50 p-3",
                        (false, true) => "rounded-lg bg-sky-50 p-3",
                        (false, false) => "rounded-lg bg-slate-100 p-3",
                    };
                    view! {
                        <li class=class data-testid="message" data-internal=m.internal.to_string()>
                            <p class=HINT>
                                {m.author_name} " · " {format_minute(m.at)}
                                {m.internal.then(|| view! {
                                    <span class="ml-2 font-medium text-amber-800">{move || t().internal_badge}</span>
                                })}
                            </p>
                            <p class="mt-1 whitespace-pre-line"><LinkedText text=m.body /></p>
                            <AttachmentViewer files=m.attachments />
                        </li>
                    }
                }).collect_view()}
            </ol>
            <Show when=move || can_reply && status != Status::Closed>
                <div class="mt-4 space-y-2">
                    <Labeled label=move || t().reply_placeholder hidden_label=true>
                        <textarea
                            data-testid="reply-body"
                            rows="3"
                            maxlength=crate::incidents::MAX_MESSAGE
                            class=format!("w-full {INPUT}")
                            placeholder=move || t().reply_placeholder
                            prop:value=move || body.get()
                            on:input=move |ev| body.set(event_target_value(&ev))
                        ></textarea>
                    </Labeled>
                    <div class="flex flex-wrap items-center justify-between gap-2">
                        <CannedPicker replies=canned on_pick=Callback::new(move |text: String| drafts.add_to_reply(&text)) />
                        <label class="flex items-center gap-2 text-sm text-slate-600">
                            <input type="checkbox" data-testid="reply-internal"
                                prop:checked=move || internal.get()
                                on:change=move |ev| internal.set(event_target_checked(&ev)) />
                            {move || t().internal_note}
                        </label>
                        <button type="button" data-testid="reply-send"
                            class=PRIMARY_BUTTON
                            on:click=send>
                            {move || if internal.get() { t().save_note } else { t().send_reply }}
                        </button>
                    </div>
                    {move || reply.value().get().and_then(Result::err).map(|error| view! {
                        <p role="alert" class="text-sm text-red-700">{error.message(i18n.t())}</p>
                    })}
                </div>
            </Show>
        </section>
    }
}
