//! Keeping live articles right: the weekly meeting's list on `/console/kb`, and on a live
//! article, pinning it to the hot questions and confirming it still holds.

use leptos::prelude::*;
use leptos_router::location::Url;

use super::super::{kb_maintenance, KbConfirmReviewed, KbPin};
use crate::i18n::{fill, use_i18n};
use crate::resource::page_resource;
use crate::time::format_minute;
use crate::ui::{PANEL, SECONDARY_BUTTON};

#[component]
pub fn WeeklyMaintenance() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.kb();
    let lists = page_resource(|| (), |_| kb_maintenance());
    let section = move |title: &'static str, testid: &'static str, items: AnyView, empty: bool| {
        view! {
            <div data-testid=testid>
                <h3 class="font-medium text-slate-800">{title}</h3>
                {if empty {
                    view! { <p class="mt-1 text-sm text-slate-600">{t().nothing_to_do}</p> }.into_any()
                } else {
                    view! { <ul class="mt-1 space-y-1 text-sm">{items}</ul> }.into_any()
                }}
            </div>
        }
    };
    view! {
        <section class=format!("mt-6 {PANEL}") data-testid="kb-maintenance">
            <h2 class="font-semibold">{move || t().maintenance}</h2>
            <p class="mt-1 text-sm text-slate-600">{move || t().maintenance_hint}</p>
            <Transition>
                {move || Suspend::new(async move {
                    let Ok(lists) = lists.await else { return ().into_any() };
                    let article = |id: i64, title: String| view! {
                        <a href=format!("/console/kb/{id}") class="text-sky-800 underline underline-offset-2">{title}</a>
                    };
                    let unreviewed = lists.unreviewed.iter().map(|a| view! {
                        <li>
                            {article(a.id, a.title.clone())} " · "
                            <span class="text-slate-600">{match a.last_reviewed_at {
                                Some(at) => fill(t().last_reviewed, &[&format_minute(at)]),
                                None => t().never_reviewed.to_owned(),
                            }}</span>
                        </li>
                    }).collect_view().into_any();
                    let unhelpful = lists.unhelpful.iter().map(|a| view! {
                        <li>
                            {article(a.id, a.title.clone())} " · "
                            <span class="text-slate-600">{fill(t().unhelpful_counts, &[&a.not_helpful, &a.helpful])}</span>
                            {(!a.comments.is_empty()).then(|| view! {
                                <ul class="ml-4 list-disc text-slate-700">
                                    {a.comments.iter().map(|c| view! { <li>{c.clone()}</li> }).collect_view()}
                                </ul>
                            })}
                        </li>
                    }).collect_view().into_any();
                    let missed = lists.missed.iter().map(|m| view! {
                        <li>
                            <a href=format!("/help/search?q={}", Url::escape(&m.query)) class="text-sky-800 underline underline-offset-2" rel="external">{m.query.clone()}</a>
                            " · "
                            <span class="text-slate-600">{fill(t().missed_line, &[&m.times, &format_minute(m.last_at)])}</span>
                        </li>
                    }).collect_view().into_any();
                    let deflection = lists.deflection.iter().map(|d| view! {
                        <li>{fill(t().deflection_line, &[&d.system.name(i18n.locale()), &d.visits, &d.reported, &d.deflected])}</li>
                    }).collect_view().into_any();
                    view! {
                        <div class="mt-3 grid gap-4 lg:grid-cols-2">
                            {section(t().unreviewed, "kb-unreviewed", unreviewed, lists.unreviewed.is_empty())}
                            {section(t().unhelpful, "kb-unhelpful", unhelpful, lists.unhelpful.is_empty())}
                            {section(t().missed, "kb-missed", missed, lists.missed.is_empty())}
                            {section(t().deflection, "kb-deflection", deflection, lists.deflection.is_empty())}
                        </div>
                    }.into_any()
                })}
            </Transition>
        </section>
    }
}

/// On a live article: pin it to the hot questions, confirm it still holds.
#[component]
pub fn LiveActions(id: i64, pinned: bool, may_write: bool, may_publish: bool) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.kb();
    let pin = ServerAction::<KbPin>::new();
    let confirm = ServerAction::<KbConfirmReviewed>::new();
    let is_pinned = RwSignal::new(pinned);
    Effect::new(move |_| {
        if let Some(Ok(())) = pin.value().get() {
            is_pinned.update(|p| *p = !*p);
            pin.clear();
        }
    });
    view! {
        <div class="flex flex-wrap items-center gap-3" data-testid="kb-live-actions">
            {may_write.then(|| view! {
                <button type="button" class=SECONDARY_BUTTON data-testid="kb-pin"
                    aria-pressed=move || is_pinned.get().to_string()
                    on:click=move |_| { pin.dispatch(KbPin { id, pinned: !is_pinned.get_untracked() }); }>
                    {move || if is_pinned.get() { t().unpin } else { t().pin }}
                </button>
            })}
            {move || is_pinned.get().then(|| view! { <span class="text-slate-700">{t().pinned_note}</span> })}
            {may_publish.then(|| view! {
                <button type="button" class=SECONDARY_BUTTON data-testid="kb-confirm-reviewed"
                    on:click=move |_| { confirm.dispatch(KbConfirmReviewed { id }); }>{move || t().confirm_reviewed}</button>
            })}
            {move || confirm.value().get().map(|answer| match answer {
                Ok(()) => view! { <span role="status" class="text-green-800">{t().confirmed}</span> }.into_any(),
                Err(error) => view! { <span role="alert" class="text-red-700">{super::error_message(i18n, &error)}</span> }.into_any(),
            })}
            {move || pin.value().get().and_then(Result::err).map(|error| view! {
                <span role="alert" class="text-red-700">{super::error_message(i18n, &error)}</span>
            })}
        </div>
    }
}
