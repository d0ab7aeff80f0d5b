//! The stretch of days a report covers: a week (Monday to Sunday), a calendar month, or any
//! range of days, all in Asia/Shanghai; and the periods before it, for trends.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{AppError, Problem};

/// Why a report URL names no period; the page says it in its own words beside the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodError {
    UnknownKind,
    BadStart,
    BadEnd,
    NoStart,
    NoEnd,
    EndBeforeStart,
    TooLong,
}

impl PeriodError {
    /// The problem as the server's errors name it.
    pub fn problem(self) -> Problem {
        match self {
            Self::UnknownKind => Problem::UnknownChoice,
            Self::NoStart | Self::NoEnd => Problem::Required,
            Self::EndBeforeStart => Problem::NotAfterStart,
            Self::TooLong => Problem::OutOfRange {
                min: 1,
                max: MAX_CUSTOM_DAYS as u32,
            },
            Self::BadStart | Self::BadEnd => Problem::Format,
        }
    }

    /// The form field to mark.
    pub fn field(self) -> &'static str {
        match self {
            Self::UnknownKind => "period",
            Self::BadStart | Self::NoStart => "start",
            Self::BadEnd | Self::NoEnd | Self::EndBeforeStart | Self::TooLong => "end",
        }
    }
}

/// Longest custom period: a year and a day.
pub const MAX_CUSTOM_DAYS: i64 = 366;

/// How many periods before the chosen one the trends show.
pub const TREND_PERIODS: u32 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Week,
    Month,
    Custom,
}

impl PeriodKind {
    pub const ALL: [PeriodKind; 3] = [Self::Week, Self::Month, Self::Custom];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Week => "week",
            Self::Month => "month",
            Self::Custom => "custom",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == value)
    }
}

/// Whole days, `first` to `last` inclusive, in Shanghai.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub kind: PeriodKind,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Period {
    /// The week or month holding `day`.
    pub fn containing(kind: PeriodKind, day: NaiveDate) -> Self {
        match kind {
            PeriodKind::Month => {
                let first = day.with_day(1).unwrap_or(day);
                let last = first
                    .checked_add_months(Months::new(1))
                    .and_then(|next| next.pred_opt())
                    .unwrap_or(first);
                Self { kind, first, last }
            }
            // A custom period needs both ends; one day alone reads as its week.
            PeriodKind::Week | PeriodKind::Custom => {
                let first = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
                Self {
                    kind: PeriodKind::Week,
                    first,
                    last: first + Duration::days(6),
                }
            }
        }
    }

    /// The period a report URL names (`period`, `start`, `end` as typed), or the week of
    /// `today` when nothing is named. Errors name the field at fault.
    pub fn from_query(
        kind: Option<&str>,
        start: Option<&str>,
        end: Option<&str>,
        today: NaiveDate,
    ) -> Result<Self, PeriodError> {
        let kind = match kind.map(str::trim).filter(|k| !k.is_empty()) {
            None => PeriodKind::Week,
            Some(text) => PeriodKind::parse(text).ok_or(PeriodError::UnknownKind)?,
        };
        let day = |text: Option<&str>, bad: PeriodError| match text
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            None => Ok(None),
            Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| bad),
        };
        let start = day(start, PeriodError::BadStart)?;
        let period = match kind {
            PeriodKind::Week | PeriodKind::Month => Self::containing(kind, start.unwrap_or(today)),
            PeriodKind::Custom => Self {
                kind,
                first: start.ok_or(PeriodError::NoStart)?,
                last: day(end, PeriodError::BadEnd)?.ok_or(PeriodError::NoEnd)?,
            },
        };
        period.check().map(|()| period)
    }

    /// A period as sent by a browser: a whole week or month, or a range of at most
    /// [`MAX_CUSTOM_DAYS`] whose end is not before its start.
    pub fn check(&self) -> Result<(), PeriodError> {
        match self.kind {
            PeriodKind::Custom if self.last < self.first => Err(PeriodError::EndBeforeStart),
            PeriodKind::Custom if self.days() > MAX_CUSTOM_DAYS => Err(PeriodError::TooLong),
            PeriodKind::Custom => Ok(()),
            kind if Self::containing(kind, self.first) == *self => Ok(()),
            _ => Err(PeriodError::BadStart),
        }
    }

    /// [`Period::check`] as the server answers it.
    pub fn checked(&self) -> Result<(), AppError> {
        self.check()
            .map_err(|error| AppError::invalid(error.field(), error.problem()))
    }

    pub fn days(&self) -> i64 {
        (self.last - self.first).num_days() + 1
    }

    /// The period `steps` before this one: the week or month before, or as many days before.
    pub fn back(&self, steps: u32) -> Self {
        match self.kind {
            PeriodKind::Month => {
                let first = self
                    .first
                    .checked_sub_months(Months::new(steps))
                    .unwrap_or(self.first);
                Self::containing(PeriodKind::Month, first)
            }
            PeriodKind::Week | PeriodKind::Custom => {
                let shift = Duration::days(self.days() * i64::from(steps));
                Self {
                    kind: self.kind,
                    first: self.first - shift,
                    last: self.last - shift,
                }
            }
        }
    }

    pub fn after(&self) -> Self {
        match self.kind {
            PeriodKind::Month => {
                Self::containing(PeriodKind::Month, self.last.succ_opt().unwrap_or(self.last))
            }
            PeriodKind::Week | PeriodKind::Custom => {
                let shift = Duration::days(self.days());
                Self {
                    kind: self.kind,
                    first: self.first + shift,
                    last: self.last + shift,
                }
            }
        }
    }

    /// The trend's periods, oldest first, ending with this one.
    pub fn trend(&self) -> Vec<Self> {
        (0..=TREND_PERIODS)
            .rev()
            .map(|steps| self.back(steps))
            .collect()
    }

    /// The instant the period starts: Shanghai midnight of its first day.
    pub fn start(&self) -> DateTime<Utc> {
        midnight(self.first)
    }

    /// The instant after its last day.
    pub fn end(&self) -> DateTime<Utc> {
        midnight(self.last + Duration::days(1))
    }

    /// `from` and `to` of the console queue's filter for the incidents reported in it.
    pub fn queue_query(&self) -> String {
        format!("from={}&to={}", self.first, self.last)
    }

    /// The report page's URL for this period.
    pub fn report_href(&self) -> String {
        match self.kind {
            PeriodKind::Custom => format!(
                "/console/reports?period=custom&start={}&end={}",
                self.first, self.last
            ),
            kind => format!(
                "/console/reports?period={}&start={}",
                kind.as_str(),
                self.first
            ),
        }
    }

    /// A short axis label: `11-23` for a week or range, `2026-11` for a month.
    pub fn short_label(&self) -> String {
        let day = self.first;
        match self.kind {
            PeriodKind::Month => format!("{}-{:02}", day.year(), day.month()),
            _ => format!("{:02}-{:02}", day.month(), day.day()),
        }
    }

    /// `2026-11-23 – 2026-11-29`, or `2026-11` for a month.
    pub fn label(&self) -> String {
        match self.kind {
            PeriodKind::Month => self.short_label(),
            _ => format!("{} – {}", self.first, self.last),
        }
    }
}

