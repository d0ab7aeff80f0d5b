//! Knowledge sessions (知识直播): the team's weekly live session on what customer managers
//! keep asking, planned from the report's hot consultations, with its replay, audience and
//! quiz recorded afterwards, and its effect measured: consultations on its topics in the four
//! weeks before and after (`/console/sessions`).

mod api;
mod page;
#[cfg(feature = "ssr")]
pub mod store;
pub mod texts;

pub use api::*;
pub use page::SessionsPage;

use chrono::{DateTime, Datelike, Duration, NaiveDateTime, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::checks::{required_within, within};
use crate::error::Problem;
use crate::incidents::FieldError;

pub const MAX_TOPIC: u32 = 80;
/// Subcategories and articles one session may cover.
pub const MAX_TOPICS: usize = 10;
pub const MAX_QUESTIONS: usize = 20;
pub const MAX_QUESTION: u32 = 200;
pub const MAX_URL: u32 = 500;
/// Most viewers a session records.
pub const MAX_VIEWERS: u32 = 1_000_000;
/// A part of the agenda: at most four hours.
pub const MAX_PART_MINUTES: u32 = 240;
/// How far before and after a session its topics' consultations are counted.
pub const EFFECT_DAYS: i64 = 28;
/// The score bands of the quiz: 0–59, 60–69, 70–79, 80–89, 90–100.
pub const SCORE_BANDS: [&str; 5] = ["0–59", "60–69", "70–79", "80–89", "90–100"];

/// The schedule form, as typed: numbers and lists stay text until checked.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionPlan {
    /// `None` schedules a new session.
    pub id: Option<i64>,
    /// `YYYY-MM-DDTHH:MM` in Shanghai (a `datetime-local` input).
    pub starts_at: String,
    pub talk_minutes: String,
    pub quiz_minutes: String,
    pub qa_minutes: String,
    pub topic: String,
    /// Subcategories as handlers give them, separated by commas, 、 or new lines.
    pub subcategories: String,
    /// Help article link names, separated by spaces or commas.
    pub articles: String,
}

/// Items of a list typed into one field.
pub fn items(text: &str, separators: &[char]) -> Vec<String> {
    let mut seen = Vec::new();
    for item in text.split(|c: char| separators.contains(&c) || c == '\n') {
        let item = item.trim();
        if !item.is_empty() && !seen.iter().any(|s: &String| s == item) {
            seen.push(item.to_owned());
        }
    }
    seen
}

const TOPIC_SEPARATORS: [char; 4] = [',', '，', '、', ';'];
const SLUG_SEPARATORS: [char; 3] = [',', '，', ' '];

impl SessionPlan {
    /// The next Tuesday 20:00 after `now` with the usual agenda: 30 minutes of talk, 10 of
    /// quiz, 15 of questions.
    pub fn usual(now: DateTime<Utc>) -> Self {
        let local = crate::time::to_shanghai(now);
        let mut day = local.date_naive();
        let at = NaiveTime::from_hms_opt(20, 0, 0).unwrap_or_default();
        while day.weekday() != chrono::Weekday::Tue || day.and_time(at) <= local.naive_local() {
            day += Duration::days(1);
        }
        Self {
            id: None,
            starts_at: day.and_time(at).format("%Y-%m-%dT%H:%M").to_string(),
            talk_minutes: "30".into(),
            quiz_minutes: "10".into(),
            qa_minutes: "15".into(),
            ..Self::default()
        }
    }

    pub fn starts(&self) -> Option<DateTime<Utc>> {
        let local = NaiveDateTime::parse_from_str(self.starts_at.trim(), "%Y-%m-%dT%H:%M").ok()?;
        local
            .and_local_timezone(crate::time::shanghai())
            .single()
            .map(|at| at.with_timezone(&Utc))
    }

    pub fn minutes(text: &str) -> Result<u32, Problem> {
        let value: u32 = text.trim().parse().map_err(|_| Problem::Format)?;
        if value > MAX_PART_MINUTES {
            return Err(Problem::OutOfRange {
                min: 0,
                max: MAX_PART_MINUTES,
            });
        }
        Ok(value)
    }

