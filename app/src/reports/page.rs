//! `/console/reports`: the period picker, the figures, the charts and the tables. The period
//! lives in the URL and the picker is a plain form, so the page works, prints and bookmarks
//! without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::location::Url;

use super::period::PeriodError;
use super::texts::ReportTexts;
use super::{
    service_report, share, Period, PeriodKind, Report, ReportTable, Spread, CATEGORY_SLOTS,
};
use crate::charts::{self, Bar, Column, Segment, Series, PALETTE};
use crate::console::Outcome;
use crate::i18n::{fill, page_title, use_i18n, Locale};
use crate::incidents::{Category, Channel};
use crate::resource::page_resource;
use crate::shell::{ErrorPanel, Loading};
use crate::time::shanghai_today;
use crate::ui::{INPUT, PANEL, PRIMARY_BUTTON, SECONDARY_BUTTON};

/// The queue's URL for the incidents reported in `period`, narrowed by `extra`.
fn queue_href(period: &Period, extra: &[(&str, &str)]) -> String {
    let mut href = format!("/console?{}", period.queue_query());
    for (key, value) in extra {
        href.push_str(&format!("&{key}={}", Url::escape(value)));
    }
    href
}

fn category_key(category: Option<Category>) -> &'static str {
    category.map_or("none", Category::as_str)
}

fn category_name(locale: Locale, t: &ReportTexts, category: Option<Category>) -> &'static str {
    match category {
        Some(category) => crate::incidents::texts::of(locale).category_name(category),
        None => t.unclassified,
    }
}

/// Business seconds as hours and minutes.
pub(super) fn duration(t: &ReportTexts, secs: Option<i64>) -> String {
    match secs {
        None => t.none.to_owned(),
        Some(secs) if secs < 60 => t.seconds.to_owned(),
        Some(secs) if secs < 3600 => fill(t.minutes, &[&(secs / 60)]),
        Some(secs) => fill(t.hours_minutes, &[&(secs / 3600), &(secs % 3600 / 60)]),
    }
}

pub(super) fn percent(t: &ReportTexts, value: Option<f64>) -> String {
    value.map_or_else(
        || t.none.to_owned(),
        |v| fill(t.percent, &[&format!("{v:.1}")]),
    )
}

