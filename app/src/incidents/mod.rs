//! Incidents: what a reporter files, its timeline and its thread. The types and rules here
//! compile for both sides; the store and the live feed are server-only.

mod channel;
pub mod follow;
mod identity;
mod ids;
mod recorded;
mod report;
pub mod texts;
pub mod view;
mod workflow;

pub use channel::Channel;
pub use identity::*;
pub use ids::*;
pub use recorded::*;
pub use report::*;
pub use workflow::*;

#[cfg(feature = "ssr")]
pub mod batch;
#[cfg(feature = "ssr")]
pub mod http;
#[cfg(feature = "ssr")]
pub mod live;
#[cfg(feature = "ssr")]
pub mod sealed;
#[cfg(feature = "ssr")]
pub mod store;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::attachments::AttachmentRef;
use crate::reference::Named;

/// Which side of the thread wrote a message; read state is kept per side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum Side {
    Reporter,
    Handler,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reporter => "reporter",
            Self::Handler => "handler",
        }
    }
}

/// One line of "my reports".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportSummary {
    pub number: IncidentNumber,
    pub client_id: Uuid,
    pub title: String,
    pub status: Status,
    pub system: Named,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub last_activity_at: DateTime<Utc>,
    /// Replies from the incident team the reporter has not opened yet.
    pub unread: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportFilter {
    #[default]
    All,
    Open,
    Resolved,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub step: Step,
    pub status: Status,
    pub actor_name: String,
    /// Machine-readable: a transfer target, or "category severity".
    pub detail: Option<String>,
    pub note: Option<String>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThreadMessage {
    pub id: i64,
    pub client_id: Option<Uuid>,
    pub side: Side,
    pub author_name: String,
    pub body: String,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub at: DateTime<Utc>,
    pub attachments: Vec<AttachmentRef>,
    /// The other side has seen this message.
    pub read_by_other: bool,
    /// A note for the team only; a reporter never receives one.
    pub internal: bool,
}

/// What a workflow step carries; each step reads its own parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StepDetails {
    pub note: Option<String>,
    /// The note is shown to the reporter too (it always is for a question to them).
    pub note_public: bool,
    /// Resolving.
    pub solution: Option<String>,
    /// Transferring.
    pub transfer_target: Option<TransferTarget>,
    /// Classifying: category and severity are required, the rest optional.
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    pub subcategory: Option<String>,
    /// A system's code, and a module code within it.
    pub system: Option<String>,
    pub module: Option<String>,
    /// Assigning.
    pub assignee_id: Option<i64>,
}

impl StepDetails {
    /// Texts without surrounding blanks; blank optional texts are no text. The solution stays
    /// (an empty one is refused by name).
    pub fn trimmed(self) -> Self {
        let text = |t: Option<String>| t.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        Self {
            note: text(self.note),
            solution: self.solution.map(|s| s.trim().to_owned()),
            subcategory: text(self.subcategory),
            system: text(self.system),
            module: text(self.module),
            ..self
        }
    }
}

/// An incident of the same batch: the parent or one of its duplicates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchMember {
    pub number: IncidentNumber,
    pub title: String,
    pub status: Status,
    pub is_parent: bool,
}

/// The customer an incident is about, masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerView {
    pub name: String,
    pub doc_type: DocType,
    pub id_number: String,
}

/// One report as its reporter sees it: customer identity masked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    pub number: IncidentNumber,
    pub title: String,
    pub status: Status,
    pub system: Named,
    pub module: Option<Named>,
    /// `None` for an incident monitoring raised: it is about records, not one customer.
    pub customer: Option<CustomerView>,
    pub description: String,
    pub solution: Option<String>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created_at: DateTime<Utc>,
    pub attachments: Vec<AttachmentRef>,
    pub timeline: Vec<TimelineEntry>,
    pub messages: Vec<ThreadMessage>,
}
