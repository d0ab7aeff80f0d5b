//! `/m/settings`: which personal WeCom messages the reporter receives.

use crate::i18n::page_title;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::use_i18n;
use crate::notifications::{Kind, MutesPanel};

#[component]
pub fn ReporterSettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=page_title(move || i18n.mutes().mutes) />
        <div class="p-4">
            <h1 class="text-lg font-semibold">{move || i18n.mutes().mutes}</h1>
            <MutesPanel kinds=&Kind::FOR_REPORTERS />
        </div>
    }
}
