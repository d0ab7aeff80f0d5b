use crate::i18n::page_title;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::{AuthContext, LOGIN_MAX_CHARS};
use crate::error::AppError;
use crate::i18n::use_i18n;
use crate::shell::LanguageSwitch;

/// `/login`. A refused sign-in keeps what was typed in the login field and says why.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let auth = expect_context::<AuthContext>();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    let result = auth.login.value();
    let pending = auth.login.pending();

    // The signed-in user's saved language replaces the visitor's.
    Effect::new(move |_| {
        if let Some(Ok(locale)) = result.get() {
            i18n.set(locale);
        }
    });

    let error = move || result.get().and_then(Result::err);
    let field_error = move |field: &'static str| {
        move || match error() {
            Some(ref err @ AppError::Invalid { field: ref f, .. }) if f == field => {
                Some(err.message(i18n.t()))
            }
            _ => None,
        }
    };
    let form_error = move || match error() {
        Some(AppError::Invalid { .. }) | None => None,
        Some(err) => Some(err.message(i18n.t())),
    };

    // Somebody already signed in has nothing to do here. Asked from the browser only: the server
    // renders the form either way, and nothing there would wait for the answer.
    let signed_in = LocalResource::new(move || {
        auth.version();
        super::whoami()
    });
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(Some(user))) = signed_in.get() {
            navigate(user.role.home(), NavigateOptions::default());
        }
    });

    let input_class = "mt-1 block w-full rounded-lg border border-slate-300 px-3 py-2 text-base \
                       focus:border-sky-600 focus:outline-none focus:ring-2 focus:ring-sky-200";
    view! {
        <Title text=page_title(move || i18n.t().login_title) />
        <main class="min-h-screen bg-slate-100 flex flex-col items-center justify-center px-4 py-10">
            <div class="w-full max-w-sm">
                <div class="flex justify-end mb-2">
                    <LanguageSwitch />
                </div>
                <div class="rounded-2xl bg-white shadow-sm border border-slate-200 p-6">
                    <h1 class="text-xl font-semibold text-slate-900">
                        {move || i18n.t().login_title}
                    </h1>
                    <p class="mt-1 text-sm text-slate-500">{move || i18n.t().login_subtitle}</p>
                    <ActionForm action=auth.login attr:class="mt-6 space-y-4" attr:novalidate="">
                        <input type="hidden" name="next" prop:value=next />
                        <div>
                            <label for="login" class="text-sm font-medium text-slate-700">
                                {move || i18n.t().field_login}
                            </label>
                            <input
                                id="login"
                                name="login"
                                type="text"
                                autocomplete="username"
                                autocapitalize="none"
                                spellcheck="false"
                                maxlength=LOGIN_MAX_CHARS
                                class=input_class
                            />
                            <p data-error-for="login" class="mt-1 text-sm text-red-600">
                                {field_error("login")}
                            </p>
                        </div>
                        <div>
                            <label for="password" class="text-sm font-medium text-slate-700">
                                {move || i18n.t().field_password}
                            </label>
                            <input
                                id="password"
                                name="password"
                                type="password"
                                autocomplete="current-password"
                                class=input_class
                            />
                            <p data-error-for="password" class="mt-1 text-sm text-red-600">
                                {field_error("password")}
                            </p>
                        </div>
                        <Show when=move || form_error().is_some()>
                            <p
                                role="alert"
                                class="rounded-lg bg-red-50 border border-red-200 px-3 py-2 text-sm text-red-700"
                            >
                                {form_error}
                            </p>
                        </Show>
                        <button
                            type="submit"
                            class="w-full rounded-lg bg-sky-700 px-4 py-2.5 text-white font-medium \
                                   hover:bg-sky-800 disabled:opacity-60"
                            disabled=pending
                        >
                            {move || {
                                if pending.get() {
                                    i18n.t().login_submitting
                                } else {
                                    i18n.t().login_submit
                                }
                            }}
                        </button>
                    </ActionForm>
                </div>
                <p class="mt-4 text-center text-sm">
                    <A href="/help" attr:class="text-sky-700 hover:underline">
                        {move || i18n.t().help_title}
                    </A>
                </p>
            </div>
        </main>
    }
}
