//! Data-fix scripts (数据修复脚本): a handler attaches the SQL that repairs a customer's data
//! with its rollback, operations reviews it, and the handler records that operations ran it.
//! The application keeps the record; it never executes a script.

mod api;
mod panel;
mod reviews;
#[cfg(feature = "ssr")]
pub mod store;
pub mod texts;

pub use api::*;
pub use panel::{ScriptCard, ScriptDraft, ScriptsPanel};
pub use reviews::ReviewsPage;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::incidents::IncidentNumber;
use crate::reference::Named;

/// Longest script or rollback accepted, in characters.
pub const MAX_SCRIPT_CHARS: u32 = 100_000;
/// Longest note or review comment, in characters.
pub const MAX_COMMENT_CHARS: u32 = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum ScriptStatus {
    Pending,
    Approved,
    Rejected,
    Executed,
}

impl ScriptStatus {
    pub const ALL: [ScriptStatus; 4] = [
        Self::Pending,
        Self::Approved,
        Self::Rejected,
        Self::Executed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Executed => "executed",
        }
    }
}

/// A script with its review and execution record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataFixScript {
    pub id: i64,
    pub incident_number: IncidentNumber,
    pub incident_title: String,
    pub system: Named,
    pub author: String,
    pub script: String,
    pub rollback_script: String,
    pub note: Option<String>,
    pub status: ScriptStatus,
    pub reviewer: Option<String>,
    pub review_comment: Option<String>,
    pub executed_by: Option<String>,
    pub execution_note: Option<String>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub decided_at: Option<DateTime<Utc>>,
}

/// What a handler submits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewScript {
    /// The target system's code.
    pub system: String,
    pub script: String,
    pub rollback_script: String,
    pub note: String,
}
