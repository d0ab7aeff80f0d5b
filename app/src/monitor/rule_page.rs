//! `/console/monitor/r/{id}`: a rule, what it checks, "run now", its runs and their
//! normal and abnormal counts over time as server-drawn charts.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::list::run_outcome;
use super::texts::MonitorTexts;
use super::{monitor_rule, MonitorRunNow, MonitorSilence, RuleDetail, RunSummary, SILENCE_HOURS};
use crate::auth::{Action, AreaAccess};
use crate::charts::{self, Column, Segment, Series, PALETTE};
use crate::i18n::{fill, page_title, use_i18n};
use crate::incidents::view::StatusBadge;
use crate::resource::page_resource;
use crate::shell::{Loading, PageError};
use crate::time::format_minute;
use crate::ui::{PANEL, PRIMARY_BUTTON, SECONDARY_BUTTON};

/// A run's length, in whole seconds (under one: "0").
pub(super) fn took(t: &MonitorTexts, run: &RunSummary) -> String {
    run.finished_at
        .map(|end| fill(t.seconds, &[&(end - run.started_at).num_seconds()]))
        .unwrap_or_default()
}

#[component]
pub fn RulePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params.with(|p| {
            p.get("id")
                .and_then(|id| id.parse::<i64>().ok())
                .unwrap_or(0)
        })
    };
    let run_now = ServerAction::<MonitorRunNow>::new();
    let silence = ServerAction::<MonitorSilence>::new();
    let rule = page_resource(
        move || (id(), run_now.version().get(), silence.version().get()),
        |(id, _, _)| monitor_rule(id),
    );
    let AreaAccess(access) = expect_context::<AreaAccess>();
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let (may_write, on_duty) = access.await.map_or((false, false), |user| {
                    (user.may(Action::WriteMonitorRules), user.may(Action::WorkIncidents))
                });
                match rule.await {
                    Ok(detail) => view! { <RuleView detail may_write on_duty run_now silence /> }.into_any(),
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn RuleView(
    detail: RuleDetail,
    may_write: bool,
    on_duty: bool,
    run_now: ServerAction<MonitorRunNow>,
    silence: ServerAction<MonitorSilence>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = i18n.monitor();
    let RuleDetail {
        rule,
        input,
        runs,
        incidents,
    } = detail;
    let id = rule.id;
    let next = match (rule.enabled, rule.next_run_at) {
        (true, Some(at)) => fill(t.next_run, &[&format_minute(at)]),
        _ => t.not_scheduled.to_owned(),
    };
    let side = |label: &'static str, source: String, sql: String| {
        view! {
            <div>
                <div class="text-xs text-slate-600">{label} " · " <span class="font-mono">{source}</span></div>
                // Focusable: a long query scrolls sideways, and keyboards must reach it.
                <pre tabindex="0" class="mt-1 overflow-x-auto rounded bg-slate-50 p-2 text-xs">{sql}</pre>
            </div>
        }
    };
    let reconciling = input.kind == super::CheckKind::Reconciliation;
    let threshold = (input.kind == super::CheckKind::Metric).then(|| {
        let open = |v: &str| {
            if v.is_empty() {
                "—".to_owned()
            } else {
                v.to_owned()
            }
        };
        let rule = match input.threshold.as_str() {
            "absolute" => fill(
                t.threshold_absolute,
                &[&open(&input.min), &open(&input.max)],
            ),
            "weekday" => fill(t.threshold_weekday, &[&input.weeks, &input.drop_percent]),
            _ => fill(t.threshold_z, &[&input.window, &input.limit]),
        };
        let day = match input.day {
            super::MetricDay::Today => t.day_today,
            super::MetricDay::Yesterday => t.day_yesterday,
        };
        view! {
            <p class="mt-2 text-sm text-slate-700" data-testid="monitor-threshold-summary">
                {t.threshold} ": " {rule} " · " {t.day} ": " {day}
            </p>
        }
    });
    let definition = view! {
        <section class=format!("mt-4 {PANEL}")>
            <h2 class="font-semibold">{t.definition}</h2>
            <p class="mt-1 text-sm text-slate-700">
                {t.kind_names[input.kind as usize]} " · " <span class="font-mono">{input.schedule.clone()}</span>
                " · " {rule.severity.label()} " · " {next}
                {rule.system.clone().map(|system| view! {
                    " · " {t.system} ": " {move || system.name(i18n.locale()).to_owned()}
                })}
                {rule.owner.clone().map(|owner| view! {
                    " · " {t.owner} ": " <span data-testid="monitor-owner">{owner}</span>
                })}
            </p>
            {input.from_incident.map(|number| view! {
                <p class="mt-1 text-sm">
                    <a href=format!("/console/i/{number}") class="text-sky-800 underline" data-testid="monitor-from-incident">
                        {fill(t.from_incident, &[&number])}
                    </a>
                </p>
            })}
            <div class="mt-3 grid gap-3 lg:grid-cols-2">
                {side(if reconciling { t.left } else { t.sql }, input.source.clone(), input.sql.clone())}
                {reconciling.then(|| side(t.right, input.other_source.clone(), input.other_sql.clone()))}
            </div>
            {threshold}
            {reconciling.then(|| view! {
                <p class="mt-2 text-sm text-slate-700">{t.key} ": " <span class="font-mono">{input.key.clone()}</span>
                    {(!input.compare.is_empty()).then(|| view! { " · " {t.compare} ": " <span class="font-mono">{input.compare.clone()}</span> })}
                </p>
            })}
        </section>
    };
    let actions = may_write.then(|| view! {
        <div class="flex items-center gap-2">
            <button type="button" class=PRIMARY_BUTTON data-testid="monitor-run-now"
                disabled=move || run_now.pending().get()
                on:click=move |_| { run_now.dispatch(MonitorRunNow { id }); }>
                {move || if run_now.pending().get() { i18n.monitor().running_now } else { i18n.monitor().run_now }}
            </button>
            <a href=format!("/console/monitor/r/{id}/edit") class=SECONDARY_BUTTON data-testid="monitor-edit">{t.edit}</a>
        </div>
    });
    let failed =
        move || {
            run_now
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| silence.value().get().and_then(Result::err))
            .map(|error| view! {
                <p role="alert" class="mt-2 text-sm text-red-700">{error.message(i18n.t())}</p>
            })
        };
    let silenced = rule
        .silenced_until
        .filter(|until| *until > chrono::Utc::now());
    let alert_state = view! {
        <p class="mt-2 flex flex-wrap items-center gap-2 text-sm" data-testid="monitor-alert-state">
            {rule.alerting.then(|| view! {
                <span class="rounded bg-red-100 px-1.5 py-0.5 text-xs font-medium text-red-900">{t.alerting}</span>
            })}
            {silenced.map(|until| view! {
                <span class="text-slate-700" data-testid="monitor-silenced">{fill(t.silenced_until, &[&format_minute(until)])}</span>
            })}
            {on_duty.then(|| view! {
                <span class="text-slate-700">{t.silence}</span>
                {SILENCE_HOURS.into_iter().zip(t.silence_for).map(|(hours, label)| view! {
                    <button type="button" class="text-sky-800 underline" data-testid=format!("monitor-silence-{hours}")
                        on:click=move |_| { silence.dispatch(MonitorSilence { id, hours }); }>{label}</button>
                }).collect_view()}
                {silenced.is_some().then(|| view! {
                    <button type="button" class="text-sky-800 underline" data-testid="monitor-speak-again"
                        on:click=move |_| { silence.dispatch(MonitorSilence { id, hours: 0 }); }>{t.speak_again}</button>
                })}
            })}
        </p>
    };
    let charts = (!runs.is_empty()).then(|| {
        let abnormal = chart(t.chart_abnormal, PALETTE[4], &runs, |r| r.abnormal);
        let normal = chart(t.chart_normal, PALETTE[0], &runs, |r| r.normal);
        view! {
            <div class="mt-4 grid gap-4 lg:grid-cols-2">
                <div class=PANEL inner_html=abnormal data-testid="monitor-chart"></div>
                <div class=PANEL inner_html=normal></div>
            </div>
        }
    });
    view! {
        <Title text=page_title(move || i18n.monitor().title) />
        <p class="text-sm"><a href="/console/monitor" class="text-sky-800 underline">{t.title}</a></p>
        <div class="mt-1 flex flex-wrap items-baseline justify-between gap-4">
            <h1 class="text-xl font-semibold" data-testid="monitor-rule-name">{rule.name.clone()}</h1>
            {actions}
        </div>
        {failed}
        {alert_state}
        {definition}
        {charts}
        <section class=format!("mt-4 {PANEL}")>
            <h2 class="font-semibold">{t.runs_title}</h2>
            {if runs.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-600">{t.no_runs}</p> }.into_any()
            } else {
                view! { <RunsTable runs t /> }.into_any()
            }}
        </section>
        <section class=format!("mt-4 {PANEL}") data-testid="monitor-linked">
            <h2 class="font-semibold">{t.linked_title}</h2>
            {if incidents.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-600">{t.no_linked}</p> }.into_any()
            } else {
                view! {
                    <ul class="mt-2 space-y-1 text-sm">
                        {incidents.into_iter().map(|incident| view! {
                            <li data-testid="monitor-linked-incident">
                                <a href=format!("/console/i/{}", incident.number) class="text-sky-800 underline">
                                    "#" {incident.number.to_string()} " " {incident.title}
                                </a>
                                " · " <StatusBadge status=incident.status />
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// One column a run, oldest first, each linking to the run's records.
fn chart(
    title: &str,
    color: &'static str,
    runs: &[RunSummary],
    value: fn(&RunSummary) -> i64,
) -> String {
    let series = [Series {
        label: title.to_owned(),
        color,
    }];
    let columns: Vec<Column> = runs
        .iter()
        .rev()
        .map(|run| Column {
            label: crate::time::to_shanghai(run.started_at)
                .format("%m-%d %H:%M")
                .to_string(),
            segments: vec![Segment {
                value: value(run),
                href: format!("/console/monitor/runs/{}", run.id),
            }],
        })
        .collect();
    charts::stacked_columns(title, &series, &columns)
}

#[component]
fn RunsTable(runs: Vec<RunSummary>, t: &'static MonitorTexts) -> impl IntoView {
    view! {
        <table class="mt-3 w-full text-sm" data-testid="monitor-runs">
            <thead class="text-left text-slate-600">
                <tr>
                    <th class="py-1 font-normal">{t.col_started}</th>
                    <th class="py-1 font-normal">{t.col_took}</th>
                    <th class="py-1 font-normal">{t.col_outcome}</th>
                    <th class="py-1 font-normal"></th>
                </tr>
            </thead>
            <tbody>
                {runs.into_iter().map(|run| {
                    let outcome = run_outcome(t, &run);
                    view! {
                        <tr class="border-t border-slate-200" data-testid="monitor-run">
                            <td class="py-1">{format_minute(run.started_at)} " "
                                <span class="text-xs text-slate-600">{if run.manual { t.manual } else { t.scheduled }}</span>
                            </td>
                            <td class="py-1">{took(t, &run)}</td>
                            <td class="py-1">{outcome}
                                {run.alert.as_deref().and_then(|mark| t.alert_marks.iter().find(|(m, _)| *m == mark)).map(|(_, label)| view! {
                                    " " <span class="text-xs text-slate-600" data-testid="run-alert">{*label}</span>
                                })}
                            </td>
                            <td class="py-1">
                                {(run.kept > 0).then(|| view! {
                                    <a href=format!("/console/monitor/runs/{}", run.id) class="text-sky-800 underline"
                                        data-testid="monitor-run-details">{t.details}</a>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}
