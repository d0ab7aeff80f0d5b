//! `/console`: every incident in one queue. The filter lives in the URL, so a filtered view can
//! be bookmarked and survives a reload; the queue refreshes itself when anything changes.

use leptos::prelude::*;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use super::sla_badge::SlaBadge;
use super::{
    console_queue, AssigneeFilter, Outcome, QueueCursor, QueueFilter, QueueRow, QueueSort,
};
use crate::error::AppError;
use crate::i18n::use_i18n;
use crate::incidents::view::StatusBadge;
use crate::incidents::{Category, Channel, Severity, Status, TransferTarget};
use crate::reference::list_systems;
use crate::resource::page_resource;
use crate::shell::{ErrorPanel, Loading};
use crate::time::format_recent;
use crate::ui::{Labeled, INPUT, PRIMARY_BUTTON};

/// `category` of the incidents not classified yet, `module` of those without a module.
const UNCLASSIFIED: &str = "none";

/// The filter a URL's query describes (`status`, `system`, `category`, `severity`, `channel`,
/// `assignee`, `reporter`, `from`, `to`, `overdue`, `q`, `sort`; and from the service report's
/// figures the [`report_extras`]).
fn filter_from_query(get: impl Fn(&str) -> Option<String>) -> QueueFilter {
    let module = get("module").filter(|m| !m.is_empty());
    QueueFilter {
        status: get("status").as_deref().and_then(Status::parse),
        system: get("system").filter(|s| !s.is_empty()),
        category: get("category").as_deref().and_then(Category::parse),
        unclassified: get("category").as_deref() == Some(UNCLASSIFIED),
        no_module: module.as_deref() == Some(UNCLASSIFIED),
        module: module.filter(|m| m != UNCLASSIFIED),
        subcategory: get("subcategory").unwrap_or_default(),
        outcome: get("outcome").as_deref().and_then(Outcome::parse),
        handoff: get("handoff").as_deref().and_then(TransferTarget::parse),
        article: get("article").unwrap_or_default(),
        severity: get("severity").as_deref().and_then(Severity::parse),
        channel: get("channel").as_deref().and_then(Channel::parse),
        assignee: get("assignee")
            .as_deref()
            .and_then(AssigneeFilter::parse)
            .unwrap_or_default(),
        reporter: get("reporter").unwrap_or_default(),
        from: get("from").unwrap_or_default(),
        to: get("to").unwrap_or_default(),
        overdue: get("overdue").is_some_and(|v| !v.is_empty()),
        search: get("q").unwrap_or_default(),
        sort: get("sort")
            .as_deref()
            .and_then(QueueSort::parse)
            .unwrap_or_default(),
    }
}

/// The parts of a filter only a service report figure sets (the filter bar has no field for
/// them), as URL parameters.
fn report_extras(filter: &QueueFilter) -> Vec<(&'static str, String)> {
    let mut extras = Vec::new();
    if let Some(module) = &filter.module {
        extras.push(("module", module.clone()));
    }
    if filter.no_module {
        extras.push(("module", UNCLASSIFIED.to_owned()));
    }
    if !filter.subcategory.is_empty() {
        extras.push(("subcategory", filter.subcategory.clone()));
    }
    if let Some(outcome) = filter.outcome {
        extras.push(("outcome", outcome.as_str().to_owned()));
    }
    if let Some(target) = filter.handoff {
        extras.push(("handoff", target.as_str().to_owned()));
    }
    if !filter.article.is_empty() {
        extras.push(("article", filter.article.clone()));
    }
    extras
}

/// The URL of `filter` with its status replaced: the status tabs' links.
fn query_with_status(filter: &QueueFilter, status: Option<Status>) -> String {
    let escape = leptos_router::location::Url::escape;
    let mut parts = Vec::new();
    let mut put = |key: &str, value: &str| {
        if !value.is_empty() {
            parts.push(format!("{key}={}", escape(value)));
        }
    };
    put("status", status.map_or("", Status::as_str));
    put("system", filter.system.as_deref().unwrap_or_default());
    put(
        "category",
        match (filter.category, filter.unclassified) {
            (Some(category), _) => category.as_str(),
            (None, true) => UNCLASSIFIED,
            (None, false) => "",
        },
    );
    for (key, value) in report_extras(filter) {
        put(key, &value);
    }
    put("severity", filter.severity.map_or("", Severity::as_str));
    put("channel", filter.channel.map_or("", Channel::as_str));
    if filter.assignee != AssigneeFilter::Anyone {
        put("assignee", filter.assignee.as_str());
    }
    put("reporter", &filter.reporter);
    put("from", &filter.from);
    put("to", &filter.to);
    put("overdue", if filter.overdue { "1" } else { "" });
    put("q", &filter.search);
    if filter.sort != QueueSort::Activity {
        put("sort", filter.sort.as_str());
    }
    if parts.is_empty() {
        "/console".to_owned()
    } else {
        format!("/console?{}", parts.join("&"))
    }
}

