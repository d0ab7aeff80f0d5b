//! The customer's identity on the incident page: masked, each field revealed on purpose (and
//! recorded, see `console::store::reveal`).

use leptos::prelude::*;

use crate::console::{console_reveal, IdentityField};
use crate::error::AppError;
use crate::i18n::use_i18n;
use crate::incidents::DocType;
use crate::incidents::IncidentNumber;
use crate::ui::{HINT, PANEL};

#[component]
pub(super) fn IdentityPanel(
    number: IncidentNumber,
    doc: DocType,
    /// The viewer may reveal fields in full.
    can_reveal: bool,
    customer_name: String,
    id_number: String,
    fund_account: Option<String>,
    customer_mobile: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.console();
    view! {
        <section class=PANEL data-testid="identity">
            <h2 class="font-semibold">{move || t().customer}</h2>
            <p class=HINT>{move || t().reveal_hint}</p>
            <dl class="mt-3 space-y-2 text-sm">
                <Revealable number can_reveal field=IdentityField::CustomerName masked=customer_name
                    label=move || i18n.incidents().field_customer_name />
                <Revealable number can_reveal field=IdentityField::IdNumber masked=id_number
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

/// A masked identity field with a button that shows it in full (and is recorded).
#[component]
fn Revealable(
    number: IncidentNumber,
    can_reveal: bool,
    field: IdentityField,
    masked: String,
    label: impl Fn() -> &'static str + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let shown = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<AppError>);
    let reveal = move |_| {
        leptos::task::spawn_local(async move {
            match console_reveal(number, field).await {
                Ok(value) => shown.set(Some(value)),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <div class="flex items-center justify-between gap-2" data-field=field.as_str()>
            <dt class="text-slate-500">{label}</dt>
            <dd class="flex items-center gap-2">
                <span data-testid="identity-value" class="font-mono">
                    {move || shown.get().unwrap_or_else(|| masked.clone())}
                </span>
                <Show when=move || can_reveal && shown.get().is_none()>
                    <button type="button" data-testid="reveal" class="text-xs text-sky-700" on:click=reveal>
                        {move || i18n.console().reveal}
                    </button>
                </Show>
            </dd>
        </div>
        {move || error.get().map(|e| view! { <p class="text-xs text-red-700">{e.message(i18n.t())}</p> })}
    }
}
