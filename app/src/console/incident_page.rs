//! `/console/i/{number}`: one incident for the team: identity (masked, revealed on purpose),
//! the report, the workflow actions its status allows, the timeline and the whole thread.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::attachment_viewer::AttachmentViewer;
use super::sla_badge::SlaBadge;
use super::{
    console_incident, console_mark_read, console_reveal, Assignable, ConsoleReply, ConsoleStep,
    IdentityField, TeamIncident,
};
use crate::canned::CannedPicker;
use crate::datafix::ScriptsPanel;
use crate::error::AppError;
use crate::i18n::use_i18n;
use crate::incidents::view::{StatusBadge, Timeline};
use crate::incidents::{
    Category, Severity, Status, Step, StepDetails, ThreadMessage, TransferTarget,
};
use crate::reference::list_systems;
use crate::shell::{Loading, PageError};
use crate::time::format_minute;

#[component]
pub fn ConsoleIncidentPage() -> impl IntoView {
    let params = use_params_map();
    let number = move || params.with(|p| p.get("number").and_then(|n| n.parse::<i64>().ok()));
    let refresh = RwSignal::new(0u32);
    let incident = Resource::new(
        move || (number(), refresh.get()),
        |(number, _)| async move {
            match number {
                Some(number) => console_incident(number).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    crate::incidents::follow::refresh_on_changes(
        move || number().map(|n| format!("/api/console/incidents/{n}/events")),
        refresh,
    );
    // Live refreshes rebuild the page below; what the handler is typing lives up here.
    provide_context(Drafts::new(refresh));
    provide_context(crate::datafix::ScriptDraft::new(refresh));
    // Reading the thread marks the reporter's messages read; the reporter sees it.
    Effect::new(move |_| {
        if let Some(Ok(incident)) = incident.get() {
            let unread = incident
                .report
                .messages
                .iter()
                .any(|m| m.side == crate::incidents::Side::Reporter && !m.read_by_other);
            if unread {
                let number = incident.report.number;
                leptos::task::spawn_local(async move {
                    let _ = console_mark_read(number).await;
                });
            }
        }
    });

    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match incident.await {
                    Ok(incident) => view! { <IncidentDetail incident /> }.into_any(),
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn IncidentDetail(incident: TeamIncident) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.console();
    let report = incident.report.clone();
    let number = report.number;
    let status = report.status;
    let system = report.system.clone();
    let module = report.module.clone();
    let category = incident.category;
    let severity = incident.severity;
    let doc = report.id_doc_type;
    let classification = move || match (category, severity) {
        (Some(c), Some(s)) => format!("{} · {}", i18n.incidents().category_name(c), s.label()),
        _ => t().not_classified.to_owned(),
    };
    let assignee = incident.assignee.clone();
    let placement = Placement {
        category,
        severity,
        subcategory: incident.subcategory.clone(),
        system: report.system.code.clone(),
        module: report.module.as_ref().map(|m| m.code.clone()),
    };
    let subcategory = incident.subcategory.clone();
    view! {
        <Title text=format!("#{number} {}", report.title) />
        <a href="/console" class="text-sm text-sky-700">{move || t().back_to_queue}</a>
        <div class="mt-2 flex flex-wrap items-center gap-3">
            <h1 class="text-xl font-semibold">
                <span class="font-mono text-slate-500">"#" {number}</span> " " {report.title.clone()}
            </h1>
            <StatusBadge status />
            <span data-testid="classification" class="text-sm text-slate-600">
                {classification}
                {subcategory.map(|s| format!(" · {s}"))}
            </span>
            <SlaBadge state=incident.sla />
        </div>
        <p class="mt-1 text-sm text-slate-500">
            {move || system.name(i18n.locale()).to_owned()}
            {move || module.as_ref().map(|m| format!(" / {}", m.name(i18n.locale())))}
            " · " {move || t().reporter} " " {incident.reporter.clone()}
            " · " {move || t().assignee} " "
            <span data-testid="assignee">
                {move || assignee.clone().unwrap_or_else(|| t().unassigned.to_owned())}
            </span>
        </p>

        <Actions number status placement assignable=incident.assignable.clone() />

        <div class="mt-6 grid gap-6 lg:grid-cols-3">
            <div class="space-y-6 lg:col-span-2">
                <section class="rounded-xl border border-slate-200 bg-white p-5">
                    <h2 class="font-semibold">{move || t().description}</h2>
                    <p class="mt-2 whitespace-pre-line" data-testid="description">{report.description.clone()}</p>
                    <AttachmentViewer files=report.attachments.clone() />
                    {report.solution.clone().map(|solution| view! {
                        <h2 class="mt-4 font-semibold">{move || t().solution}</h2>
                        <p class="mt-2 whitespace-pre-line" data-testid="solution">{solution}</p>
                    })}
                </section>
                <Thread number messages=report.messages.clone() status />
                <ScriptsPanel number system=report.system.code.clone() scripts=incident.scripts.clone()
                    open=status.is_open() />
            </div>
            <div class="space-y-6">
                <section class="rounded-xl border border-slate-200 bg-white p-5" data-testid="identity">
                    <h2 class="font-semibold">{move || t().customer}</h2>
                    <p class="text-xs text-slate-500">{move || t().reveal_hint}</p>
                    <dl class="mt-3 space-y-2 text-sm">
                        <Revealable number field=IdentityField::CustomerName masked=report.customer_name.clone()
                            label=move || i18n.incidents().field_customer_name />
                        <Revealable number field=IdentityField::IdNumber masked=report.id_number.clone()
                            label=move || i18n.incidents().doc_name(doc) />
                        {incident.fund_account.clone().map(|masked| view! {
                            <Revealable number field=IdentityField::FundAccount masked
                                label=move || i18n.incidents().field_fund_account />
                        })}
                        {incident.customer_mobile.clone().map(|masked| view! {
                            <Revealable number field=IdentityField::CustomerMobile masked
                                label=move || i18n.incidents().field_customer_mobile />
                        })}
                    </dl>
                </section>
                <super::side_panels::SlaPanel incident=incident.clone() />
                <super::side_panels::BatchPanel number open=status.is_open() members=incident.batch.clone() />
                <super::side_panels::HandoffPanel handoffs=incident.handoffs.clone() />
                <section class="rounded-xl border border-slate-200 bg-white p-5">
                    <h2 class="mb-3 font-semibold">{move || t().timeline}</h2>
                    <Timeline entries=report.timeline.clone() />
                </section>
            </div>
        </div>
    }
}

/// A masked identity field with a button that shows it in full (and is recorded).
#[component]
fn Revealable(
    number: i64,
    field: IdentityField,
    masked: String,
    label: impl Fn() -> &'static str + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let shown = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<AppError>);
    let reveal = move |_| {
        leptos::task::spawn_local(async move {
            match console_reveal(number, field).await {
                Ok(value) => shown.set(Some(value)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <div class="flex items-center justify-between gap-2" data-field=field.as_str()>
            <dt class="text-slate-500">{label}</dt>
            <dd class="flex items-center gap-2">
                <span data-testid="identity-value" class="font-mono">
                    {move || shown.get().unwrap_or_else(|| masked.clone())}
                </span>
                <Show when=move || shown.get().is_none()>
                    <button type="button" data-testid="reveal" class="text-xs text-sky-700" on:click=reveal>
                        {move || i18n.console().reveal}
                    </button>
                </Show>
            </dd>
        </div>
        {move || error.get().map(|e| view! { <p class="text-xs text-red-700">{e.message(i18n.t())}</p> })}
    }
}

/// The open step form, the reply being written and both actions, kept across live refreshes.
#[derive(Clone, Copy)]
struct Drafts {
    step: ServerAction<ConsoleStep>,
    open: RwSignal<Pending>,
    note: RwSignal<String>,
    target: RwSignal<TransferTarget>,
    category: RwSignal<Category>,
    severity: RwSignal<Severity>,
    subcategory: RwSignal<String>,
    system: RwSignal<String>,
    module: RwSignal<String>,
    assignee: RwSignal<Option<i64>>,
    reply: ServerAction<ConsoleReply>,
    body: RwSignal<String>,
    internal: RwSignal<bool>,
}

impl Drafts {
    fn new(refresh: RwSignal<u32>) -> Self {
        let drafts = Self {
            step: ServerAction::new(),
            open: RwSignal::new(Pending::None),
            note: RwSignal::new(String::new()),
            target: RwSignal::new(TransferTarget::Development),
            category: RwSignal::new(Category::Data),
            severity: RwSignal::new(Severity::P3),
            subcategory: RwSignal::new(String::new()),
            system: RwSignal::new(String::new()),
            module: RwSignal::new(String::new()),
            assignee: RwSignal::new(None),
            reply: ServerAction::new(),
            body: RwSignal::new(String::new()),
            internal: RwSignal::new(false),
        };
        // Only a success clears what was typed.
        Effect::new(move |_| {
            if let Some(Ok(_)) = drafts.step.value().get() {
                drafts.open.set(Pending::None);
                drafts.note.set(String::new());
                refresh.update(|n| *n += 1);
            }
        });
        Effect::new(move |_| {
            if let Some(Ok(_)) = drafts.reply.value().get() {
                drafts.body.set(String::new());
                refresh.update(|n| *n += 1);
            }
        });
        drafts
    }
}

/// Which form of the action bar is open.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pending {
    None,
    Assign,
    Reopen,
    Classify,
    Ask,
    Transfer,
    Resolve,
}

/// What the classify form starts from: the incident's current classification and place.
#[derive(Clone)]
struct Placement {
    category: Option<Category>,
    severity: Option<Severity>,
    subcategory: Option<String>,
    system: String,
    module: Option<String>,
}

const FIELD: &str = "rounded-md border border-slate-300 px-2 py-1.5";

/// The workflow steps the status allows, each with what it needs.
#[component]
fn Actions(
    number: i64,
    status: Status,
    placement: Placement,
    assignable: Vec<Assignable>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.console();
    let drafts = expect_context::<Drafts>();
    let Drafts {
        step,
        open,
        note,
        target,
        category,
        severity,
        subcategory,
        system,
        module,
        assignee,
        ..
    } = drafts;
    let send = move |kind: Step| {
        let text = note.get_untracked();
        let text = (!text.trim().is_empty()).then_some(text);
        let classify = kind == Step::Classified;
        let resolving = kind == Step::Resolved;
        step.dispatch(ConsoleStep {
            number,
            step: kind,
            input: StepDetails {
                note: if resolving { None } else { text.clone() },
                solution: resolving.then(|| text.unwrap_or_default()),
                transfer_target: (kind == Step::Transferred).then(|| target.get_untracked()),
                category: classify.then(|| category.get_untracked()),
                severity: classify.then(|| severity.get_untracked()),
                subcategory: classify.then(|| subcategory.get_untracked()),
                system: classify.then(|| system.get_untracked()),
                module: classify.then(|| module.get_untracked()),
                assignee_id: (kind == Step::Assigned)
                    .then(|| assignee.get_untracked())
                    .flatten(),
            },
        });
    };
    let allowed = move |kind: Step| kind.apply(status).is_some();
    let start_classify = move || {
        // The form opens on what the incident says now, unless a draft is under way.
        if open.get_untracked() != Pending::Classify {
            category.set(placement.category.unwrap_or(Category::Data));
            severity.set(placement.severity.unwrap_or(Severity::P3));
            subcategory.set(placement.subcategory.clone().unwrap_or_default());
            system.set(placement.system.clone());
            module.set(placement.module.clone().unwrap_or_default());
        }
    };
    let button = move |kind: Step,
                       form: Pending,
                       label: fn(&super::texts::ConsoleTexts) -> &'static str| {
        let start_classify = start_classify.clone();
        allowed(kind).then(|| {
            let click = move |_| {
                if form == Pending::None {
                    send(kind);
                } else {
                    if form == Pending::Classify {
                        start_classify();
                    }
                    step.clear();
                    open.set(form);
                }
            };
            view! {
                <button
                    type="button"
                    data-testid=format!("step-{}", kind.as_str())
                    class="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50"
                    on:click=click
                >
                    {move || label(t())}
                </button>
            }
        })
    };
    let form_for = move |form: Pending| {
        let (kind, placeholder): (Step, fn(&super::texts::ConsoleTexts) -> &'static str) =
            match form {
                Pending::Assign => (Step::Assigned, |t| t.transfer_note),
                Pending::Reopen => (Step::Reopened, |t| t.reopen_placeholder),
                Pending::Classify => (Step::Classified, |t| t.classify),
                Pending::Ask => (Step::Waiting, |t| t.ask_placeholder),
                Pending::Transfer => (Step::Transferred, |t| t.transfer_note),
                Pending::Resolve => (Step::Resolved, |t| t.solution_placeholder),
                Pending::None => return None,
            };
        let textarea = (form != Pending::Classify).then(|| {
            view! {
                <textarea
                    data-testid="step-note"
                    rows="3"
                    class="w-full rounded-md border border-slate-300 px-3 py-2"
                    placeholder=move || placeholder(t())
                    prop:value=move || note.get()
                    on:input=move |ev| note.set(event_target_value(&ev))
                ></textarea>
            }
        });
        let choices = match form {
            Pending::Transfer => Some(view! {
                <select data-testid="transfer-target" class=FIELD
                    on:change=move |ev| {
                        if let Some(t) = TransferTarget::parse(&event_target_value(&ev)) { target.set(t) }
                    }>
                    {TransferTarget::ALL.into_iter().map(|t| view! {
                        <option value=t.as_str() selected=move || target.get() == t>
                            {move || i18n.incidents().target_name(t)}
                        </option>
                    }).collect_view()}
                </select>
            }.into_any()),
            Pending::Assign => {
                let people = assignable.clone();
                if assignee.get_untracked().is_none() {
                    assignee.set(people.first().map(|p| p.id));
                }
                Some(view! {
                    <select data-testid="assignee-choice" class=FIELD
                        on:change=move |ev| assignee.set(event_target_value(&ev).parse().ok())>
                        {people.into_iter().map(|p| view! {
                            <option value=p.id.to_string() selected=move || assignee.get() == Some(p.id)>
                                {p.display_name}
                            </option>
                        }).collect_view()}
                    </select>
                }.into_any())
            }
            Pending::Classify => Some(view! { <ClassifyFields /> }.into_any()),
            _ => None,
        };
        Some(view! {
            <div class="mt-3 space-y-2 rounded-xl border border-slate-200 bg-white p-4" data-testid="step-form">
                <div class="flex flex-wrap gap-2">{choices}</div>
                {textarea}
                <div class="flex gap-2">
                    <button type="button" data-testid="step-confirm"
                        class="rounded-md bg-sky-700 px-3 py-1.5 text-sm text-white hover:bg-sky-800"
                        on:click=move |_| send(kind)>
                        {move || t().confirm}
                    </button>
                    <button type="button" class="rounded-md px-3 py-1.5 text-sm text-slate-600"
                        on:click=move |_| open.set(Pending::None)>
                        {move || t().cancel}
                    </button>
                </div>
            </div>
        })
    };
    view! {
        <div class="mt-4 flex flex-wrap gap-2" data-testid="actions">
            {button(Step::Claimed, Pending::None, |t| t.claim)}
            {button(Step::Assigned, Pending::Assign, |t| t.assign)}
            {button(Step::Classified, Pending::Classify, |t| t.classify)}
            {button(Step::Waiting, Pending::Ask, |t| t.ask_reporter)}
            {button(Step::Transferred, Pending::Transfer, |t| t.transfer)}
            {button(Step::Resolved, Pending::Resolve, |t| t.resolve)}
            {button(Step::Closed, Pending::None, |t| t.close)}
            {button(Step::Reopened, Pending::Reopen, |t| t.reopen)}
        </div>
        {move || form_for(open.get())}
        {move || {
            step.value().get().and_then(Result::err).map(|error| view! {
                <p role="alert" data-testid="step-error"
                    class="mt-3 rounded-lg border border-red-200 bg-red-50 px-4 py-2 text-red-700">
                    {error.message(i18n.t())}
                </p>
            })
        }}
    }
}

/// Category, severity, subcategory, and the system and module the incident belongs to.
#[component]
fn ClassifyFields() -> impl IntoView {
    let i18n = use_i18n();
    let Drafts {
        category,
        severity,
        subcategory,
        system,
        module,
        ..
    } = expect_context::<Drafts>();
    let systems = Resource::new(|| (), |_| list_systems());
    view! {
        <select data-testid="category" class=FIELD
            on:change=move |ev| {
                if let Some(c) = Category::parse(&event_target_value(&ev)) { category.set(c) }
            }>
            {Category::ALL.into_iter().map(|c| view! {
                <option value=c.as_str() selected=move || category.get() == c>
                    {move || i18n.incidents().category_name(c)}
                </option>
            }).collect_view()}
        </select>
        <select data-testid="severity" class=FIELD
            on:change=move |ev| {
                if let Some(s) = Severity::parse(&event_target_value(&ev)) { severity.set(s) }
            }>
            {Severity::ALL.into_iter().map(|s| view! {
                <option value=s.as_str() selected=move || severity.get() == s>{s.label()}</option>
            }).collect_view()}
        </select>
        <input type="text" maxlength=crate::incidents::MAX_SUBCATEGORY data-testid="subcategory" class=FIELD
            placeholder=move || i18n.console().subcategory_placeholder
            prop:value=move || subcategory.get()
            on:input=move |ev| subcategory.set(event_target_value(&ev)) />
        <Suspense>
            {move || Suspend::new(async move {
                let systems = systems.await.unwrap_or_default();
                let locale = i18n.locale();
                let modules = {
                    let systems = systems.clone();
                    move || {
                        let code = system.get();
                        systems.iter().find(|s| s.system.code == code)
                            .map(|s| s.modules.clone()).unwrap_or_default()
                    }
                };
                view! {
                    <select data-testid="classify-system" class=FIELD
                        on:change=move |ev| { system.set(event_target_value(&ev)); module.set(String::new()); }>
                        {systems.iter().map(|s| {
                            let code = s.system.code.clone();
                            let mine = code.clone();
                            view! {
                                <option value=code selected=move || system.get() == mine>
                                    {s.system.name(locale).to_owned()}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                    <select data-testid="classify-module" class=FIELD
                        on:change=move |ev| module.set(event_target_value(&ev))>
                        <option value="">{move || i18n.console().keep_module}</option>
                        {move || modules().into_iter().map(|m| {
                            let code = m.code.clone();
                            let mine = code.clone();
                            view! {
                                <option value=code selected=move || module.get() == mine>
                                    {m.name(locale).to_owned()}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                }
            })}
        </Suspense>
    }
}

/// The whole thread, internal notes marked, and the composer. A refused reply keeps its text.
#[component]
fn Thread(number: i64, messages: Vec<ThreadMessage>, status: Status) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.console();
    let Drafts {
        reply,
        body,
        internal,
        ..
    } = expect_context::<Drafts>();
    let send = move |_| {
        reply.dispatch(ConsoleReply {
            number,
            body: body.get_untracked(),
            internal: internal.get_untracked(),
        });
    };
    view! {
        <section class="rounded-xl border border-slate-200 bg-white p-5">
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
                            <p class="text-xs text-slate-500">
                                {m.author_name} " · " {format_minute(m.at)}
                                {m.internal.then(|| view! {
                                    <span class="ml-2 font-medium text-amber-800">{move || t().internal_badge}</span>
                                })}
                            </p>
                            <p class="mt-1 whitespace-pre-line">{m.body}</p>
                            <AttachmentViewer files=m.attachments />
                        </li>
                    }
                }).collect_view()}
            </ol>
            <Show when=move || status != Status::Closed>
                <div class="mt-4 space-y-2">
                    <textarea
                        data-testid="reply-body"
                        rows="3"
                        class="w-full rounded-md border border-slate-300 px-3 py-2"
                        placeholder=move || t().reply_placeholder
                        prop:value=move || body.get()
                        on:input=move |ev| body.set(event_target_value(&ev))
                    ></textarea>
                    <div class="flex flex-wrap items-center justify-between gap-2">
                        <CannedPicker on_pick=Callback::new(move |text: String| {
                            body.update(|b| {
                                if !b.is_empty() && !b.ends_with('\n') { b.push('\n'); }
                                b.push_str(&text);
                            });
                        }) />
                        <label class="flex items-center gap-2 text-sm text-slate-600">
                            <input type="checkbox" data-testid="reply-internal"
                                prop:checked=move || internal.get()
                                on:change=move |ev| internal.set(event_target_checked(&ev)) />
                            {move || t().internal_note}
                        </label>
                        <button type="button" data-testid="reply-send"
                            class="rounded-md bg-sky-700 px-3 py-1.5 text-sm text-white hover:bg-sky-800"
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