    pub fn subcategory_list(&self) -> Vec<String> {
        items(&self.subcategories, &TOPIC_SEPARATORS)
    }

    pub fn article_list(&self) -> Vec<String> {
        items(&self.articles, &SLUG_SEPARATORS)
    }

    /// Every problem, in form order.
    pub fn problems(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut check = |field: &'static str, result: Result<(), Problem>| {
            if let Err(problem) = result {
                errors.push(FieldError { field, problem });
            }
        };
        check(
            "starts_at",
            match self.starts() {
                None if self.starts_at.trim().is_empty() => Err(Problem::Required),
                None => Err(Problem::Format),
                Some(_) => Ok(()),
            },
        );
        check("talk_minutes", Self::minutes(&self.talk_minutes).map(drop));
        check("quiz_minutes", Self::minutes(&self.quiz_minutes).map(drop));
        check("qa_minutes", Self::minutes(&self.qa_minutes).map(drop));
        check("topic", required_within(self.topic.trim(), MAX_TOPIC));
        let topics = self.subcategory_list();
        check(
            "subcategories",
            if topics.len() > MAX_TOPICS {
                Err(Problem::TooMany {
                    max: MAX_TOPICS as u32,
                })
            } else {
                topics.iter().try_for_each(|t| within(t, 40))
            },
        );
        let slugs = self.article_list();
        check(
            "articles",
            if slugs.len() > MAX_TOPICS {
                Err(Problem::TooMany {
                    max: MAX_TOPICS as u32,
                })
            } else if slugs.iter().any(|s| !crate::help::is_slug(s)) {
                Err(Problem::Format)
            } else {
                Ok(())
            },
        );
        errors
    }
}

/// What the session's results form sends.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SessionResults {
    pub id: i64,
    pub replay_url: String,
    pub live_audience: String,
    /// Live plus replays.
    pub total_viewers: String,
    /// One question a line.
    pub quiz_questions: String,
    /// Participants per band of [`SCORE_BANDS`].
    pub score_bands: [String; 5],
}

impl SessionResults {
    fn count(text: &str) -> Result<Option<u32>, Problem> {
        match text.trim() {
            "" => Ok(None),
            text => match text.parse::<u32>() {
                Ok(n) if n <= MAX_VIEWERS => Ok(Some(n)),
                Ok(_) => Err(Problem::OutOfRange {
                    min: 0,
                    max: MAX_VIEWERS,
                }),
                Err(_) => Err(Problem::Format),
            },
        }
    }

    pub fn live(&self) -> Result<Option<u32>, Problem> {
        Self::count(&self.live_audience)
    }

    pub fn total(&self) -> Result<Option<u32>, Problem> {
        Self::count(&self.total_viewers)
    }

    pub fn questions(&self) -> Vec<String> {
        items(&self.quiz_questions, &[])
    }

    /// The bands, all empty or all counted.
    pub fn bands(&self) -> Result<Option<[u32; 5]>, Problem> {
        let mut bands = [0; 5];
        let mut given = 0;
        for (band, text) in bands.iter_mut().zip(&self.score_bands) {
            if let Some(count) = Self::count(text)? {
                *band = count;
                given += 1;
            }
        }
        match given {
            0 => Ok(None),
            5 => Ok(Some(bands)),
            _ => Err(Problem::Required),
        }
    }

    pub fn problems(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut check = |field: &'static str, result: Result<(), Problem>| {
            if let Err(problem) = result {
                errors.push(FieldError { field, problem });
            }
        };
        let url = self.replay_url.trim();
        check(
            "replay_url",
            within(url, MAX_URL).and_then(|()| {
                if url.is_empty() || url.starts_with("https://") || url.starts_with("http://") {
                    Ok(())
                } else {
                    Err(Problem::Format)
                }
            }),
        );
        check("live_audience", self.live().map(drop));
        check(
            "total_viewers",
            match (self.live(), self.total()) {
                (_, Err(problem)) => Err(problem),
                (Ok(Some(live)), Ok(Some(total))) if total < live => Err(Problem::OutOfRange {
                    min: live,
                    max: MAX_VIEWERS,
                }),
                _ => Ok(()),
            },
        );
        let questions = self.questions();
        check(
            "quiz_questions",
            if questions.len() > MAX_QUESTIONS {
                Err(Problem::TooMany {
                    max: MAX_QUESTIONS as u32,
                })
            } else {
                questions.iter().try_for_each(|q| within(q, MAX_QUESTION))
            },
        );
        check("score_bands", self.bands().map(drop));
        errors
    }
}

