//! `/console/new`: an incident that reached the team by WeChat group, ITSM, a phone call or
//! monitoring, recorded by a handler so the queue and the service report hold every channel.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::error::{AppError, Problem};
use crate::i18n::{fill, page_title, use_i18n};
use crate::incidents::{
    Channel, DocType, Recorded, RecordedIncident, MAX_CONTACT, MAX_CUSTOMER_NAME, MAX_DESCRIPTION,
    MAX_DOC_NUMBER_TYPED, MAX_EXTERNAL_REF, MAX_FUND_ACCOUNT, MAX_TITLE, MOBILE_DIGITS,
};
use crate::reference::{list_systems, System};
use crate::resource::page_resource;
use crate::shell::{ErrorPanel, Loading};
use crate::ui::{Labeled, SystemModulePicker, HINT, INPUT, PANEL, PRIMARY_BUTTON};

/// Records the incident, or answers the one already recorded under the same reference.
#[server(endpoint = "console/record", input = Json)]
pub async fn console_record(incident: RecordedIncident) -> Result<Recorded, AppError> {
    use crate::auth::{session::require, Action};
    use crate::incidents::store::{self, Origin};
    let user = require(Action::WorkIncidents).await?;
    let incident = incident.normalized();
    if let Some(first) = incident.problems(chrono::Utc::now()).first() {
        return Err(AppError::invalid(first.field, first.problem));
    }
    let (Some(channel), Some(received_at)) = (incident.channel, incident.received()) else {
        return Err(AppError::Internal);
    };
    let pool = crate::state::db()?;
    crate::limits::store::spend(&pool, user.id, crate::limits::Write::Report).await?;
    fn optional(text: &str) -> Option<&str> {
        Some(text).filter(|t| !t.is_empty())
    }
    let origin = Origin {
        channel,
        received_at,
        external_ref: optional(&incident.external_ref),
        contact: optional(&incident.contact),
        quiet: false,
        category: None,
        resolved: None,
    };
    store::record(&pool, &user, &incident.report, origin).await
}

/// The channels a handler records; the phone app's reports file themselves.
const RECORDED_CHANNELS: [Channel; 4] = [
    Channel::Wechat,
    Channel::Itsm,
    Channel::Phone,
    Channel::Monitoring,
];

