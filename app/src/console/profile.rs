//! `/console/profile`: which personal WeCom messages a member of the team receives.

use crate::i18n::page_title;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::use_i18n;
use crate::notifications::{Kind, MutesPanel};

#[component]
pub fn ConsoleProfilePage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=page_title(move || i18n.mutes().mutes) />
        <h1 class="text-xl font-semibold">{move || i18n.mutes().mutes}</h1>
        <div class="max-w-xl">
            <MutesPanel kinds=&Kind::FOR_TEAM />
        </div>
    }
}
