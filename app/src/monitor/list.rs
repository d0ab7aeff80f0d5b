//! `/console/monitor`: every rule with its last run, and the sources rules may read.

use leptos::prelude::*;
use leptos_meta::Title;

use super::texts::MonitorTexts;
use super::{monitor_rules, monitor_sources, Outcome, RunSummary};
use crate::auth::{Action, AreaAccess};
use crate::i18n::{fill, page_title, use_i18n};
use crate::resource::page_resource;
use crate::shell::{Loading, PageError};
use crate::time::format_minute;
use crate::ui::{HINT, PANEL, PRIMARY_BUTTON};

/// A run's outcome as a coloured word, with its counts or why it failed.
pub(super) fn run_outcome(t: &'static MonitorTexts, run: &RunSummary) -> AnyView {
    let (class, word) = match run.outcome {
        None => ("bg-slate-100 text-slate-700", t.running),
        Some(Outcome::Normal) => ("bg-emerald-100 text-emerald-900", t.outcome_names[0]),
        Some(Outcome::Abnormal) => ("bg-red-100 text-red-900", t.outcome_names[1]),
        Some(Outcome::Error) => ("bg-amber-100 text-amber-900", t.outcome_names[2]),
    };
    let detail = match (&run.outcome, &run.error) {
        (Some(Outcome::Error), Some(error)) => t.read_error(error),
        (Some(_), _) => fill(t.counts, &[&run.normal, &run.abnormal]),
        (None, _) => String::new(),
    };
    view! {
        <span class=format!("rounded px-1.5 py-0.5 text-xs font-medium {class}") data-testid="run-outcome">{word}</span>
        " " <span class="text-sm text-slate-700">{detail}</span>
    }
    .into_any()
}

#[component]
pub fn MonitorPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.monitor();
    let rules = page_resource(|| (), |_| monitor_rules());
    let sources = page_resource(|| (), |_| monitor_sources());
    let AreaAccess(access) = expect_context::<AreaAccess>();
    view! {
        <Title text=page_title(move || t().title) />
        <div class="flex items-baseline justify-between gap-4">
            <h1 class="text-xl font-semibold">{move || t().title}</h1>
            <Suspense>
                {move || Suspend::new(async move {
                    access.await.is_ok_and(|user| user.may(Action::WriteMonitorRules)).then(|| view! {
                        <a href="/console/monitor/new" class=PRIMARY_BUTTON data-testid="monitor-new">{t().new_rule}</a>
                    })
                })}
            </Suspense>
        </div>
        <p class=format!("mt-1 max-w-3xl {HINT}")>{move || t().intro}</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let t = t();
                match rules.await {
                    Ok(rules) if rules.is_empty() => view! {
                        <p class="mt-4 text-slate-600">{t.none_yet}</p>
                    }.into_any(),
                    Ok(rules) => view! {
                        <div class="mt-4 overflow-x-auto rounded-xl border border-slate-200 bg-white">
                            <table class="min-w-full text-sm" data-testid="monitor-rules">
                                <thead class="bg-slate-50 text-left text-slate-600">
                                    <tr>
                                        <th class="px-3 py-2">{t.col_name}</th>
                                        <th class="px-3 py-2">{t.col_kind}</th>
                                        <th class="px-3 py-2">{t.col_schedule}</th>
                                        <th class="px-3 py-2">{t.col_last}</th>
                                        <th class="px-3 py-2">{t.col_next}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {rules.into_iter().map(|rule| {
                                        let last = match &rule.last_run {
                                            Some(run) => run_outcome(t, run),
                                            None => view! { <span class="text-slate-600">{t.never_run}</span> }.into_any(),
                                        };
                                        let next = match (rule.enabled, rule.next_run_at) {
                                            (false, _) => t.disabled.to_owned(),
                                            (true, Some(at)) => format_minute(at),
                                            (true, None) => String::new(),
                                        };
                                        view! {
                                            <tr class="border-t border-slate-200" data-testid="monitor-rule">
                                                <td class="px-3 py-2">
                                                    <a href=format!("/console/monitor/r/{}", rule.id) class="text-sky-800 underline">{rule.name}</a>
                                                    " " <span class="text-xs text-slate-600">{rule.severity.label()}</span>
                                                    {rule.alerting.then(|| view! {
                                                        " " <span class="rounded bg-red-100 px-1.5 py-0.5 text-xs text-red-900">{t.alerting}</span>
                                                    })}
                                                </td>
                                                <td class="px-3 py-2">{t.kind_names[rule.kind as usize]}</td>
                                                <td class="px-3 py-2 font-mono">{rule.schedule}</td>
                                                <td class="px-3 py-2">{last}</td>
                                                <td class="px-3 py-2">{next}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Transition>
        <section class=format!("mt-6 max-w-3xl {PANEL}")>
            <h2 class="font-semibold">{move || t().sources_title}</h2>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    let t = t();
                    match sources.await {
                        Ok(list) if list.is_empty() => view! { <p class=format!("mt-2 {HINT}")>{t.no_sources}</p> }.into_any(),
                        Ok(list) => view! {
                            <ul class="mt-2 space-y-1 text-sm" data-testid="monitor-sources">
                                {list.into_iter().map(|s| view! {
                                    <li><span class="font-mono">{s.name}</span>
                                        {s.url.map(|url| view! { " " <span class="text-slate-600">{url}</span> })}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <PageError error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