#[component]
pub fn RecordIncidentPage() -> impl IntoView {
    let i18n = use_i18n();
    let systems = page_resource(|| (), |_| list_systems());
    view! {
        <Title text=page_title(move || i18n.console().record_title) />
        <h1 class="text-xl font-semibold">{move || i18n.console().record_title}</h1>
        <p class=format!("mt-1 {HINT}")>{move || i18n.console().record_hint}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match systems.await {
                    Ok(systems) => view! { <RecordForm systems /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Now in Shanghai, as a `datetime-local` input holds it.
fn now_local() -> String {
    crate::time::to_shanghai(chrono::Utc::now())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

#[component]
fn RecordForm(systems: Vec<System>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.console();
    let form = RwSignal::new(RecordedIncident {
        received_at: now_local(),
        ..RecordedIncident::default()
    });
    let save = ServerAction::<ConsoleRecord>::new();
    // The first problem, from the browser's own check or from the server.
    let refused = RwSignal::new(None::<(String, Problem)>);
    let failed = RwSignal::new(None::<AppError>);

    let navigate = leptos_router::hooks::use_navigate();
    Effect::new(move |_| match save.value().get() {
        Some(Ok(Recorded {
            number,
            existing: false,
        })) => {
            navigate(&format!("/console/i/{number}"), Default::default());
        }
        Some(Err(AppError::Invalid { field, problem })) => refused.set(Some((field, problem))),
        Some(Err(error)) => failed.set(Some(error)),
        _ => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failed.set(None);
        let incident = form.get_untracked().normalized();
        match incident.problems(chrono::Utc::now()).first() {
            Some(first) => refused.set(Some((first.field.to_owned(), first.problem))),
            None => {
                refused.set(None);
                save.dispatch(ConsoleRecord { incident });
            }
        }
    };
    let invalid = move |field: &'static str| {
        move || {
            refused
                .with(|r| r.as_ref().is_some_and(|(f, _)| f == field))
                .to_string()
        }
    };
    let field = move |name: &'static str,
                      label: TextProp,
                      maxlength: u32,
                      read: fn(&RecordedIncident) -> &String,
                      write: fn(&mut RecordedIncident, String)| {
        view! {
            <Labeled label>
                <input type="text" name=name data-testid=format!("record-{name}") maxlength=maxlength
                    autocomplete="off" class=INPUT aria-invalid=invalid(name)
                    prop:value=move || form.with(|f| read(f).clone())
                    on:input=move |ev| form.update(|f| write(f, event_target_value(&ev))) />
            </Labeled>
        }
    };
    let words = move || i18n.incidents();

    view! {
        <form class=format!("mt-4 max-w-3xl space-y-4 {PANEL}") novalidate on:submit=submit data-testid="record-form">
            <div class="grid grid-cols-2 gap-3">
                <Labeled label=move || t().channel>
                    <select name="channel" data-testid="record-channel" class=INPUT aria-invalid=invalid("channel")
                        on:change=move |ev| {
                            let code = event_target_value(&ev);
                            form.update(|f| f.channel = Channel::parse(&code));
                        }>
                        <option value="">{move || t().choose_channel}</option>
                        {RECORDED_CHANNELS.into_iter().map(|c| view! {
                            <option value=c.as_str() selected=move || form.with(|f| f.channel == Some(c))>
                                {move || t().channel_name(c)}
                            </option>
                        }).collect_view()}
                    </select>
                </Labeled>
                <Labeled label=move || t().received_at>
                    <input type="datetime-local" name="received_at" data-testid="record-received_at"
                        class=INPUT aria-invalid=invalid("received_at")
                        prop:value=move || form.with(|f| f.received_at.clone())
                        on:input=move |ev| form.update(|f| f.received_at = event_target_value(&ev)) />
                </Labeled>
                {field("external_ref", (move || t().external_ref).into(), MAX_EXTERNAL_REF, |f| &f.external_ref, |f, v| f.external_ref = v)}
                {field("contact", (move || t().contact).into(), MAX_CONTACT, |f| &f.contact, |f, v| f.contact = v)}
            </div>
            <p class=HINT>{move || t().external_ref_hint}</p>
            <fieldset class="grid grid-cols-2 gap-3">
                <legend class="mb-2 text-sm font-medium text-slate-700">{move || t().customer}</legend>
                {field("customer_name", (move || words().field_customer_name).into(), MAX_CUSTOMER_NAME, |f| &f.report.customer_name, |f, v| f.report.customer_name = v)}
                <Labeled label=move || i18n.incidents().field_id_doc_type>
                    <select name="id_doc_type" data-testid="record-id_doc_type" class=INPUT
                        on:change=move |ev| {
                            let code = event_target_value(&ev);
                            form.update(|f| f.report.id_doc_type = DocType::parse(&code).unwrap_or_default());
                        }>
                        {DocType::ALL.into_iter().map(|doc| view! {
                            <option value=doc.as_str() selected=move || form.with(|f| f.report.id_doc_type == doc)>
                                {move || i18n.incidents().doc_name(doc)}
                            </option>
                        }).collect_view()}
                    </select>
                </Labeled>
                {field("id_number", (move || words().field_id_number).into(), MAX_DOC_NUMBER_TYPED, |f| &f.report.id_number, |f, v| f.report.id_number = v)}
                {field("fund_account", (move || words().field_fund_account).into(), MAX_FUND_ACCOUNT, |f| &f.report.fund_account, |f, v| f.report.fund_account = v)}
                {field("customer_mobile", (move || words().field_customer_mobile).into(), MOBILE_DIGITS, |f| &f.report.customer_mobile, |f, v| f.report.customer_mobile = v)}
            </fieldset>
            <div class="grid grid-cols-2 gap-3">
                <SystemModulePicker
                    systems
                    system=Signal::derive(move || form.with(|f| f.report.system.clone()))
                    on_system=move |code: String| form.update(|f| {
                        f.report.system = code;
                        f.report.module.clear();
                    })
                    module=Signal::derive(move || form.with(|f| f.report.module.clone()))
                    on_module=move |code: String| form.update(|f| f.report.module = code)
                    no_system=move || t().choose_system
                    no_module=move || t().no_module
                    id_prefix="record-"
                    input_class=INPUT
                    system_invalid=Signal::derive(move || refused.with(|r| r.as_ref().is_some_and(|(f, _)| f == "system")))
                />
            </div>
            {field("title", (move || words().field_title).into(), MAX_TITLE, |f| &f.report.title, |f, v| f.report.title = v)}
            <Labeled label=move || i18n.incidents().field_description>
                <textarea name="description" rows="5" maxlength=MAX_DESCRIPTION data-testid="record-description"
                    class=INPUT aria-invalid=invalid("description")
                    prop:value=move || form.with(|f| f.report.description.clone())
                    on:input=move |ev| form.update(|f| f.report.description = event_target_value(&ev))></textarea>
            </Labeled>
            {move || refused.get().map(|(field, problem)| view! {
                <p role="alert" class="text-sm text-red-700">{problem.message(i18n.t(), i18n.t().field_name(&field))}</p>
            })}
            {move || failed.get().map(|error| view! {
                <p role="alert" class="text-sm text-red-700">{error.message(i18n.t())}</p>
            })}
            {move || match save.value().get() {
                Some(Ok(Recorded { number, existing: true })) => Some(view! {
                    <p role="status" data-testid="already-recorded" class="text-sm text-amber-800">
                        {move || fill(t().already_recorded, &[&number])} " "
                        <A href=format!("/console/i/{number}") attr:class="underline">{move || t().open_incident}</A>
                    </p>
                }),
                _ => None,
            }}
            <button type="submit" class=PRIMARY_BUTTON data-testid="record-submit" disabled=move || save.pending().get()>
                {move || t().record_submit}
            </button>
        </form>
    }
}