fn error_text(t: &ReportTexts, error: PeriodError) -> &'static str {
    match error {
        PeriodError::UnknownKind => t.err_unknown_kind,
        PeriodError::BadStart => t.err_bad_start,
        PeriodError::BadEnd => t.err_bad_end,
        PeriodError::NoStart => t.err_no_start,
        PeriodError::NoEnd => t.err_no_end,
        PeriodError::EndBeforeStart => t.err_end_before_start,
        PeriodError::TooLong => t.err_too_long,
    }
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.reports();
    let query = use_query_map();
    let typed = move |key: &str| query.with(|q| q.get(key)).unwrap_or_default();
    let chosen = Memo::new(move |_| {
        query.with(|q| {
            Period::from_query(
                q.get("period").as_deref(),
                q.get("start").as_deref(),
                q.get("end").as_deref(),
                shanghai_today(),
            )
        })
    });
    let report = page_resource(
        move || chosen.get().ok(),
        |period| async move {
            match period {
                Some(period) => service_report(period).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let problem = move |field: &'static str| {
        chosen
            .get()
            .err()
            .filter(|e| e.field() == field)
            .map(|e| error_text(t(), e))
    };
    let field_error = move |field: &'static str| {
        move || {
            problem(field).map(|text| {
                view! { <p class="text-sm text-red-700" data-testid=format!("period-error-{field}")>{text}</p> }
            })
        }
    };
    let kind_typed = move || typed("period");
    view! {
        <Title text=page_title(move || t().title) />
        <div class="flex items-baseline justify-between gap-4">
            <h1 class="text-xl font-semibold">{move || t().title}</h1>
            <button type="button" class=format!("print:hidden {SECONDARY_BUTTON}")
                on:click=move |_| { let _ = window().print(); }>
                {move || t().print}
            </button>
        </div>
        <p class="mt-1 max-w-3xl text-sm text-slate-600 print:hidden">{move || t().intro}</p>
        <form method="get" action="/console/reports" data-testid="period-form"
            class=format!("mt-4 flex flex-wrap items-end gap-3 print:hidden {PANEL}")>
            <label class="flex flex-col gap-1">
                <span class="text-sm text-slate-700">{move || t().kind_label}</span>
                <select name="period" class=INPUT data-testid="period-kind"
                    aria-invalid=move || problem("period").is_some().to_string()>
                    {PeriodKind::ALL.into_iter().map(|kind| {
                        let label = move || match kind {
                            PeriodKind::Week => t().kind_week,
                            PeriodKind::Month => t().kind_month,
                            PeriodKind::Custom => t().kind_custom,
                        };
                        let selected = move || {
                            let typed = kind_typed();
                            typed == kind.as_str() || (typed.is_empty() && kind == PeriodKind::Week)
                        };
                        view! { <option value=kind.as_str() selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
                {field_error("period")}
            </label>
            <label class="flex flex-col gap-1">
                <span class="text-sm text-slate-700">{move || t().start_label}</span>
                <input type="date" name="start" class=INPUT data-testid="period-start"
                    aria-invalid=move || problem("start").is_some().to_string()
                    value=move || {
                        // What was typed stays; otherwise the chosen period's first day.
                        let start = typed("start");
                        match chosen.get() {
                            Ok(period) if start.is_empty() => period.first.to_string(),
                            _ => start,
                        }
                    } />
                {field_error("start")}
            </label>
            <label class="flex flex-col gap-1">
                <span class="text-sm text-slate-700">{move || t().end_label}</span>
                <input type="date" name="end" class=INPUT data-testid="period-end"
                    aria-invalid=move || problem("end").is_some().to_string()
                    value=move || typed("end") />
                {field_error("end")}
            </label>
            <button type="submit" class=PRIMARY_BUTTON data-testid="period-show">{move || t().show}</button>
            <QuickPeriods />
        </form>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(Some(report)) => view! { <ReportBody report /> }.into_any(),
                    Ok(None) => ().into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// This and the last week and month, one click each.
#[component]
fn QuickPeriods() -> impl IntoView {
    let i18n = use_i18n();
    let today = shanghai_today();
    let week = Period::containing(PeriodKind::Week, today);
    let month = Period::containing(PeriodKind::Month, today);
    type Words = fn(&ReportTexts) -> &'static str;
    let links: [(Period, Words); 4] = [
        (week, |t| t.this_week),
        (week.back(1), |t| t.last_week),
        (month, |t| t.this_month),
        (month.back(1), |t| t.last_month),
    ];
    view! {
        <nav class="flex flex-wrap gap-3 text-sm">
            {links.into_iter().map(|(period, label)| view! {
                <a href=period.report_href() class="text-sky-800 underline">{move || label(i18n.reports())}</a>
            }).collect_view()}
        </nav>
    }
}

#[component]
fn ReportBody(report: Report) -> impl IntoView {
    let i18n = use_i18n();
    let period = report.period;
    view! {
        <div class="mt-6 flex items-center justify-between gap-4">
            <h2 class="text-lg font-semibold" data-testid="period-label">{period.label()}</h2>
            <nav class="flex gap-4 text-sm print:hidden">
                <a href=period.back(1).report_href() class="text-sky-800 underline" data-testid="period-earlier">
                    {move || i18n.reports().earlier}
                </a>
                <a href=period.after().report_href() class="text-sky-800 underline" data-testid="period-later">
                    {move || i18n.reports().later}
                </a>
            </nav>
        </div>
        {move || {
            let locale = i18n.locale();
            let t = i18n.reports();
            body(&report, locale, t)
        }}
    }
}

/// Everything under the period's heading, in one language.
fn body(report: &Report, locale: Locale, t: &'static ReportTexts) -> AnyView {
    let current = report.current();
    if current.reported == 0 {
        return view! {
            <p class="mt-6 text-slate-600" data-testid="report-empty">{t.nothing}</p>
            <Definitions t />
        }
        .into_any();
    }
    let period = report.period;
    view! {
        <Headline report=report.clone() current=current.clone() t />
        <Export period t />
        <div class="mt-6 grid gap-6 xl:grid-cols-2">
            <section class=PANEL>
                <h3 class="font-semibold">{t.by_category}</h3>
                <div class="mt-3" inner_html=category_bars(report, locale, t) />
            </section>
            <section class=PANEL>
                <h3 class="font-semibold">{t.by_channel}</h3>
                <div class="mt-3" inner_html=channel_bars(report, locale) />
            </section>
            <section class=PANEL>
                <h3 class="font-semibold">{t.trend_title}</h3>
                <p class="mt-1 text-xs text-slate-600 print:hidden">{t.chart_hint}</p>
                <div class="mt-3" inner_html=category_trend(report, locale, t) />
            </section>
            <section class=PANEL>
                <h3 class="font-semibold">{t.channel_mix_title}</h3>
                <div class="mt-3" inner_html=channel_trend(report, locale) />
                <p class="mt-2 text-sm text-slate-700" data-testid="mobile-share">
                    {t.mobile_share} ": "
                    {percent(t, share(current.channel(Channel::Mobile), current.reported))}
                </p>
            </section>
            <section class=PANEL>
                <h3 class="font-semibold">{t.rates_title}</h3>
                <div class="mt-3" inner_html=rate_trend(report, t) />
            </section>
            <Systems report=report.clone() locale t />
            <Handoffs report=report.clone() locale t />
            <HotTopics report=report.clone() period locale t />
            <HotArticles report=report.clone() t />
            <Sessions report=report.clone() locale />
        </div>
        <Definitions t />
    }
    .into_any()
}

/// A count linking to its incidents in the queue.
fn count_link(count: i64, href: String) -> impl IntoView {
    view! { <a href=href class="text-sky-800 underline">{count}</a> }
}

/// The period's main figures. Counts link to their incidents; a rate shows its two counts,
/// each a link, so both sides of the division can be opened.
#[component]
fn Headline(
    report: Report,
    current: super::PeriodCounts,
    t: &'static ReportTexts,
) -> impl IntoView {
    let period = report.period;
    let href = move |extra: &[(&str, &str)]| queue_href(&period, extra);
    let consultation = current.category(Some(Category::Consultation));
    let tile =
        |label: &'static str, value: AnyView, below: Option<AnyView>, testid: &'static str| {
            view! {
                <div class="rounded-lg border border-slate-200 bg-white px-4 py-3">
                    <div class="text-xs text-slate-600">{label}</div>
                    <div class="mt-1 text-2xl font-semibold" data-testid=testid>{value}</div>
                    {below.map(|below| view! { <div class="text-xs text-slate-600">{below}</div> })}
                </div>
            }
        };
    let count = |label, count, extra: &[(&str, &str)], testid| {
        tile(
            label,
            count_link(count, href(extra)).into_any(),
            None,
            testid,
        )
    };
    // `part` of `whole`, with the parts' filters.
    let rate = |label,
                (part, part_extra): (i64, &[(&str, &str)]),
                (whole, whole_extra): (i64, &[(&str, &str)]),
                testid: &'static str| {
        let below = view! {
            <span data-testid=format!("{testid}-counts")>
                {count_link(part, href(part_extra))} " / " {count_link(whole, href(whole_extra))}
            </span>
        };
        tile(
            label,
            percent(t, share(part, whole)).into_any(),
            Some(below.into_any()),
            testid,
        )
    };
    let spread = |label: &'static str, spread: Spread, outcome: Outcome, testid: &'static str| {
        view! {
            <div class="rounded-lg border border-slate-200 bg-white px-4 py-3">
                <div class="text-xs text-slate-600">{label}</div>
                <div class="mt-1 text-sm">
                    {t.median} " "
                    <span class="text-lg font-semibold" data-testid=format!("{testid}-median")>
                        {duration(t, spread.median_secs)}
                    </span>
                    " · " {t.p90} " "
                    <span class="text-lg font-semibold" data-testid=format!("{testid}-p90")>
                        {duration(t, spread.p90_secs)}
                    </span>
                </div>
                <div class="text-xs text-slate-600">
                    {t.count} " " {count_link(spread.count, href(&[("outcome", outcome.as_str())]))}
                </div>
            </div>
        }
    };
    let done: &[(&str, &str)] = &[("outcome", Outcome::Done.as_str())];
    view! {
        <div class="mt-4 grid grid-cols-2 gap-3 md:grid-cols-4">
            {count(t.reported, current.reported, &[], "figure-reported")}
            {count(t.resolved, current.resolved, done, "figure-resolved")}
            {rate(t.resolution_rate, (current.resolved, done), (current.reported, &[]), "figure-resolution-rate")}
            {rate(t.timely_rate, (current.timely, &[("outcome", Outcome::Timely.as_str())]),
                (current.resolved, done), "figure-timely-rate")}
            {rate(t.consultation_share, (consultation, &[("category", "consultation")]),
                (current.reported, &[]), "figure-consultation-share")}
            {rate(t.reopen_rate, (report.reopened, &[("outcome", Outcome::Reopened.as_str())]),
                (report.ever_resolved, &[("outcome", Outcome::ResolvedOnce.as_str())]), "figure-reopen-rate")}
            {spread(t.first_response, report.first_response, Outcome::Responded, "figure-first-response")}
            {spread(t.resolution_time, report.resolution, Outcome::Done, "figure-resolution")}
        </div>
    }
}

fn category_bars(report: &Report, locale: Locale, t: &ReportTexts) -> String {
    let current = report.current();
    let bars: Vec<Bar> = CATEGORY_SLOTS
        .iter()
        .map(|category| Bar {
            label: category_name(locale, t, *category).to_owned(),
            value: current.category(*category),
            href: queue_href(&report.period, &[("category", category_key(*category))]),
        })
        .collect();
    charts::bar_list(t.by_category, &bars)
}

fn channel_name(locale: Locale, channel: Channel) -> &'static str {
    crate::console::texts::of(locale).channel_name(channel)
}

fn channel_bars(report: &Report, locale: Locale) -> String {
    let current = report.current();
    let bars: Vec<Bar> = Channel::ALL
        .into_iter()
        .map(|channel| Bar {
            label: channel_name(locale, channel).to_owned(),
            value: current.channel(channel),
            href: queue_href(&report.period, &[("channel", channel.as_str())]),
        })
        .collect();
    charts::bar_list(crate::reports::texts::of(locale).by_channel, &bars)
}

fn category_trend(report: &Report, locale: Locale, t: &ReportTexts) -> String {
    let series: Vec<Series> = CATEGORY_SLOTS
        .iter()
        .zip(PALETTE)
        .map(|(category, color)| Series {
            label: category_name(locale, t, *category).to_owned(),
            color,
        })
        .collect();
    let columns: Vec<Column> = report
        .trend
        .iter()
        .map(|counts| Column {
            label: counts.period.short_label(),
            segments: CATEGORY_SLOTS
                .iter()
                .map(|category| Segment {
                    value: counts.category(*category),
                    href: queue_href(&counts.period, &[("category", category_key(*category))]),
                })
                .collect(),
        })
        .collect();
    charts::stacked_columns(t.trend_title, &series, &columns)
}

fn channel_trend(report: &Report, locale: Locale) -> String {
    let series: Vec<Series> = Channel::ALL
        .into_iter()
        .zip(PALETTE)
        .map(|(channel, color)| Series {
            label: channel_name(locale, channel).to_owned(),
            color,
        })
        .collect();
    let columns: Vec<Column> = report
        .trend
        .iter()
        .map(|counts| Column {
            label: counts.period.short_label(),
            segments: Channel::ALL
                .into_iter()
                .map(|channel| Segment {
                    value: counts.channel(channel),
                    href: queue_href(&counts.period, &[("channel", channel.as_str())]),
                })
                .collect(),
        })
        .collect();
    charts::stacked_columns(
        crate::reports::texts::of(locale).channel_mix_title,
        &series,
        &columns,
    )
}

fn rate_trend(report: &Report, t: &ReportTexts) -> String {
    let series = [
        Series {
            label: t.resolution_rate.to_owned(),
            color: PALETTE[0],
        },
        Series {
            label: t.timely_rate.to_owned(),
            color: PALETTE[2],
        },
    ];
    let labels: Vec<String> = report
        .trend
        .iter()
        .map(|c| c.period.short_label())
        .collect();
    let values = vec![
        report
            .trend
            .iter()
            .map(|c| share(c.resolved, c.reported))
            .collect(),
        report
            .trend
            .iter()
            .map(|c| share(c.timely, c.resolved))
            .collect(),
    ];
    charts::rate_lines(t.rates_title, &series, &labels, &values)
}

#[component]
fn Systems(report: Report, locale: Locale, t: &'static ReportTexts) -> impl IntoView {
    let period = report.period;
    let rows = report
        .systems
        .into_iter()
        .map(|system| {
            let code = system.system.code.clone();
            let in_modules: i64 = system.modules.iter().map(|m| m.count).sum();
            let rest = system.count - in_modules;
            let modules = system
                .modules
                .into_iter()
                .map(|m| {
                    let href = queue_href(&period, &[("system", &code), ("module", &m.module.code)]);
                    view! {
                        <tr>
                            <td class="py-1 pl-6">{m.module.name(locale).to_owned()}</td>
                            <td class="py-1 text-right">{count_link(m.count, href)}</td>
                        </tr>
                    }
                })
                .collect_view();
            let href = queue_href(&period, &[("system", &code)]);
            view! {
                <tr class="border-t border-slate-200 font-medium">
                    <td class="py-1">{system.system.name(locale).to_owned()}</td>
                    <td class="py-1 text-right">
                        <a href=href class="text-sky-800 underline" data-testid=format!("system-{code}")>{system.count}</a>
                    </td>
                </tr>
                {modules}
                {(rest > 0 && in_modules > 0).then(|| {
                    let href = queue_href(&period, &[("system", &code), ("module", "none")]);
                    view! {
                        <tr>
                            <td class="py-1 pl-6 text-slate-600">{t.no_module}</td>
                            <td class="py-1 text-right">{count_link(rest, href)}</td>
                        </tr>
                    }
                })}
            }
        })
        .collect_view();
    view! {
        <section class=PANEL>
            <h3 class="font-semibold">{t.by_system}</h3>
            <table class="mt-3 w-full text-sm">
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

#[component]
fn Handoffs(report: Report, locale: Locale, t: &'static ReportTexts) -> impl IntoView {
    let names = crate::incidents::texts::of(locale);
    let period = report.period;
    let rows = report
        .handoffs
        .into_iter()
        .map(|h| {
            // The incidents handed to this target (a row counts hand-offs, and one incident
            // may go there twice).
            let href = queue_href(&period, &[("handoff", h.target.as_str())]);
            view! {
                <tr class="border-t border-slate-200" data-testid=format!("handoff-{}", h.target.as_str())>
                    <td class="py-1"><a href=href class="text-sky-800 underline">{names.target_name(h.target)}</a></td>
                    <td class="py-1 text-right">{h.ended.count}</td>
                    <td class="py-1 text-right">{duration(t, h.ended.median_secs)}</td>
                    <td class="py-1 text-right">{duration(t, h.ended.p90_secs)}</td>
                    <td class="py-1 text-right">{duration(t, Some(h.ended.total_secs).filter(|s| *s > 0))}</td>
                    <td class="py-1 text-right">{h.open}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class=PANEL>
            <h3 class="font-semibold">{t.handoffs_title}</h3>
            <table class="mt-3 w-full text-sm">
                <thead class="text-left text-slate-600">
                    <tr>
                        <th class="py-1 font-normal">{t.col_target}</th>
                        <th class="py-1 text-right font-normal">{t.col_ended}</th>
                        <th class="py-1 text-right font-normal">{t.median}</th>
                        <th class="py-1 text-right font-normal">{t.p90}</th>
                        <th class="py-1 text-right font-normal">{t.total}</th>
                        <th class="py-1 text-right font-normal">{t.col_open}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

fn change(count: i64, previous: i64) -> String {
    match count - previous {
        0 => "±0".to_owned(),
        delta if delta > 0 => format!("+{delta}"),
        delta => delta.to_string(),
    }
}

/// A hot list: its rows under their column heads, or a sentence when it is empty.
fn hot_table(
    testid: &'static str,
    title: &'static str,
    empty: &'static str,
    heads: Vec<(&'static str, bool)>,
    rows: Vec<AnyView>,
) -> AnyView {
    let body = if rows.is_empty() {
        view! { <p class="mt-3 text-sm text-slate-600">{empty}</p> }.into_any()
    } else {
        view! {
            <table class="mt-3 w-full text-sm">
                <thead class="text-left text-slate-600">
                    <tr>
                        {heads.into_iter().map(|(head, right)| view! {
                            <th class=if right { "py-1 text-right font-normal" } else { "py-1 font-normal" }>{head}</th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section class=PANEL data-testid=testid>
            <h3 class="font-semibold">{title}</h3>
            {body}
        </section>
    }
    .into_any()
}

#[component]
fn HotTopics(
    report: Report,
    period: Period,
    locale: Locale,
    t: &'static ReportTexts,
) -> impl IntoView {
    let rows = report
        .subcategories
        .into_iter()
        .map(|topic| {
            let of_topic = [
                ("category", category_key(topic.category)),
                ("subcategory", topic.subcategory.as_str()),
            ];
            let href = queue_href(&period, &of_topic);
            let before = queue_href(&period.back(1), &of_topic);
            view! {
                <tr class="border-t border-slate-200">
                    <td class="py-1">{topic.subcategory.clone()}</td>
                    <td class="py-1 text-slate-600">{category_name(locale, t, topic.category)}</td>
                    <td class="py-1 text-right">{count_link(topic.count, href)}</td>
                    <td class="py-1 text-right">{count_link(topic.previous, before)}</td>
                    <td class="py-1 text-right">{change(topic.count, topic.previous)}</td>
                </tr>
            }
            .into_any()
        })
        .collect();
    let heads = vec![
        (t.col_subcategory, false),
        (t.by_category, false),
        (t.count, true),
        (t.col_previous, true),
        (t.col_change, true),
    ];
    hot_table("hot-topics", t.hot_topics, t.no_topics, heads, rows)
}

#[component]
fn HotArticles(report: Report, t: &'static ReportTexts) -> impl IntoView {
    let period = report.period;
    let rows = report
        .articles
        .into_iter()
        .map(|article| {
            let href = format!("/help/a/{}", article.slug);
            let linked = [("article", article.slug.as_str())];
            view! {
                <tr class="border-t border-slate-200">
                    <td class="py-1"><a href=href class="text-sky-800 underline">{article.title.clone()}</a></td>
                    <td class="py-1 text-right">{count_link(article.count, queue_href(&period, &linked))}</td>
                    <td class="py-1 text-right">{count_link(article.previous, queue_href(&period.back(1), &linked))}</td>
                    <td class="py-1 text-right">{change(article.count, article.previous)}</td>
                </tr>
            }
            .into_any()
        })
        .collect();
    let heads = vec![
        (t.col_article, false),
        (t.count, true),
        (t.col_previous, true),
        (t.col_change, true),
    ];
    hot_table("hot-articles", t.hot_articles, t.no_articles, heads, rows)
}

/// The knowledge sessions held in the period and the consultations on their topics around
/// them.
#[component]
fn Sessions(report: Report, locale: Locale) -> impl IntoView {
    let t = crate::sessions::texts::of(locale);
    let empty = report.sessions.is_empty();
    let rows = report
        .sessions
        .into_iter()
        .map(|session| {
            view! {
                <tr class="border-t border-slate-200" data-testid="report-session">
                    <td class="py-1">{session.topic}</td>
                    <td class="py-1">{crate::time::format_minute(session.starts_at)}</td>
                    <td class="py-1">{fill(t.effect, &[&session.effect.before, &session.effect.after])}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class=PANEL>
            <h3 class="font-semibold">
                <a href="/console/sessions" class="text-sky-800 underline">{t.title}</a>
            </h3>
            {empty.then(|| view! { <p class="mt-3 text-sm text-slate-600">{t.none_in_period}</p> })}
            <table class="mt-3 w-full text-sm">
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

/// Downloads of the period's tables: every table as one workbook, or one as CSV. A plain
/// form, so it works without JavaScript.
#[component]
fn Export(period: Period, t: &'static ReportTexts) -> impl IntoView {
    view! {
        <form method="get" action="/api/reports/export" data-testid="export-form"
            class=format!("mt-4 flex flex-wrap items-end gap-3 print:hidden {PANEL}")>
            <input type="hidden" name="period" value=period.kind.as_str() />
            <input type="hidden" name="start" value=period.first.to_string() />
            <input type="hidden" name="end" value=period.last.to_string() />
            <span class="self-center font-semibold">{t.export_title}</span>
            <button type="submit" name="format" value="xlsx" class=PRIMARY_BUTTON data-testid="export-xlsx">
                {t.export_xlsx}
            </button>
            <label class="flex flex-col gap-1">
                <span class="text-sm text-slate-700">{t.export_table}</span>
                <select name="table" class=INPUT data-testid="export-table">
                    {ReportTable::ALL.into_iter().map(|table| view! {
                        <option value=table.key()>{t.sheet(table)}</option>
                    }).collect_view()}
                </select>
            </label>
            <button type="submit" name="format" value="csv" class=SECONDARY_BUTTON data-testid="export-csv">
                {t.export_csv}
            </button>
        </form>
    }
}

/// What each figure counts, on the page beside the figures.
#[component]
fn Definitions(t: &'static ReportTexts) -> impl IntoView {
    let lines = [
        t.def_reported,
        t.def_resolution_rate,
        t.def_timely_rate,
        t.def_consultation_share,
        t.def_reopen_rate,
        t.def_durations,
        t.def_handoffs,
    ];
    view! {
        <section class=format!("mt-6 {PANEL}") data-testid="definitions">
            <h3 class="font-semibold">{t.definitions_title}</h3>
            <ul class="mt-2 list-disc space-y-1 pl-5 text-sm text-slate-700">
                {lines.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
            </ul>
        </section>
    }
}
