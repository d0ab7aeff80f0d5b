//! `/console/monitor/runs/{id}`: one run's kept abnormal records, searched and paged in the
//! URL (`q`, `page`), and exported as CSV.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use leptos_router::location::Url;

use super::incidents::columns_of;
use super::list::run_outcome;
use super::raise_form::{RaiseForm, Raising};
use super::rule_page::took;
use super::{monitor_run, RecordView, RunDetail, RECORDS_PAGE};
use crate::i18n::{fill, page_title, use_i18n};
use crate::resource::page_resource;
use crate::shell::{Loading, PageError};
use crate::time::format_minute;
use crate::ui::{Labeled, INPUT, PANEL, SECONDARY_BUTTON};

#[component]
pub fn RunPage() -> impl IntoView {
    provide_context(crate::i18n::FieldNames(super::texts::field_name));
    let i18n = use_i18n();
    let params = use_params_map();
    let query = use_query_map();
    let asked = move || {
        let id = params.with(|p| {
            p.get("id")
                .and_then(|id| id.parse::<i64>().ok())
                .unwrap_or(0)
        });
        let (q, page) = query.with(|q| {
            (
                q.get("q").unwrap_or_default(),
                q.get("page")
                    .and_then(|p| p.parse::<i64>().ok())
                    .unwrap_or(0),
            )
        });
        (id, q, page)
    };
    let run = page_resource(asked, |(id, q, page)| monitor_run(id, q, page));
    view! {
        <Title text=page_title(move || i18n.monitor().run_title) />
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let (_, q, page) = asked();
                match run.await {
                    Ok(detail) => view! { <RunView detail q page /> }.into_any(),
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn RunView(detail: RunDetail, q: String, page: i64) -> impl IntoView {
    let t = use_i18n().monitor();
    let RunDetail {
        run,
        rule_id,
        rule_name,
        rule_system,
        records,
        matching,
        raised,
        may_raise,
    } = detail;
    let raising = may_raise.then(|| Raising {
        run: run.clone(),
        rule_name: rule_name.clone(),
        rule_system,
        q: q.clone(),
        page,
        columns: columns_of(&records),
        raised,
    });
    let link = |page: i64| {
        let mut href = format!("/console/monitor/runs/{}?page={page}", run.id);
        if !q.is_empty() {
            href.push_str(&format!("&q={}", Url::escape(&q)));
        }
        href
    };
    let csv = if q.is_empty() {
        format!("/api/monitor/runs/{}/records.csv", run.id)
    } else {
        format!(
            "/api/monitor/runs/{}/records.csv?q={}",
            run.id,
            Url::escape(&q)
        )
    };
    let previous = (page > 0).then(|| link(page - 1));
    let next =
        (page.saturating_add(1).saturating_mul(RECORDS_PAGE) < matching).then(|| link(page + 1));
    view! {
        <p class="text-sm">
            <a href=format!("/console/monitor/r/{rule_id}") class="text-sky-800 underline">{t.back_to_rule}</a>
        </p>
        <h1 class="mt-1 text-xl font-semibold">{rule_name} " · " {t.run_title}</h1>
        <p class="mt-1 text-sm text-slate-700">
            {format_minute(run.started_at)} " · " {took(t, &run)} " · " {run_outcome(t, &run)}
        </p>
        {(i64::from(run.kept) < run.abnormal).then(|| view! {
            <p class="mt-1 text-sm text-slate-600">{fill(t.kept_note, &[&run.abnormal, &run.kept])}</p>
        })}
        <section class=format!("mt-4 {PANEL}")>
            <div class="flex flex-wrap items-end justify-between gap-3">
                <form method="get" action=format!("/console/monitor/runs/{}", run.id) class="flex items-end gap-2">
                    <Labeled label=t.search_placeholder hidden_label=true class="contents">
                        <input type="search" name="q" class=INPUT data-testid="records-search"
                            placeholder=t.search_placeholder value=q.clone() />
                    </Labeled>
                    <button type="submit" class=SECONDARY_BUTTON data-testid="records-search-go">{t.search}</button>
                </form>
                <a href=csv class="text-sm text-sky-800 underline" data-testid="records-csv" rel="external" download="">{t.export_csv}</a>
            </div>
            {if records.is_empty() {
                view! { <p class="mt-3 text-sm text-slate-600">{t.no_records}</p> }.into_any()
            } else {
                view! { <RecordTable records /> }.into_any()
            }}
            <div class="mt-3 flex gap-3 text-sm">
                {previous.map(|href| view! { <a href=href class="text-sky-800 underline">{t.previous_page}</a> })}
                {next.map(|href| view! { <a href=href class="text-sky-800 underline" data-testid="records-next">{t.next_page}</a> })}
            </div>
        </section>
        {raising.map(|raising| view! { <RaiseForm raising /> })}
    }
}

/// `name=value` pairs, NULL shown as such.
fn pairs(columns: &[String], values: &[Option<String>]) -> String {
    columns
        .iter()
        .zip(values)
        .map(|(c, v)| format!("{c}={}", v.as_deref().unwrap_or("NULL")))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Abnormal records: their kind, key and values (both sides of a difference).
#[component]
pub(super) fn RecordTable(records: Vec<RecordView>) -> impl IntoView {
    let t = use_i18n().monitor();
    view! {
        <div class="mt-3 overflow-x-auto">
            <table class="w-full text-sm" data-testid="monitor-records">
                <thead class="text-left text-slate-600">
                    <tr>
                        <th class="py-1 pr-3 font-normal">{t.col_record}</th>
                        <th class="py-1 pr-3 font-normal">{t.col_key}</th>
                        <th class="py-1 pr-3 font-normal">{t.col_values}</th>
                        <th class="py-1 font-normal">{t.col_differs}</th>
                    </tr>
                </thead>
                <tbody>
                    {records.into_iter().map(|record| {
                        let other = (!record.other_columns.is_empty())
                            .then(|| pairs(&record.other_columns, &record.other_values));
                        view! {
                            <tr class="border-t border-slate-200 align-top" data-testid="monitor-record">
                                <td class="py-1 pr-3">{t.record_kind(record.kind)}</td>
                                <td class="py-1 pr-3 font-mono">{record.key.clone().unwrap_or_default()}</td>
                                <td class="py-1 pr-3 font-mono text-xs">
                                    {pairs(&record.columns, &record.values)}
                                    {other.map(|other| view! { <br /> {other} })}
                                </td>
                                <td class="py-1 font-mono text-xs">{record.differs.join(", ")}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
