//! Screenshots and photos attached to reports and thread messages. The browser shrinks them
//! before upload; the server accepts only real images, re-encodes them without metadata and
//! serves them only to the incident's reporter and the incident team.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod image;
#[cfg(feature = "ssr")]
pub mod media;
#[cfg(feature = "ssr")]
pub mod store;

/// Largest upload body the server reads. The browser sends a few hundred kilobytes; this leaves
/// room for an image the browser could not shrink.
pub const MAX_UPLOAD_MB: u32 = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentRef {
    pub id: Uuid,
    pub width: i32,
    pub height: i32,
}

impl AttachmentRef {
    pub fn url(&self) -> String {
        format!("/api/attachments/{}", self.id)
    }

    pub fn thumb_url(&self) -> String {
        format!("/api/attachments/{}/thumb", self.id)
    }
}

/// The upload endpoint's answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Uploaded {
    pub id: Uuid,
    pub width: i32,
    pub height: i32,
    pub bytes: i32,
}
