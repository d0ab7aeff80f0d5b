//! `/console/datagen/j/{id}`: one job live: each step's calls (request, status, response
//! excerpt, extracted values, time), the account built, or where and why it failed, with retry
//! from the failed step and cancel.

use std::time::Duration;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::jobs_page::{status_badge, took, DatagenNav};
use super::live::ticking;
use super::texts::DatagenTexts;
use super::{datagen_job, CallLog, CallOutcome, DatagenCancel, DatagenRetry, JobDetail, JobStatus};
use crate::i18n::{fill, page_title, use_i18n};
use crate::resource::page_resource;
use crate::shell::{Loading, PageError};
use crate::time::format_minute;
use crate::ui::{HINT, PANEL, PRIMARY_BUTTON, SECONDARY_BUTTON};

#[component]
pub fn JobPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.datagen();
    let params = use_params_map();
    let id = move || {
        params.with(|p| {
            p.get("id")
                .and_then(|id| id.parse::<i64>().ok())
                .unwrap_or_default()
        })
    };
    let live = RwSignal::new(false);
    let tick = ticking(Duration::from_secs(1), move || live.get_untracked());
    let retry = ServerAction::<DatagenRetry>::new();
    let cancel = ServerAction::<DatagenCancel>::new();
    let job = page_resource(
        move || {
            (
                id(),
                tick.get(),
                retry.version().get(),
                cancel.version().get(),
            )
        },
        |(id, ..)| datagen_job(id),
    );
    let action_error = move || {
        retry
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| cancel.value().get().and_then(Result::err))
    };
    view! {
        <Title text=page_title(move || fill(t().job_title, &[&id()])) />
        <h1 class="text-xl font-semibold">{move || fill(t().job_title, &[&id()])}</h1>
        <div class="mt-2"><DatagenNav /></div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match job.await {
                    Ok(job) => {
                        live.set(job.summary.status.is_live());
                        view! { <JobView job retry cancel /> }.into_any()
                    }
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Transition>
        {move || action_error().map(|e| view! { <p role="alert" class="mt-2 text-sm text-red-700">{e.message(i18n.t())}</p> })}
    }
}

