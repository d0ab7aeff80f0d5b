//! The service report (`/console/reports`): what the incident team reported, resolved and
//! learned in a week, a month or any range of days, beside the periods before it. Every figure
//! links to the queue filtered to the incidents it counts.

mod api;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod http;
mod page;
pub mod period;
#[cfg(feature = "ssr")]
pub mod store;
pub mod texts;
#[cfg(feature = "ssr")]
pub mod weekly;

pub use api::*;
pub use page::ReportsPage;
pub use period::{Period, PeriodKind};

use serde::{Deserialize, Serialize};

use crate::incidents::{Category, Channel, TransferTarget};
use crate::reference::Named;

/// The report of one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub period: Period,
    /// The chosen period and the ones before it, oldest first; the last is the chosen one.
    pub trend: Vec<PeriodCounts>,
    pub systems: Vec<SystemCount>,
    pub subcategories: Vec<HotTopic>,
    pub articles: Vec<HotArticle>,
    /// Reported in the period and resolved at least once (now open again or not).
    pub ever_resolved: i64,
    /// Of those, reopened at least once.
    pub reopened: i64,
    pub first_response: Spread,
    pub resolution: Spread,
    pub handoffs: Vec<HandoffSpread>,
    /// Knowledge sessions held in the period, with the consultations on their topics in the
    /// four weeks before and after.
    pub sessions: Vec<crate::sessions::KnowledgeSession>,
}

impl Report {
    /// The chosen period's counts.
    pub fn current(&self) -> PeriodCounts {
        self.trend
            .last()
            .cloned()
            .unwrap_or(PeriodCounts::empty(self.period))
    }
}

/// Incidents reported in one period, by what they turned out to be and where they came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodCounts {
    pub period: Period,
    pub reported: i64,
    /// In the order of [`CATEGORY_SLOTS`].
    pub categories: [i64; 4],
    /// In the order of [`Channel::ALL`].
    pub channels: [i64; 5],
    /// Resolved or closed now.
    pub resolved: i64,
    /// Resolved without passing its SLA target.
    pub timely: i64,
}

/// The report's category columns: the three categories, then incidents not yet classified.
pub const CATEGORY_SLOTS: [Option<Category>; 4] = [
    Some(Category::Data),
    Some(Category::Program),
    Some(Category::Consultation),
    None,
];

impl PeriodCounts {
    pub fn empty(period: Period) -> Self {
        Self {
            period,
            reported: 0,
            categories: [0; 4],
            channels: [0; 5],
            resolved: 0,
            timely: 0,
        }
    }

    pub fn category(&self, category: Option<Category>) -> i64 {
        CATEGORY_SLOTS
            .iter()
            .position(|slot| *slot == category)
            .map_or(0, |i| self.categories[i])
    }

    pub fn channel(&self, channel: Channel) -> i64 {
        self.channels[channel.index()]
    }
}

/// A share as a percentage with one decimal, or `None` when nothing was counted.
pub fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemCount {
    pub system: Named,
    pub count: i64,
    /// Modules with incidents, most first; incidents without a module are the rest.
    pub modules: Vec<ModuleCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModuleCount {
    pub id: i32,
    pub module: Named,
    pub count: i64,
}

/// A subcategory handlers gave, with its count in the period before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HotTopic {
    pub category: Option<Category>,
    pub subcategory: String,
    pub count: i64,
    pub previous: i64,
}

/// A live help article linked to incidents of the period, with the count in the period before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HotArticle {
    pub slug: String,
    pub title: String,
    pub count: i64,
    pub previous: i64,
}

/// The report's tables as exported: sheets of the workbook, or one CSV each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportTable {
    Summary,
    Categories,
    Channels,
    Systems,
    Handoffs,
    Topics,
    Articles,
    Trend,
}

impl ReportTable {
    pub const ALL: [ReportTable; 8] = [
        Self::Summary,
        Self::Categories,
        Self::Channels,
        Self::Systems,
        Self::Handoffs,
        Self::Topics,
        Self::Articles,
        Self::Trend,
    ];

    /// Its name in the export's `table=`.
    pub fn key(self) -> &'static str {
        match self {
            Self::Summary => "summary",
            Self::Categories => "categories",
            Self::Channels => "channels",
            Self::Systems => "systems",
            Self::Handoffs => "handoffs",
            Self::Topics => "topics",
            Self::Articles => "articles",
            Self::Trend => "trend",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.key() == key)
    }
}

impl texts::ReportTexts {
    /// A table's sheet name.
    pub fn sheet(&self, table: ReportTable) -> &'static str {
        match table {
            ReportTable::Summary => self.sheet_summary,
            ReportTable::Categories => self.sheet_categories,
            ReportTable::Channels => self.sheet_channels,
            ReportTable::Systems => self.sheet_systems,
            ReportTable::Handoffs => self.sheet_handoffs,
            ReportTable::Topics => self.sheet_topics,
            ReportTable::Articles => self.sheet_articles,
            ReportTable::Trend => self.sheet_trend,
        }
    }
}

/// Durations in business seconds: how many, the median and the 90th percentile (nearest
/// rank), and their sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Spread {
    pub count: i64,
    pub median_secs: Option<i64>,
    pub p90_secs: Option<i64>,
    pub total_secs: i64,
}

impl Spread {
    /// The spread of `values`: the p-th percentile is the value at rank ⌈p·n⌉ when sorted.
    pub fn of(mut values: Vec<i64>) -> Self {
        values.sort_unstable();
        let rank = |p: f64| {
            let n = values.len();
            let at = ((p * n as f64).ceil() as usize).clamp(1, n.max(1));
            values.get(at - 1).copied()
        };
        Self {
            count: values.len() as i64,
            median_secs: rank(0.5),
            p90_secs: rank(0.9),
            total_secs: values.iter().sum(),
        }
    }
}

/// Time spent with one hand-off target on incidents of the period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandoffSpread {
    pub target: TransferTarget,
    /// Ended hand-offs.
    pub ended: Spread,
    /// Hand-offs still running.
    pub open: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let spread = Spread::of(vec![50, 10, 40, 20, 30]);
        assert_eq!(spread.count, 5);
        // ⌈0.5·5⌉ = 3rd, ⌈0.9·5⌉ = 5th.
        assert_eq!(spread.median_secs, Some(30));
        assert_eq!(spread.p90_secs, Some(50));
        assert_eq!(spread.total_secs, 150);
        let four = Spread::of(vec![4, 1, 3, 2]);
        assert_eq!((four.median_secs, four.p90_secs), (Some(2), Some(4)));
        let ten = Spread::of((1..=10).collect());
        assert_eq!((ten.median_secs, ten.p90_secs), (Some(5), Some(9)));
        assert_eq!(Spread::of(Vec::new()), Spread::default());
    }

    #[test]
    fn shares_round_to_one_decimal_and_need_a_whole() {
        assert_eq!(share(1, 3), Some(33.3));
        assert_eq!(share(2, 3), Some(66.7));
        assert_eq!(share(0, 0), None);
    }
}
