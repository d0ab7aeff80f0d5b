//! `/m/r/{number}`: one report, its progress timeline and the thread with the incident team.
//! Replies appear live (server-sent events); my messages go through the outbox.

use leptos::prelude::*;
use leptos_meta::Title;

use super::new_report::ImagePicker;
#[cfg(feature = "hydrate")]
use super::outbox::ItemState;
use super::outbox::{message_draft, DraftImage, OutboxItem, OutboxTick};
use super::{my_report, ConfirmSolution, ImageProgress, OutboxActions, OutboxState, ReopenReport};
use crate::error::AppError;
use crate::i18n::use_i18n;
use crate::incidents::view::{AttachmentStrip, StatusBadge, Timeline};
use crate::incidents::IncidentNumber;
use crate::incidents::{ReportView, Side, Status, ThreadMessage};
use crate::shell::{Loading, PageError};
use crate::time::format_minute;
use crate::ui::LinkedText;

#[component]
pub fn ReportPage() -> impl IntoView {
    let (report, refresh) = crate::incidents::follow::live_incident(my_report, |n| {
        format!("/api/m/reports/{n}/events")
    });

    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(view) => view! { <ReportDetail view refresh /> }.into_any(),
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ReportDetail(view: ReportView, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let number = view.number;
    let title = view.title.clone();
    let status = view.status;
    let module = view.module.clone();
    let system = view.system.clone();
    view! {
        <Title text=title.clone() />
        <a href="/m" rel="external" class="text-sm text-sky-700">{move || i18n.reporter().back}</a>
        <div class="mt-2 flex items-start justify-between gap-3">
            <h1 class="text-lg font-semibold" data-testid="report-title">{title}</h1>
            <StatusBadge status />
        </div>
        <p class="mt-1 text-xs text-slate-500">
            "#" {number.to_string()} " · " {format_minute(view.created_at)}
        </p>
        <dl class="mt-4 grid grid-cols-3 gap-x-3 gap-y-1 rounded-xl bg-slate-50 p-3 text-sm">
            <dt class="text-slate-500">{move || i18n.incidents().field_system}</dt>
            <dd class="col-span-2">
                {move || {
                    let locale = i18n.locale();
                    match &module {
                        Some(m) => format!("{} / {}", system.name(locale), m.name(locale)),
                        None => system.name(locale).to_owned(),
                    }
                }}
            </dd>
            {view.customer.clone().map(|customer| {
                let doc = customer.doc_type;
                view! {
                    <dt class="text-slate-500">{move || i18n.incidents().field_customer_name}</dt>
                    <dd class="col-span-2" data-testid="customer-name">{customer.name}</dd>
                    <dt class="text-slate-500">{move || i18n.incidents().doc_name(doc)}</dt>
                    <dd class="col-span-2" data-testid="id-number">{customer.id_number}</dd>
                }
            })}
        </dl>
        <p class="mt-3 whitespace-pre-wrap text-sm text-slate-800">{view.description.clone()}</p>
        <AttachmentStrip files=view.attachments.clone() />
        {view.solution.clone().map(|solution| view! {
            <section data-testid="solution" class="mt-4 rounded-xl border border-emerald-200 bg-emerald-50 p-3">
                <h2 class="text-sm font-medium text-emerald-900">{move || i18n.incidents().field_solution}</h2>
                <p class="mt-1 whitespace-pre-wrap text-sm text-emerald-900">{solution}</p>
            </section>
        })}
        {(status == Status::Resolved).then(|| view! { <ResolutionActions number refresh /> })}
        <h2 class="mt-6 text-sm font-medium text-slate-500">{move || i18n.reporter().progress}</h2>
        <div class="mt-2"><Timeline entries=view.timeline.clone() /></div>
        <h2 class="mt-6 text-sm font-medium text-slate-500">{move || i18n.reporter().thread}</h2>
        <Thread number messages=view.messages.clone() refresh />
        {(status != Status::Closed).then(|| view! { <Composer number /> })}
    }
}

/// Confirm the solution, or reopen with a reason.
#[component]
fn ResolutionActions(number: IncidentNumber, refresh: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let confirm = ServerAction::<ConfirmSolution>::new();
    let reopen = ServerAction::<ReopenReport>::new();
    let reason = RwSignal::new(String::new());
    let reopening = RwSignal::new(false);
    Effect::new(move |_| {
        let done = |v: Option<Result<(), AppError>>| matches!(v, Some(Ok(())));
        if done(confirm.value().get()) || done(reopen.value().get()) {
            refresh.update(|n| *n += 1);
        }
    });
    let error = move || {
        let t = i18n.t();
        [confirm.value().get(), reopen.value().get()]
            .into_iter()
            .flatten()
            .find_map(Result::err)
            .map(|e| e.message(t))
    };
    view! {
        <div class="mt-3 space-y-2" data-testid="resolution-actions">
            <p class="text-sm text-slate-700">{move || i18n.reporter().resolution_question}</p>
            <div class="flex gap-2">
                <button
                    type="button"
                    data-testid="confirm-solution"
                    class="flex-1 rounded-lg bg-emerald-700 px-3 py-2 text-sm font-medium text-white"
                    disabled=move || confirm.pending().get()
                    on:click=move |_| { confirm.dispatch(ConfirmSolution { number }); }
                >
                    {move || i18n.reporter().confirm_solution}
                </button>
                <button
                    type="button"
                    data-testid="start-reopen"
                    class="flex-1 rounded-lg border border-slate-300 px-3 py-2 text-sm"
                    on:click=move |_| reopening.set(true)
                >
                    {move || i18n.reporter().reopen}
                </button>
            </div>
            <Show when=move || reopening.get()>
                <label for="reopen-reason" class="text-sm font-medium text-slate-700">
                    {move || i18n.incidents().field_reason}
                </label>
                <textarea
                    id="reopen-reason"
                    rows="3"
                    maxlength=crate::incidents::MAX_REASON
                    class="block w-full rounded-lg border border-slate-300 px-3 py-2"
                    prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))
                ></textarea>
                <button
                    type="button"
                    data-testid="submit-reopen"
                    class="rounded-lg bg-sky-700 px-3 py-2 text-sm font-medium text-white"
                    disabled=move || reopen.pending().get()
                    on:click=move |_| { reopen.dispatch(ReopenReport { number, reason: reason.get_untracked() }); }
                >
                    {move || i18n.reporter().submit_reopen}
                </button>
            </Show>
            <Show when=move || error().is_some()>
                <p role="alert" class="text-sm text-red-600">{error}</p>
            </Show>
        </div>
    }
}