#[component]
fn JobView(
    job: JobDetail,
    retry: ServerAction<DatagenRetry>,
    cancel: ServerAction<DatagenCancel>,
) -> impl IntoView {
    let t = use_i18n().datagen();
    let summary = job.summary.clone();
    let id = summary.id;
    let status = summary.status;
    let took = took(t, &summary);
    view! {
        <section class=format!("mt-4 {PANEL}") data-testid="job-summary" data-status=format!("{status:?}").to_lowercase()>
            <div class="flex flex-wrap items-center gap-3">
                {status_badge(t, status)}
                <span>{summary.recipe.clone()} " · " {summary.target.clone()}</span>
                <span class="text-slate-700">{summary.customer.clone()}</span>
                {summary.incident.map(|n| view! {
                    <a href=format!("/console/i/{n}") class="text-sky-800 underline" data-testid="job-incident">"#"{n.to_string()}</a>
                })}
                <span class=HINT>{summary.by.clone()} " · " {format_minute(summary.created_at)} " " {took}</span>
            </div>
            <dl class="mt-3 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm" aria-label=t.params>
                {job.params.iter().map(|(label, value)| view! {
                    <dt class="text-slate-600">{label.clone()}</dt><dd>{value.clone()}</dd>
                }).collect_view()}
            </dl>
            <div class="mt-3 flex gap-2">
                {(status == JobStatus::Failed).then(|| view! {
                    <button type="button" class=PRIMARY_BUTTON data-testid="job-retry"
                        on:click=move |_| { retry.dispatch(DatagenRetry { id }); }>{t.retry}</button>
                })}
                {(status.is_live() && !job.cancel_requested).then(|| view! {
                    <button type="button" class=SECONDARY_BUTTON data-testid="job-cancel"
                        on:click=move |_| { cancel.dispatch(DatagenCancel { id }); }>{t.cancel}</button>
                })}
                {(status.is_live() && job.cancel_requested).then(|| view! { <p class=HINT>{t.cancel_asked}</p> })}
            </div>
        </section>
        {(!job.result.is_empty()).then(|| view! {
            <section class=format!("mt-4 {PANEL} border-emerald-300") data-testid="job-result">
                <h2 class="font-semibold">{t.result}</h2>
                <dl class="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
                    {job.result.iter().map(|(label, value)| view! {
                        <dt class="text-slate-600">{label.clone()}</dt><dd class="font-mono">{value.clone()}</dd>
                    }).collect_view()}
                </dl>
            </section>
        })}
        {job.failure.clone().map(|reason| view! {
            <section class=format!("mt-4 {PANEL} border-red-300") role="alert" data-testid="job-failure">
                <p class="text-red-800">{fill(t.failed_at, &[&summary.failed_step.clone().unwrap_or_default(), &reason])}</p>
            </section>
        })}
        <section class="mt-4">
            <h2 class="font-semibold">{t.steps}</h2>
            <ol class="mt-2 space-y-1" data-testid="job-steps">
                {job.steps.iter().enumerate().map(|(index, (name, title))| {
                    let calls: Vec<CallLog> = job.calls.iter().filter(|c| c.step == *name).cloned().collect();
                    view! { <StepRow index name=name.clone() title=title.clone() calls t /> }
                }).collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn StepRow(
    index: usize,
    name: String,
    title: String,
    calls: Vec<CallLog>,
    t: &'static DatagenTexts,
) -> impl IntoView {
    let last = calls.last().map(|c| c.outcome);
    let (mark, class) = match last {
        None => (t.waiting, "text-slate-600"),
        Some(CallOutcome::Ok) => (t.outcome(CallOutcome::Ok), "text-emerald-800"),
        Some(CallOutcome::Skipped) => (t.outcome(CallOutcome::Skipped), "text-slate-600"),
        Some(CallOutcome::Retrying) => (t.outcome(CallOutcome::Retrying), "text-amber-800"),
        Some(CallOutcome::Failed) => (t.outcome(CallOutcome::Failed), "text-red-800"),
    };
    let outcome = last
        .map(|o| format!("{o:?}").to_lowercase())
        .unwrap_or_else(|| "waiting".into());
    let shown = if title.is_empty() {
        name.clone()
    } else {
        title
    };
    let key = name.clone();
    view! {
        <li class="rounded-lg border border-slate-200 bg-white px-3 py-2" data-testid="job-step" data-outcome=outcome data-step=key>
            <div class="flex flex-wrap items-baseline gap-2 text-sm">
                <span class="w-8 text-right text-slate-600">{index + 1}"."</span>
                <span class="font-medium">{shown}</span>
                <span class="font-mono text-xs text-slate-600">{name}</span>
                <span class=format!("ml-auto {class}")>{mark}</span>
            </div>
            {calls.into_iter().filter(|c| c.outcome != CallOutcome::Skipped).map(|call| view! { <CallView call t /> }).collect_view()}
        </li>
    }
}

#[component]
fn CallView(call: CallLog, t: &'static DatagenTexts) -> impl IntoView {
    let status = call
        .status
        .map(|s| s.to_string())
        .unwrap_or_else(|| "—".into());
    view! {
        <details class="mt-1 ml-10 text-sm" data-testid="job-call">
            <summary class="cursor-pointer">
                <span class="font-mono">{call.method.clone()} " " {call.url.clone()}</span>
                " → " <span class="font-mono" data-testid="call-status">{status}</span>
                " · " {fill(t.millis, &[&call.took_ms])}
                {(call.attempt > 1).then(|| view! { " · " {fill(t.attempt, &[&call.attempt])} })}
                {call.item.map(|i| view! { " · " {fill(t.item, &[&(i + 1)])} })}
                {call.error.clone().map(|e| view! { <span class="ml-2 text-red-800">{e}</span> })}
            </summary>
            <div class="mt-1 grid gap-2 md:grid-cols-2">
                <div>
                    <h3 class="text-xs text-slate-600">{t.request}</h3>
                    <pre tabindex="0" class="max-h-48 overflow-auto whitespace-pre-wrap rounded bg-slate-50 p-2 text-xs">{call.request.clone()}</pre>
                </div>
                <div>
                    <h3 class="text-xs text-slate-600">{t.response}</h3>
                    <pre tabindex="0" class="max-h-48 overflow-auto whitespace-pre-wrap rounded bg-slate-50 p-2 text-xs">{call.response.clone()}</pre>
                </div>
            </div>
            {(!call.extracted.is_empty()).then(|| view! {
                <p class="mt-1 text-xs">
                    <span class="text-slate-600">{t.extracted} ": "</span>
                    {call.extracted.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join(", ")}
                </p>
            })}
        </details>
    }
}
