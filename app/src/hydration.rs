//! Hydration in parts, and work that must wait until the page has hydrated.
//!
//! A live stream that reports a change while the page is still hydrating makes its resource
//! load again, and the page then renders new content where hydration expects the server's:
//! tachys panics ("Unrecoverable hydration error") and the page never becomes interactive. A
//! guard: the failure the browser tests showed came from `LocalResource` panels (see
//! `ui::InBrowser`), not from a stream.
//!
//! Leptos hydrates a page's routes in one browser task. On a slow phone that task is long (most
//! of it compiling the code it runs for the first time), and a tap waits for all of it:
//! [`HydrateApart`] hands a part of the page to a task of its own.

use leptos::prelude::*;

#[cfg(feature = "hydrate")]
mod browser;
#[cfg(feature = "hydrate")]
pub use browser::after_hydration;
#[cfg(feature = "hydrate")]
pub(crate) use browser::tree_hydrated;

/// Children the server renders in place and the browser hydrates in a task of its own, after
/// the rest of the page; built at once when the page is rendered in the browser (navigation,
/// a language switch). The children must not create a resource: the order in which the
/// browser meets resources has to be the server's.
#[component]
pub fn HydrateApart(#[prop(optional)] class: &'static str, children: Children) -> impl IntoView {
    #[cfg(feature = "hydrate")]
    if browser::hydrating() {
        return browser::apart(class, children).into_any();
    }
    view! { <div class=class>{children()}</div> }.into_any()
}
