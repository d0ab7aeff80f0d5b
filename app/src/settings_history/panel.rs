use leptos::prelude::*;

use super::{settings_history, SettingsChange, Subject};
use crate::i18n::{use_i18n, Locale};
use crate::resource::page_resource;
use crate::shell::ErrorPanel;
use crate::time::format_minute;
use crate::ui::PANEL;

/// The latest changes of a settings page, each described by the page that knows its fields.
/// Place it outside any `Suspense`: it makes its own resource.
#[component]
pub fn ChangeHistory(
    subject: Subject,
    /// Bumped by the page after each save, so the list follows.
    refresh: RwSignal<u32>,
    describe: fn(&SettingsChange, Locale) -> String,
) -> impl IntoView {
    let i18n = use_i18n();
    let t = move || i18n.history();
    let changes = page_resource(move || refresh.get(), move |_| settings_history(subject));
    view! {
        <section class=format!("mt-6 max-w-3xl {PANEL}") data-testid="settings-history">
            <h2 class="font-semibold">{move || t().title}</h2>
            <Transition>
                {move || Suspend::new(async move {
                    match changes.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="mt-2 text-sm text-slate-500">{move || t().none_yet}</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <table class="mt-2 w-full text-left text-sm">
                                <thead class="text-slate-500">
                                    <tr>
                                        <th class="py-1 pr-3 font-normal">{move || t().when}</th>
                                        <th class="py-1 pr-3 font-normal">{move || t().who}</th>
                                        <th class="py-1 font-normal">{move || t().what}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {list.into_iter().map(|change| {
                                        let by = change.changed_by.clone();
                                        view! {
                                            <tr class="border-t border-slate-100" data-testid="history-entry">
                                                <td class="py-1 pr-3 whitespace-nowrap">{format_minute(change.changed_at)}</td>
                                                <td class="py-1 pr-3">
                                                    {move || by.clone().unwrap_or_else(|| t().unknown_user.to_owned())}
                                                </td>
                                                <td class="py-1">{move || describe(&change, i18n.locale())}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
