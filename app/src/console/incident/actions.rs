//! The incident page's action bar: the workflow steps the status allows, each with the form of
//! what it needs (a note, a transfer target, an assignee, a classification).

use leptos::prelude::*;

use super::Drafts;
use crate::console::{Assignable, ConsoleStep};
use crate::i18n::use_i18n;
use crate::incidents::IncidentNumber;
use crate::incidents::{Category, Severity, Status, Step, StepDetails, TransferTarget};
use crate::ui::{Labeled, SystemModulePicker, INPUT, PRIMARY_BUTTON};

/// Which form of the action bar is open.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Pending {
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
pub(super) struct Placement {
    pub(super) category: Option<Category>,
    pub(super) severity: Option<Severity>,
    pub(super) subcategory: Option<String>,
    pub(super) system: String,
    pub(super) module: Option<String>,
}

/// The workflow steps the status allows, each with what it needs.
#[component]
pub(super) fn Actions(
    number: IncidentNumber,
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
        note_public,
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
                note_public: note_public.get_untracked(),
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
    let button =
        move |kind: Step,
              form: Pending,
              label: fn(&crate::console::texts::ConsoleTexts) -> &'static str| {
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
        let (kind, placeholder): (
            Step,
            fn(&crate::console::texts::ConsoleTexts) -> &'static str,
        ) = match form {
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
                <Labeled label=move || placeholder(t()) hidden_label=true>
                    <textarea
                        data-testid="step-note"
                        rows="3"
                        maxlength=crate::incidents::MAX_MESSAGE
                        class=format!("w-full {INPUT}")
                        placeholder=move || placeholder(t())
                        prop:value=move || note.get()
                        on:input=move |ev| note.set(event_target_value(&ev))
                    ></textarea>
                </Labeled>
            }
        });
        let choices = match form {
            Pending::Transfer => Some(view! {
                <Labeled label=move || i18n.incidents().field_transfer_target>
                <select data-testid="transfer-target" class=INPUT
                    on:change=move |ev| {
                        if let Some(t) = TransferTarget::parse(&event_target_value(&ev)) { target.set(t) }
                    }>
                    {TransferTarget::ALL.into_iter().map(|t| view! {
                        <option value=t.as_str() selected=move || target.get() == t>
                            {move || i18n.incidents().target_name(t)}
                        </option>
                    }).collect_view()}
                </select>
                </Labeled>
            }.into_any()),
            Pending::Assign => {
                let people = assignable.clone();
                if assignee.get_untracked().is_none() {
                    assignee.set(people.first().map(|p| p.id));
                }
                Some(view! {
                    <Labeled label=move || t().assignee>
                        <select data-testid="assignee-choice" class=INPUT
                            on:change=move |ev| assignee.set(event_target_value(&ev).parse().ok())>
                            {people.into_iter().map(|p| view! {
                                <option value=p.id.to_string() selected=move || assignee.get() == Some(p.id)>
                                    {p.display_name}
                                </option>
                            }).collect_view()}
                        </select>
                    </Labeled>
                }.into_any())
            }
            Pending::Classify => Some(view! { <ClassifyFields /> }.into_any()),
            _ => None,
        };
        // Notes of these steps are written for the team; the handler may share one.
        let share = matches!(form, Pending::Assign | Pending::Transfer).then(|| {
            view! {
                <label class="flex items-center gap-2 text-sm text-slate-600">
                    <input type="checkbox" data-testid="note-public"
                        prop:checked=move || note_public.get()
                        on:change=move |ev| note_public.set(event_target_checked(&ev)) />
                    {move || t().note_public}
                </label>
            }
        });
        Some(view! {
            <div class="mt-3 space-y-2 rounded-xl border border-slate-200 bg-white p-4" data-testid="step-form">
                <div class="flex flex-wrap gap-2">{choices}</div>
                {textarea}
                {share}
                <div class="flex gap-2">
                    <button type="button" data-testid="step-confirm"
                        class=PRIMARY_BUTTON
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
        systems,
        ..
    } = expect_context::<Drafts>();
    let incidents = move || i18n.incidents();
    view! {
        <Labeled label=move || incidents().field_category>
            <select data-testid="category" class=INPUT
                on:change=move |ev| {
                    if let Some(c) = Category::parse(&event_target_value(&ev)) { category.set(c) }
                }>
                {Category::ALL.into_iter().map(|c| view! {
                    <option value=c.as_str() selected=move || category.get() == c>
                        {move || incidents().category_name(c)}
                    </option>
                }).collect_view()}
            </select>
        </Labeled>
        <Labeled label=move || incidents().field_severity>
            <select data-testid="severity" class=INPUT
                on:change=move |ev| {
                    if let Some(s) = Severity::parse(&event_target_value(&ev)) { severity.set(s) }
                }>
                {Severity::ALL.into_iter().map(|s| view! {
                    <option value=s.as_str() selected=move || severity.get() == s>{s.label()}</option>
                }).collect_view()}
            </select>
        </Labeled>
        <Labeled label=move || i18n.t().field_name("subcategory")>
            <input type="text" maxlength=crate::incidents::MAX_SUBCATEGORY data-testid="subcategory" class=INPUT
                placeholder=move || i18n.console().subcategory_placeholder
                prop:value=move || subcategory.get()
                on:input=move |ev| subcategory.set(event_target_value(&ev)) />
        </Labeled>
        <Suspense>
            {move || Suspend::new(async move {
                view! {
                    <SystemModulePicker
                        systems=systems.await.unwrap_or_default()
                        system=system
                        on_system=move |code: String| {
                            system.set(code);
                            module.set(String::new());
                        }
                        module=module
                        on_module=move |code: String| module.set(code)
                        no_module=move || i18n.console().keep_module
                        id_prefix="classify-"
                        input_class=INPUT
                    />
                }
            })}
        </Suspense>
    }
}
