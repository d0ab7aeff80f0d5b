//! The reporter's mobile app under `/m`: my reports, a new report, one report with its thread.
//! Reports and messages go through an offline outbox, so nothing written is lost to a bad network.

mod api;
pub mod bundle;
#[cfg(feature = "phone")]
mod home;
mod new_report;
pub mod outbox;
#[cfg(feature = "phone")]
mod phone_app;
mod report_page;
mod settings;
mod sign_out;
#[cfg(feature = "ssr")]
pub mod storage_key;
mod suggestions;
pub mod texts;

pub use api::*;
#[cfg(feature = "phone")]
pub use home::ReporterHome;
pub use new_report::NewReportPage;
#[cfg(feature = "phone")]
pub use phone_app::PhoneApp;
pub use report_page::ReportPage;
pub use settings::ReporterSettingsPage;
pub use suggestions::{report_suggestions, suggestion_opened};

use leptos::prelude::*;
use leptos_router::components::Outlet;

use crate::auth::{Area, AreaGate};
use crate::i18n::use_i18n;
use crate::shell::{LanguageSwitch, UserBadge};
use outbox::OutboxTick;

/// The reporter's paths: those the phone's app serves.
pub fn is_phone_path(path: &str) -> bool {
    path == "/m" || path.starts_with("/m/")
}

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
    let tick = RwSignal::new(0u32);
    provide_context(OutboxTick(tick));
    let online = RwSignal::new(true);
    #[cfg(feature = "hydrate")]
    {
        outbox::watch(tick);
        // After hydration: the server rendered the page as online.
        Effect::new(move |_| {
            online.set(window().navigator().on_line());
        });
        // The phone's storage belongs to the signed-in account: enter it (its key, nobody
        // else's drafts), then keep its start pages for offline use.
        let crate::auth::AreaAccess(access) = expect_context();
        Effect::new(move |_| {
            if let Some(Ok(user)) = access.get() {
                leptos::task::spawn_local(async move {
                    outbox::enter(user.id).await;
                    outbox::warm().await;
                });
            }
        });
        let _ = window_event_listener(leptos::ev::online, move |_| online.set(true));
        let _ = window_event_listener(leptos::ev::offline, move |_| online.set(false));
    }
    view! {
        <div class="min-h-screen flex flex-col mx-auto max-w-md bg-white">
            <header class="sticky top-0 z-10 flex items-center justify-between gap-2 border-b border-slate-200 bg-white/95 px-4 py-3 backdrop-blur">
                <a href="/m" rel="external" class="font-semibold text-sky-800">
                    {move || i18n.t().app_name}
                </a>
                <div class="flex items-center gap-1">
                    <a href="/m/settings" class="px-2 py-1 text-sm text-sky-800" data-testid="alerts-link">
                        {move || i18n.reporter().alerts}
                    </a>
                    <LanguageSwitch />
                    <sign_out::PhoneSignOut />
                </div>
            </header>
            <Show when=move || !online.get()>
                <p
                    data-testid="offline-banner"
                    class="bg-amber-100 px-4 py-2 text-sm text-amber-900"
                >
                    {move || i18n.reporter().offline_banner}
                </p>
            </Show>
            <div class="px-4 pt-3">
                <UserBadge />
            </div>
            <main class="flex-1 px-4 py-4">
                <Outlet />
            </main>
        </div>
    }
}

/// The label of an outbox item's state.
#[component]
fn OutboxState(state: outbox::ItemState, stuck: bool, error: Option<String>) -> impl IntoView {
    use outbox::ItemState;
    let i18n = use_i18n();
    let words = i18n.reporter();
    let (label, colour) = match state {
        ItemState::Queued if stuck => (words.state_stuck, "text-red-700"),
        ItemState::Queued => (words.state_queued, "text-amber-700"),
        ItemState::Sending => (words.state_sending, "text-sky-700"),
        ItemState::Sent => (words.state_sent, "text-emerald-700"),
        ItemState::Failed => (words.state_failed, "text-red-700"),
    };
    view! {
        <span data-testid="outbox-state" class=format!("text-xs font-medium {colour}")>
            {label}
        </span>
        {error
            .filter(|_| state != ItemState::Sent)
            .map(|error| view! { <span class="ml-2 text-xs text-slate-500">{error}</span> })}
    }
}

/// Upload progress of an item's images.
#[component]
fn ImageProgress(images: Vec<outbox::ItemImage>) -> impl IntoView {
    (!images.is_empty()).then(|| {
        view! {
            <div class="mt-2 flex gap-2">
                {images
                    .into_iter()
                    .map(|image| {
                        // Whole percent, formatted as an integer: float formatting costs the bundle kilobytes.
                        let percent = (image.progress.clamp(0.0, 1.0) * 100.0).round() as u8;
                        // A style property, not a `style` attribute: the CSP refuses inline styles.
                        let width = format!("{percent}%");
                        view! {
                            <div class="w-14">
                                <img src=image.url alt="" class="h-14 w-14 rounded object-cover" />
                                <div class="mt-1 h-1 rounded bg-slate-200">
                                    <div data-testid="upload-progress" class="h-1 rounded bg-sky-600" style:width=width></div>
                                </div>
                            </div>
                        }
                    })
                    .collect_view()}
            </div>
        }
    })
}

/// What the user can do with an item the server refused: send it again, correct it (it becomes
/// the draft again, nothing typed is lost) or throw it away.
#[component]
fn OutboxActions(
    id: String,
    state: outbox::ItemState,
    /// The draft the item came from: `outbox::REPORT_DRAFT` or a message draft.
    #[prop(into)]
    draft_key: String,
    /// Queued but failing again and again: offered a retry now, or to discard it.
    stuck: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let failed = state == outbox::ItemState::Failed;
    let id = StoredValue::new(id);
    let draft_key = StoredValue::new(draft_key);
    let retry = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let _ = outbox::retry(&id.get_value()).await;
        });
    };
    let edit = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            let key = draft_key.get_value();
            if let Ok(payload) = outbox::restore(&id.get_value(), &key).await {
                outbox::reopen_draft(&key, &payload).await;
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (id, draft_key);
    };
    let discard = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let confirmed = window()
                .confirm_with_message(i18n.reporter().discard_confirm)
                .unwrap_or(false);
            if confirmed {
                leptos::task::spawn_local(async move {
                    let _ = outbox::discard(&id.get_value()).await;
                });
            }
        }
    };
    // A stuck item may have reached the server (an answer lost on the way): editing it into a
    // new draft could file it twice, so it is only retried or discarded.
    (failed || stuck).then(|| {
        view! {
            <div class="mt-2 flex gap-3 text-sm">
                <button type="button" class="text-sky-700" data-testid="outbox-retry" on:click=retry>
                    {move || i18n.reporter().retry}
                </button>
                {failed.then(|| view! {
                    <button type="button" class="text-sky-700" data-testid="outbox-edit" on:click=edit>
                        {move || i18n.reporter().edit}
                    </button>
                })}
                <button type="button" class="text-red-700" data-testid="outbox-discard" on:click=discard>
                    {move || i18n.reporter().discard}
                </button>
            </div>
        }
    })
}
