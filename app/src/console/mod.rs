//! The handlers' back office under `/console`.

mod api;
mod attachment_viewer;
#[cfg(feature = "ssr")]
pub mod counts;
mod incident;
mod pages;
mod profile;
mod queue;
mod record;
mod side_panels;
mod sla_badge;
#[cfg(feature = "ssr")]
pub mod store;
pub mod texts;

pub use api::*;
pub use incident::ConsoleIncidentPage;
pub use pages::{ConsoleHome, ConsoleLayout};
pub use profile::ConsoleProfilePage;
pub use record::{ConsoleRecord, RecordIncidentPage};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::Role;
use crate::datafix::DataFixScript;
use crate::error::AppError;
use crate::incidents::IncidentNumber;
use crate::incidents::{
    BatchMember, Category, Channel, ReportView, Severity, Status, TransferTarget,
};
use crate::reference::Named;
use crate::sla::SlaState;

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

/// The order of the queue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueSort {
    /// Newest activity first.
    #[default]
    Activity,
    /// Newest report first.
    Newest,
    /// Oldest report first.
    Oldest,
    /// Soonest SLA due time first; incidents without a running clock last.
    Due,
}

impl QueueSort {
    pub const ALL: [QueueSort; 4] = [Self::Activity, Self::Newest, Self::Oldest, Self::Due];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Activity => "activity",
            Self::Newest => "newest",
            Self::Oldest => "oldest",
            Self::Due => "due",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// Which of a period's incidents a service report figure counts, beyond what the filter bar
/// picks; each is the report's own definition, so a figure's drill-down answers exactly it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Resolved or closed now (the resolution rate's count and the resolution times').
    Done,
    /// Resolved with an SLA target it never breached.
    Timely,
    /// Resolved at least once, whatever it is now (the reopen rate's base).
    ResolvedOnce,
    Reopened,
    /// Answered by a handler at least once (the first-response times' count).
    Responded,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Self::Done,
        Self::Timely,
        Self::ResolvedOnce,
        Self::Reopened,
        Self::Responded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Timely => "timely",
            Self::ResolvedOnce => "resolved_once",
            Self::Reopened => "reopened",
            Self::Responded => "responded",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == value)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Which incidents the queue shows; every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QueueFilter {
    pub status: Option<Status>,
    /// A system's code.
    pub system: Option<String>,
    pub category: Option<Category>,
    /// Not classified yet (`category=none` in the URL).
    pub unclassified: bool,
    /// A module's code within `system`.
    pub module: Option<String>,
    /// No module given (`module=none` in the URL).
    pub no_module: bool,
    /// A subcategory exactly as handlers gave it.
    pub subcategory: String,
    pub outcome: Option<Outcome>,
    /// Handed to this target at least once.
    pub handoff: Option<TransferTarget>,
    /// Linked to the help article with this slug.
    pub article: String,
    pub severity: Option<Severity>,
    pub channel: Option<Channel>,
    pub assignee: AssigneeFilter,
    /// Part of a reporter's name or login.
    pub reporter: String,
    /// Reported on or after this day, `YYYY-MM-DD` in Shanghai.
    pub from: String,
    /// Reported on or before this day.
    pub to: String,
    /// Open and past its SLA due time.
    pub overdue: bool,
    /// Words or an incident number.
    pub search: String,
    pub sort: QueueSort,
}

/// Longest text a queue filter field takes (a search, part of a name, a system code).
pub const MAX_FILTER_TEXT: u32 = 100;

impl QueueFilter {
    /// Refuses text no search could mean (too long, control characters), naming the field.
    pub fn check(&self) -> Result<(), AppError> {
        let fields = [
            ("search", self.search.as_str()),
            ("reporter", self.reporter.as_str()),
            ("system", self.system.as_deref().unwrap_or_default()),
            ("module", self.module.as_deref().unwrap_or_default()),
            ("subcategory", self.subcategory.as_str()),
            ("article", self.article.as_str()),
        ];
        for (field, text) in fields {
            crate::checks::within(text, MAX_FILTER_TEXT)
                .map_err(|problem| AppError::invalid(field, problem))?;
        }
        Ok(())
    }
}

/// Where the next page starts: after this incident in the queue's order. Keyset pagination,
/// so a page is as quick at the end of the queue as at its start, and an incident that moves
/// up while somebody pages is not shown twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueCursor {
    /// The sort column in microseconds since the epoch (the database's own precision); `None`
    /// when it is empty (no due time).
    pub key_us: Option<i64>,
    pub id: i64,
}

/// One line of the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueRow {
    pub number: IncidentNumber,
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
    pub sla: SlaState,
    /// The batch parent's number when this is a duplicate.
    pub parent: Option<IncidentNumber>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueuePage {
    pub rows: Vec<QueueRow>,
    pub next: Option<QueueCursor>,
    /// Incidents per status under the filter's other parts; first page only.
    pub counts: Vec<(Status, i64)>,
}

/// One incident as the team sees it. Identity stays masked here too: `console/reveal` shows a
/// field and records that it did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamIncident {
    pub report: ReportView,
    pub reporter: String,
    pub channel: Channel,
    pub assignee: Option<String>,
    /// The viewer is the assignee.
    pub mine: bool,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    pub fund_account: Option<String>,
    pub customer_mobile: Option<String>,
    pub subcategory: Option<String>,
    pub sla: SlaState,
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub first_response_at: Option<DateTime<Utc>>,
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub resolved_at: Option<DateTime<Utc>>,
    /// The parent and duplicates of this incident's batch, if it is in one.
    pub batch: Vec<BatchMember>,
    pub handoffs: Vec<Handoff>,
    pub scripts: Vec<DataFixScript>,
    /// Who the incident may be assigned to.
    pub assignable: Vec<Assignable>,
    /// What the viewer may do: the page offers nothing the server would refuse.
    pub may: Vec<crate::auth::Action>,
    /// The viewer may reveal the customer's identity here (their incident, or an admin).
    pub may_reveal: bool,
}

/// A stretch of time with test, development, operations or product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handoff {
    pub target: TransferTarget,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub started_at: DateTime<Utc>,
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub ended_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignable {
    pub id: i64,
    pub display_name: String,
}

/// A person working in the console, as the team panel shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamMember {
    pub display_name: String,
    pub role: Role,
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub last_sign_in_at: Option<DateTime<Utc>>,
}
