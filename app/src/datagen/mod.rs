//! UAT test-data construction (造数): recipes of the business systems' own API calls, run as
//! jobs against a test environment, so testers get an account in the customer's state without
//! SQL scripts that break whenever the business rules change.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod api;
pub mod params;
pub mod texts;

mod incident_panel;
mod job_page;
mod jobs_page;
mod live;
mod new_job;
mod recipes_page;
mod stats_page;
mod targets_page;

#[cfg(feature = "ssr")]
pub mod preview;
#[cfg(feature = "ssr")]
pub mod recipe;
#[cfg(feature = "ssr")]
pub mod recipe_store;
#[cfg(feature = "ssr")]
pub mod redact;
#[cfg(feature = "ssr")]
pub mod reseal;
#[cfg(feature = "ssr")]
pub mod run;
#[cfg(feature = "ssr")]
pub mod stats;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod submit;
#[cfg(feature = "ssr")]
pub mod synthetic;
#[cfg(feature = "ssr")]
pub mod targets;
#[cfg(feature = "ssr")]
pub mod template;
#[cfg(feature = "ssr")]
pub mod worker;

pub use api::*;
pub use incident_panel::IncidentTestData;
pub use job_page::JobPage;
pub use jobs_page::JobsPage;
pub use new_job::NewJobPage;
pub use recipes_page::{RecipeEditorPage, RecipesPage};
pub use stats_page::StatsPage;
pub use targets_page::TargetsPage;

use params::{ParamSpec, Params};

/// The business systems a recipe calls; each target has a base URL for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum System {
    /// 账户系统: the customer's profile, fund account and shareholder cards.
    Account,
    /// 三方存管: bank binding.
    Custody,
    /// 交易系统: agreements and trading permissions.
    Trading,
}

impl System {
    pub const ALL: [System; 3] = [System::Account, System::Custody, System::Trading];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Account => "account",
            Self::Custody => "custody",
            Self::Trading => "trading",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum JobStatus {
    Queued,
    Processing,
    Success,
    Failed,
    Cancelled,
}

impl JobStatus {
    pub const ALL: [JobStatus; 5] = [
        JobStatus::Queued,
        JobStatus::Processing,
        JobStatus::Success,
        JobStatus::Failed,
        JobStatus::Cancelled,
    ];

    pub fn is_live(self) -> bool {
        matches!(self, Self::Queued | Self::Processing)
    }
}

/// How one call of a job went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum CallOutcome {
    Ok,
    /// Met what a redeploying environment answers; tried again after a wait.
    Retrying,
    Failed,
    /// Its `when` was false.
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecipeSummary {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub name_en: String,
    pub description: String,
    pub description_en: String,
    pub version: i32,
    /// Calls a run makes with no loop or skipped step.
    pub calls: usize,
    pub params: Vec<ParamSpec>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecipeVersion {
    pub version: i32,
    pub name: String,
    pub note: String,
    pub by: Option<String>,
    pub at: DateTime<Utc>,
}

/// A recipe's source for its editor, with its history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecipeSource {
    pub id: i64,
    pub key: String,
    pub version: i32,
    pub source: String,
    pub history: Vec<RecipeVersion>,
}

/// A recipe's source as saved, or where it is wrong.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SaveOutcome {
    Saved {
        id: i64,
    },
    Invalid {
        line: Option<usize>,
        message: String,
    },
}

/// What the recipe editor shows before saving: the first request as it would be sent, with
/// sample parameters, or where the source is wrong.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Preview {
    Request {
        step: String,
        method: String,
        url: String,
        headers: Vec<(String, String)>,
        body: String,
        calls: usize,
    },
    Invalid {
        line: Option<usize>,
        message: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetSummary {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub base_urls: Vec<(System, String)>,
    /// Names of its credentials; their values never leave the server.
    pub secret_names: Vec<String>,
    pub concurrency: i32,
    pub processing: i64,
    pub queued: i64,
}

/// A target as its form submits it; a secret left empty keeps the stored one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetInput {
    pub id: Option<i64>,
    pub name: String,
    pub description: String,
    pub base_urls: Vec<(System, String)>,
    pub secrets: Vec<(String, String)>,
    pub concurrency: i32,
}

/// A submitted form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobInput {
    pub recipe_id: i64,
    pub target_id: i64,
    pub params: Params,
    /// The incident this account reproduces.
    pub incident: Option<crate::incidents::IncidentNumber>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobSummary {
    pub id: i64,
    pub recipe: String,
    pub target: String,
    pub status: JobStatus,
    /// The masked customer name the job builds.
    pub customer: String,
    pub by: String,
    pub created_at: DateTime<Utc>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub incident: Option<crate::incidents::IncidentNumber>,
    pub failed_step: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallLog {
    pub id: i64,
    pub step: String,
    pub title: String,
    pub system: System,
    pub item: Option<i32>,
    pub method: String,
    pub url: String,
    pub request: String,
    pub attempt: i32,
    pub status: Option<i32>,
    pub response: String,
    pub extracted: Vec<(String, String)>,
    pub outcome: CallOutcome,
    pub error: Option<String>,
    pub at: DateTime<Utc>,
    pub took_ms: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobDetail {
    pub summary: JobSummary,
    pub recipe_id: i64,
    pub recipe_version: i32,
    /// Each parameter's label and value as shown (identity masked).
    pub params: Vec<(String, String)>,
    pub calls: Vec<CallLog>,
    /// The steps of the recipe, to show which are still to come.
    pub steps: Vec<(String, String)>,
    pub result: Vec<(String, String)>,
    pub failure: Option<String>,
    pub cancel_requested: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StatsFilter {
    pub recipe: Option<i64>,
    pub target: Option<i64>,
    /// Days back from today (Asia/Shanghai), today included.
    pub days: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DayCount {
    pub day: chrono::NaiveDate,
    pub success: i64,
    pub failed: i64,
    pub other: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailureReason {
    pub step: String,
    pub reason: String,
    pub jobs: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub days: Vec<DayCount>,
    /// Jobs by status, in [`JobStatus::ALL`] order.
    pub by_status: Vec<(JobStatus, i64)>,
    pub failures: Vec<FailureReason>,
    pub median_secs: Option<f64>,
    pub p90_secs: Option<f64>,
    pub by_user: Vec<(String, i64)>,
    pub recipes: Vec<(i64, String)>,
    pub targets: Vec<(i64, String)>,
}

/// The longest a recipe's source may be.
pub const MAX_RECIPE_SOURCE: usize = 200_000;
/// Jobs a list page shows.
pub const JOBS_SHOWN: i64 = 50;
/// Periods the statistics page offers, in days.
pub const STATS_PERIODS: [i64; 4] = [7, 30, 90, 365];
