//! The scripts section of the console's incident page, and the card both pages show.

use leptos::prelude::*;

use super::{DataFixScript, DatafixExecuted, DatafixSubmit, NewScript, ScriptStatus};
use crate::error::AppError;
use crate::i18n::{fill, use_i18n};
use crate::incidents::IncidentNumber;
use crate::reference::System;
use crate::resource::PageResource;
use crate::time::format_minute;
use crate::ui::{Labeled, INPUT, PANEL, PRIMARY_BUTTON, SECONDARY_BUTTON};

/// What the handler is typing, and the systems a script may target, kept across the page's
/// live refreshes.
#[derive(Clone, Copy)]
pub struct ScriptDraft {
    open: RwSignal<bool>,
    system: RwSignal<String>,
    script: RwSignal<String>,
    rollback: RwSignal<String>,
    note: RwSignal<String>,
    submit: ServerAction<DatafixSubmit>,
    executed: ServerAction<DatafixExecuted>,
    systems: PageResource<Result<Vec<System>, AppError>>,
}

impl ScriptDraft {
    /// `refresh` reloads the incident after a success. `systems` is made by the page, outside
    /// its `Transition` (see `console::incident`).
    pub fn new(
        refresh: RwSignal<u32>,
        systems: PageResource<Result<Vec<System>, AppError>>,
    ) -> Self {
        let draft = Self {
            open: RwSignal::new(false),
            system: RwSignal::new(String::new()),
            script: RwSignal::new(String::new()),
            rollback: RwSignal::new(String::new()),
            note: RwSignal::new(String::new()),
            submit: ServerAction::new(),
            executed: ServerAction::new(),
            systems,
        };
        Effect::new(move |_| {
            if let Some(Ok(_)) = draft.submit.value().get() {
                draft.open.set(false);
                for text in [draft.script, draft.rollback, draft.note] {
                    text.set(String::new());
                }
                refresh.update(|n| *n += 1);
            }
        });
        Effect::new(move |_| {
            if let Some(Ok(())) = draft.executed.value().get() {
                refresh.update(|n| *n += 1);
            }
        });
        draft
    }
}

const FIELD: &str = "w-full rounded-md border border-slate-400 px-3 py-2 font-mono text-sm";

#[component]
pub fn ScriptsPanel(
    number: IncidentNumber,
    /// The incident's system: the default target.
    system: String,
    scripts: Vec<DataFixScript>,
    /// The incident is still being worked on.
    open: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.datafix();
    let draft = expect_context::<ScriptDraft>();
    if draft.system.get_untracked().is_empty() {
        draft.system.set(system);
    }
    let systems = draft.systems;
    let send = move |_| {
        draft.submit.dispatch(DatafixSubmit {
            number,
            script: NewScript {
                system: draft.system.get_untracked(),
                script: draft.script.get_untracked(),
                rollback_script: draft.rollback.get_untracked(),
                note: draft.note.get_untracked(),
            },
        });
    };
    let textarea = move |value: RwSignal<String>,
                         label: fn(&super::texts::DataFixTexts) -> &'static str,
                         testid: &'static str,
                         rows: &'static str,
                         max: u32| {
        view! {
            <label class="block text-sm text-slate-600">
                {move || label(t())}
                <textarea rows=rows maxlength=max class=FIELD data-testid=testid
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
            </label>
        }
    };
    view! {
        <section class=PANEL data-testid="scripts">
            <div class="flex items-center justify-between">
                <h2 class="font-semibold">{move || t().scripts}</h2>
                {open.then(|| view! {
                    <button type="button" data-testid="script-new" class="text-sm text-sky-700"
                        on:click=move |_| draft.open.update(|o| *o = !*o)>
                        {move || t().new_script}
                    </button>
                })}
            </div>
            <p class="text-xs text-slate-500">{move || t().never_executed}</p>
            <Show when=move || open && draft.open.get()>
                <div class="mt-3 space-y-2" data-testid="script-form">
                    <label class="block text-sm text-slate-600">
                        {move || t().system}
                        <select class=format!("ml-2 {INPUT}") data-testid="script-system"
                            on:change=move |ev| draft.system.set(event_target_value(&ev))>
                            <Suspense>
                                {move || Suspend::new(async move {
                                    let locale = i18n.locale();
                                    systems.await.unwrap_or_default().into_iter().map(|s| {
                                        let code = s.system.code.clone();
                                        let selected = draft.system.get_untracked() == code;
                                        view! { <option value=code selected=selected>{s.system.name(locale).to_owned()}</option> }
                                    }).collect_view()
                                })}
                            </Suspense>
                        </select>
                    </label>
                    {textarea(draft.script, |t| t.script, "script-body", "6", super::MAX_SCRIPT_CHARS)}
                    {textarea(draft.rollback, |t| t.rollback, "script-rollback", "4", super::MAX_SCRIPT_CHARS)}
                    {textarea(draft.note, |t| t.note, "script-note", "2", super::MAX_COMMENT_CHARS)}
                    <button type="button" data-testid="script-submit" class=PRIMARY_BUTTON on:click=send>
                        {move || t().submit}
                    </button>
                    {move || draft.submit.value().get().and_then(Result::err).map(|error| view! {
                        <p role="alert" class="text-sm text-red-700">{error.message(i18n.t())}</p>
                    })}
                </div>
            </Show>
            {scripts.is_empty().then(|| view! { <p class="mt-3 text-sm text-slate-500">{move || t().none_yet}</p> })}
            <div class="mt-3 space-y-3">
                {scripts.into_iter().map(|script| {
                    let id = script.id;
                    let approved = script.status == ScriptStatus::Approved && open;
                    view! {
                        <ScriptCard script>
                            {approved.then(|| view! { <ExecutedForm number script_id=id /> })}
                        </ScriptCard>
                    }
                }).collect_view()}
            </div>
            {move || draft.executed.value().get().and_then(Result::err).map(|error| view! {
                <p role="alert" class="mt-2 text-sm text-red-700">{error.message(i18n.t())}</p>
            })}
        </section>
    }
}

