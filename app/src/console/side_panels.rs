//! The incident page's side panels: SLA figures, the batch, and the hand-offs.

use chrono::Utc;
use leptos::prelude::*;
use leptos_router::components::A;

use super::{ConsoleLink, ConsoleUnlink, Handoff, TeamIncident};
use crate::i18n::use_i18n;
use crate::incidents::view::StatusBadge;
use crate::incidents::BatchMember;
use crate::incidents::IncidentNumber;
use crate::sla::SlaState;
use crate::time::format_minute;
use crate::ui::PANEL;

#[component]
pub fn SlaPanel(incident: TeamIncident) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.console();
    let line = |label: fn(&super::texts::ConsoleTexts) -> &'static str,
                at: Option<chrono::DateTime<Utc>>| {
        at.map(|at| {
            view! {
                <div class="flex justify-between gap-2">
                    <dt class="text-slate-500">{move || label(t())}</dt>
                    <dd>{format_minute(at)}</dd>
                </div>
            }
        })
    };
    let (due, breached) = match incident.sla {
        SlaState::Running { due_at } => (Some(due_at), None),
        SlaState::Breached { at } => (None, Some(at)),
        _ => (None, None),
    };
    view! {
        <section class=PANEL data-testid="sla-panel">
            <h2 class="font-semibold">{move || t().sla}</h2>
            <dl class="mt-2 space-y-1 text-sm">
                {line(|t| t.due_at, due)}
                {line(|t| t.breached_at, breached)}
                {line(|t| t.first_response, incident.first_response_at)}
                {line(|t| t.resolved_at, incident.resolved_at)}
            </dl>
        </section>
    }
}

/// The batch this incident belongs to, and joining or leaving one.
#[component]
pub fn BatchPanel(number: IncidentNumber, open: bool, members: Vec<BatchMember>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.console();
    let link = ServerAction::<ConsoleLink>::new();
    let unlink = ServerAction::<ConsoleUnlink>::new();
    let parent = RwSignal::new(String::new());
    // A duplicate lists its parent; a parent lists its duplicates.
    let is_duplicate = members.iter().any(|m| m.is_parent && m.number != number);
    let is_parent = members.iter().any(|m| !m.is_parent) && !is_duplicate;
    view! {
        <section class=PANEL data-testid="batch">
            <h2 class="font-semibold">{move || t().batch}</h2>
            <p class="text-xs text-slate-500">{move || t().batch_hint}</p>
            <ul class="mt-2 space-y-1 text-sm">
                {members.into_iter().map(|m| view! {
                    <li class="flex items-center gap-2" data-testid="batch-member" data-number=m.number.to_string()>
                        <A href=format!("/console/i/{}", m.number) attr:class="font-mono text-sky-700">"#" {m.number.to_string()}</A>
                        <span class="truncate">{m.title}</span>
                        {m.is_parent.then(|| view! { <span class="text-xs text-slate-500">{move || t().batch_parent}</span> })}
                        <StatusBadge status=m.status />
                    </li>
                }).collect_view()}
            </ul>
            {(open && is_duplicate).then(|| view! {
                <button type="button" data-testid="batch-unlink" class="mt-2 text-sm text-sky-700"
                    on:click=move |_| { unlink.dispatch(ConsoleUnlink { number }); }>
                    {move || t().unlink}
                </button>
            })}
            {(open && !is_duplicate && !is_parent).then(|| view! {
                <div class="mt-2 flex gap-2">
                    <input type="number" data-testid="batch-parent" placeholder=move || t().parent_placeholder
                        class="w-32 rounded-md border border-slate-300 px-2 py-1.5 text-sm"
                        prop:value=move || parent.get() on:input=move |ev| parent.set(event_target_value(&ev)) />
                    <button type="button" data-testid="batch-link"
                        class="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm hover:bg-slate-50"
                        on:click=move |_| {
                            let parent = parent.get_untracked().parse().unwrap_or(IncidentNumber(0));
                            link.dispatch(ConsoleLink { number, parent });
                        }>
                        {move || t().link}
                    </button>
                </div>
            })}
            {move || link.value().get().and_then(Result::err)
                .or_else(|| unlink.value().get().and_then(Result::err))
                .map(|error| view! { <p role="alert" class="mt-2 text-sm text-red-700">{error.message(i18n.t())}</p> })}
        </section>
    }
}

/// Each transfer and how long it lasted: the time spent with test, development, operations
/// and product.
#[component]
pub fn HandoffPanel(handoffs: Vec<Handoff>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.console();
    (!handoffs.is_empty()).then(|| view! {
        <section class=PANEL data-testid="handoffs">
            <h2 class="font-semibold">{move || t().handoffs}</h2>
            <ul class="mt-2 space-y-1 text-sm">
                {handoffs.into_iter().map(|h| {
                    let minutes = (h.ended_at.unwrap_or_else(Utc::now) - h.started_at).num_minutes().max(0);
                    let running = h.ended_at.is_none();
                    view! {
                        <li class="flex justify-between gap-2" data-testid="handoff">
                            <span>{move || i18n.incidents().target_name(h.target)} " · " {format_minute(h.started_at)}</span>
                            <span class="text-slate-600">
                                {move || t().duration(minutes)}
                                {running.then(|| view! { <span class="ml-1 text-amber-700">{move || t().handoff_running}</span> })}
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    })
}
