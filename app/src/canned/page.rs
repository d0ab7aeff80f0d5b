//! `/console/replies`: the team's canned replies, added, rewritten and retired.

use crate::i18n::page_title;
use leptos::prelude::*;
use leptos_meta::Title;

use super::{canned_list, CannedReply, CannedRetire, CannedSave};
use crate::auth::{Action, AreaAccess};
use crate::i18n::use_i18n;
use crate::resource::page_resource;
use crate::settings_history::{ChangeHistory, ChangeKind, SettingsChange, Subject};
use crate::shell::{Loading, PageError};
use crate::ui::{Labeled, INPUT, PANEL, PRIMARY_BUTTON};

/// The reply being written or rewritten, kept while the list reloads.
#[derive(Clone, Copy)]
struct Editing {
    id: RwSignal<Option<i64>>,
    title: RwSignal<String>,
    body: RwSignal<String>,
    save: ServerAction<CannedSave>,
}

#[component]
pub fn CannedRepliesPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.canned();
    let editing = Editing {
        id: RwSignal::new(None),
        title: RwSignal::new(String::new()),
        body: RwSignal::new(String::new()),
        save: ServerAction::new(),
    };
    let retire = ServerAction::<CannedRetire>::new();
    let changed = RwSignal::new(0u32);
    Effect::new(move |_| {
        if let Some(Ok(_)) = editing.save.value().get() {
            editing.id.set(None);
            editing.title.set(String::new());
            editing.body.set(String::new());
            changed.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = retire.value().get() {
            changed.update(|n| *n += 1);
        }
    });
    let replies = page_resource(move || changed.get(), |_| canned_list());
    let start_edit = move |reply: &CannedReply| {
        editing.save.clear();
        editing.id.set(Some(reply.id));
        editing.title.set(reply.title.clone());
        editing.body.set(reply.body.clone());
    };
    let AreaAccess(access) = expect_context::<AreaAccess>();
    view! {
        <Title text=page_title(move || t().title) />
        <h1 class="text-xl font-semibold">{move || t().title}</h1>
        <p class="mt-1 text-sm text-slate-500">{move || t().hint}</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let editable = access.await.is_ok_and(|user| user.may(Action::EditCannedReplies));
                let form = editable.then(|| view! { <CannedForm editing retire /> });
                let list = match replies.await {
                    Ok(list) if list.is_empty() => view! {
                        <p class="mt-4 text-slate-500">{move || t().none_yet}</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="mt-4 max-w-3xl space-y-3" data-testid="canned-list">
                            {list.into_iter().map(|reply| {
                                let id = reply.id;
                                let by = reply.updated_by.clone();
                                let for_edit = reply.clone();
                                view! {
                                    <li class="rounded-xl border border-slate-200 bg-white p-4" data-testid="canned-reply">
                                        <div class="flex items-center justify-between gap-2">
                                            <span class="font-medium">{reply.title}</span>
                                            {editable.then(|| view! {
                                                <span class="flex gap-3 text-sm">
                                                    <button type="button" class="text-sky-700" data-testid="canned-edit"
                                                        on:click=move |_| start_edit(&for_edit)>{move || t().edit}</button>
                                                    <button type="button" class="text-red-700" data-testid="canned-retire"
                                                        on:click=move |_| { retire.dispatch(CannedRetire { id }); }>
                                                        {move || t().retire}
                                                    </button>
                                                </span>
                                            })}
                                        </div>
                                        <p class="mt-1 whitespace-pre-line text-sm text-slate-700">{reply.body}</p>
                                        <p class="mt-1 text-xs text-slate-600">{move || crate::i18n::fill(t().updated_by, &[&by])}</p>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <PageError error /> }.into_any(),
                };
                view! { {form} {list} }
            })}
        </Transition>
        <ChangeHistory subject=Subject::CannedReplies refresh=changed describe=describe_change />
    }
}

/// Adds or rewrites a reply; shown to those who may edit them.
#[component]
fn CannedForm(editing: Editing, retire: ServerAction<CannedRetire>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.canned();
    view! {
        <section class=format!("mt-4 max-w-3xl space-y-2 {PANEL}") data-testid="canned-form">
            <h2 class="font-semibold">
                {move || if editing.id.get().is_some() { t().edit } else { t().new_reply }}
            </h2>
            <Labeled label=move || t().reply_title>
                <input type="text" maxlength=super::MAX_TITLE_CHARS class=INPUT data-testid="canned-title"
                    prop:value=move || editing.title.get()
                    on:input=move |ev| editing.title.set(event_target_value(&ev)) />
            </Labeled>
            <Labeled label=move || t().reply_body>
                <textarea rows="4" maxlength=super::MAX_BODY_CHARS class=INPUT data-testid="canned-body"
                    prop:value=move || editing.body.get()
                    on:input=move |ev| editing.body.set(event_target_value(&ev))></textarea>
            </Labeled>
            <div class="flex items-center gap-2">
                <button type="button" class=PRIMARY_BUTTON data-testid="canned-save" on:click=move |_| {
                    editing.save.dispatch(CannedSave {
                        id: editing.id.get_untracked(),
                        title: editing.title.get_untracked(),
                        body: editing.body.get_untracked(),
                    });
                }>{move || t().save}</button>
                <Show when=move || editing.id.get().is_some()>
                    <button type="button" class="px-3 py-1.5 text-sm text-slate-600" on:click=move |_| {
                        editing.id.set(None);
                        editing.title.set(String::new());
                        editing.body.set(String::new());
                    }>{move || t().cancel}</button>
                </Show>
            </div>
            {move || editing.save.value().get().and_then(Result::err)
                .or_else(|| retire.value().get().and_then(Result::err))
                .map(|error| view! { <p role="alert" class="text-sm text-red-700">{error.message(i18n.t())}</p> })}
        </section>
    }
}

/// One line of the history: what happened to which reply.
fn describe_change(change: &SettingsChange, locale: crate::i18n::Locale) -> String {
    let t = super::texts::of(locale);
    let title = change.field("title").unwrap_or_default();
    let retired = change
        .after
        .as_ref()
        .is_some_and(|after| after["retired"] == true);
    let what = match change.change {
        ChangeKind::Insert => t.history_added,
        _ if retired => t.history_retired,
        _ => t.history_changed,
    };
    crate::i18n::fill(what, &[&title])
}
