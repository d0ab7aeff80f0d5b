//! The QA help center (`/help`, public, rendered on the server without the app's WASM) and the
//! knowledge base behind it (`/console/kb`: writing, review, versions).

mod api;
pub mod beside;
#[cfg(feature = "ssr")]
pub mod cache;
#[cfg(feature = "ssr")]
pub mod deflection;
pub mod editor;
pub mod images;
pub mod maintenance;
#[cfg(feature = "ssr")]
pub mod markdown;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod reading;
#[cfg(feature = "ssr")]
pub mod search;
#[cfg(feature = "ssr")]
pub mod store;
pub mod texts;
#[cfg(feature = "ssr")]
pub mod views;

pub use api::*;
pub use beside::KnowledgeBeside;
pub use editor::{IncidentArticles, KbEditorPage, KbListPage};
pub use pages::{ArticlePage, HelpHome, HelpLayout, SearchPage, SystemPage};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::incidents::IncidentNumber;
use crate::reference::Named;

pub const MAX_SLUG_CHARS: u32 = 80;
pub const MAX_TITLE_CHARS: u32 = 80;
pub const MAX_BODY_CHARS: u32 = 50_000;
pub const MAX_TAGS: u32 = 8;
pub const MAX_TAG_CHARS: u32 = 20;
pub const MAX_QUERY_CHARS: u32 = 100;
pub const MAX_FEEDBACK_CHARS: u32 = 500;
pub const MAX_SYNONYM_CHARS: u32 = 20;
pub const MAX_SYNONYMS: u32 = 10;

/// Words that mean the same to the brokerage's people (两融 = 融资融券).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynonymGroup {
    pub id: i64,
    pub words: Vec<String>,
}
/// Articles on one page of a system's list and of search results.
pub const PAGE_SIZE: i64 = 20;
/// Articles suggested under the help center's search box as a reader types.
pub const SUGGESTED: i64 = 6;

/// Where an article's working copy stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "lowercase"))]
pub enum ArticleState {
    Draft,
    Review,
    Published,
    Archived,
}

impl ArticleState {
    pub const ALL: [ArticleState; 4] = [Self::Draft, Self::Review, Self::Published, Self::Archived];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Review => "review",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Heading {
    /// 2 for `##`, 3 for `###`.
    pub depth: u8,
    pub anchor: String,
    pub text: String,
}

/// What a writer sends: the whole working copy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleInput {
    pub slug: String,
    pub system: String,
    pub module: Option<String>,
    pub title: String,
    pub tags: Vec<String>,
    pub body: String,
}

/// A line of the knowledge base's list in the console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleListItem {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub state: ArticleState,
    pub system: Named,
    pub editor: String,
    pub updated_at: DateTime<Utc>,
    pub live_version: Option<i32>,
}

/// The working copy with what the editor shows around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleDraft {
    pub id: i64,
    pub input: ArticleInput,
    pub state: ArticleState,
    pub editor_id: i64,
    pub editor: String,
    pub created_by: String,
    pub live_version: Option<i32>,
    pub reviewer: Option<String>,
    pub last_reviewed_at: Option<DateTime<Utc>>,
    /// Leads the hot questions on `/help`.
    pub pinned: bool,
    pub incidents: Vec<IncidentNumber>,
    pub versions: Vec<VersionInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {
    pub version: i32,
    pub title: String,
    pub author: String,
    pub published_by: String,
    pub published_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    Same,
    Added,
    Removed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub change: Change,
    pub text: String,
}

/// A published article as readers see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicArticle {
    pub slug: String,
    pub title: String,
    pub system: Named,
    pub module: Option<Named>,
    pub tags: Vec<String>,
    /// Sanitised when it was published.
    pub html: String,
    pub headings: Vec<Heading>,
    pub last_reviewed_at: Option<DateTime<Utc>>,
    pub related: Vec<ArticleLink>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleLink {
    pub slug: String,
    pub title: String,
    pub updated_at: DateTime<Utc>,
}

/// One system on the help center's home: its modules with their article counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemShelf {
    pub system: Named,
    pub articles: i64,
    pub modules: Vec<(Named, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HomeData {
    pub shelves: Vec<SystemShelf>,
    pub hot: Vec<ArticleLink>,
    pub recent: Vec<ArticleLink>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ListOrder {
    #[default]
    Hot,
    New,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SystemListing {
    pub shelf: SystemShelf,
    pub articles: Vec<ArticleLink>,
    pub total: i64,
}

/// A piece of a snippet; `hit` pieces are what the search matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fragment {
    pub text: String,
    pub hit: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    pub slug: String,
    pub title: Vec<Fragment>,
    pub system: Named,
    pub snippet: Vec<Fragment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    pub total: i64,
    /// Offered when nothing was found.
    pub hot: Vec<ArticleLink>,
}

/// A link name: lowercase letters and digits in parts joined by single hyphens.
pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text.split('-').all(|part| {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}
