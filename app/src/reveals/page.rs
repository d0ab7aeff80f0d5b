//! `/console/settings/reveals`: every reveal of customer identity, filtered, with the users
//! past the hourly alert threshold on top. Admins only.

use crate::i18n::page_title;
use leptos::prelude::*;
use leptos_meta::Title;

use super::{reveal_audit, AuditFilter, AuditPage, IdentityField, RevealReason};
use crate::i18n::{fill, use_i18n};
use crate::resource::page_resource;
use crate::shell::{Loading, PageError};
use crate::time::format_minute;
use crate::ui::{Labeled, INPUT, PANEL, PRIMARY_BUTTON, SECONDARY_BUTTON};

/// The filter as typed: kept as text so nothing typed is lost to a parse.
#[derive(Clone, Copy)]
struct Typed {
    login: RwSignal<String>,
    number: RwSignal<String>,
    field: RwSignal<Option<IdentityField>>,
    reason: RwSignal<Option<RevealReason>>,
    from: RwSignal<String>,
    to: RwSignal<String>,
}

impl Typed {
    /// The filter, or the name of the first part that does not parse.
    fn filter(&self) -> Result<AuditFilter, &'static str> {
        let number = self.number.get_untracked();
        let number = match number.trim() {
            "" => None,
            text => Some(text.parse::<i64>().map_err(|_| "number")?),
        };
        let date = |text: String| match text.trim() {
            "" => Ok(None),
            text => text.parse().map(Some).map_err(|_| "date"),
        };
        Ok(AuditFilter {
            login: Some(self.login.get_untracked()).filter(|l| !l.trim().is_empty()),
            number,
            field: self.field.get_untracked(),
            reason: self.reason.get_untracked(),
            from: date(self.from.get_untracked())?,
            to: date(self.to.get_untracked())?,
        })
    }
}

