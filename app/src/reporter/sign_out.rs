//! Signing out of a phone that may be shared: the account's drafts, key and cached pages are
//! removed first. Unsent items stay, sealed, for the account's next sign-in; when there are any,
//! the reporter is told how many and asked whether to keep or discard them.

use leptos::prelude::*;

use crate::auth::{AuthContext, Logout};
use crate::i18n::{fill, use_i18n};

/// A plain form, so signing out works before the app has loaded (the phone then forgets its key
/// on the sign-in page); once it has, the outbox is asked first.
#[component]
pub fn PhoneSignOut() -> impl IntoView {
    use leptos::server_fn::ServerFn as _;
    let i18n = use_i18n();
    let auth = expect_context::<AuthContext>();
    // Unsent items of this account, once asked: the question is shown.
    let unsent = RwSignal::new(None::<usize>);
    let sign_out = move |discard_unsent: bool| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            super::outbox::leave(discard_unsent).await;
            auth.logout.dispatch(Logout {});
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (auth, discard_unsent);
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            match super::outbox::pending().await {
                0 => sign_out(false),
                waiting => unsent.set(Some(waiting)),
            }
        });
    };
    view! {
        <form method="post" action=Logout::url() on:submit=submit>
            <button type="submit" class="rounded-md px-2 py-1 text-sm text-slate-600 hover:bg-slate-200">
                {move || i18n.t().sign_out}
            </button>
        </form>
        {move || unsent.get().map(|waiting| Suspend::new(unsent_question(waiting, unsent, Callback::new(sign_out))))}
    }
}

/// Asked only when the account has unsent items, so the question is a piece of its own; the
/// service worker keeps it for signing out offline (public/split-pieces.js).
#[leptos::lazy]
fn unsent_question(
    waiting: usize,
    unsent: RwSignal<Option<usize>>,
    sign_out: Callback<bool>,
) -> AnyView {
    let i18n = use_i18n();
    let t = move || i18n.reporter();
    view! {
        <div class="fixed inset-x-0 top-0 z-20 mx-auto max-w-md border-b border-amber-300 bg-amber-50 p-4 shadow"
            role="alertdialog" aria-labelledby="sign-out-unsent" data-testid="sign-out-unsent">
            <p id="sign-out-unsent" class="text-sm text-amber-950">{move || fill(t().sign_out_unsent, &[&waiting])}</p>
            <div class="mt-3 flex flex-wrap gap-2">
                <button type="button" class="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white"
                    data-testid="sign-out-keep" on:click=move |_| sign_out.run(false)>
                    {move || t().sign_out_keep}
                </button>
                <button type="button" class="rounded-md border border-red-700 px-3 py-1.5 text-sm text-red-800"
                    data-testid="sign-out-discard" on:click=move |_| sign_out.run(true)>
                    {move || t().sign_out_discard}
                </button>
                <button type="button" class="px-3 py-1.5 text-sm text-slate-700"
                    on:click=move |_| unsent.set(None)>
                    {move || t().sign_out_cancel}
                </button>
            </div>
        </div>
    }
    .into_any()
}
