//! The reporter's mobile app under `/m`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Outlet;

use crate::auth::{Area, AreaGate};
use crate::i18n::use_i18n;
use crate::shell::{LanguageSwitch, SignOutButton, UserBadge};

/// Mobile-first frame: a compact top bar and one narrow column.
#[component]
pub fn MobileLayout() -> impl IntoView {
    view! {
        <AreaGate area=Area::Mobile>
            <MobileFrame />
        </AreaGate>
    }
}

#[component]
fn MobileFrame() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="min-h-screen flex flex-col mx-auto max-w-md bg-white">
            <header class="sticky top-0 z-10 flex items-center justify-between gap-2 border-b border-slate-200 bg-white/95 px-4 py-3 backdrop-blur">
                <span class="font-semibold text-sky-800">{move || i18n.t().app_name}</span>
                <div class="flex items-center gap-1">
                    <LanguageSwitch />
                    <SignOutButton />
                </div>
            </header>
            <div class="px-4 pt-3">
                <UserBadge />
            </div>
            <main class="flex-1 px-4 py-4">
                <Outlet />
            </main>
        </div>
    }
}

/// `/m`: my reports. Reporting arrives with the reporter app; until then the list is honestly empty.
#[component]
pub fn ReporterHome() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=move || i18n.t().mobile_title />
        <h1 class="text-lg font-semibold">{move || i18n.t().mobile_title}</h1>
        <section class="mt-8 rounded-xl border border-dashed border-slate-300 p-6 text-center">
            <p class="font-medium text-slate-700">{move || i18n.t().reporter_empty_title}</p>
            <p class="mt-2 text-sm text-slate-500">{move || i18n.t().reporter_empty_body}</p>
        </section>
    }
}
