use crate::i18n::page_title;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, A};

use super::console_team;
use crate::auth::{Action, Area, AreaAccess, AreaGate};
use crate::i18n::use_i18n;
use crate::resource::page_resource;
use crate::shell::{ErrorPanel, LanguageSwitch, Loading, SignOutButton, UserBadge};
use crate::time::format_minute;
use crate::ui::{PANEL, SECONDARY_BUTTON};

/// Desktop frame: a side navigation and a wide working area.
#[component]
pub fn ConsoleLayout() -> impl IntoView {
    provide_context(crate::i18n::FieldNames(super::texts::field_name));
    view! {
        <AreaGate area=Area::Console>
            <ConsoleFrame />
        </AreaGate>
    }
}

#[component]
fn ConsoleFrame() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="min-h-screen flex">
            <nav class="w-56 shrink-0 bg-slate-900 text-slate-100 flex flex-col print:hidden">
                <div class="px-5 py-4 text-lg font-semibold">{move || i18n.t().app_name}</div>
                <A href="/console" attr:class="px-5 py-2 hover:bg-slate-800 aria-[current=page]:bg-slate-800">
                    {move || i18n.console().nav_queue}
                </A>
                {[
                    ("/console/reviews", (|t| t.nav_reviews) as fn(&super::texts::ConsoleTexts) -> &'static str),
                    ("/console/replies", |t| t.nav_replies),
                    ("/console/kb", |t| t.nav_kb),
                    ("/console/reports", |t| t.nav_reports),
                    ("/console/sessions", |t| t.nav_sessions),
                    ("/console/monitor", |t| t.nav_monitor),
                    ("/console/datagen", |t| t.nav_datagen),
                    ("/console/sla", |t| t.nav_sla),
                    ("/console/profile", |t| t.nav_profile),
                ].into_iter().map(|(href, label)| view! {
                    <A href=href attr:class="px-5 py-2 hover:bg-slate-800 aria-[current=page]:bg-slate-800">
                        {move || label(i18n.console())}
                    </A>
                }).collect_view()}
                <AdminLinks />
            </nav>
            <div class="flex-1 flex flex-col min-w-0">
                <header class="flex items-center justify-end gap-3 border-b border-slate-200 bg-white px-6 py-3 print:hidden">
                    <UserBadge />
                    <LanguageSwitch />
                    <SignOutButton />
                </header>
                <main class="flex-1 p-6">
                    <Outlet />
                </main>
            </div>
        </div>
    }
}

/// Settings pages only admins may open, offered only to them.
#[component]
fn AdminLinks() -> impl IntoView {
    let i18n = use_i18n();
    let AreaAccess(access) = expect_context::<AreaAccess>();
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let user = access.await.ok();
                let may = |action| user.as_ref().is_some_and(|user| user.may(action));
                let reveals = may(Action::AuditReveals).then(|| view! {
                    <A href="/console/settings/reveals" attr:class="px-5 py-2 hover:bg-slate-800 aria-[current=page]:bg-slate-800">
                        {move || i18n.reveals().nav}
                    </A>
                });
                let notifications = may(Action::ManageNotifications).then(|| view! {
                    <A href="/console/settings/notifications" attr:class="px-5 py-2 hover:bg-slate-800 aria-[current=page]:bg-slate-800">
                        {move || i18n.notifications().nav}
                    </A>
                });
                view! { {reveals} {notifications} }
            })}
        </Transition>
    }
}

/// `/console`: the queue, and the team beside it.
#[component]
pub fn ConsoleHome() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=page_title(move || i18n.console().title) />
        <div class="flex items-center justify-between gap-3">
            <h1 class="text-xl font-semibold">{move || i18n.console().title}</h1>
            <RecordLink />
        </div>
        <super::queue::QueueView />
        <TeamPanel />
    }
}

/// To the form for incidents from other channels, offered to those who may record one.
#[component]
fn RecordLink() -> impl IntoView {
    let i18n = use_i18n();
    let AreaAccess(access) = expect_context::<AreaAccess>();
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let may = access.await.ok().is_some_and(|user| user.may(Action::WorkIncidents));
                may.then(|| view! {
                    <A href="/console/new" attr:class=SECONDARY_BUTTON attr:data-testid="record-link">
                        {move || i18n.console().record_link}
                    </A>
                    <crate::imports::page::ImportLink />
                })
            })}
        </Transition>
    }
}

/// Who works in the console and when they last signed in.
#[component]
fn TeamPanel() -> impl IntoView {
    let i18n = use_i18n();
    let team = page_resource(|| (), |_| console_team());
    view! {
        <div class="mt-8 max-w-md">
            <section class=PANEL>
                <h2 class="font-semibold">{move || i18n.console().team_title}</h2>
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        match team.await {
                            Ok(members) => {
                                view! {
                                    <ul class="mt-3 divide-y divide-slate-100" data-testid="team">
                                        {members
                                            .into_iter()
                                            .map(|member| {
                                                let role = member.role;
                                                let seen = member.last_sign_in_at.map(format_minute);
                                                view! {
                                                    <li class="py-2">
                                                        <div class="flex justify-between gap-2">
                                                            <span class="font-medium">{member.display_name}</span>
                                                            <span class="text-sm text-slate-500">
                                                                {move || i18n.t().role_name(role)}
                                                            </span>
                                                        </div>
                                                        <div class="text-xs text-slate-500">
                                                            {move || i18n.console().last_sign_in} " "
                                                            {
                                                                let seen = seen.clone();
                                                                move || {
                                                                    seen.clone()
                                                                        .unwrap_or_else(|| i18n.console().never_signed_in.to_owned())
                                                                }
                                                            }
                                                        </div>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }
                            Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
        </div>
    }
}