fn midnight(day: NaiveDate) -> DateTime<Utc> {
    (day.and_time(NaiveTime::MIN) - Duration::hours(8)).and_utc()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn a_week_runs_monday_to_sunday_in_shanghai() {
        // Sunday 2026-11-29 belongs to the week of Monday the 23rd.
        let week = Period::containing(PeriodKind::Week, date(2026, 11, 29));
        assert_eq!(
            (week.first, week.last),
            (date(2026, 11, 23), date(2026, 11, 29))
        );
        // Shanghai midnight is 16:00 UTC the day before.
        assert_eq!(week.start().to_rfc3339(), "2026-11-22T16:00:00+00:00");
        assert_eq!(week.end().to_rfc3339(), "2026-11-29T16:00:00+00:00");
        assert_eq!(week.back(1).first, date(2026, 11, 16));
        assert_eq!(week.after().first, date(2026, 11, 30));
        assert_eq!(week.queue_query(), "from=2026-11-23&to=2026-11-29");
    }

    #[test]
    fn months_go_back_by_calendar_month() {
        let march = Period::containing(PeriodKind::Month, date(2026, 3, 31));
        assert_eq!(
            (march.first, march.last),
            (date(2026, 3, 1), date(2026, 3, 31))
        );
        let february = march.back(1);
        assert_eq!(
            (february.first, february.last),
            (date(2026, 2, 1), date(2026, 2, 28))
        );
        let trend = march.trend();
        assert_eq!(trend.len(), 9);
        assert_eq!(trend[0].first, date(2025, 7, 1));
        assert_eq!(trend[8], march);
        assert_eq!(march.after().first, date(2026, 4, 1));
    }

    #[test]
    fn a_custom_range_repeats_its_length_backwards() {
        let today = date(2026, 11, 28);
        let range = Period::from_query(
            Some("custom"),
            Some("2026-11-01"),
            Some("2026-11-10"),
            today,
        );
        let range = range.unwrap_or(Period::containing(PeriodKind::Week, today));
        assert_eq!(range.days(), 10);
        assert_eq!(range.back(1).first, date(2026, 10, 22));
        assert_eq!(range.back(1).last, date(2026, 10, 31));
    }

    #[test]
    fn the_query_is_checked_field_by_field() {
        let today = date(2026, 11, 28);
        let week = Period::from_query(None, None, None, today).ok();
        assert_eq!(week.map(|w| w.first), Some(date(2026, 11, 23)));
        let month = Period::from_query(Some("month"), Some("2026-02-14"), None, today).ok();
        assert_eq!(month.map(|m| m.last), Some(date(2026, 2, 28)));
        let error = |kind, start, end| Period::from_query(kind, start, end, today).err();
        assert_eq!(
            error(Some("year"), None, None),
            Some(PeriodError::UnknownKind)
        );
        assert_eq!(
            error(None, Some("2026-13-01"), None),
            Some(PeriodError::BadStart)
        );
        assert_eq!(
            error(Some("custom"), None, Some("2026-11-02")),
            Some(PeriodError::NoStart)
        );
        assert_eq!(
            error(Some("custom"), Some("2026-11-02"), None),
            Some(PeriodError::NoEnd)
        );
        assert_eq!(
            error(Some("custom"), Some("2026-11-02"), Some("2026-11-01")),
            Some(PeriodError::EndBeforeStart)
        );
        assert_eq!(
            error(Some("custom"), Some("2024-01-01"), Some("2026-01-01")),
            Some(PeriodError::TooLong)
        );
        assert_eq!(PeriodError::TooLong.field(), "end");
        // A week sent from elsewhere must be a whole week.
        let crooked = Period {
            kind: PeriodKind::Week,
            first: date(2026, 11, 24),
            last: date(2026, 11, 30),
        };
        assert!(crooked.checked().is_err());
        assert!(Period::containing(PeriodKind::Week, today)
            .checked()
            .is_ok());
    }
}
