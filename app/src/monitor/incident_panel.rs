//! Monitoring on an incident's console page: the abnormal records an incident raised from a
//! run carries, the rules written from it, and "monitor this" once it is resolved.

use leptos::prelude::*;

use super::incidents::{AttachedRecords, IncidentMonitoring as Known};
use super::monitor_for_incident;
use crate::i18n::{fill, use_i18n};
use crate::incidents::IncidentNumber;
use crate::ui::{InBrowser, PANEL, SECONDARY_BUTTON};

#[component]
pub fn IncidentMonitoring(
    number: IncidentNumber,
    resolved: bool,
    may_write: bool,
) -> impl IntoView {
    // Loaded in the browser only, like the page's other side panels.
    let known = LocalResource::new(move || monitor_for_incident(number));
    view! {
        <InBrowser>
            <Suspense>
                {move || Suspend::new(async move {
                    let known = known.await.unwrap_or_default();
                    view! { <Panel number known resolved may_write /> }
                })}
            </Suspense>
        </InBrowser>
    }
}

#[component]
fn Panel(number: IncidentNumber, known: Known, resolved: bool, may_write: bool) -> impl IntoView {
    let t = use_i18n().monitor();
    let offer = resolved && may_write;
    if known.raised.is_none() && known.rules.is_empty() && !offer {
        return ().into_any();
    }
    view! {
        <section class=PANEL data-testid="incident-monitoring">
            <h2 class="font-semibold">{t.title}</h2>
            {known.raised.map(|raised| view! {
                <p class="mt-2 text-sm text-slate-700" data-testid="raised-from">
                    {fill(t.raised_from, &[&raised.rule.name, &raised.records.rows.len(), &raised.found])}
                    " "
                    <a href=format!("/console/monitor/r/{}", raised.rule.id) class="text-sky-800 underline">{t.open_rule}</a>
                    {raised.run_id.map(|run| view! {
                        " · " <a href=format!("/console/monitor/runs/{run}") class="text-sky-800 underline">{t.open_run}</a>
                    })}
                </p>
                <AttachedTable records=raised.records />
            })}
            {(!known.rules.is_empty()).then(|| view! {
                <p class="mt-2 text-sm text-slate-700" data-testid="rules-from">
                    {t.rules_from} " "
                    {known.rules.into_iter().map(|rule| view! {
                        <a href=format!("/console/monitor/r/{}", rule.id) class="mr-2 text-sky-800 underline">{rule.name}</a>
                    }).collect_view()}
                </p>
            })}
            {offer.then(|| view! {
                <p class="mt-3 text-sm text-slate-600">
                    <a href=format!("/console/monitor/new?incident={number}") class=SECONDARY_BUTTON
                        data-testid="monitor-this">{t.monitor_this}</a>
                    " " {t.monitor_this_hint}
                </p>
            })}
        </section>
    }
    .into_any()
}

/// The records an incident carries, a row each, the chosen columns only.
#[component]
fn AttachedTable(records: AttachedRecords) -> impl IntoView {
    let t = use_i18n().monitor();
    view! {
        <div class="mt-3 overflow-x-auto">
            <table class="w-full text-sm" data-testid="attached-records">
                <thead class="text-left text-slate-600">
                    <tr>
                        <th class="py-1 pr-3 font-normal">{t.col_record}</th>
                        {records.columns.into_iter().map(|c| view! {
                            <th class="py-1 pr-3 font-mono font-normal">{c}</th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {records.rows.into_iter().map(|row| view! {
                        <tr class="border-t border-slate-200 align-top" data-testid="attached-record">
                            <td class="py-1 pr-3">{t.record_kind(row.kind)}</td>
                            {row.cells.into_iter().map(|cell| view! {
                                <td class="py-1 pr-3 font-mono text-xs">{cell.unwrap_or_else(|| "NULL".into())}</td>
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
