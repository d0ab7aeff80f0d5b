//! `/console/sla`: resolution targets, business hours and the holiday list. Everybody in the
//! console reads them; admins change them.

use crate::i18n::page_title;
use leptos::prelude::*;
use leptos_meta::Title;

use super::texts::SlaTexts;
use super::{
    sla_settings, BusinessHours, CalendarDay, DayKind, SlaConfig, SlaPutDay, SlaRemoveDay,
    SlaSaveHours, SlaSaveTargets, SlaTarget,
};
use crate::error::AppError;
use crate::i18n::{use_i18n, Locale};
use crate::incidents::{Category, Severity};
use crate::resource::page_resource;
use crate::settings_history::{ChangeHistory, ChangeKind, SettingsChange, Subject};
use crate::shell::{Loading, PageError};
use crate::ui::{Labeled, INPUT, PANEL, PRIMARY_BUTTON};

#[component]
pub fn SlaSettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.sla();
    let refresh = RwSignal::new(0u32);
    let settings = page_resource(move || refresh.get(), |_| sla_settings());
    // Bumped by every save, so the history below follows.
    let saved = RwSignal::new(0u32);
    view! {
        <Title text=page_title(move || t().title) />
        <h1 class="text-xl font-semibold">{move || t().title}</h1>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(settings) => view! { <SettingsForms settings refresh saved /> }.into_any(),
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Transition>
        <ChangeHistory subject=Subject::Sla refresh=saved describe=describe_change />
    }
}

/// Counts a successful save of `action` in `saved`.
fn count_saves<A>(action: ServerAction<A>, saved: RwSignal<u32>)
where
    A: leptos::server_fn::ServerFn<Output = ()> + Send + Sync + Clone + 'static,
    A::Error: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            saved.update(|n| *n += 1);
        }
    });
}

/// One line of the history, in the page's words.
fn describe_change(change: &SettingsChange, locale: Locale) -> String {
    let t = super::texts::of(locale);
    let field = |name| change.field(name).unwrap_or_default();
    let removed = change.change == ChangeKind::Delete;
    match change.table.as_str() {
        "sla_targets" => {
            let category = field("category");
            let category = Category::ALL
                .into_iter()
                .find(|c| c.as_str() == category)
                .map_or(category.clone(), |c| {
                    crate::incidents::texts::of(locale)
                        .category_name(c)
                        .to_owned()
                });
            let minutes = |value: Option<&serde_json::Value>| {
                value
                    .and_then(serde_json::Value::as_i64)
                    .map(|m| t.minutes_as_hours(i32::try_from(m).unwrap_or(i32::MAX)))
            };
            let after = minutes(change.after.as_ref().map(|row| &row["resolve_minutes"]));
            let before = minutes(change.before("resolve_minutes"));
            let severity = field("severity").to_uppercase();
            let mut line = format!("{} {category} · {severity}: ", t.targets);
            if let Some(before) = before {
                line.push_str(&format!("{before} → "));
            }
            line.push_str(&after.unwrap_or_default());
            line
        }
        "business_hours" => {
            let days: Vec<&str> = change
                .after
                .as_ref()
                .and_then(|row| row["weekdays"].as_array())
                .map(|days| {
                    days.iter()
                        .filter_map(serde_json::Value::as_u64)
                        .filter_map(|d| t.weekday_names.get(d.saturating_sub(1) as usize))
                        .copied()
                        .collect()
                })
                .unwrap_or_default();
            let hm = |name| field(name).chars().take(5).collect::<String>();
            format!(
                "{}: {}–{} {}",
                t.hours,
                hm("day_start"),
                hm("day_end"),
                days.join(" ")
            )
        }
        _ => {
            let kind = match field("kind").as_str() {
                "workday" => t.workday,
                _ => t.holiday,
            };
            let line = format!("{} {} {}", field("day"), kind, field("name"));
            if removed {
                crate::i18n::fill(t.history_removed, &[&line])
            } else {
                line
            }
        }
    }
}

#[component]
fn SettingsForms(
    settings: SlaConfig,
    refresh: RwSignal<u32>,
    saved: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.sla();
    let editable = settings.editable;
    view! {
        {(!editable).then(|| view! {
            <p class="mt-2 text-sm text-slate-500" data-testid="sla-read-only">{move || t().read_only}</p>
        })}
        <Targets targets=settings.targets editable saved />
        <Hours hours=settings.hours editable saved />
        <Days days=settings.days editable refresh saved />
    }
}

