//! Where an incident stands against its SLA, in words and colour.

use chrono::Utc;
use leptos::prelude::*;

use crate::i18n::{fill, use_i18n};
use crate::sla::SlaState;

#[component]
pub fn SlaBadge(state: SlaState) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.console();
    let (kind, class) = match state {
        SlaState::None => ("none", "text-slate-600"),
        SlaState::Running { due_at } if due_at <= Utc::now() => {
            ("over", "font-medium text-red-700")
        }
        SlaState::Running { due_at } if (due_at - Utc::now()).num_minutes() < 60 => {
            ("soon", "font-medium text-amber-700")
        }
        SlaState::Running { .. } => ("running", "text-slate-700"),
        SlaState::Paused { .. } => ("paused", "text-slate-500"),
        SlaState::Breached { .. } => ("breached", "font-medium text-red-700"),
        SlaState::Met => ("met", "text-emerald-700"),
    };
    let text = move || {
        let t = t();
        match state {
            SlaState::None => t.sla_none.to_owned(),
            SlaState::Running { due_at } => {
                let minutes = (due_at - Utc::now()).num_minutes();
                if minutes < 0 {
                    fill(t.sla_over, &[&t.duration(-minutes)])
                } else {
                    fill(t.sla_left, &[&t.duration(minutes)])
                }
            }
            SlaState::Paused { left_secs } => fill(t.sla_paused, &[&t.duration(left_secs / 60)]),
            SlaState::Breached { .. } => t.sla_breached.to_owned(),
            SlaState::Met => t.sla_met.to_owned(),
        }
    };
    view! { <span data-testid="sla" data-sla=kind class=class>{text}</span> }
}
