//! The handlers' back office under `/console`.

mod api;
mod incident_page;
mod pages;
mod queue;
#[cfg(feature = "ssr")]
pub mod store;
pub mod texts;

pub use api::*;
pub use incident_page::ConsoleIncidentPage;
pub use pages::{ConsoleHome, ConsoleLayout};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::incidents::{Category, ReportView, Severity, Status};
use crate::reference::Named;

/// Whose incidents the queue shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssigneeFilter {
    #[default]
    Anyone,
    Me,
    Unassigned,
}

impl AssigneeFilter {
    pub const ALL: [AssigneeFilter; 3] = [Self::Anyone, Self::Me, Self::Unassigned];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Anyone => "anyone",
            Self::Me => "me",
            Self::Unassigned => "unassigned",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == value)
    }
}

/// Which incidents the queue shows; every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    pub status: Option<Status>,
    /// A system's code.
    pub system: Option<String>,
    pub assignee: AssigneeFilter,
    /// Words or an incident number.
    pub search: String,
}

/// Where the next page starts: after this incident in "newest activity first" order. Keyset
/// pagination, so a page is as quick at the end of the queue as at its start, and an incident
/// that moves up while somebody pages is not shown twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCursor {
    /// Last activity in microseconds since the epoch: the database's own precision.
    pub at_us: i64,
    pub id: i64,
}

/// One line of the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueRow {
    pub number: i64,
    pub title: String,
    pub system: Named,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    pub status: Status,
    pub assignee: Option<String>,
    pub reporter: String,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub created_at: DateTime<Utc>,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub last_activity_at: DateTime<Utc>,
    /// Reporter messages the team has not read.
    pub unread: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    pub next: Option<QueueCursor>,
    /// Incidents per status under the filter's other parts; first page only.
    pub counts: Vec<(Status, i64)>,
}

/// A field of the customer's identity, masked until a handler reveals it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityField {
    CustomerName,
    IdNumber,
    FundAccount,
    CustomerMobile,
}

impl IdentityField {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CustomerName => "customer_name",
            Self::IdNumber => "id_number",
            Self::FundAccount => "fund_account",
            Self::CustomerMobile => "customer_mobile",
        }
    }
}

/// One incident as the team sees it. Identity stays masked here too: `console/reveal` shows a
/// field and records that it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamIncident {
    pub report: ReportView,
    pub reporter: String,
    pub assignee: Option<String>,
    /// The viewer is the assignee.
    pub mine: bool,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    pub fund_account: Option<String>,
    pub customer_mobile: Option<String>,
}

/// A person working in the console, as the team panel shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub display_name: String,
    pub role: Role,
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub last_sign_in_at: Option<DateTime<Utc>>,
}