#[component]
pub fn QueueView() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(|q| filter_from_query(|k| q.get(k))));
    let refresh = RwSignal::new(0u32);
    let page = page_resource(
        move || (filter.get(), refresh.get()),
        |(filter, _)| console_queue(filter, None),
    );
    // Rows of "load more" beyond the first page, and where the next page starts.
    let more = RwSignal::new(Vec::<QueueRow>::new());
    let next = RwSignal::new(None::<QueueCursor>);
    let more_error = RwSignal::new(None::<AppError>);
    Effect::new(move |_| {
        if let Some(Ok(first)) = page.get() {
            more.set(Vec::new());
            next.set(first.next);
        }
    });
    crate::incidents::follow::refresh_on_changes(
        || Some("/api/console/events".to_owned()),
        refresh,
    );
    let load_more = move |_| {
        let Some(after) = next.get_untracked() else {
            return;
        };
        let filter = filter.get_untracked();
        leptos::task::spawn_local(async move {
            match console_queue(filter, Some(after)).await {
                Ok(page) => {
                    more.update(|rows| rows.extend(page.rows));
                    next.set(page.next);
                    more_error.set(None);
                }
                Err(error) => more_error.set(Some(error)),
            }
        });
    };

    view! {
        <FilterBar filter />
        <ExtraFilters filter />
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(first) => {
                        let current = filter.get_untracked();
                        let total: i64 = first.counts.iter().map(|(_, n)| n).sum();
                        let count_of = |status| {
                            first.counts.iter().find(|(s, _)| *s == status).map_or(0, |(_, n)| *n)
                        };
                        let tabs = std::iter::once((None, total))
                            .chain(Status::ALL.into_iter().map(|s| (Some(s), count_of(s))))
                            .map(|(status, count)| {
                                let href = query_with_status(&current, status);
                                let selected = current.status == status;
                                let label = move || match status {
                                    Some(status) => i18n.incidents().status_name(status),
                                    None => i18n.console().all_statuses,
                                };
                                view! {
                                    <A
                                        href=href
                                        attr:data-testid="status-tab"
                                        attr:data-status=status.map_or("all", Status::as_str)
                                        attr:class=if selected {
                                            "rounded-md bg-slate-900 px-3 py-1.5 text-sm text-white"
                                        } else {
                                            "rounded-md px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-200"
                                        }
                                    >
                                        {label} " "
                                        <span class=if selected { "text-slate-300" } else { "text-slate-600" }>{count}</span>
                                    </A>
                                }
                            })
                            .collect_view();
                        let empty = first.rows.is_empty();
                        view! {
                            <nav class="mt-4 flex flex-wrap gap-1">{tabs}</nav>
                            <QueueTable rows=first.rows more />
                            {empty.then(|| view! {
                                <p class="mt-6 text-center text-slate-500">
                                    {move || i18n.console().nothing_matches}
                                </p>
                            })}
                        }
                            .into_any()
                    }
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
        {move || more_error.get().map(|error| view! { <ErrorPanel error /> })}
        <Show when=move || next.get().is_some()>
            <div class="mt-4 text-center">
                <button
                    type="button"
                    data-testid="queue-more"
                    class="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm hover:bg-slate-50"
                    on:click=load_more
                >
                    {move || i18n.console().more}
                </button>
            </div>
        </Show>
    }
}

/// The filters a service report figure adds that the filter bar has no field for, with a link
/// that drops them.
#[component]
fn ExtraFilters(filter: Memo<QueueFilter>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let current = filter.get();
        let t = i18n.console();
        let mut parts = Vec::new();
        if let Some(module) = &current.module {
            parts.push(crate::i18n::fill(t.extra_module, &[module]));
        }
        if current.no_module {
            parts.push(t.extra_no_module.to_owned());
        }
        if !current.subcategory.is_empty() {
            parts.push(crate::i18n::fill(
                t.extra_subcategory,
                &[&current.subcategory],
            ));
        }
        if let Some(outcome) = current.outcome {
            parts.push(t.extra_outcomes[outcome.index()].to_owned());
        }
        if let Some(target) = current.handoff {
            let name = i18n.incidents().target_name(target);
            parts.push(crate::i18n::fill(t.extra_handoff, &[&name]));
        }
        if !current.article.is_empty() {
            parts.push(crate::i18n::fill(t.extra_article, &[&current.article]));
        }
        (!parts.is_empty()).then(|| {
            let cleared = QueueFilter {
                module: None,
                no_module: false,
                subcategory: String::new(),
                outcome: None,
                handoff: None,
                article: String::new(),
                ..current.clone()
            };
            view! {
                <p class="mt-2 text-sm text-slate-700" data-testid="queue-extra-filters">
                    {t.extra_filters} " " {parts.join(" · ")} " "
                    <A href=query_with_status(&cleared, cleared.status) attr:class="text-sky-800 underline">
                        {t.clear_extra}
                    </A>
                </p>
            }
        })
    }
}