/// A session as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnowledgeSession {
    pub id: i64,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub starts_at: DateTime<Utc>,
    pub talk_minutes: i32,
    pub quiz_minutes: i32,
    pub qa_minutes: i32,
    pub topic: String,
    pub subcategories: Vec<String>,
    pub articles: Vec<SessionArticle>,
    pub replay_url: Option<String>,
    pub live_audience: Option<i32>,
    pub total_viewers: Option<i32>,
    pub quiz_questions: Vec<String>,
    pub score_bands: Option<Vec<i32>>,
    pub effect: Effect,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionArticle {
    pub slug: String,
    pub title: String,
}

/// Consultations on a session's topics (its subcategories, or linked to its articles) in the
/// [`EFFECT_DAYS`] before it and after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Effect {
    pub before: i64,
    pub after: i64,
}

/// What customer managers asked most in the last four weeks: the schedule form's prompt.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HotConsultations {
    pub subcategories: Vec<(String, i64)>,
    pub articles: Vec<(SessionArticle, i64)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn the_usual_session_is_the_next_tuesday_evening() {
        // Tuesday 1 December 2026, 10:00 in Shanghai: that evening.
        assert_eq!(
            SessionPlan::usual(at("2026-12-01T02:00:00Z")).starts_at,
            "2026-12-01T20:00"
        );
        // The same Tuesday at 21:00: a week later.
        assert_eq!(
            SessionPlan::usual(at("2026-12-01T13:00:00Z")).starts_at,
            "2026-12-08T20:00"
        );
        let plan = SessionPlan::usual(at("2026-12-03T02:00:00Z"));
        assert_eq!(plan.starts_at, "2026-12-08T20:00");
        assert_eq!(
            (
                plan.talk_minutes.as_str(),
                plan.quiz_minutes.as_str(),
                plan.qa_minutes.as_str()
            ),
            ("30", "10", "15")
        );
    }

    #[test]
    fn a_plan_is_checked_field_by_field() {
        let plan = SessionPlan {
            topic: "三方存管".into(),
            subcategories: "转账限额、 银行卡变更,转账限额".into(),
            articles: "custody-limit, bank-change".into(),
            ..SessionPlan::usual(at("2026-12-01T02:00:00Z"))
        };
        assert!(plan.problems().is_empty(), "{:?}", plan.problems());
        assert_eq!(plan.subcategory_list(), ["转账限额", "银行卡变更"]);
        assert_eq!(plan.article_list(), ["custody-limit", "bank-change"]);
        let bad = SessionPlan {
            starts_at: "明天晚上".into(),
            talk_minutes: "半小时".into(),
            qa_minutes: "300".into(),
            topic: " ".into(),
            articles: "Not A Slug".into(),
            ..plan
        };
        let fields: Vec<&str> = bad.problems().iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "starts_at",
                "talk_minutes",
                "qa_minutes",
                "topic",
                "articles"
            ]
        );
    }

    #[test]
    fn results_need_whole_bands_and_a_web_address() {
        let results = SessionResults {
            id: 1,
            replay_url: "https://live.example.com/replay/42".into(),
            live_audience: "120".into(),
            total_viewers: "310".into(),
            quiz_questions: "转账限额是多少？\n\n如何变更存管银行？".into(),
            score_bands: ["3", "10", "25", "40", "22"].map(String::from),
        };
        assert!(results.problems().is_empty());
        assert_eq!(results.questions().len(), 2);
        assert_eq!(results.bands(), Ok(Some([3, 10, 25, 40, 22])));
        let bad = SessionResults {
            replay_url: "javascript:alert(1)".into(),
            total_viewers: "100".into(),
            score_bands: ["3", "", "", "", ""].map(String::from),
            ..results
        };
        let fields: Vec<&str> = bad.problems().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["replay_url", "total_viewers", "score_bands"]);
    }
}
