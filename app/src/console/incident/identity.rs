//! The customer's identity on the incident page: masked, each field revealed on purpose, for a
//! reason, and recorded (see `reveals`).

use leptos::prelude::*;

use crate::error::AppError;
use crate::i18n::use_i18n;
use crate::incidents::CustomerView;
use crate::incidents::IncidentNumber;
use crate::reveals::{reveal_identity, IdentityField, RevealReason};
use crate::ui::{Labeled, HINT, INPUT, PANEL, PRIMARY_BUTTON, SECONDARY_BUTTON};

#[component]
pub(super) fn IdentityPanel(
    number: IncidentNumber,
    customer: CustomerView,
    /// The viewer may reveal fields in full here.
    can_reveal: bool,
    /// The viewer could reveal on their own incidents, but this one is someone else's.
    not_theirs: bool,
    fund_account: Option<String>,
    customer_mobile: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.console();
    let doc = customer.doc_type;
    view! {
        <section class=PANEL data-testid="identity">
            <h2 class="font-semibold">{move || t().customer}</h2>
            <p class=HINT>
                {move || if not_theirs { i18n.reveals().only_assignee } else { t().reveal_hint }}
            </p>
            <dl class="mt-3 space-y-2 text-sm">
                <Revealable number can_reveal field=IdentityField::CustomerName masked=customer.name
                    label=move || i18n.incidents().field_customer_name />
                <Revealable number can_reveal field=IdentityField::IdNumber masked=customer.id_number
                    label=move || i18n.incidents().doc_name(doc) />
                {fund_account.map(|masked| view! {
                    <Revealable number can_reveal field=IdentityField::FundAccount masked
                        label=move || i18n.incidents().field_fund_account />
                })}
                {customer_mobile.map(|masked| view! {
                    <Revealable number can_reveal field=IdentityField::CustomerMobile masked
                        label=move || i18n.incidents().field_customer_mobile />
                })}
            </dl>
        </section>
    }
}

/// A masked identity field with a button that asks for a reason, then shows it in full (and
/// is recorded).
#[component]
fn Revealable(
    number: IncidentNumber,
    can_reveal: bool,
    field: IdentityField,
    masked: String,
    label: impl Fn() -> &'static str + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.reveals();
    let shown = RwSignal::new(None::<String>);
    let asking = RwSignal::new(false);
    let reason = RwSignal::new(None::<RevealReason>);
    let error = RwSignal::new(None::<AppError>);
    let confirm = move |_| {
        let Some(why) = reason.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match reveal_identity(number, field, why).await {
                Ok(value) => {
                    shown.set(Some(value));
                    asking.set(false);
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <div class="flex flex-wrap items-center justify-between gap-2" data-field=field.as_str()>
            <dt class="text-slate-600">{label}</dt>
            <dd class="flex flex-wrap items-center justify-end gap-2">
                <span data-testid="identity-value" class="font-mono">
                    {move || shown.get().unwrap_or_else(|| masked.clone())}
                </span>
                <Show when=move || can_reveal && shown.get().is_none() && !asking.get()>
                    <button type="button" data-testid="reveal" class="text-xs text-sky-700"
                        on:click=move |_| asking.set(true)>
                        {move || i18n.console().reveal}
                    </button>
                </Show>
                <Show when=move || asking.get()>
                    <span class="flex w-full flex-wrap items-end justify-end gap-2 rounded-md bg-slate-50 p-2"
                        data-testid="reveal-reason">
                        <Labeled label=move || t().choose_reason>
                            <select class=INPUT data-testid="reveal-reason-select"
                                on:change=move |ev| reason.set(RevealReason::named(&event_target_value(&ev)))>
                                <option value="">"—"</option>
                                {RevealReason::ALL.into_iter().map(|r| view! {
                                    <option value=r.as_str()>{move || t().reason(Some(r))}</option>
                                }).collect_view()}
                            </select>
                        </Labeled>
                        <button type="button" class=PRIMARY_BUTTON data-testid="reveal-confirm"
                            disabled=move || reason.get().is_none() on:click=confirm>
                            {move || t().confirm}
                        </button>
                        <button type="button" class=SECONDARY_BUTTON on:click=move |_| asking.set(false)>
                            {move || t().cancel}
                        </button>
                    </span>
                </Show>
                {move || error.get().map(|e| view! { <span class="w-full text-right text-xs text-red-700">{e.message(i18n.t())}</span> })}
            </dd>
        </div>
    }
}
