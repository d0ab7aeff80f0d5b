//! On a run's page: create an incident from the run, carrying the records the page lists with
//! the columns the handler ticks (identity-looking ones start unticked).

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::incidents::{looks_like_identity, RaiseInput};
use super::{MonitorRaise, RunSummary, RECORDS_PAGE};
use crate::error::AppError;
use crate::i18n::{fill, use_i18n};
use crate::incidents::{IncidentNumber, MAX_DESCRIPTION, MAX_TITLE};
use crate::reference::list_systems;
use crate::time::format_minute;
use crate::ui::{InBrowser, Labeled, SystemModulePicker, HINT, INPUT, PANEL, PRIMARY_BUTTON};

/// What the form starts from.
#[derive(Clone)]
pub(super) struct Raising {
    pub run: RunSummary,
    pub rule_name: String,
    pub rule_system: Option<String>,
    pub q: String,
    pub page: i64,
    /// Columns of the records listed.
    pub columns: Vec<String>,
    pub raised: Option<IncidentNumber>,
}

#[component]
pub(super) fn RaiseForm(raising: Raising) -> impl IntoView {
    let t = use_i18n().monitor();
    if let Some(number) = raising.raised {
        return view! {
            <p class="mt-4 text-sm" data-testid="raised-as">
                <a href=format!("/console/i/{number}") class="text-sky-800 underline">
                    {fill(t.raised_as, &[&number])}
                </a>
            </p>
        }
        .into_any();
    }
    let raising = StoredValue::new(raising);
    view! {
        // Interactive only: it needs the systems and runs in the browser.
        <InBrowser>
            {move || raising.with_value(|r| view! { <Form raising=r.clone() /> })}
        </InBrowser>
    }
    .into_any()
}

#[component]
fn Form(raising: Raising) -> impl IntoView {
    let i18n = use_i18n();
    let t = i18n.monitor();
    let systems = LocalResource::new(list_systems);
    let Raising {
        run,
        rule_name,
        rule_system,
        q,
        page,
        columns,
        ..
    } = raising;
    let input = RwSignal::new(RaiseInput {
        run_id: run.id,
        q,
        page,
        columns: columns
            .iter()
            .filter(|c| !looks_like_identity(c))
            .cloned()
            .collect(),
        title: fill(t.raise_default_title, &[&rule_name, &run.abnormal])
            .chars()
            .take(MAX_TITLE as usize)
            .collect(),
        system: rule_system.unwrap_or_default(),
        module: String::new(),
        description: fill(
            t.raise_default_description,
            &[
                &rule_name,
                &format_minute(run.started_at),
                &run.abnormal,
                &run.normal,
            ],
        ),
    });
    let raise = ServerAction::<MonitorRaise>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(recorded)) = raise.value().get() {
            navigate(
                &format!("/console/i/{}", recorded.number),
                Default::default(),
            );
        }
    });
    let refused_at = move |field: &'static str| matches!(raise.value().get(), Some(Err(AppError::Invalid { field: f, .. })) if f == field);
    let refused = move |field: &'static str| move || refused_at(field).to_string();
    let error = move || {
        raise.value().get().and_then(Result::err).map(
            |e| view! { <p role="alert" class="text-sm text-red-700">{e.message(i18n.t())}</p> },
        )
    };
    let column_box = move |column: String| {
        let name = column.clone();
        let ticked = move || input.with(|i| i.columns.contains(&name));
        let toggle = column.clone();
        view! {
            <label class="mr-4 inline-flex items-center gap-1 font-mono text-sm">
                <input type="checkbox" data-testid=format!("raise-column-{column}") prop:checked=ticked
                    on:change=move |ev| input.update(|i| {
                        i.columns.retain(|c| *c != toggle);
                        if event_target_checked(&ev) {
                            i.columns.push(toggle.clone());
                        }
                    }) />
                {column.clone()}
            </label>
        }
    };
    view! {
        <details class=format!("mt-4 {PANEL}") data-testid="raise-form">
            <summary class="cursor-pointer font-semibold" data-testid="raise-open">{t.raise_title}</summary>
            <p class=format!("mt-2 {HINT}")>{fill(t.raise_intro, &[&RECORDS_PAGE])}</p>
            <div class="mt-3 space-y-3">
                {(!columns.is_empty()).then(|| view! {
                    <fieldset>
                        <legend class="text-sm font-medium text-slate-700">{t.raise_columns}</legend>
                        <div class="mt-1">{columns.into_iter().map(column_box).collect_view()}</div>
                        <p class=HINT>{t.raise_identity_hint}</p>
                    </fieldset>
                })}
                <Labeled label=move || i18n.incidents().field_title>
                    <input type="text" maxlength=MAX_TITLE class=INPUT data-testid="raise-title"
                        aria-invalid=refused("title")
                        prop:value=move || input.with(|i| i.title.clone())
                        on:input=move |ev| input.update(|i| i.title = event_target_value(&ev)) />
                </Labeled>
                <div class="grid grid-cols-2 gap-3">
                    <Suspense>
                        {move || Suspend::new(async move {
                            let systems = systems.await.unwrap_or_default();
                            view! {
                                <SystemModulePicker
                                    systems
                                    system=Signal::derive(move || input.with(|i| i.system.clone()))
                                    on_system=move |code: String| input.update(|i| {
                                        i.system = code;
                                        i.module.clear();
                                    })
                                    module=Signal::derive(move || input.with(|i| i.module.clone()))
                                    on_module=move |code: String| input.update(|i| i.module = code)
                                    no_system=move || i18n.console().choose_system
                                    no_module=move || i18n.console().no_module
                                    id_prefix="raise-"
                                    input_class=INPUT
                                    system_invalid=Signal::derive(move || refused_at("system"))
                                />
                            }
                        })}
                    </Suspense>
                </div>
                <Labeled label=move || i18n.incidents().field_description>
                    <textarea rows="4" maxlength=MAX_DESCRIPTION class=INPUT data-testid="raise-description"
                        aria-invalid=refused("description")
                        prop:value=move || input.with(|i| i.description.clone())
                        on:input=move |ev| input.update(|i| i.description = event_target_value(&ev))></textarea>
                </Labeled>
                <button type="button" class=PRIMARY_BUTTON data-testid="raise-submit"
                    disabled=move || raise.pending().get()
                    on:click=move |_| { raise.dispatch(MonitorRaise { input: input.get_untracked() }); }>
                    {move || if raise.pending().get() { t.raising } else { t.raise_button }}
                </button>
                {error}
            </div>
        </details>
    }
}