/// The conversation, oldest first, with my unsent messages at the bottom.
#[component]
fn Thread(
    number: IncidentNumber,
    messages: Vec<ThreadMessage>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let pending = RwSignal::new(Vec::<OutboxItem>::new());
    let delivered: Vec<String> = messages
        .iter()
        .filter_map(|m| m.client_id.map(|id| id.to_string()))
        .collect();
    let delivered = StoredValue::new(delivered);
    let tick = expect_context::<OutboxTick>().0;

    #[cfg(feature = "hydrate")]
    {
        let refetched_for = StoredValue::new(std::collections::HashSet::<String>::new());
        Effect::new(move |_| {
            tick.track();
            leptos::task::spawn_local(async move {
                let Ok(items) = super::outbox::items("message", Some(number)).await else {
                    return;
                };
                for item in &items {
                    let in_thread = delivered.with_value(|d| d.contains(&item.id));
                    if item.state == ItemState::Sent && in_thread {
                        let _ = super::outbox::forget(&item.id).await;
                    } else if item.state == ItemState::Sent
                        && refetched_for.with_value(|seen| !seen.contains(&item.id))
                    {
                        refetched_for.update_value(|seen| {
                            seen.insert(item.id.clone());
                        });
                        refresh.update(|n| *n += 1);
                    }
                }
                pending.set(items);
            });
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (tick, refresh, number);

    let unsent = move || {
        pending
            .get()
            .into_iter()
            .filter(|item| !delivered.with_value(|d| d.contains(&item.id)))
            .collect::<Vec<_>>()
    };
    let empty = messages.is_empty();
    view! {
        <ul class="mt-2 space-y-3" data-testid="thread">
            {messages.into_iter().map(|m| view! { <Bubble message=m /> }).collect_view()}
            <For each=unsent key=OutboxItem::render_key let:item>
                <li
                    data-testid="outbox-item"
                    data-state=item.state.as_str()
                    data-stuck=item.stuck.to_string()
                    class="ml-10 rounded-2xl rounded-br-sm border border-dashed border-sky-300 bg-sky-50 px-3 py-2"
                >
                    <p class="whitespace-pre-wrap text-sm text-slate-800">{item.text("body")}</p>
                    <ImageProgress images=item.images.clone() />
                    <div class="mt-1 text-right"><OutboxState state=item.state stuck=item.stuck error=item.error.clone() /></div>
                    <OutboxActions id=item.id.clone() state=item.state stuck=item.stuck draft_key=message_draft(number) />
                </li>
            </For>
        </ul>
        {empty.then(|| view! {
            <p class="mt-2 text-sm text-slate-500">{move || i18n.reporter().thread_empty}</p>
        })}
    }
}

#[component]
fn Bubble(message: ThreadMessage) -> impl IntoView {
    let i18n = use_i18n();
    let mine = message.side == Side::Reporter;
    let (row, bubble) = if mine {
        ("ml-10", "rounded-br-sm bg-sky-700 text-white")
    } else {
        ("mr-10", "rounded-bl-sm bg-slate-100 text-slate-900")
    };
    let read = message.read_by_other;
    view! {
        <li
            data-testid="message"
            data-side=message.side.as_str()
            data-client-id=message.client_id.map(|id| id.to_string()).unwrap_or_default()
            class=row
        >
            <p class="text-xs text-slate-500">{message.author_name} " · " {format_minute(message.at)}</p>
            <div class=format!("mt-1 rounded-2xl px-3 py-2 {bubble}")>
                <p class="whitespace-pre-wrap text-sm"><LinkedText text=message.body /></p>
                <AttachmentStrip files=message.attachments />
            </div>
            {mine.then(|| view! {
                <p class="mt-0.5 text-right text-xs text-slate-600" data-testid="read-marker" data-read=read.to_string()>
                    {move || if read { i18n.reporter().read } else { i18n.reporter().unread_by_team }}
                </p>
            })}
        </li>
    }
}

/// Write to the team; text is kept as a draft on the phone until queued.
#[component]
fn Composer(number: IncidentNumber) -> impl IntoView {
    let i18n = use_i18n();
    let body = RwSignal::new(String::new());
    let images = RwSignal::new(Vec::<DraftImage>::new());
    let image_error = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let draft_key = message_draft(number);

    #[cfg(feature = "hydrate")]
    {
        // Restore the draft once (sealed on the phone, see outbox.js), then save every change.
        let restored = RwSignal::new(false);
        let key = StoredValue::new(draft_key.clone());
        leptos::task::spawn_local(async move {
            let key = key.get_value();
            if let Some(saved) = super::outbox::load_text(&key).await {
                if body.with_untracked(String::is_empty) {
                    body.set(saved);
                }
            }
            if let Ok(saved) = super::outbox::draft_images(&key).await {
                images.set(saved);
            }
            restored.set(true);
        });
        Effect::new(move |_| {
            let text = body.get();
            if restored.get() {
                leptos::task::spawn_local(async move {
                    super::outbox::save_text(&key.get_value(), &text).await;
                });
            }
        });
    }

    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = body.get_untracked().trim().to_owned();
        let count = images.with_untracked(Vec::len);
        if let Err(problem) = crate::incidents::check_message(&text, count) {
            let t = i18n.t();
            error.set(Some(
                problem.message(t, crate::incidents::texts::of(t.locale).field_message),
            ));
            return;
        }
        error.set(None);
        #[cfg(feature = "hydrate")]
        let owner_id = super::outbox::owner_id();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let payload = serde_json::json!({ "body": text, "owner_id": owner_id });
            let key = message_draft(number);
            match super::outbox::submit("message", &key, Some(number), &payload).await {
                Ok(_) => {
                    body.set(String::new());
                    images.set(Vec::new());
                }
                Err(message) => {
                    error.set(Some(format!(
                        "{} ({message})",
                        i18n.reporter().queue_failed
                    )));
                }
            }
        });
    };

    view! {
        <form class="mt-4 space-y-2 border-t border-slate-200 pt-3" novalidate on:submit=send data-testid="composer">
            <label for="message" class="sr-only">{move || i18n.incidents().field_message}</label>
            <textarea
                id="message"
                name="message"
                rows="3"
                maxlength=crate::incidents::MAX_MESSAGE
                placeholder=move || i18n.reporter().message_hint
                class="block w-full rounded-lg border border-slate-300 px-3 py-2 text-base"
                prop:value=move || body.get()
                on:input=move |ev| body.set(event_target_value(&ev))
            ></textarea>
            <ImagePicker draft_key=draft_key images error=image_error />
            <Show when=move || error.get().is_some()>
                <p role="alert" data-error-for="message" class="text-sm text-red-600">{move || error.get()}</p>
            </Show>
            <button
                type="submit"
                data-testid="send-message"
                class="w-full rounded-lg bg-sky-700 px-4 py-2.5 font-medium text-white"
            >
                {move || i18n.reporter().send}
            </button>
        </form>
    }
}
