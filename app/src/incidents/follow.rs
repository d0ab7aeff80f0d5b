//! Pages that show incidents follow the server's event streams and refetch when told.

use std::future::Future;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::{de::DeserializeOwned, Serialize};

use super::IncidentNumber;
use crate::error::AppError;
use crate::resource::{page_resource, PageResource};

/// The incident the page's `:number` names, loaded by `load` and loaded again whenever the
/// stream at `events(number)` reports a change; with the signal that reloads it on demand.
/// An unreadable number is "not found", as an unknown one is.
pub fn live_incident<T, Fut>(
    load: fn(IncidentNumber) -> Fut,
    events: fn(IncidentNumber) -> String,
) -> (PageResource<Result<T, AppError>>, RwSignal<u32>)
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    let params = use_params_map();
    let number = move || {
        params
            .read()
            .get("number")
            .and_then(|n| n.parse::<IncidentNumber>().ok())
    };
    let refresh = RwSignal::new(0u32);
    let incident = page_resource(
        move || (number(), refresh.get()),
        move |(number, _)| async move {
            match number {
                Some(number) => load(number).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    refresh_on_changes(move || number().map(events), refresh);
    (incident, refresh)
}

/// Bumps `refresh` whenever the stream at `url` says something changed, and after every
/// reconnection that follows a failure (the stream may have missed changes while the network
/// was gone). The stream closes, and its listeners are freed, when the URL changes or the page
/// goes: a page left open all day holds one stream, never a growing pile of them.
pub fn refresh_on_changes(url: impl Fn() -> Option<String> + 'static, refresh: RwSignal<u32>) {
    #[cfg(feature = "hydrate")]
    {
        let stream = StoredValue::new_local(None::<Stream>);
        Effect::new(move |_| {
            let url = url();
            // A change reported while the page hydrates would re-render it under hydration
            // (see `crate::hydration`); the stream opens once the page is live. Replacing the
            // value drops (and so closes) the stream of the previous URL; a page gone
            // meanwhile opens none.
            crate::hydration::after_hydration(move || {
                let _ = stream.try_update_value(|current| {
                    *current = url.and_then(|url| Stream::open(&url, refresh));
                });
            });
        });
        on_cleanup(move || {
            let _ = stream.try_update_value(|current| *current = None);
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, refresh);
}

/// An open `EventSource` with the listeners it calls; dropping it closes the connection and
/// frees the listeners, which would otherwise live as long as the page.
#[cfg(feature = "hydrate")]
struct Stream {
    source: web_sys::EventSource,
    _listeners: [wasm_bindgen::closure::Closure<dyn FnMut()>; 3],
}

#[cfg(feature = "hydrate")]
impl Stream {
    fn open(url: &str, refresh: RwSignal<u32>) -> Option<Self> {
        use wasm_bindgen::prelude::*;
        let source = web_sys::EventSource::new(url).ok()?;
        let bump = move || refresh.update(|n| *n += 1);
        let listen = |event: &str, closure: Closure<dyn FnMut()>| {
            let _ =
                source.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
            closure
        };
        let changed = listen("changed", Closure::new(bump));
        // The page was rendered with fresh data: only a connection that follows a failure (the
        // network was gone, the server restarted) may have missed changes.
        let missed = std::rc::Rc::new(std::cell::Cell::new(false));
        let failed = missed.clone();
        let error = listen("error", Closure::new(move || failed.set(true)));
        let ready = listen(
            "ready",
            Closure::new(move || {
                if missed.replace(false) {
                    bump();
                }
            }),
        );
        Some(Self {
            source,
            _listeners: [changed, error, ready],
        })
    }
}

#[cfg(feature = "hydrate")]
impl Drop for Stream {
    fn drop(&mut self) {
        self.source.close();
    }
}
