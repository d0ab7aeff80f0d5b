//! `/console/datagen/stats?recipe=&target=&days=`: jobs a day by outcome, the status
//! distribution, failure reasons by step and error, median and p90 duration, jobs per person.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::jobs_page::DatagenNav;
use super::{datagen_stats, JobStatus, Stats, StatsFilter, STATS_PERIODS};
use crate::charts::{stacked_columns, Column, Segment, Series, PALETTE};
use crate::i18n::{fill, page_title, use_i18n};
use crate::resource::page_resource;
use crate::shell::{Loading, PageError};
use crate::ui::{Labeled, HINT, INPUT, PANEL, SECONDARY_BUTTON};

#[component]
pub fn StatsPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.datagen();
    let query = use_query_map();
    let filter = move || {
        query.with(|q| {
            let id = |name: &str| q.get(name).and_then(|v| v.parse::<i64>().ok());
            StatsFilter {
                recipe: id("recipe"),
                target: id("target"),
                days: id("days")
                    .filter(|d| STATS_PERIODS.contains(d))
                    .unwrap_or(STATS_PERIODS[1]),
            }
        })
    };
    let stats = page_resource(filter, datagen_stats);
    view! {
        <Title text=page_title(move || t().stats_title) />
        <h1 class="text-xl font-semibold">{move || t().stats_title}</h1>
        <div class="mt-2"><DatagenNav /></div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match stats.await {
                    Ok(stats) => view! { <StatsView stats filter=filter() /> }.into_any(),
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn StatsView(stats: Stats, filter: StatsFilter) -> impl IntoView {
    let t = use_i18n().datagen();
    let series = [
        Series {
            label: t.status(JobStatus::Success).to_owned(),
            color: PALETTE[0],
        },
        Series {
            label: t.status(JobStatus::Failed).to_owned(),
            color: PALETTE[4],
        },
        Series {
            label: t.other.to_owned(),
            color: PALETTE[3],
        },
    ];
    let columns: Vec<Column> = stats
        .days
        .iter()
        .map(|d| Column {
            label: d.day.format("%m-%d").to_string(),
            segments: [d.success, d.failed, d.other]
                .into_iter()
                .map(|value| Segment {
                    value,
                    href: "/console/datagen".into(),
                })
                .collect(),
        })
        .collect();
    let chart = stacked_columns(t.per_day, &series[..], &columns);
    let total: i64 = stats.by_status.iter().map(|(_, n)| n).sum();
    let secs = |s: Option<f64>| {
        s.map(|s| fill(t.seconds, &[&format!("{s:.1}")]))
            .unwrap_or_else(|| "—".into())
    };
    view! {
        <form method="get" class="mt-4 flex flex-wrap items-end gap-3">
            <Labeled label=t.recipe>
                <select name="recipe" class=INPUT>
                    <option value="">{t.all}</option>
                    {stats.recipes.iter().map(|(id, name)| view! {
                        <option value=id.to_string() selected=filter.recipe == Some(*id)>{name.clone()}</option>
                    }).collect_view()}
                </select>
            </Labeled>
            <Labeled label=t.target>
                <select name="target" class=INPUT>
                    <option value="">{t.all}</option>
                    {stats.targets.iter().map(|(id, name)| view! {
                        <option value=id.to_string() selected=filter.target == Some(*id)>{name.clone()}</option>
                    }).collect_view()}
                </select>
            </Labeled>
            <Labeled label=t.period>
                <select name="days" class=INPUT>
                    {STATS_PERIODS.iter().map(|d| view! {
                        <option value=d.to_string() selected=filter.days == *d>{fill(t.last_days, &[d])}</option>
                    }).collect_view()}
                </select>
            </Labeled>
            <button type="submit" class=SECONDARY_BUTTON>{t.apply}</button>
        </form>
        <div class="mt-4 grid gap-4 lg:grid-cols-2">
            <section class=PANEL>
                <h2 class="font-semibold">{t.by_status}</h2>
                <dl class="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm" data-testid="stats-status">
                    {stats.by_status.iter().map(|(status, n)| view! {
                        <dt class="text-slate-600">{t.status(*status)}</dt>
                        <dd data-status=format!("{status:?}").to_lowercase()>{*n}
                            {(total > 0).then(|| format!("（{:.0}%）", *n as f64 * 100.0 / total as f64))}
                        </dd>
                    }).collect_view()}
                </dl>
                <h2 class="mt-4 font-semibold">{t.durations}</h2>
                <p class="mt-1 text-sm" data-testid="stats-durations">
                    {t.median} " " {secs(stats.median_secs)} " · " {t.p90} " " {secs(stats.p90_secs)}
                </p>
            </section>
            <section class=PANEL>
                <div class="overflow-x-auto" inner_html=chart></div>
            </section>
            <section class=PANEL>
                <h2 class="font-semibold">{t.failures}</h2>
                {if stats.failures.is_empty() {
                    view! { <p class=format!("mt-2 {HINT}")>{t.no_failures}</p> }.into_any()
                } else {
                    view! {
                        <table class="mt-2 min-w-full text-sm" data-testid="stats-failures">
                            <thead class="text-left text-slate-600">
                                <tr><th class="py-1 pr-3">{t.col_step}</th><th class="py-1 pr-3">{t.col_reason}</th><th class="py-1">{t.col_jobs}</th></tr>
                            </thead>
                            <tbody>
                                {stats.failures.iter().map(|f| view! {
                                    <tr class="border-t border-slate-200">
                                        <td class="py-1 pr-3 font-mono text-xs">{f.step.clone()}</td>
                                        <td class="py-1 pr-3">{f.reason.clone()}</td>
                                        <td class="py-1">{f.jobs}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>
            <section class=PANEL>
                <h2 class="font-semibold">{t.by_user}</h2>
                <dl class="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm" data-testid="stats-users">
                    {stats.by_user.iter().map(|(name, n)| view! {
                        <dt class="text-slate-600">{name.clone()}</dt><dd>{*n}</dd>
                    }).collect_view()}
                </dl>
            </section>
        </div>
    }
}
