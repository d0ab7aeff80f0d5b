//! `/console/datagen`: the newest test-data jobs, and a form to start one from each recipe.

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;

use super::live::ticking;
use super::texts::DatagenTexts;
use super::{datagen_jobs, datagen_recipes, JobStatus, JobSummary};
use crate::i18n::{page_title, use_i18n};
use crate::resource::page_resource;
use crate::shell::{Loading, PageError};
use crate::time::format_minute;
use crate::ui::{HINT, SECONDARY_BUTTON};

/// A job's status as a coloured word.
pub(super) fn status_badge(t: &'static DatagenTexts, status: JobStatus) -> impl IntoView {
    let class = match status {
        JobStatus::Queued => "bg-slate-100 text-slate-800",
        JobStatus::Processing => "bg-sky-100 text-sky-900",
        JobStatus::Success => "bg-emerald-100 text-emerald-900",
        JobStatus::Failed => "bg-red-100 text-red-900",
        JobStatus::Cancelled => "bg-amber-100 text-amber-900",
    };
    view! {
        <span class=format!("rounded px-1.5 py-0.5 text-xs font-medium {class}") data-testid="job-status">
            {t.status(status)}
        </span>
    }
}

/// How long a finished job took, in seconds.
pub(super) fn took(t: &'static DatagenTexts, job: &JobSummary) -> String {
    match (job.started_at, job.finished_at) {
        (Some(start), Some(end)) => {
            let secs = (end - start).num_milliseconds() as f64 / 1000.0;
            crate::i18n::fill(t.seconds, &[&format!("{secs:.1}")])
        }
        _ => String::new(),
    }
}

/// The links of the test-data area, on each of its pages.
#[component]
pub(super) fn DatagenNav() -> impl IntoView {
    let t = use_i18n().datagen();
    view! {
        <nav class="flex flex-wrap gap-3 text-sm" aria-label=t.title>
            <a href="/console/datagen" class="text-sky-800 underline">{t.title}</a>
            <a href="/console/datagen/stats" class="text-sky-800 underline">{t.stats}</a>
            <a href="/console/datagen/recipes" class="text-sky-800 underline">{t.recipes}</a>
            <a href="/console/datagen/targets" class="text-sky-800 underline">{t.targets}</a>
        </nav>
    }
}

#[component]
pub(super) fn JobsTable(jobs: Vec<JobSummary>) -> impl IntoView {
    let t = use_i18n().datagen();
    view! {
        <div class="mt-3 overflow-x-auto rounded-xl border border-slate-200 bg-white">
            <table class="min-w-full text-sm" data-testid="datagen-jobs">
                <thead class="bg-slate-50 text-left text-slate-600">
                    <tr>
                        <th class="px-3 py-2">{t.col_job}</th>
                        <th class="px-3 py-2">{t.col_recipe}</th>
                        <th class="px-3 py-2">{t.col_target}</th>
                        <th class="px-3 py-2">{t.col_customer}</th>
                        <th class="px-3 py-2">{t.col_status}</th>
                        <th class="px-3 py-2">{t.col_by}</th>
                        <th class="px-3 py-2">{t.col_created}</th>
                        <th class="px-3 py-2">{t.col_took}</th>
                        <th class="px-3 py-2">{t.col_incident}</th>
                    </tr>
                </thead>
                <tbody>
                    {jobs.into_iter().map(|job| {
                        let took = took(t, &job);
                        view! {
                            <tr class="border-t border-slate-200" data-testid="datagen-job">
                                <td class="px-3 py-2">
                                    <a href=format!("/console/datagen/j/{}", job.id) class="text-sky-800 underline">"#"{job.id}</a>
                                </td>
                                <td class="px-3 py-2">{job.recipe}</td>
                                <td class="px-3 py-2">{job.target}</td>
                                <td class="px-3 py-2">{job.customer}</td>
                                <td class="px-3 py-2">{status_badge(t, job.status)}</td>
                                <td class="px-3 py-2">{job.by}</td>
                                <td class="px-3 py-2">{format_minute(job.created_at)}</td>
                                <td class="px-3 py-2">{took}</td>
                                <td class="px-3 py-2">
                                    {job.incident.map(|n| view! {
                                        <a href=format!("/console/i/{n}") class="text-sky-800 underline">"#"{n.to_string()}</a>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn JobsPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.datagen();
    let live = RwSignal::new(false);
    let tick = ticking(Duration::from_secs(3), move || live.get_untracked());
    let jobs = page_resource(move || tick.get(), |_| datagen_jobs(None));
    let recipes = page_resource(|| (), |_| datagen_recipes());
    view! {
        <Title text=page_title(move || t().title) />
        <h1 class="text-xl font-semibold">{move || t().title}</h1>
        <p class=format!("mt-1 max-w-3xl {HINT}")>{move || t().intro}</p>
        <div class="mt-2"><DatagenNav /></div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let t = t();
                match recipes.await {
                    Ok(recipes) => view! {
                        <div class="mt-4 flex flex-wrap items-center gap-2">
                            <span class="text-sm text-slate-700">{t.new_job}</span>
                            {recipes.into_iter().map(|r| view! {
                                <a href=format!("/console/datagen/new?recipe={}", r.id) class=SECONDARY_BUTTON data-testid="datagen-new">
                                    {if i18n.locale() == crate::i18n::Locale::En && !r.name_en.is_empty() { r.name_en } else { r.name }}
                                </a>
                            }).collect_view()}
                        </div>
                    }.into_any(),
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Transition>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                let t = t();
                match jobs.await {
                    Ok(jobs) => {
                        live.set(jobs.iter().any(|j| j.status.is_live()));
                        if jobs.is_empty() {
                            view! { <p class="mt-4 text-slate-600">{t.no_jobs}</p> }.into_any()
                        } else {
                            view! { <JobsTable jobs /> }.into_any()
                        }
                    }
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Transition>
    }
}