#[component]
pub fn RevealAuditPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.reveals();
    let typed = Typed {
        login: RwSignal::new(String::new()),
        number: RwSignal::new(String::new()),
        field: RwSignal::new(None),
        reason: RwSignal::new(None),
        from: RwSignal::new(String::new()),
        to: RwSignal::new(String::new()),
    };
    let applied = RwSignal::new(AuditFilter::default());
    let before = RwSignal::new(None::<i64>);
    let bad = RwSignal::new(None::<&'static str>);
    let audit = page_resource(
        move || (applied.get(), before.get()),
        |(filter, before)| reveal_audit(filter, before),
    );
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match typed.filter() {
            Ok(filter) => {
                bad.set(None);
                before.set(None);
                applied.set(filter);
            }
            Err(part) => bad.set(Some(part)),
        }
    };
    view! {
        <Title text=page_title(move || t().audit_title) />
        <h1 class="text-xl font-semibold">{move || t().audit_title}</h1>
        <p class="mt-1 text-sm text-slate-600">{move || t().audit_intro}</p>
        <form class=format!("mt-4 flex flex-wrap items-end gap-3 {PANEL}") on:submit=apply data-testid="reveal-filter">
            <Labeled label=move || t().filter_login>
                <input type="text" class=INPUT data-testid="filter-login"
                    prop:value=move || typed.login.get()
                    on:input=move |ev| typed.login.set(event_target_value(&ev)) />
            </Labeled>
            <Labeled label=move || t().filter_number>
                <input type="text" inputmode="numeric" class=INPUT data-testid="filter-number"
                    aria-invalid=move || (bad.get() == Some("number")).to_string()
                    prop:value=move || typed.number.get()
                    on:input=move |ev| typed.number.set(event_target_value(&ev)) />
            </Labeled>
            <Labeled label=move || t().filter_field>
                <select class=INPUT on:change=move |ev| {
                    let name = event_target_value(&ev);
                    typed.field.set(IdentityField::ALL.into_iter().find(|f| f.as_str() == name));
                }>
                    <option value="">{move || t().any}</option>
                    {IdentityField::ALL.into_iter().map(|f| view! {
                        <option value=f.as_str()>{move || t().field(f)}</option>
                    }).collect_view()}
                </select>
            </Labeled>
            <Labeled label=move || t().filter_reason>
                <select class=INPUT on:change=move |ev| typed.reason.set(RevealReason::named(&event_target_value(&ev)))>
                    <option value="">{move || t().any}</option>
                    {RevealReason::ALL.into_iter().map(|r| view! {
                        <option value=r.as_str()>{move || t().reason(Some(r))}</option>
                    }).collect_view()}
                </select>
            </Labeled>
            <Labeled label=move || t().filter_from>
                <input type="date" class=INPUT aria-invalid=move || (bad.get() == Some("date")).to_string()
                    prop:value=move || typed.from.get()
                    on:input=move |ev| typed.from.set(event_target_value(&ev)) />
            </Labeled>
            <Labeled label=move || t().filter_to>
                <input type="date" class=INPUT aria-invalid=move || (bad.get() == Some("date")).to_string()
                    prop:value=move || typed.to.get()
                    on:input=move |ev| typed.to.set(event_target_value(&ev)) />
            </Labeled>
            <button type="submit" class=PRIMARY_BUTTON data-testid="filter-apply">{move || t().apply}</button>
            {move || bad.get().map(|part| view! {
                <p class="w-full text-sm text-red-700" role="alert">
                    {if part == "number" { t().bad_number } else { t().bad_date }}
                </p>
            })}
        </form>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match audit.await {
                    Ok(audit) => view! { <AuditView audit before /> }.into_any(),
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn AuditView(audit: AuditPage, before: RwSignal<Option<i64>>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.reveals();
    let threshold = audit.threshold;
    let alerts = if audit.alerts.is_empty() {
        view! { <p class="mt-2 text-sm text-slate-600">{move || t().no_alerts}</p> }.into_any()
    } else {
        view! {
            <ul class="mt-2 space-y-1 text-sm" data-testid="reveal-alerts">
                {audit.alerts.into_iter().map(|alert| view! {
                    <li class="text-red-800">
                        <span class="font-medium">{alert.display_name}</span>
                        " (" {alert.login} ") · "
                        {move || fill(t().alert_line, &[&alert.reveals])}
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    let records = if audit.records.is_empty() {
        view! { <p class="mt-4 text-slate-600">{move || t().none_found}</p> }.into_any()
    } else {
        view! {
            <table class="mt-4 w-full bg-white text-left text-sm" data-testid="reveal-records">
                <thead class="border-b border-slate-200 text-slate-600">
                    <tr>
                        <th class="p-2">{move || t().col_when}</th>
                        <th class="p-2">{move || t().col_who}</th>
                        <th class="p-2">{move || t().col_incident}</th>
                        <th class="p-2">{move || t().col_field}</th>
                        <th class="p-2">{move || t().col_reason}</th>
                        <th class="p-2">{move || t().col_session}</th>
                        <th class="p-2">{move || t().col_address}</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {audit.records.into_iter().map(|r| {
                        let href = format!("/console/i/{}", r.number);
                        view! {
                            <tr data-testid="reveal-record">
                                <td class="p-2 whitespace-nowrap">{format_minute(r.at)}</td>
                                <td class="p-2">{r.display_name} " (" {r.login} ")"</td>
                                <td class="p-2"><a class="text-sky-700 underline" href=href>{format!("#{}", r.number)}</a></td>
                                <td class="p-2">{move || t().field(r.field)}</td>
                                <td class="p-2" data-testid="reveal-record-reason">{move || t().reason(r.reason)}</td>
                                <td class="p-2 font-mono text-xs">{r.session_ref.unwrap_or_default()}</td>
                                <td class="p-2 font-mono text-xs">{r.address.unwrap_or_default()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    let next = audit.next;
    view! {
        <section class=format!("mt-4 {PANEL}")>
            <h2 class="font-semibold">{move || fill(t().alerts_title, &[&threshold])}</h2>
            {alerts}
        </section>
        {records}
        <div class="mt-3 flex gap-2">
            {move || before.get().map(|_| view! {
                <button type="button" class=SECONDARY_BUTTON on:click=move |_| before.set(None)>
                    {move || t().newest}
                </button>
            })}
            {next.map(|id| view! {
                <button type="button" class=SECONDARY_BUTTON data-testid="reveal-more"
                    on:click=move |_| before.set(Some(id))>{move || t().more}</button>
            })}
        </div>
    }
}
