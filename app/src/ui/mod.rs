//! The visual pieces every area shares, accessible by construction: each control carries a
//! label tied to it (visible, or read only by screen readers where a toolbar has no room), and
//! text keeps WCAG AA contrast on the backgrounds used here (slate-600 and darker on white and
//! slate-50; never slate-400 for words). Pages take these instead of copying class strings.

mod linked_text;
mod picker;
#[cfg(feature = "hydrate")]
mod posting;

pub use linked_text::{article_slugs, LinkedText, ARTICLE_PATH};
pub use picker::SystemModulePicker;
#[cfg(feature = "hydrate")]
pub use posting::{post_form, Refusal};

use leptos::prelude::*;

/// A section of a page: white card on the page's slate background.
pub const PANEL: &str = "rounded-xl border border-slate-200 bg-white p-5";
/// Text inputs, selects and text areas in the console.
pub const INPUT: &str = "rounded-md border border-slate-400 bg-white px-2 py-1.5 \
                         disabled:bg-slate-50 aria-invalid:border-red-600";
/// Text inputs, selects and text areas on the phone: full width, a larger touch target.
pub const PHONE_INPUT: &str = "mt-1 block w-full rounded-lg border border-slate-400 bg-white px-3 \
                               py-2 text-base aria-invalid:border-red-600 focus:border-sky-600 \
                               focus:outline-none";
/// The one action a form exists for.
pub const PRIMARY_BUTTON: &str =
    "rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white \
                                  hover:bg-sky-800 disabled:opacity-60";
/// Any other action.
pub const SECONDARY_BUTTON: &str = "rounded-md border border-slate-400 bg-white px-3 py-1.5 \
                                    text-sm text-slate-800 hover:bg-slate-50 disabled:opacity-60";
/// Small words beside a value: dates, authors, "optional".
pub const HINT: &str = "text-xs text-slate-600";

/// Children rendered in the browser once the page is live: never on the server, never while
/// hydrating. For panels fed by a `LocalResource`: its answer can arrive before an
/// asynchronously hydrated page reaches the panel, and the browser would then render content
/// where the server rendered none (an unrecoverable hydration error; the page stays dead).
#[component]
pub fn InBrowser(children: ChildrenFn) -> impl IntoView {
    let live = RwSignal::new(false);
    Effect::new(move |_| live.set(true));
    move || live.get().then(|| children())
}

/// A control with its label around it, so the two stay tied without ids. `hidden_label` keeps
/// the words for screen readers only, for toolbars whose placeholders already show them.
#[component]
pub fn Labeled(
    #[prop(into)] label: TextProp,
    #[prop(optional)] hidden_label: bool,
    #[prop(optional, into)] class: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let words = if hidden_label {
        "sr-only"
    } else {
        "text-sm text-slate-700"
    };
    view! {
        <label class=class.unwrap_or("flex flex-col gap-1")>
            <span class=words>{move || label.get()}</span>
            {children()}
        </label>
    }
}
