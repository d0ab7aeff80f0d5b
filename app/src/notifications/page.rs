//! `/console/settings/notifications` (admins): robots, the application, the kinds pushed,
//! staff contacts and the delivery log.

use crate::i18n::page_title;
use leptos::prelude::*;
use leptos_meta::Title;

use super::{
    AddRobot, Audience, Delivery, DeliveryState, Kind, LogFilter, NewAppCredentials, NewRobot,
    NotificationSettings, RemoveApp, RemoveRobot, ResendDelivery, SaveApp, SaveContact,
    StaffContact, SwitchKind, TestRobot,
};
use crate::error::AppError;
use crate::i18n::{fill, use_i18n};
use crate::resource::page_resource;
use crate::shell::{Loading, PageError};
use crate::time::format_minute;
use crate::ui::{Labeled, HINT, INPUT, PANEL, PRIMARY_BUTTON, SECONDARY_BUTTON};

#[derive(Clone, Copy)]
struct Tested(RwSignal<u32>);

fn error_line(error: Option<AppError>) -> impl IntoView {
    let i18n = use_i18n();
    error.map(|error| view! { <p role="alert" class="text-sm text-red-700">{error.message(i18n.t())}</p> })
}

#[component]
pub fn NotificationSettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.notifications();
    let changed = RwSignal::new(0u32);
    let settings = page_resource(
        move || changed.get(),
        |_| super::load_notification_settings(),
    );
    let refresh = move || changed.update(|n| *n += 1);
    // A test message lands in the log without reloading the settings (and its answer).
    let tested = RwSignal::new(0u32);
    provide_context(Tested(tested));
    view! {
        <Title text=page_title(move || t().title) />
        <h1 class="text-xl font-semibold">{move || t().title}</h1>
        <p class="mt-1 max-w-3xl text-sm text-slate-600">{move || t().intro}</p>
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(settings) => view! { <Sections settings refresh /> }.into_any(),
                    Err(error) => view! { <PageError error /> }.into_any(),
                }
            })}
        </Transition>
        <DeliveryLog refresh=changed tested />
    }
}

#[component]
fn Sections(
    settings: NotificationSettings,
    refresh: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.notifications();
    let off = settings.is_off().then(|| view! {
        <p class="mt-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900" data-testid="notifications-off">
            {move || t().off}
        </p>
    });
    view! {
        {off}
        <Robots robots=settings.robots refresh />
        <AppSection app=settings.app refresh />
        <Kinds kinds=settings.kinds refresh />
        <Contacts contacts=settings.contacts />
    }
}

