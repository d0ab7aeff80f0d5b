//! The public QA help center under `/help`.

pub mod texts;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, A};

use crate::auth::AuthContext;
use crate::i18n::use_i18n;
use crate::reference::list_systems;
use crate::shell::{ErrorPanel, LanguageSwitch, Loading};

/// Public frame: open to everyone, signed in or not.
#[component]
pub fn HelpLayout() -> impl IntoView {
    let i18n = use_i18n();
    let user = expect_context::<AuthContext>().user();
    let signed_in = move || user.get().and_then(Result::ok).flatten();
    view! {
        <div class="min-h-screen flex flex-col">
            <header class="border-b border-slate-200 bg-white">
                <div class="mx-auto max-w-5xl flex items-center justify-between px-4 py-3">
                    <A href="/help" attr:class="font-semibold text-sky-800">
                        {move || i18n.t().help_title}
                    </A>
                    <div class="flex items-center gap-2">
                        <LanguageSwitch />
                        <Transition>
                            {move || match signed_in() {
                                Some(user) => view! {
                                    <A href=user.role.home() attr:class="text-sm text-sky-700 hover:underline">
                                        {user.display_name}
                                    </A>
                                }.into_any(),
                                None => view! {
                                    <A href="/login?next=/help" attr:class="text-sm text-sky-700 hover:underline">
                                        {move || i18n.t().sign_in}
                                    </A>
                                }.into_any(),
                            }}
                        </Transition>
                    </div>
                </div>
            </header>
            <main class="flex-1 mx-auto w-full max-w-5xl px-4 py-6">
                <Outlet />
            </main>
        </div>
    }
}

/// `/help`: the help center's start page, by business system.
#[component]
pub fn HelpHome() -> impl IntoView {
    let i18n = use_i18n();
    let systems = Resource::new(|| (), |_| list_systems());
    view! {
        <Title text=move || i18n.t().help_title />
        <h1 class="text-2xl font-semibold">{move || i18n.t().help_title}</h1>
        <p class="mt-1 text-slate-600">{move || i18n.help().subtitle}</p>
        <h2 class="mt-8 font-semibold text-slate-800">{move || i18n.help().systems}</h2>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match systems.await {
                    Ok(systems) => view! {
                        <ul class="mt-3 grid gap-4 sm:grid-cols-2 lg:grid-cols-3" data-testid="systems">
                            {systems.into_iter().map(|entry| {
                                let system = entry.system;
                                let modules = entry.modules;
                                view! {
                                    <li class="rounded-xl border border-slate-200 bg-white p-4">
                                        <h3 class="font-semibold">
                                            {move || system.name(i18n.locale()).to_owned()}
                                        </h3>
                                        <p class="mt-2 text-sm text-slate-600">
                                            {move || {
                                                let locale = i18n.locale();
                                                modules.iter().map(|m| m.name(locale)).collect::<Vec<_>>().join(" · ")
                                            }}
                                        </p>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