#[component]
fn ExecutedForm(number: IncidentNumber, script_id: i64) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.datafix();
    let draft = expect_context::<ScriptDraft>();
    let note = RwSignal::new(String::new());
    view! {
        <div class="mt-2 flex flex-wrap items-center gap-2">
            <Labeled label=move || t().execution_note hidden_label=true class="contents">
                <input type="text" maxlength=super::MAX_COMMENT_CHARS class=format!("flex-1 text-sm {INPUT}")
                    data-testid="execution-note" placeholder=move || t().execution_note
                    prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
            </Labeled>
            <button type="button" data-testid="script-executed" class=SECONDARY_BUTTON
                on:click=move |_| { draft.executed.dispatch(DatafixExecuted { number, script_id, note: note.get_untracked() }); }>
                {move || t().mark_executed}
            </button>
        </div>
    }
}

/// One script: what it does, how to undo it, and what happened to it.
#[component]
pub fn ScriptCard(
    script: DataFixScript,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.datafix();
    let status = script.status;
    let colour = match status {
        ScriptStatus::Pending => "bg-amber-100 text-amber-800",
        ScriptStatus::Approved => "bg-sky-100 text-sky-800",
        ScriptStatus::Rejected => "bg-rose-100 text-rose-800",
        ScriptStatus::Executed => "bg-emerald-100 text-emerald-800",
    };
    let system = script.system.clone();
    let author = script.author.clone();
    let created = format_minute(script.created_at);
    view! {
        <article class="rounded-lg border border-slate-200 p-3" data-testid="script" data-status=status.as_str()>
            <div class="flex flex-wrap items-center gap-2 text-sm">
                <span class=format!("rounded-full px-2 py-0.5 text-xs font-medium {colour}")>
                    {move || t().status(status)}
                </span>
                <span class="font-medium">{move || system.name(i18n.locale()).to_owned()}</span>
                <span class="text-slate-500">{move || fill(t().by, &[&author, &created])}</span>
            </div>
            {script.note.map(|note| view! { <p class="mt-1 whitespace-pre-line text-sm">{note}</p> })}
            <p class="mt-2 text-xs text-slate-500">{move || t().script}</p>
            <pre class="mt-1 max-h-64 overflow-auto rounded bg-slate-900 p-2 text-xs text-slate-100" data-testid="script-text">{script.script}</pre>
            <p class="mt-2 text-xs text-slate-500">{move || t().rollback}</p>
            <pre class="mt-1 max-h-40 overflow-auto rounded bg-slate-100 p-2 text-xs">{script.rollback_script}</pre>
            {script.reviewer.map(|name| view! {
                <p class="mt-2 text-sm text-slate-600">
                    {move || fill(t().reviewed_by, &[&name])}
                    {script.review_comment.clone().map(|c| view! { <span class="ml-2">"「" {c} "」"</span> })}
                </p>
            })}
            {script.executed_by.map(|name| view! {
                <p class="mt-1 text-sm text-slate-600">
                    {move || fill(t().executed_by, &[&name])}
                    {script.execution_note.clone().map(|c| view! { <span class="ml-2">"「" {c} "」"</span> })}
                </p>
            })}
            {children.map(|c| c())}
        </article>
    }
}
