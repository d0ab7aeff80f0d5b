//! Canned replies (快捷回复): answers the team writes once and inserts into a reply.

mod api;
mod page;
mod picker;
#[cfg(feature = "ssr")]
pub mod store;
pub mod texts;

pub use api::*;
pub use page::CannedRepliesPage;
pub use picker::CannedPicker;

use serde::{Deserialize, Serialize};

pub const MAX_TITLE_CHARS: u32 = 40;
pub const MAX_BODY_CHARS: u32 = 2_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CannedReply {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub updated_by: String,
}