/// Every filter but the status (the tabs); a GET form, so the filter lands in the URL.
#[component]
fn FilterBar(filter: Memo<QueueFilter>) -> impl IntoView {
    let i18n = use_i18n();
    let systems = page_resource(|| (), |_| list_systems());
    let current = move || filter.get();
    view! {
        <Form method="GET" action="/console" attr:class="mt-4 flex flex-wrap items-center gap-2">
            {move || {
                current()
                    .status
                    .map(|s| view! { <input type="hidden" name="status" value=s.as_str() /> })
            }}
            {move || {
                report_extras(&current())
                    .into_iter()
                    .map(|(key, value)| view! { <input type="hidden" name=key value=value /> })
                    .collect_view()
            }}
            <Labeled label=move || i18n.console().search_placeholder hidden_label=true class="contents">
                <input
                    type="search"
                    name="q"
                    data-testid="queue-search"
                    maxlength=super::MAX_FILTER_TEXT
                    class=format!("w-80 {INPUT}")
                    prop:value=move || current().search
                    placeholder=move || i18n.console().search_placeholder
                />
            </Labeled>
            <Labeled label=move || i18n.incidents().field_system hidden_label=true class="contents">
                <select name="system" data-testid="queue-system" class=INPUT>
                    <option value="">{move || i18n.console().all_systems}</option>
                    <Suspense>
                        {move || Suspend::new(async move {
                            let systems = systems.await.unwrap_or_default();
                            let locale = i18n.locale();
                            systems
                                .into_iter()
                                .map(|s| {
                                    let code = s.system.code.clone();
                                    let selected = current().system.as_deref() == Some(code.as_str());
                                    view! {
                                        <option value=code selected=selected>
                                            {s.system.name(locale).to_owned()}
                                        </option>
                                    }
                                })
                                .collect_view()
                        })}
                    </Suspense>
                </select>
            </Labeled>
            <Labeled label=move || i18n.console().assignee hidden_label=true class="contents">
                <select name="assignee" data-testid="queue-assignee" class=INPUT>
                    {AssigneeFilter::ALL
                        .into_iter()
                        .map(|a| {
                            let label = move || match a {
                                AssigneeFilter::Anyone => i18n.console().assignee_anyone,
                                AssigneeFilter::Me => i18n.console().assignee_me,
                                AssigneeFilter::Unassigned => i18n.console().assignee_unassigned,
                            };
                            view! {
                                <option value=a.as_str() selected=move || current().assignee == a>
                                    {label}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </Labeled>
            <Labeled label=move || i18n.incidents().field_category hidden_label=true class="contents">
                <select name="category" data-testid="queue-category" class=INPUT>
                    <option value="">{move || i18n.console().all_categories}</option>
                    {Category::ALL.into_iter().map(|c| view! {
                        <option value=c.as_str() selected=move || current().category == Some(c)>
                            {move || i18n.incidents().category_name(c)}
                        </option>
                    }).collect_view()}
                    <option value=UNCLASSIFIED selected=move || current().unclassified>
                        {move || i18n.console().unclassified}
                    </option>
                </select>
            </Labeled>
            <Labeled label=move || i18n.incidents().field_severity hidden_label=true class="contents">
                <select name="severity" data-testid="queue-severity" class=INPUT>
                    <option value="">{move || i18n.console().all_severities}</option>
                    {Severity::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=move || current().severity == Some(s)>{s.label()}</option>
                    }).collect_view()}
                </select>
            </Labeled>
            <Labeled label=move || i18n.console().channel hidden_label=true class="contents">
                <select name="channel" data-testid="queue-channel" class=INPUT>
                    <option value="">{move || i18n.console().all_channels}</option>
                    {Channel::ALL.into_iter().map(|c| view! {
                        <option value=c.as_str() selected=move || current().channel == Some(c)>
                            {move || i18n.console().channel_name(c)}
                        </option>
                    }).collect_view()}
                </select>
            </Labeled>
            <Labeled label=move || i18n.console().reporter_placeholder hidden_label=true class="contents">
                <input type="text" name="reporter" data-testid="queue-reporter" maxlength=super::MAX_FILTER_TEXT class=format!("w-28 {INPUT}")
                    placeholder=move || i18n.console().reporter_placeholder prop:value=move || current().reporter />
            </Labeled>
            <Labeled label=move || i18n.console().reported_from class="flex items-center gap-1 text-sm text-slate-700">
                <input type="date" name="from" data-testid="queue-from" class=INPUT prop:value=move || current().from />
            </Labeled>
            <Labeled label=move || i18n.console().reported_to class="flex items-center gap-1 text-sm text-slate-700">
                <input type="date" name="to" data-testid="queue-to" class=INPUT prop:value=move || current().to />
            </Labeled>
            <label class="flex items-center gap-1 text-sm text-slate-700">
                <input type="checkbox" name="overdue" value="1" data-testid="queue-overdue"
                    prop:checked=move || current().overdue />
                {move || i18n.console().overdue_only}
            </label>
            <Labeled label=move || i18n.console().sort_label hidden_label=true class="contents">
                <select name="sort" data-testid="queue-sort" class=INPUT>
                    {QueueSort::ALL.into_iter().enumerate().map(|(i, s)| view! {
                        <option value=s.as_str() selected=move || current().sort == s>
                            {move || i18n.console().sort_names[i]}
                        </option>
                    }).collect_view()}
                </select>
            </Labeled>
            <button
                type="submit"
                data-testid="queue-apply"
                class=PRIMARY_BUTTON
            >
                {move || i18n.console().search}
            </button>
        </Form>
    }
}

#[component]
fn QueueTable(rows: Vec<QueueRow>, more: RwSignal<Vec<QueueRow>>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.console();
    view! {
        <div class="mt-3 overflow-x-auto rounded-xl border border-slate-200 bg-white">
            <table class="min-w-full text-sm" data-testid="queue">
                <thead class="bg-slate-50 text-left text-slate-500">
                    <tr>
                        <th class="px-3 py-2">{move || t().col_number}</th>
                        <th class="px-3 py-2">{move || t().col_title}</th>
                        <th class="px-3 py-2">{move || t().col_system}</th>
                        <th class="px-3 py-2">{move || t().col_category}</th>
                        <th class="px-3 py-2">{move || t().col_severity}</th>
                        <th class="px-3 py-2">{move || t().col_status}</th>
                        <th class="px-3 py-2">{move || t().col_assignee}</th>
                        <th class="px-3 py-2">{move || t().col_reporter}</th>
                        <th class="px-3 py-2">{move || t().col_age}</th>
                        <th class="px-3 py-2">{move || t().col_sla}</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {rows.into_iter().map(|row| view! { <QueueLine row /> }).collect_view()}
                    <For each=move || more.get() key=|row| row.number let(row)>
                        <QueueLine row />
                    </For>
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn QueueLine(row: QueueRow) -> impl IntoView {
    let i18n = use_i18n();
    let href = format!("/console/i/{}", row.number);
    let system = row.system.clone();
    let category = row.category;
    let assignee = row.assignee.clone();
    let unread = row.unread;
    let parent = row.parent;
    let minutes = (chrono::Utc::now() - row.created_at).num_minutes().max(0);
    let activity = format_recent(row.last_activity_at, chrono::Utc::now());
    view! {
        <tr data-testid="queue-row" data-number=row.number.to_string() class="hover:bg-slate-50">
            <td class="px-3 py-2 font-mono text-slate-500">{row.number.to_string()}</td>
            <td class="px-3 py-2">
                <A href=href attr:class="font-medium text-sky-800 hover:underline">{row.title}</A>
                {(unread > 0).then(|| view! {
                    <span data-testid="queue-unread" class="ml-2 rounded-full bg-rose-600 px-2 py-0.5 text-xs text-white">
                        {move || crate::i18n::fill(i18n.console().unread, &[&unread])}
                    </span>
                })}
                <div class="text-xs text-slate-600">
                    {activity}
                    {parent.map(|n| view! {
                        <span class="ml-2" data-testid="queue-duplicate">{move || crate::i18n::fill(i18n.console().duplicate_of, &[&n])}</span>
                    })}
                </div>
            </td>
            <td class="px-3 py-2">{move || system.name(i18n.locale()).to_owned()}</td>
            <td class="px-3 py-2">
                {move || category.map(|c| i18n.incidents().category_name(c)).unwrap_or("—")}
            </td>
            <td class="px-3 py-2">{row.severity.map(|s| s.label()).unwrap_or("—")}</td>
            <td class="px-3 py-2"><StatusBadge status=row.status /></td>
            <td class="px-3 py-2" data-testid="queue-assignee-name">
                {move || assignee.clone().unwrap_or_else(|| i18n.console().unassigned.to_owned())}
            </td>
            <td class="px-3 py-2">{row.reporter}</td>
            <td class="px-3 py-2 text-slate-500">{move || i18n.console().age(minutes)}</td>
            <td class="px-3 py-2 whitespace-nowrap"><SlaBadge state=row.sla /></td>
        </tr>
    }
}
