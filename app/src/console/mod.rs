//! The handlers' back office under `/console`.

mod api;
mod pages;
#[cfg(feature = "ssr")]
pub mod store;

pub use api::*;
pub use pages::{ConsoleHome, ConsoleLayout};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::Role;

/// A person working in the console, as the team panel shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub display_name: String,
    pub role: Role,
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub last_sign_in_at: Option<DateTime<Utc>>,
}
