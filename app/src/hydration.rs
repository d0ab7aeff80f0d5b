//! Work that must wait until the page has hydrated. A live stream that reports a change while
//! the page is still hydrating makes its resource load again, and the page then renders new
//! content where hydration expects the server's: tachys panics ("Unrecoverable hydration
//! error") and the page never becomes interactive. A guard: the failure the browser tests
//! showed came from `LocalResource` panels (see `ui::InBrowser`), not from a stream.

use std::cell::{Cell, RefCell};

type Work = Box<dyn FnOnce()>;

thread_local! {
    static DONE: Cell<bool> = const { Cell::new(false) };
    static WAITING: RefCell<Vec<Work>> = const { RefCell::new(Vec::new()) };
}

/// Runs `work` now if the page has hydrated (or was reached by navigating in the app), else
/// as soon as it has, in the order asked.
pub fn after_hydration(work: impl FnOnce() + 'static) {
    if DONE.get() {
        work();
    } else {
        WAITING.with_borrow_mut(|waiting| waiting.push(Box::new(work)));
    }
}

/// Called once by the hydrate entry when hydration has finished.
pub(crate) fn finished() {
    DONE.set(true);
    for work in WAITING.take() {
        work();
    }
}
