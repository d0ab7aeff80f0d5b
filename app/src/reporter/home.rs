//! `/m`: my reports (newest activity first, unread replies counted) and what still waits in the
//! outbox.

use crate::i18n::page_title;
use leptos::prelude::*;
use leptos_meta::Title;

#[cfg(feature = "hydrate")]
use super::outbox::ItemState;
use super::outbox::{OutboxItem, OutboxTick};
use super::texts::ReporterTexts;
use super::{my_reports, ImageProgress, OutboxActions, OutboxState};
use crate::i18n::use_i18n;
use crate::incidents::view::StatusBadge;
use crate::incidents::{ReportFilter, ReportSummary};
use crate::resource::page_resource;
use crate::shell::{ErrorPanel, Loading};
use crate::time::format_recent;

#[component]
pub fn ReporterHome() -> impl IntoView {
    let i18n = use_i18n();
    let filter = RwSignal::new(ReportFilter::All);
    let reports = page_resource(move || filter.get(), my_reports);
    let pending = RwSignal::new(Vec::<OutboxItem>::new());
    let tick = expect_context::<OutboxTick>().0;

    #[cfg(feature = "hydrate")]
    {
        // Items sent since the list was loaded: refetch once per item so they appear.
        let refetched_for = StoredValue::new(std::collections::HashSet::<String>::new());
        Effect::new(move |_| {
            tick.track();
            leptos::task::spawn_local(async move {
                let Ok(items) = super::outbox::items("report", None).await else {
                    return;
                };
                let newly_sent: Vec<String> = items
                    .iter()
                    .filter(|i| i.state == ItemState::Sent)
                    .map(|i| i.id.clone())
                    .filter(|id| refetched_for.with_value(|seen| !seen.contains(id)))
                    .collect();
                if !newly_sent.is_empty() {
                    refetched_for.update_value(|seen| seen.extend(newly_sent));
                    reports.refetch();
                }
                pending.set(items);
            });
        });
        // Once the server lists a sent item, the outbox can let it go.
        Effect::new(move |_| {
            let Some(Ok(listed)) = reports.get() else {
                return;
            };
            for item in pending.get() {
                if item.state == ItemState::Sent && is_listed(&listed, &item) {
                    leptos::task::spawn_local(async move {
                        let _ = super::outbox::forget(&item.id).await;
                    });
                }
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = tick;

    let tab = move |value: ReportFilter, label: fn(&ReporterTexts) -> &'static str| {
        view! {
            <button
                type="button"
                data-testid=format!("filter-{}", filter_code(value))
                aria-pressed=move || (filter.get() == value).to_string()
                class="rounded-full px-3 py-1 text-sm aria-pressed:bg-sky-700 aria-pressed:text-white text-slate-600 bg-slate-100"
                on:click=move |_| filter.set(value)
            >
                {move || label(i18n.reporter())}
            </button>
        }
    };

    view! {
        <Title text=page_title(move || i18n.reporter().title) />
        <div class="flex items-center justify-between">
            <h1 class="text-lg font-semibold">{move || i18n.reporter().title}</h1>
            <a
                href="/m/new"
                rel="external"
                data-testid="new-report"
                class="rounded-lg bg-sky-700 px-3 py-2 text-sm font-medium text-white"
            >
                {move || i18n.reporter().new_report}
            </a>
        </div>
        <div class="mt-4 flex items-center gap-2">
            {tab(ReportFilter::All, |t| t.filter_all)}
            {tab(ReportFilter::Open, |t| t.filter_open)}
            {tab(ReportFilter::Resolved, |t| t.filter_resolved)}
            <button
                type="button"
                data-testid="refresh"
                class="ml-auto text-sm text-sky-700"
                on:click=move |_| reports.refetch()
            >
                {move || i18n.reporter().refresh}
            </button>
        </div>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match reports.await {
                    Ok(listed) => {
                        let listed = StoredValue::new(listed);
                        view! {
                            <PendingReports pending listed />
                            <ReportList listed />
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn filter_code(filter: ReportFilter) -> &'static str {
    match filter {
        ReportFilter::All => "all",
        ReportFilter::Open => "open",
        ReportFilter::Resolved => "resolved",
    }
}

fn is_listed(listed: &[ReportSummary], item: &OutboxItem) -> bool {
    listed.iter().any(|r| r.client_id.to_string() == item.id)
}

/// Still waiting: in the outbox, not yet among the reports the server listed.
fn is_waiting(listed: StoredValue<Vec<ReportSummary>>, item: &OutboxItem) -> bool {
    !listed.with_value(|l| is_listed(l, item))
}

/// Reports written on this phone that the server has not listed yet. Their list is a piece of
/// its own (`pending_outbox`), fetched once there is something to show: most loads of `/m` find
/// the outbox empty, and the list's code is what the phone's first load could least afford. The
/// service worker keeps the piece for offline use (public/split-pieces.js).
#[component]
fn PendingReports(
    pending: RwSignal<Vec<OutboxItem>>,
    listed: StoredValue<Vec<ReportSummary>>,
) -> impl IntoView {
    let any = move || pending.with(|items| items.iter().any(|item| is_waiting(listed, item)));
    view! {
        <Show when=any>
            {move || Suspend::new(pending_outbox(pending, listed))}
        </Show>
    }
}

#[leptos::lazy]
fn pending_outbox(
    pending: RwSignal<Vec<OutboxItem>>,
    listed: StoredValue<Vec<ReportSummary>>,
) -> AnyView {
    let i18n = use_i18n();
    let waiting = move || {
        pending
            .get()
            .into_iter()
            .filter(|item| is_waiting(listed, item))
            .collect::<Vec<_>>()
    };
    view! {
        <h2 class="mt-6 text-sm font-medium text-slate-500">
            {move || i18n.reporter().outbox_title}
        </h2>
        <ul class="mt-2 space-y-2" data-testid="outbox">
            <For each=waiting key=OutboxItem::render_key let:item>
                <li
                    data-testid="outbox-item"
                    data-state=item.state.as_str()
                    data-stuck=item.stuck.to_string()
                    class="rounded-xl border border-dashed border-amber-300 bg-amber-50 p-3"
                >
                    <div class="flex items-start justify-between gap-2">
                        <p class="font-medium text-slate-800">{item.text("title")}</p>
                        <OutboxState state=item.state stuck=item.stuck error=item.error.clone() />
                    </div>
                    <ImageProgress images=item.images.clone() />
                    <OutboxActions id=item.id.clone() state=item.state stuck=item.stuck draft_key=super::outbox::REPORT_DRAFT />
                </li>
            </For>
        </ul>
    }
    .into_any()
}

#[component]
fn ReportList(listed: StoredValue<Vec<ReportSummary>>) -> impl IntoView {
    let i18n = use_i18n();
    let now = chrono::Utc::now();
    let reports = listed.get_value();
    if reports.is_empty() {
        return view! {
            <section class="mt-8 rounded-xl border border-dashed border-slate-300 p-6 text-center">
                <p class="font-medium text-slate-700">{move || i18n.reporter().empty_title}</p>
                <p class="mt-2 text-sm text-slate-500">{move || i18n.reporter().empty_body}</p>
            </section>
        }
        .into_any();
    }
    view! {
        <ul class="mt-4 divide-y divide-slate-100" data-testid="reports">
            {reports
                .into_iter()
                .map(|report| {
                    let system = report.system.clone();
                    view! {
                        <li>
                            <a
                                href=format!("/m/r/{}", report.number)
                                rel="external"
                                data-testid="report-row"
                                data-number=report.number.to_string()
                                class="flex items-start gap-3 py-3"
                            >
                                <div class="min-w-0 flex-1">
                                    <p class="truncate font-medium text-slate-900">{report.title.clone()}</p>
                                    <p class="mt-1 text-xs text-slate-500">
                                        "#" {report.number.to_string()} " · "
                                        {move || system.name(i18n.locale()).to_owned()} " · "
                                        {format_recent(report.last_activity_at, now)}
                                    </p>
                                </div>
                                <div class="flex flex-col items-end gap-1">
                                    <StatusBadge status=report.status />
                                    {(report.unread > 0).then(|| view! {
                                        <span data-testid="unread" class="rounded-full bg-red-600 px-2 text-xs font-medium text-white">
                                            {move || i18n.reporter().unread_count(report.unread)}
                                        </span>
                                    })}
                                </div>
                            </a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
