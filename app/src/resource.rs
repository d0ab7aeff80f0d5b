//! Data a page loads: the server renders with it and hands it to the browser in the page.
//!
//! It crosses as JSON, as Leptos' default does, but the browser reads it with
//! `serde_json::from_slice`, the way it reads server functions' answers. Leptos' default reads
//! with `from_str`, a second reader type, so every type a page both loads and fetches (and every
//! `AppError`) had its deserializer built twice into the bundle.

use std::future::Future;

use leptos::prelude::Resource;
use leptos::server::codee::{Decoder, Encoder};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// JSON read the way server functions' answers are read.
pub struct ServerJson;

impl<T: Serialize> Encoder<T> for ServerJson {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, Self::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for ServerJson {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(text: &str) -> Result<T, Self::Error> {
        serde_json::from_slice(text.as_bytes())
    }
}

/// A page's data, loaded with [`page_resource`]; `PageResource::new_with_options(…, true)` for
/// one the server must have loaded before it sends any of the page.
pub type PageResource<T> = Resource<T, ServerJson>;

/// `Resource::new`: loads again whenever `source` changes.
#[track_caller]
pub fn page_resource<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> PageResource<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: Send + Sync + Clone + PartialEq + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetcher, false)
}