#[component]
fn Robots(
    robots: Vec<super::Robot>,
    refresh: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.notifications();
    let systems = page_resource(|| (), |_| crate::reference::list_systems());
    let name = RwSignal::new(String::new());
    let audience = RwSignal::new(Audience::Handlers);
    let system = RwSignal::new(String::new());
    let key = RwSignal::new(String::new());
    let add = ServerAction::<AddRobot>::new();
    let remove = ServerAction::<RemoveRobot>::new();
    let test = ServerAction::<TestRobot>::new();
    let Tested(tested) = expect_context::<Tested>();
    Effect::new(move |_| {
        if test.value().get().is_some() {
            tested.update(|n| *n += 1);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            name.set(String::new());
            key.set(String::new());
            refresh();
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            refresh();
        }
    });
    let list = if robots.is_empty() {
        view! { <p class="mt-2 text-sm text-slate-600">{move || t().no_robots}</p> }.into_any()
    } else {
        view! {
            <ul class="mt-3 divide-y divide-slate-100" data-testid="robot-list">
                {robots.into_iter().map(|robot| {
                    let id = robot.id;
                    let paused = robot.paused_until.map(format_minute);
                    view! {
                        <li class="flex flex-wrap items-center justify-between gap-2 py-2" data-testid="robot">
                            <span>
                                <span class="font-medium">{robot.name}</span>
                                " · " {move || t().audience(robot.audience)}
                                " · " {robot.system.clone().unwrap_or_else(|| t().every_system.to_owned())}
                                " · " <span class="font-mono text-xs">{robot.key_hint}</span>
                                {paused.map(|until| view! { <span class="ml-2 text-xs text-amber-800">{move || fill(t().paused_until, &[&until])}</span> })}
                            </span>
                            <span class="flex gap-2">
                                <button type="button" class=SECONDARY_BUTTON data-testid="robot-test"
                                    on:click=move |_| { test.dispatch(TestRobot { id }); }>{move || t().send_test}</button>
                                <button type="button" class="px-2 text-sm text-red-700" data-testid="robot-remove"
                                    on:click=move |_| { remove.dispatch(RemoveRobot { id }); }>{move || t().remove}</button>
                            </span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        }.into_any()
    };
    view! {
        <section class=format!("mt-4 max-w-4xl {PANEL}") data-testid="robots">
            <h2 class="font-semibold">{move || t().robots}</h2>
            <p class=HINT>{move || t().robots_hint}</p>
            {list}
            {move || test.value().get().map(|answer| match answer {
                Ok(answer) => view! {
                    <p class="mt-2 text-sm" role="status" data-testid="robot-test-answer">
                        {move || fill(t().test_answer, &[&answer.errcode.map_or("-".to_owned(), |c| c.to_string()), &answer.errmsg])}
                    </p>
                }.into_any(),
                Err(error) => error_line(Some(error)).into_any(),
            })}
            <form class="mt-4 flex flex-wrap items-end gap-3" data-testid="robot-form" on:submit=move |ev| {
                ev.prevent_default();
                add.dispatch(AddRobot { robot: NewRobot {
                    name: name.get_untracked(),
                    audience: audience.get_untracked(),
                    system: Some(system.get_untracked()).filter(|s| !s.is_empty()),
                    key: key.get_untracked(),
                }});
            }>
                <Labeled label=move || t().robot_name>
                    <input type="text" class=INPUT maxlength=super::MAX_ROBOT_NAME data-testid="robot-name"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </Labeled>
                <Labeled label=move || t().audience>
                    <select class=INPUT data-testid="robot-audience" on:change=move |ev| {
                        let picked = event_target_value(&ev);
                        if let Some(a) = Audience::ALL.into_iter().find(|a| format!("{a:?}") == picked) {
                            audience.set(a);
                        }
                    }>
                        {Audience::ALL.into_iter().map(|a| view! {
                            <option value=format!("{a:?}") selected=move || audience.get() == a>{move || t().audience(a)}</option>
                        }).collect_view()}
                    </select>
                </Labeled>
                <Labeled label=move || t().system>
                    <select class=INPUT data-testid="robot-system" prop:disabled=move || audience.get() != Audience::Handlers
                        on:change=move |ev| system.set(event_target_value(&ev))>
                        <option value="">{move || t().every_system}</option>
                        <Transition>
                            {move || Suspend::new(async move {
                                systems.await.unwrap_or_default().into_iter().map(|s| {
                                    let label = s.system.name(i18n.locale()).to_owned();
                                    view! { <option value=s.system.code>{label}</option> }
                                }).collect_view()
                            })}
                        </Transition>
                    </select>
                </Labeled>
                <Labeled label=move || t().key class="flex min-w-72 flex-1 flex-col gap-1">
                    <input type="password" autocomplete="off" class=INPUT data-testid="robot-key"
                        placeholder=move || t().key_placeholder
                        prop:value=move || key.get() on:input=move |ev| key.set(event_target_value(&ev)) />
                </Labeled>
                <button type="submit" class=PRIMARY_BUTTON data-testid="robot-add">{move || t().add_robot}</button>
            </form>
            {move || error_line(add.value().get().and_then(Result::err).or_else(|| remove.value().get().and_then(Result::err)))}
        </section>
    }
}

#[component]
fn AppSection(
    app: Option<super::AppCredentials>,
    refresh: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.notifications();
    let corp_id = RwSignal::new(app.as_ref().map(|a| a.corp_id.clone()).unwrap_or_default());
    let agent_id = RwSignal::new(
        app.as_ref()
            .map(|a| a.agent_id.to_string())
            .unwrap_or_default(),
    );
    let secret = RwSignal::new(String::new());
    let hint = app.as_ref().map(|a| a.secret_hint.clone());
    let configured = app.is_some();
    let save = ServerAction::<SaveApp>::new();
    let remove = ServerAction::<RemoveApp>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            secret.set(String::new());
            refresh();
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = remove.value().get() {
            refresh();
        }
    });
    view! {
        <section class=format!("mt-4 max-w-4xl {PANEL}") data-testid="wecom-app">
            <h2 class="font-semibold">{move || t().app}</h2>
            <p class=HINT>{move || t().app_hint}</p>
            <form class="mt-3 flex flex-wrap items-end gap-3" on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(SaveApp { app: NewAppCredentials {
                    corp_id: corp_id.get_untracked(),
                    agent_id: agent_id.get_untracked(),
                    secret: secret.get_untracked(),
                }});
            }>
                <Labeled label=move || t().corp_id>
                    <input type="text" class=INPUT data-testid="app-corp-id" prop:value=move || corp_id.get()
                        on:input=move |ev| corp_id.set(event_target_value(&ev)) />
                </Labeled>
                <Labeled label=move || t().agent_id>
                    <input type="text" inputmode="numeric" class=INPUT data-testid="app-agent-id" prop:value=move || agent_id.get()
                        on:input=move |ev| agent_id.set(event_target_value(&ev)) />
                </Labeled>
                <Labeled label=move || t().secret>
                    <input type="password" autocomplete="off" class=INPUT data-testid="app-secret" prop:value=move || secret.get()
                        on:input=move |ev| secret.set(event_target_value(&ev)) />
                </Labeled>
                <button type="submit" class=PRIMARY_BUTTON data-testid="app-save">{move || t().save}</button>
                {configured.then(|| view! {
                    <button type="button" class="px-2 text-sm text-red-700" on:click=move |_| { remove.dispatch(RemoveApp {}); }>
                        {move || t().remove_app}
                    </button>
                })}
            </form>
            {hint.map(|hint| view! { <p class=format!("mt-1 {HINT}")>{move || fill(t().secret_keep, &[&hint])}</p> })}
            {move || error_line(save.value().get().and_then(Result::err).or_else(|| remove.value().get().and_then(Result::err)))}
        </section>
    }
}

#[component]
fn Kinds(
    kinds: Vec<super::KindSwitch>,
    refresh: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.notifications();
    let switch = ServerAction::<SwitchKind>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = switch.value().get() {
            refresh();
        }
    });
    view! {
        <section class=format!("mt-4 max-w-4xl {PANEL}")>
            <h2 class="font-semibold">{move || t().kinds}</h2>
            <p class=HINT>{move || t().kinds_hint}</p>
            <table class="mt-3 w-full text-left text-sm">
                <thead class="border-b border-slate-200 text-slate-600">
                    <tr>
                        <th class="p-2">{move || t().col_kind}</th>
                        <th class="p-2">{move || t().col_goes_to}</th>
                        <th class="p-2">{move || t().col_sent}</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {kinds.into_iter().map(|switch_row| {
                        let kind = switch_row.kind;
                        view! {
                            <tr>
                                <td class="p-2">{move || i18n.mutes().kind(kind)}</td>
                                <td class="p-2 text-slate-700">{move || t().goes_to(kind)}</td>
                                <td class="p-2">
                                    <input type="checkbox" aria-label=move || i18n.mutes().kind(kind) prop:checked=switch_row.enabled
                                        on:change=move |ev| { switch.dispatch(SwitchKind { kind, enabled: event_target_checked(&ev) }); } />
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {move || error_line(switch.value().get().and_then(Result::err))}
        </section>
    }
}

#[component]
fn Contacts(contacts: Vec<StaffContact>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.notifications();
    view! {
        <section class=format!("mt-4 max-w-4xl {PANEL}")>
            <h2 class="font-semibold">{move || t().contacts}</h2>
            <p class=HINT>{move || t().contacts_hint}</p>
            <ul class="mt-3 divide-y divide-slate-100">
                {contacts.into_iter().map(|contact| view! { <ContactRow contact /> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn ContactRow(contact: StaffContact) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.notifications();
    let userid = RwSignal::new(contact.wecom_userid.unwrap_or_default());
    let mobile = RwSignal::new(contact.work_mobile.unwrap_or_default());
    let save = ServerAction::<SaveContact>::new();
    let user_id = contact.user_id;
    view! {
        <li class="py-2" data-testid="contact">
            <form class="flex flex-wrap items-end gap-3" on:submit=move |ev| {
                ev.prevent_default();
                save.dispatch(SaveContact { user_id, wecom_userid: userid.get_untracked(), work_mobile: mobile.get_untracked() });
            }>
                <span class="w-48">
                    <span class="font-medium">{contact.display_name}</span>
                    <span class=format!("ml-1 {HINT}")>{contact.login}</span>
                </span>
                <Labeled label=move || t().wecom_userid>
                    <input type="text" class=INPUT maxlength="64" prop:value=move || userid.get()
                        on:input=move |ev| userid.set(event_target_value(&ev)) />
                </Labeled>
                <Labeled label=move || t().work_mobile>
                    <input type="tel" class=INPUT maxlength="11" prop:value=move || mobile.get()
                        on:input=move |ev| mobile.set(event_target_value(&ev)) />
                </Labeled>
                <button type="submit" class=SECONDARY_BUTTON>{move || t().save}</button>
                {move || matches!(save.value().get(), Some(Ok(()))).then(|| view! { <span class="text-sm text-emerald-800" role="status">{move || t().saved}</span> })}
            </form>
            {move || error_line(save.value().get().and_then(Result::err))}
        </li>
    }
}

#[component]
fn DeliveryLog(refresh: RwSignal<u32>, tested: RwSignal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.notifications();
    let state = RwSignal::new(None::<DeliveryState>);
    let kind = RwSignal::new(None::<Kind>);
    let before = RwSignal::new(None::<i64>);
    let resend = ServerAction::<ResendDelivery>::new();
    let log = page_resource(
        move || {
            (
                state.get(),
                kind.get(),
                before.get(),
                (refresh.get(), tested.get(), resend.version().get()),
            )
        },
        |(state, kind, before, _)| {
            super::delivery_log(
                LogFilter {
                    state,
                    kind,
                    robot_id: None,
                },
                before,
            )
        },
    );
    view! {
        <section class=format!("mt-4 {PANEL}") data-testid="delivery-log">
            <div class="flex flex-wrap items-end justify-between gap-3">
                <h2 class="font-semibold">{move || t().log}</h2>
                <div class="flex gap-3">
                    <Labeled label=move || t().col_state>
                        <select class=INPUT data-testid="log-state" on:change=move |ev| {
                            let picked = event_target_value(&ev);
                            before.set(None);
                            state.set(DeliveryState::ALL.into_iter().find(|s| format!("{s:?}") == picked));
                        }>
                            <option value="">{move || t().any}</option>
                            {DeliveryState::ALL.into_iter().map(|s| view! { <option value=format!("{s:?}")>{move || t().state(s)}</option> }).collect_view()}
                        </select>
                    </Labeled>
                    <Labeled label=move || t().col_kind>
                        <select class=INPUT on:change=move |ev| {
                            let picked = event_target_value(&ev);
                            before.set(None);
                            kind.set(Kind::ROUTED.into_iter().chain([Kind::Test]).find(|k| format!("{k:?}") == picked));
                        }>
                            <option value="">{move || t().any}</option>
                            {Kind::ROUTED.into_iter().chain([Kind::Test]).map(|k| view! { <option value=format!("{k:?}")>{move || i18n.mutes().kind(k)}</option> }).collect_view()}
                        </select>
                    </Labeled>
                </div>
            </div>
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    match log.await {
                        Ok(rows) if rows.is_empty() => view! { <p class="mt-3 text-sm text-slate-600">{move || t().no_deliveries}</p> }.into_any(),
                        Ok(rows) => view! { <LogTable rows before resend /> }.into_any(),
                        Err(error) => view! { <PageError error /> }.into_any(),
                    }
                })}
            </Transition>
            {move || error_line(resend.value().get().and_then(Result::err))}
        </section>
    }
}

#[component]
fn LogTable(
    rows: Vec<Delivery>,
    before: RwSignal<Option<i64>>,
    resend: ServerAction<ResendDelivery>,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.notifications();
    let oldest = (rows.len() as i64 >= super::LOG_PAGE)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    view! {
        <table class="mt-3 w-full text-left text-sm">
            <thead class="border-b border-slate-200 text-slate-600">
                <tr>
                    <th class="p-2">{move || t().col_time}</th>
                    <th class="p-2">{move || t().col_kind}</th>
                    <th class="p-2">{move || t().col_incident}</th>
                    <th class="p-2">{move || t().col_recipient}</th>
                    <th class="p-2">{move || t().col_state}</th>
                    <th class="p-2">{move || t().col_attempts}</th>
                    <th class="p-2">{move || t().col_error}</th>
                    <th class="p-2"><span class="sr-only">{move || t().resend}</span></th>
                </tr>
            </thead>
            <tbody class="divide-y divide-slate-100">
                {rows.into_iter().map(|row| {
                    let id = row.id;
                    let dead = row.state == DeliveryState::Dead;
                    let state = row.state;
                    let kind = row.kind;
                    view! {
                        <tr data-testid="delivery" data-state=format!("{state:?}")>
                            <td class="p-2 whitespace-nowrap">{format_minute(row.sent_at.unwrap_or(row.created_at))}</td>
                            <td class="p-2">{move || i18n.mutes().kind(kind)}</td>
                            <td class="p-2">{row.incident_number.map(|n| view! { <a class="text-sky-700 underline" href=format!("/console/i/{n}")>{format!("#{n}")}</a> })}</td>
                            <td class="p-2">{row.recipient}</td>
                            <td class="p-2">{move || t().state(state)}</td>
                            <td class="p-2">{row.attempts}</td>
                            <td class="p-2 text-xs text-slate-700">{row.last_error.unwrap_or_default()}</td>
                            <td class="p-2">{dead.then(|| view! {
                                <button type="button" class="text-sm text-sky-700" data-testid="delivery-resend"
                                    on:click=move |_| { resend.dispatch(ResendDelivery { id }); }>{move || t().resend}</button>
                            })}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <div class="mt-2 flex gap-3 text-sm">
            {move || before.get().is_some().then(|| view! {
                <button type="button" class="text-sky-700" on:click=move |_| before.set(None)>{move || t().newest}</button>
            })}
            {oldest.map(|oldest| view! {
                <button type="button" class="text-sky-700" on:click=move |_| before.set(Some(oldest))>{move || t().older}</button>
            })}
        </div>
    }
}
