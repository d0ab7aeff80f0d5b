//! Pages that show incidents follow the server's event streams and refetch when told.

use leptos::prelude::*;

/// Bumps `refresh` whenever the stream at `url` says something changed, and after every
/// reconnection that follows a failure (the stream may have missed changes while the network
/// was gone). The stream closes with the page.
pub fn refresh_on_changes(url: impl Fn() -> Option<String> + 'static, refresh: RwSignal<u32>) {
    #[cfg(feature = "hydrate")]
    {
        let source = StoredValue::new_local(None::<web_sys::EventSource>);
        Effect::new(move |_| {
            if let Some(url) = url() {
                if let Some(old) = source.get_value() {
                    old.close();
                }
                source.set_value(open(&url, refresh));
            }
        });
        on_cleanup(move || {
            if let Some(source) = source.get_value() {
                source.close();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (url, refresh);
}

#[cfg(feature = "hydrate")]
fn open(url: &str, refresh: RwSignal<u32>) -> Option<web_sys::EventSource> {
    use wasm_bindgen::prelude::*;
    let source = web_sys::EventSource::new(url).ok()?;
    let bump = move || refresh.update(|n| *n += 1);
    let changed = Closure::<dyn FnMut()>::new(bump);
    let _ = source.add_event_listener_with_callback("changed", changed.as_ref().unchecked_ref());
    changed.forget();
    // The page was rendered with fresh data: only a connection that follows a failure (the
    // network was gone, the server restarted) may have missed changes.
    let missed = std::rc::Rc::new(std::cell::Cell::new(false));
    let failed = missed.clone();
    let error = Closure::<dyn FnMut()>::new(move || failed.set(true));
    let _ = source.add_event_listener_with_callback("error", error.as_ref().unchecked_ref());
    error.forget();
    let ready = Closure::<dyn FnMut()>::new(move || {
        if missed.replace(false) {
            bump();
        }
    });
    let _ = source.add_event_listener_with_callback("ready", ready.as_ref().unchecked_ref());
    ready.forget();
    Some(source)
}
