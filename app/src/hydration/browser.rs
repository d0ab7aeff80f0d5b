//! The browser's side: what waits for hydration, and the parts hydrated apart.

use std::cell::{Cell, RefCell};

use leptos::prelude::*;

type Work = Box<dyn FnOnce()>;

thread_local! {
    static TREE_DONE: Cell<bool> = const { Cell::new(false) };
    static PARTS_LEFT: Cell<usize> = const { Cell::new(0) };
    static DONE: Cell<bool> = const { Cell::new(false) };
    static WAITING: RefCell<Vec<Work>> = const { RefCell::new(Vec::new()) };
}

/// Runs `work` now if the page has hydrated (or was reached by navigating in the app), else
/// as soon as it has, parts apart included, in the order asked.
pub fn after_hydration(work: impl FnOnce() + 'static) {
    if DONE.get() {
        work();
    } else {
        WAITING.with_borrow_mut(|waiting| waiting.push(Box::new(work)));
    }
}

/// Called once by the hydrate entry when the page's tree has hydrated.
pub(crate) fn tree_hydrated() {
    TREE_DONE.set(true);
    finish_when_whole();
}

fn finish_when_whole() {
    if DONE.get() || !TREE_DONE.get() || PARTS_LEFT.get() > 0 {
        return;
    }
    DONE.set(true);
    for work in WAITING.take() {
        work();
    }
}

pub(super) fn hydrating() -> bool {
    Owner::current_shared_context().is_some_and(|context| context.during_hydration())
}

/// The part's element hydrates now, without its children; they hydrate in the next task, under
/// the owner that would have built them, so they see the same context.
pub(super) fn apart(class: &'static str, children: Children) -> impl IntoView {
    let element = NodeRef::<leptos::html::Div>::new();
    // Their effects and listeners live as long as the part does.
    let hydrated = StoredValue::new_local(None);
    let owner = Owner::current();
    PARTS_LEFT.set(PARTS_LEFT.get() + 1);
    set_timeout(
        move || {
            if let (Some(element), Some(owner)) = (element.get_untracked(), owner) {
                if !hydrated.is_disposed() {
                    let state = owner.with(|| children().hydrate_from::<true>(&element));
                    hydrated.set_value(Some(state));
                }
            }
            PARTS_LEFT.set(PARTS_LEFT.get() - 1);
            finish_when_whole();
        },
        std::time::Duration::ZERO,
    );
    view! { <div class=class node_ref=element></div> }
}
