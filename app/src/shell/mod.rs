//! Pieces every area's layout shares: language switch, sign-out, status pages.

use crate::i18n::page_title;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::auth::{AreaAccess, AuthContext, Logout, SetLocale};
use crate::error::AppError;
use crate::i18n::use_i18n;

/// What every page's app (the desk's, the phone's) provides first: page metadata, the language
/// and the signed-in user.
pub fn provide_page_context() -> crate::i18n::I18n {
    leptos_meta::provide_meta_context();
    let i18n = crate::i18n::provide_i18n();
    AuthContext::provide();
    i18n
}

#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let save = ServerAction::<SetLocale>::new();
    let switch = move |_| {
        let locale = i18n.locale().other();
        i18n.set(locale);
        save.dispatch(SetLocale { locale });
    };
    view! {
        <button
            type="button"
            data-testid="language-switch"
            class="rounded-md px-2 py-1 text-sm text-slate-600 hover:bg-slate-200"
            on:click=switch
        >
            {move || i18n.t().switch_language}
        </button>
    }
}

/// A plain form, so signing out works before the app has loaded; once it has, the action
/// sends it. (`ActionForm` would also parse the form in the browser, which costs the phone's
/// first load kilobytes for a form without fields.)
#[component]
pub fn SignOutButton() -> impl IntoView {
    use leptos::server_fn::ServerFn as _;
    let i18n = use_i18n();
    let auth = expect_context::<AuthContext>();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        auth.logout.dispatch(Logout {});
    };
    view! {
        <form method="post" action=Logout::url() on:submit=submit>
            <button
                type="submit"
                class="rounded-md px-2 py-1 text-sm text-slate-600 hover:bg-slate-200"
            >
                {move || i18n.t().sign_out}
            </button>
        </form>
    }
}

/// Name and role of the signed-in user of the area.
#[component]
pub fn UserBadge() -> impl IntoView {
    let i18n = use_i18n();
    let AreaAccess(access) = expect_context::<AreaAccess>();
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                access.await.ok().map(|user| {
                    let role = user.role;
                    view! {
                        <span class="text-sm text-slate-700" data-testid="current-user">
                            <span class="font-medium">{user.display_name}</span>
                            <span class="ml-1 text-slate-500">{move || i18n.t().role_name(role)}</span>
                        </span>
                    }
                })
            })}
        </Suspense>
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    let i18n = use_i18n();
    view! { <p class="p-6 text-slate-500">{move || i18n.t().loading}</p> }
}

#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p role="alert" class="m-4 rounded-lg bg-red-50 border border-red-200 px-4 py-3 text-red-700">
            {move || error.message(i18n.t())}
        </p>
    }
}

/// Why a whole page could not be shown; a missing record also answers 404 to the request.
#[component]
pub fn PageError(error: AppError) -> impl IntoView {
    if error == AppError::NotFound {
        set_status(http::StatusCode::NOT_FOUND);
    }
    view! { <ErrorPanel error /> }
}

pub fn set_status(_status: http::StatusCode) {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(_status);
    }
}

/// A full page that says why it is shown, with the way back.
#[component]
fn StatusPage(title: fn(&crate::i18n::Texts) -> &'static str, body: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <Title text=page_title(move || title(i18n.t())) />
        <main class="min-h-[60vh] flex flex-col items-center justify-center gap-3 px-4 text-center">
            <h1 class="text-2xl font-semibold text-slate-900">{move || title(i18n.t())}</h1>
            <p class="text-slate-600">{body}</p>
            <A href="/" attr:class="text-sky-700 hover:underline">
                {move || i18n.t().go_home}
            </A>
        </main>
    }
}

#[component]
pub fn Forbidden() -> impl IntoView {
    set_status(http::StatusCode::FORBIDDEN);
    let i18n = use_i18n();
    let body = AppError::Forbidden.message(i18n.t());
    view! { <StatusPage title=|t| t.forbidden_title body /> }
}

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(http::StatusCode::NOT_FOUND);
    let i18n = use_i18n();
    let body = AppError::NotFound.message(i18n.t());
    view! { <StatusPage title=|t| t.not_found_title body /> }
}

/// The fallback of each app's router (the desk's and the phone's). A path the other app serves
/// is handed to the browser as a full page load, so each page runs with the bundle built for it
/// (a sign-in landing on `/m`, a sign-out leaving it, a link from a report to a help article);
/// a path of its own that matches nothing is not found.
pub fn not_found_unless_elsewhere(owns: fn(&str) -> bool) -> AnyView {
    #[cfg(feature = "hydrate")]
    {
        // The router's address: the browser's changes only once the router has rendered.
        let location = leptos_router::hooks::use_location();
        let path = location.pathname.get_untracked();
        if !owns(&path) {
            // The page is leaving: browser tests wait for the next one's hydration.
            if let Some(body) = document().body() {
                let _ = body.remove_attribute("data-hydrated");
            }
            let search = location.search.get_untracked();
            let hash = location.hash.get_untracked();
            let mut target = path.clone();
            if !search.is_empty() {
                target = format!("{target}?{search}");
            }
            if !hash.is_empty() && !hash.starts_with('#') {
                target.push('#');
            }
            target.push_str(&hash);
            // After the router has put the address in the history (then it is replaced, and
            // Back returns to the page left), or before, when the new page takes a new entry.
            set_timeout(
                move || {
                    let browser = window().location();
                    if browser.pathname().as_deref() == Ok(path.as_str()) {
                        let _ = browser.replace(&target);
                    } else {
                        let _ = browser.assign(&target);
                    }
                },
                std::time::Duration::ZERO,
            );
            return ().into_any();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = owns;
    view! { <NotFound /> }.into_any()
}
