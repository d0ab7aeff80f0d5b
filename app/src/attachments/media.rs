//! Where image bytes live: a local folder by default, any object store `object_store` can reach
//! (S3-compatible storage, for example) when configured with a URL.

use std::path::Path;
use std::sync::Arc;

use axum::body::Bytes;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};

use crate::error::AppError;

#[derive(Clone)]
pub struct Media {
    store: Arc<dyn ObjectStore>,
    prefix: ObjectPath,
}

#[derive(Debug, thiserror::Error)]
pub enum MediaConfigError {
    #[error("cannot create upload folder {0}: {1}")]
    Folder(String, std::io::Error),
    #[error("object store: {0}")]
    Store(#[from] object_store::Error),
    #[error("bad object store URL: {0}")]
    Url(#[from] url::ParseError),
}

impl Media {
    /// Files under `dir`, created if missing.
    pub fn local(dir: &Path) -> Result<Self, MediaConfigError> {
        std::fs::create_dir_all(dir)
            .map_err(|err| MediaConfigError::Folder(dir.display().to_string(), err))?;
        Ok(Self {
            store: Arc::new(LocalFileSystem::new_with_prefix(dir)?),
            prefix: ObjectPath::default(),
        })
    }

    /// A store named by URL, e.g. `s3://bucket/prefix`; credentials and endpoint come from the
    /// usual environment variables of that store (`AWS_ACCESS_KEY_ID`, `AWS_ENDPOINT`, ...).
    pub fn from_url(url: &str) -> Result<Self, MediaConfigError> {
        let options = std::env::vars().map(|(k, v)| (k.to_ascii_lowercase(), v));
        Self::from_url_with(url, options)
    }

    /// A store named by URL, configured with `options` (`aws_endpoint`, `aws_region`, ...)
    /// rather than the environment.
    pub fn from_url_with(
        url: &str,
        options: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, MediaConfigError> {
        let url = url::Url::parse(url)?;
        let (store, prefix) = object_store::parse_url_opts(&url, options)?;
        Ok(Self {
            store: Arc::from(store),
            prefix,
        })
    }

    fn path(&self, key: &str) -> ObjectPath {
        self.prefix
            .parts()
            .chain(ObjectPath::from(key).parts())
            .collect()
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), AppError> {
        self.store
            .put(&self.path(key), PutPayload::from(bytes))
            .await
            .map_err(storage_error)?;
        Ok(())
    }

    pub async fn get(&self, key: &str) -> Result<Bytes, AppError> {
        let result = self
            .store
            .get(&self.path(key))
            .await
            .map_err(storage_error)?;
        result.bytes().await.map_err(storage_error)
    }
}

/// A missing object (removed, or a store that lost it) is "not found"; anything else is the
/// store failing.
impl Media {
    /// Removes an object; one already gone is no error.
    pub async fn delete(&self, key: &str) -> Result<(), AppError> {
        match self.store.delete(&self.path(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(storage_error(err)),
        }
    }
}

fn storage_error(err: object_store::Error) -> AppError {
    if let object_store::Error::NotFound { path, .. } = &err {
        tracing::warn!(%path, "object missing from the store");
        return AppError::NotFound;
    }
    tracing::error!(error = %err, "object store failure");
    AppError::Internal
}
