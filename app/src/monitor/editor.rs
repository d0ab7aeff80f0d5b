//! `/console/monitor/new` and `/console/monitor/r/{id}/edit`: a rule's form, its dry run
//! (what it would find now, kept nowhere) and saving it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use super::texts::MonitorTexts;
use super::{
    monitor_draft, monitor_rule, monitor_sources, CheckKind, DryRun, MetricDay, MonitorDryRun,
    MonitorSave, Outcome, RuleInput, SourceInfo, MAX_NAME, MAX_SQL,
};
use crate::error::{AppError, Problem};
use crate::i18n::{fill, page_title, use_i18n};
use crate::incidents::{IncidentNumber, Severity};
use crate::reference::{list_systems, System};
use crate::resource::page_resource;
use crate::shell::{Loading, PageError};
use crate::ui::{Labeled, HINT, INPUT, PANEL, PRIMARY_BUTTON, SECONDARY_BUTTON};

/// The sentence for `field` when `error` is about it; the rule's own words for a query that
/// is not one SELECT and for a schedule that is not cron.
fn error_at(error: Option<AppError>, field: &str, t: &'static MonitorTexts) -> Option<String> {
    let texts = crate::i18n::use_i18n().t();
    match error? {
        AppError::Invalid { field: f, .. } if f != field => None,
        AppError::Invalid {
            problem: Problem::Format,
            ..
        } if field == "sql" || field == "other_sql" => {
            let name = super::texts::field_name(texts.locale, field).unwrap_or(field);
            Some(fill(t.err_sql, &[&name]))
        }
        AppError::Invalid {
            problem: Problem::Format,
            ..
        } if field == "schedule" => Some(t.err_schedule.to_owned()),
        error @ AppError::Invalid { .. } => Some(error.message(texts)),
        _ => None,
    }
}