const SECTION: &str = "mt-6 max-w-3xl";

/// A save button with the action's outcome beside it. The typed values stay when it fails.
#[component]
fn SaveRow(
    result: Signal<Option<Result<(), AppError>>>,
    testid: &'static str,
    on_save: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.sla();
    view! {
        <div class="mt-4 flex items-center gap-3">
            <button type="button" data-testid=testid class=PRIMARY_BUTTON on:click=move |_| on_save()>
                {move || t().save}
            </button>
            {move || match result.get() {
                Some(Ok(())) => Some(view! { <span class="text-sm text-emerald-700">{t().saved}</span> }.into_any()),
                Some(Err(error)) => Some(view! {
                    <span role="alert" class="text-sm text-red-700">{error.message(i18n.t())}</span>
                }.into_any()),
                None => None,
            }}
        </div>
    }
}

#[component]
fn Targets(targets: Vec<SlaTarget>, editable: bool, saved: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.sla();
    let values = RwSignal::new(targets);
    let save = ServerAction::<SlaSaveTargets>::new();
    count_saves(save, saved);
    let minutes_of = move |c: Category, s: Severity| {
        values.with(|v| {
            v.iter()
                .find(|x| x.category == c && x.severity == s)
                .map_or(0, |x| x.minutes)
        })
    };
    let set = move |c: Category, s: Severity, minutes: i32| {
        values.update(
            |v| match v.iter_mut().find(|x| x.category == c && x.severity == s) {
                Some(x) => x.minutes = minutes,
                None => v.push(SlaTarget {
                    category: c,
                    severity: s,
                    minutes,
                }),
            },
        );
    };
    view! {
        <section class=format!("{SECTION} {PANEL}")>
            <h2 class="font-semibold">{move || t().targets}</h2>
            <p class="text-sm text-slate-500">{move || t().targets_hint}</p>
            <table class="mt-3 text-sm">
                <thead>
                    <tr class="text-left text-slate-500">
                        <th class="pr-4"></th>
                        {Category::ALL.into_iter().map(|c| view! {
                            <th class="px-2 py-1">{move || i18n.incidents().category_name(c)}</th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {Severity::ALL.into_iter().map(|s| view! {
                        <tr>
                            <th class="pr-4 text-left">{s.label()}</th>
                            {Category::ALL.into_iter().map(|c| view! {
                                <td class="px-2 py-1">
                                    <input type="number" min="1" max=super::MAX_TARGET_MINUTES class=format!("{INPUT} w-28")
                                        aria-label=move || format!("{} {}", i18n.incidents().category_name(c), s.label())
                                        data-testid=format!("target-{}-{}", c.as_str(), s.as_str())
                                        disabled=!editable
                                        prop:value=move || minutes_of(c, s).to_string()
                                        on:input=move |ev| set(c, s, event_target_value(&ev).trim().parse().unwrap_or(0)) />
                                    <div class="text-xs text-slate-600">
                                        {move || t().minutes_as_hours(minutes_of(c, s))}
                                    </div>
                                </td>
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            {editable.then(|| view! {
                <SaveRow result=Signal::derive(move || save.value().get()) testid="save-targets" on_save=move || {
                    save.dispatch(SlaSaveTargets { targets: values.get_untracked() });
                } />
            })}
        </section>
    }
}

#[component]
fn Hours(hours: BusinessHours, editable: bool, saved: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.sla();
    let start = RwSignal::new(hours.day_start);
    let end = RwSignal::new(hours.day_end);
    let weekdays = RwSignal::new(hours.weekdays);
    let save = ServerAction::<SlaSaveHours>::new();
    count_saves(save, saved);
    let time_input = move |label: fn(&SlaTexts) -> &'static str,
                           value: RwSignal<String>,
                           testid: &'static str| {
        view! {
            <label class="flex items-center gap-2 text-sm">
                {move || label(t())}
                <input type="time" class=INPUT data-testid=testid disabled=!editable
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev)) />
            </label>
        }
    };
    view! {
        <section class=format!("{SECTION} {PANEL}")>
            <h2 class="font-semibold">{move || t().hours}</h2>
            <div class="mt-3 flex flex-wrap gap-4">
                {time_input(|t| t.day_start, start, "day-start")}
                {time_input(|t| t.day_end, end, "day-end")}
            </div>
            <div class="mt-3 flex flex-wrap gap-3" data-testid="weekdays">
                {(1u8..=7).map(|day| view! {
                    <label class="flex items-center gap-1 text-sm">
                        <input type="checkbox" disabled=!editable value=day.to_string()
                            prop:checked=move || weekdays.with(|w| w.contains(&day))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                weekdays.update(|w| {
                                    w.retain(|d| *d != day);
                                    if on { w.push(day) }
                                });
                            } />
                        {move || t().weekday_names[usize::from(day - 1)]}
                    </label>
                }).collect_view()}
            </div>
            {editable.then(|| view! {
                <SaveRow result=Signal::derive(move || save.value().get()) testid="save-hours" on_save=move || {
                    save.dispatch(SlaSaveHours { hours: BusinessHours {
                        day_start: start.get_untracked(),
                        day_end: end.get_untracked(),
                        weekdays: weekdays.get_untracked(),
                    }});
                } />
            })}
        </section>
    }
}

#[component]
fn Days(
    days: Vec<CalendarDay>,
    editable: bool,
    refresh: RwSignal<u32>,
    saved: RwSignal<u32>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.sla();
    let date = RwSignal::new(String::new());
    let kind = RwSignal::new(DayKind::Holiday);
    let name = RwSignal::new(String::new());
    let put = ServerAction::<SlaPutDay>::new();
    let remove = ServerAction::<SlaRemoveDay>::new();
    count_saves(put, saved);
    count_saves(remove, saved);
    Effect::new(move |_| {
        let put_done = matches!(put.value().get(), Some(Ok(())));
        let remove_done = matches!(remove.value().get(), Some(Ok(())));
        if put_done || remove_done {
            refresh.update(|n| *n += 1);
        }
    });
    let kind_name = move |k: DayKind| match k {
        DayKind::Holiday => t().holiday,
        DayKind::Workday => t().workday,
    };
    let empty = days.is_empty();
    view! {
        <section class=format!("{SECTION} {PANEL}")>
            <h2 class="font-semibold">{move || t().days}</h2>
            <p class="text-sm text-slate-500">{move || t().days_hint}</p>
            {empty.then(|| view! { <p class="mt-3 text-sm text-slate-500">{move || t().no_days}</p> })}
            <ul class="mt-3 divide-y divide-slate-100 text-sm" data-testid="calendar-days">
                {days.into_iter().map(|day| {
                    let when = day.date.clone();
                    view! {
                        <li class="flex items-center justify-between py-2" data-date=day.date.clone()>
                            <span>
                                <span class="font-mono">{day.date.clone()}</span> " " {day.name}
                                " · " {move || kind_name(day.kind)}
                            </span>
                            {editable.then(|| view! {
                                <button type="button" class="text-xs text-red-700"
                                    on:click=move |_| { remove.dispatch(SlaRemoveDay { date: when.clone() }); }>
                                    {move || t().remove}
                                </button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {editable.then(|| view! {
                <div class="mt-3 flex flex-wrap items-center gap-2">
                    <Labeled label=move || t().day_date hidden_label=true class="contents">
                        <input type="date" class=INPUT data-testid="day-date"
                            prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev)) />
                    </Labeled>
                    <Labeled label=move || t().day_kind hidden_label=true class="contents">
                        <select class=INPUT data-testid="day-kind" on:change=move |ev| {
                            if let Some(k) = DayKind::parse(&event_target_value(&ev)) { kind.set(k) }
                        }>
                            {[DayKind::Holiday, DayKind::Workday].into_iter().map(|k| view! {
                                <option value=k.as_str() selected=move || kind.get() == k>{move || kind_name(k)}</option>
                            }).collect_view()}
                        </select>
                    </Labeled>
                    <Labeled label=move || t().day_name hidden_label=true class="contents">
                        <input type="text" maxlength=super::MAX_DAY_NAME_CHARS class=INPUT data-testid="day-name"
                            placeholder=move || t().day_name
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                    </Labeled>
                    <button type="button" class=PRIMARY_BUTTON data-testid="add-day" on:click=move |_| {
                        put.dispatch(SlaPutDay { day: CalendarDay {
                            date: date.get_untracked(), kind: kind.get_untracked(), name: name.get_untracked(),
                        }});
                    }>{move || t().add_day}</button>
                </div>
                {move || put.value().get().and_then(Result::err).or_else(|| remove.value().get().and_then(Result::err))
                    .map(|error| view! { <p role="alert" class="mt-2 text-sm text-red-700">{error.message(i18n.t())}</p> })}
            })}
        </section>
    }
}
