//! Pages that follow running jobs: a counter that ticks while `live` says so, for resources to
//! key on. Ticks only in the browser; the server renders the state as it is.

use std::time::Duration;

use leptos::prelude::*;

/// A signal that changes every `every` while `live()` holds.
pub fn ticking(
    every: Duration,
    live: impl Fn() -> bool + Send + Sync + 'static,
) -> ReadSignal<u64> {
    let (tick, set_tick) = signal(0u64);
    let live = std::sync::Arc::new(live);
    Effect::new(move |_| {
        let live = live.clone();
        let handle = set_interval_with_handle(
            move || {
                if live() {
                    set_tick.update(|n| *n += 1);
                }
            },
            every,
        );
        if let Ok(handle) = handle {
            on_cleanup(move || handle.clear());
        }
    });
    tick
}