#[component]
pub fn RuleEditorPage() -> impl IntoView {
    provide_context(crate::i18n::FieldNames(super::texts::field_name));
    let i18n = use_i18n();
    let t = move || i18n.monitor();
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok()));
    // "Monitor this" on a resolved incident opens a new rule written from it.
    let incident = move || {
        query.with(|q| {
            q.get("incident")
                .and_then(|n| n.parse::<IncidentNumber>().ok())
        })
    };
    let rule = page_resource(
        move || (id(), incident()),
        |(id, incident)| async move {
            match (id, incident) {
                (Some(id), _) => monitor_rule(id).await.map(|detail| detail.input),
                (None, Some(number)) => monitor_draft(number).await,
                (None, None) => Ok(RuleInput::new_rule()),
            }
        },
    );
    let sources = page_resource(|| (), |_| monitor_sources());
    let systems = page_resource(|| (), |_| list_systems());
    view! {
        <Title text=page_title(move || if id().is_some() { t().title_edit } else { t().title_new }) />
        <h1 class="text-xl font-semibold">
            {move || if id().is_some() { t().title_edit } else { t().title_new }}
        </h1>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match (rule.await, sources.await, systems.await) {
                    (Ok(input), Ok(sources), Ok(systems)) => {
                        view! { <RuleForm input sources systems /> }.into_any()
                    }
                    (Err(error), _, _) | (_, Err(error), _) | (_, _, Err(error)) => {
                        view! { <PageError error /> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// A text field of the form.
fn field(
    input: RwSignal<RuleInput>,
    get: fn(&RuleInput) -> &String,
    set: fn(&mut RuleInput, String),
) -> (
    impl Fn() -> String + Copy,
    impl Fn(leptos::ev::Event) + Copy,
) {
    (
        move || input.with(|i| get(i).clone()),
        move |ev| input.update(|i| set(i, event_target_value(&ev))),
    )
}

#[component]
fn RuleForm(input: RuleInput, sources: Vec<SourceInfo>, systems: Vec<System>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.monitor();
    let editing = input.id;
    let from_incident = input.from_incident;
    let input = RwSignal::new(input);
    let save = ServerAction::<MonitorSave>::new();
    let dry = ServerAction::<MonitorDryRun>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(id)) = save.value().get() {
            navigate(&format!("/console/monitor/r/{id}"), Default::default());
        }
    });
    // The last answer of either button: its error is shown at its field.
    let problem = move || {
        save.value()
            .get()
            .and_then(Result::err)
            .or_else(|| dry.value().get().and_then(Result::err))
    };
    let error = move |name: &'static str| {
        move || {
            error_at(problem(), name, t())
                .map(|text| view! { <p role="alert" class="text-sm text-red-700">{text}</p> })
        }
    };
    let invalid =
        move |name: &'static str| move || error_at(problem(), name, t()).is_some().to_string();
    let other = move || {
        problem()
            .filter(|e| !matches!(e, AppError::Invalid { .. }))
            .map(|e| view! { <p role="alert" class="text-sm text-red-700">{e.message(i18n.t())}</p> })
    };
    let (name, set_name) = field(input, |i| &i.name, |i, v| i.name = v);
    let (key, set_key) = field(input, |i| &i.key, |i, v| i.key = v);
    let (compare, set_compare) = field(input, |i| &i.compare, |i, v| i.compare = v);
    let (schedule, set_schedule) = field(input, |i| &i.schedule, |i, v| i.schedule = v);
    let (cooldown, set_cooldown) = field(
        input,
        |i| &i.cooldown_minutes,
        |i, v| i.cooldown_minutes = v,
    );
    let reconciling = move || input.with(|i| i.kind == CheckKind::Reconciliation);
    let measuring = move || input.with(|i| i.kind == CheckKind::Metric);
    let threshold_is = move |kind: &'static str| move || input.with(|i| i.threshold == kind);
    let figure = move |label: fn(&MonitorTexts) -> &'static str,
                       name: &'static str,
                       value: fn(&RuleInput) -> &String,
                       set: fn(&mut RuleInput, String)| {
        let (get, on_input) = field(input, value, set);
        view! {
            <Labeled label=move || label(t())>
                <input type="text" inputmode="decimal" class=format!("w-28 {INPUT}") data-testid=format!("monitor-{name}")
                    aria-invalid=invalid(name) prop:value=get on:input=on_input />
                {error(name)}
            </Labeled>
        }
    };
    let sources = StoredValue::new(sources);
    let source_select = move |testid: &'static str,
                              current: fn(&RuleInput) -> &String,
                              set: fn(&mut RuleInput, String)| {
        let sources = sources.get_value();
        view! {
            <select class=INPUT data-testid=testid
                on:change=move |ev| input.update(|i| set(i, event_target_value(&ev)))>
                <option value="" selected=move || input.with(|i| current(i).is_empty())>{move || t().choose_source}</option>
                {sources.into_iter().map(|s| {
                    let name = s.name.clone();
                    let value = s.name.clone();
                    let selected = move || input.with(|i| *current(i) == name);
                    view! { <option value=value selected=selected>{s.name}</option> }
                }).collect_view()}
            </select>
        }
    };
    // A source and the query run there, with their labels, fields and test ids.
    type Text = fn(&MonitorTexts) -> &'static str;
    type Get = fn(&RuleInput) -> &String;
    type Set = fn(&mut RuleInput, String);
    let query_side = move |(source_label, source_field, source_testid, source, set_source): (
        Text,
        &'static str,
        &'static str,
        Get,
        Set,
    ),
                           (sql_label, sql_field, sql_testid, sql, set_sql): (
        Text,
        &'static str,
        &'static str,
        Get,
        Set,
    )| {
        let (sql, on_sql) = field(input, sql, set_sql);
        view! {
            <div class="space-y-2">
                <Labeled label=move || source_label(t())>
                    {source_select(source_testid, source, set_source)}
                    {error(source_field)}
                </Labeled>
                <Labeled label=move || sql_label(t())>
                    <textarea rows="8" maxlength=MAX_SQL class=format!("font-mono {INPUT}") data-testid=sql_testid
                        aria-invalid=invalid(sql_field) prop:value=sql on:input=on_sql></textarea>
                    {error(sql_field)}
                </Labeled>
            </div>
        }
    };
    view! {
        <section class=format!("mt-4 max-w-4xl space-y-3 {PANEL}") data-testid="monitor-form">
            {from_incident.map(|number| view! {
                <p class="text-sm">
                    <a href=format!("/console/i/{number}") class="text-sky-800 underline" data-testid="monitor-from-incident">
                        {move || fill(t().from_incident, &[&number])}
                    </a>
                </p>
            })}
            <Labeled label=move || t().name>
                <input type="text" maxlength=MAX_NAME class=INPUT data-testid="monitor-name"
                    aria-invalid=invalid("name") prop:value=name on:input=set_name />
                {error("name")}
            </Labeled>
            <Labeled label=move || t().kind>
                <select class=INPUT data-testid="monitor-kind"
                    on:change=move |ev| {
                        if let Some(kind) = CheckKind::parse(&event_target_value(&ev)) {
                            input.update(|i| i.kind = kind);
                        }
                    }>
                    {CheckKind::ALL.into_iter().map(|kind| view! {
                        <option value=kind.as_str() selected=move || input.with(|i| i.kind == kind)>
                            {move || t().kind_names[kind as usize]}
                        </option>
                    }).collect_view()}
                </select>
            </Labeled>
            <div class="grid gap-3 lg:grid-cols-2">
                {query_side(
                    (|t| t.source, "source", "monitor-source", |i| &i.source, |i, v| i.source = v),
                    (|t| t.sql, "sql", "monitor-sql", |i| &i.sql, |i, v| i.sql = v),
                )}
                <Show when=reconciling>
                    {query_side(
                        (|t| t.other_source, "other_source", "monitor-other-source", |i| &i.other_source, |i, v| i.other_source = v),
                        (|t| t.other_sql, "other_sql", "monitor-other-sql", |i| &i.other_sql, |i, v| i.other_sql = v),
                    )}
                </Show>
            </div>
            <p class=HINT>
                {move || match input.with(|i| i.kind) {
                    CheckKind::RowCheck => t().sql_hint_rows,
                    CheckKind::Reconciliation => t().sql_hint_sides,
                    CheckKind::Metric => t().sql_hint_metric,
                }}
            </p>
            <Show when=measuring>
                <div class="flex flex-wrap items-end gap-3" data-testid="monitor-threshold">
                    <Labeled label=move || t().threshold>
                        <select class=INPUT data-testid="monitor-threshold-kind"
                            on:change=move |ev| input.update(|i| i.threshold = event_target_value(&ev))>
                            {move || t().thresholds.iter().map(|(value, label)| {
                                let value = *value;
                                view! { <option value=value selected=move || input.with(|i| i.threshold == value)>{*label}</option> }
                            }).collect_view()}
                        </select>
                        {error("threshold")}
                    </Labeled>
                    <Show when=threshold_is("absolute")>
                        {figure(|t| t.min, "min", |i| &i.min, |i, v| i.min = v)}
                        {figure(|t| t.max, "max", |i| &i.max, |i, v| i.max = v)}
                    </Show>
                    <Show when=threshold_is("weekday")>
                        {figure(|t| t.weeks, "weeks", |i| &i.weeks, |i, v| i.weeks = v)}
                        {figure(|t| t.drop_percent, "drop_percent", |i| &i.drop_percent, |i, v| i.drop_percent = v)}
                    </Show>
                    <Show when=threshold_is("z_score")>
                        {figure(|t| t.window, "window", |i| &i.window, |i, v| i.window = v)}
                        {figure(|t| t.limit, "limit", |i| &i.limit, |i, v| i.limit = v)}
                    </Show>
                    <Labeled label=move || t().day>
                        <select class=INPUT data-testid="monitor-day"
                            on:change=move |ev| input.update(|i| {
                                i.day = if event_target_value(&ev) == "today" { MetricDay::Today } else { MetricDay::Yesterday };
                            })>
                            <option value="yesterday" selected=move || input.with(|i| i.day == MetricDay::Yesterday)>{move || t().day_yesterday}</option>
                            <option value="today" selected=move || input.with(|i| i.day == MetricDay::Today)>{move || t().day_today}</option>
                        </select>
                    </Labeled>
                </div>
            </Show>
            <Show when=reconciling>
                <div class="grid gap-3 lg:grid-cols-2">
                    <Labeled label=move || t().key>
                        <input type="text" class=INPUT data-testid="monitor-key"
                            aria-invalid=invalid("key") prop:value=key on:input=set_key />
                        {error("key")}
                    </Labeled>
                    <Labeled label=move || t().compare>
                        <input type="text" class=INPUT data-testid="monitor-compare"
                            prop:value=compare on:input=set_compare />
                    </Labeled>
                </div>
            </Show>
            <div class="flex flex-wrap gap-3">
                <Labeled label=move || t().schedule>
                    <input type="text" class=format!("font-mono {INPUT}") data-testid="monitor-schedule"
                        aria-invalid=invalid("schedule") prop:value=schedule on:input=set_schedule />
                    <span class=HINT>{move || t().schedule_hint}</span>
                    {error("schedule")}
                </Labeled>
                <Labeled label=move || t().system>
                    <select class=INPUT data-testid="monitor-system" aria-invalid=invalid("system")
                        on:change=move |ev| input.update(|i| i.system = event_target_value(&ev))>
                        <option value="" selected=move || input.with(|i| i.system.is_empty())>{move || t().any_system}</option>
                        {systems.into_iter().map(|s| {
                            let code = s.system.code.clone();
                            let value = code.clone();
                            let selected = move || input.with(|i| i.system == code);
                            view! {
                                <option value=value selected=selected>
                                    {move || s.system.name(i18n.locale()).to_owned()}
                                </option>
                            }
                        }).collect_view()}
                    </select>
                    {error("system")}
                </Labeled>
                <Labeled label=move || t().severity>
                    <select class=INPUT data-testid="monitor-severity"
                        on:change=move |ev| input.update(|i| i.severity = Severity::parse(&event_target_value(&ev)))>
                        {Severity::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=move || input.with(|i| i.severity == Some(s))>{s.label()}</option>
                        }).collect_view()}
                    </select>
                </Labeled>
                <Labeled label=move || t().cooldown>
                    <input type="number" min="0" max=super::MAX_COOLDOWN_MINUTES class=format!("w-28 {INPUT}")
                        data-testid="monitor-cooldown" aria-invalid=invalid("cooldown_minutes")
                        prop:value=cooldown on:input=set_cooldown />
                    {error("cooldown_minutes")}
                </Labeled>
            </div>
            <label class="flex items-center gap-2 text-sm text-slate-700">
                <input type="checkbox" data-testid="monitor-enabled" prop:checked=move || input.with(|i| i.enabled)
                    on:change=move |ev| input.update(|i| i.enabled = event_target_checked(&ev)) />
                {move || t().enabled}
            </label>
            <div class="flex flex-wrap items-center gap-3">
                <button type="button" class=SECONDARY_BUTTON data-testid="monitor-dry-run"
                    disabled=move || dry.pending().get()
                    on:click=move |_| { dry.dispatch(MonitorDryRun { input: input.get_untracked() }); }>
                    {move || if dry.pending().get() { t().dry_running } else { t().dry_run }}
                </button>
                <button type="button" class=PRIMARY_BUTTON data-testid="monitor-save"
                    disabled=move || save.pending().get()
                    on:click=move |_| { save.dispatch(MonitorSave { input: input.get_untracked() }); }>
                    {move || if save.pending().get() { t().saving } else { t().save }}
                </button>
                <a class="text-sm text-sky-800 underline"
                    href=editing.map_or("/console/monitor".to_owned(), |id| format!("/console/monitor/r/{id}"))>
                    {move || t().cancel}
                </a>
            </div>
            {other}
        </section>
        {move || dry.value().get().and_then(Result::ok).map(|found| view! { <DryRunResult found /> })}
    }
}

#[component]
fn DryRunResult(found: DryRun) -> impl IntoView {
    let t = use_i18n().monitor();
    let summary = match (&found.outcome, &found.error) {
        (Outcome::Error, Some(error)) => t.read_error(error),
        _ => fill(t.counts, &[&found.normal, &found.abnormal]),
    };
    let word = t.outcome_names[found.outcome as usize];
    view! {
        <section class=format!("mt-4 max-w-4xl {PANEL}") data-testid="monitor-dry-result">
            <h2 class="font-semibold">{t.dry_title}</h2>
            <p class="mt-2 text-sm"><span class="font-medium" data-testid="dry-outcome">{word}</span> " " {summary}</p>
            {(!found.records.is_empty()).then(|| view! { <super::run_page::RecordTable records=found.records /> })}
        </section>
    }
}
