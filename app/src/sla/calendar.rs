//! Business time: working hours on working days in Asia/Shanghai, holidays and exchanged
//! weekend workdays (调休) included. SLA clocks count only this time.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};

use super::DayKind;
use crate::time::{shanghai, to_shanghai};

/// How far ahead a due time is searched: a calendar with no working day would loop forever.
const HORIZON_DAYS: i64 = 3 * 366;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusinessCalendar {
    pub day_start: NaiveTime,
    pub day_end: NaiveTime,
    /// Monday first.
    pub weekdays: [bool; 7],
    pub exceptions: BTreeMap<NaiveDate, DayKind>,
}

impl Default for BusinessCalendar {
    /// Weekdays 9:00 to 18:00, no holidays.
    fn default() -> Self {
        Self {
            day_start: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            day_end: NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default(),
            weekdays: [true, true, true, true, true, false, false],
            exceptions: BTreeMap::new(),
        }
    }
}

impl BusinessCalendar {
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        match self.exceptions.get(&day) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => self.weekdays[day.weekday().num_days_from_monday() as usize],
        }
    }

    /// The working window of `day` as instants, if it is a working day.
    fn window(&self, day: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.is_working_day(day) {
            return None;
        }
        let at = |time: NaiveTime| {
            shanghai()
                .from_local_datetime(&day.and_time(time))
                .single()
                .map(|t| t.with_timezone(&Utc))
        };
        Some((at(self.day_start)?, at(self.day_end)?))
    }

    fn local_day(at: DateTime<Utc>) -> NaiveDate {
        to_shanghai(at).date_naive()
    }

    /// Business seconds between two instants (0 when `to` is not after `from`).
    pub fn seconds_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = 0;
        let mut day = Self::local_day(from);
        let last = Self::local_day(to);
        while day <= last {
            if let Some((start, end)) = self.window(day) {
                let (start, end) = (start.max(from), end.min(to));
                if end > start {
                    total += (end - start).num_seconds();
                }
            }
            match day.succ_opt() {
                Some(next) => day = next,
                None => break,
            }
        }
        total
    }

    /// The instant `seconds` of business time after `from`, or `None` when the calendar has no
    /// working time within three years.
    pub fn add_seconds(&self, from: DateTime<Utc>, seconds: i64) -> Option<DateTime<Utc>> {
        let mut left = seconds.max(0);
        let mut day = Self::local_day(from);
        for _ in 0..HORIZON_DAYS {
            if let Some((start, end)) = self.window(day) {
                let start = start.max(from);
                if end > start {
                    let available = (end - start).num_seconds();
                    // Landing exactly on the end of a window counts as that day.
                    if left <= available {
                        return Some(start + Duration::seconds(left));
                    }
                    left -= available;
                }
            }
            day = day.succ_opt()?;
        }
        None
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// November 2026 in Shanghai time; the 23rd is a Monday.
    pub(crate) fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        shanghai()
            .with_ymd_and_hms(2026, 11, day, hour, minute, 0)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn date(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap_or_default()
    }

    #[test]
    fn counts_only_working_hours() {
        let cal = BusinessCalendar::default();
        // Monday 17:00 to Tuesday 10:00: one hour on each day.
        assert_eq!(cal.seconds_between(at(23, 17, 0), at(24, 10, 0)), 2 * 3600);
        // Friday 17:30 to Monday 9:30 skips the weekend.
        assert_eq!(cal.seconds_between(at(27, 17, 30), at(30, 9, 30)), 3600);
        // Outside hours only: nothing.
        assert_eq!(cal.seconds_between(at(23, 19, 0), at(24, 8, 0)), 0);
        assert_eq!(cal.seconds_between(at(24, 10, 0), at(23, 10, 0)), 0);
        // A whole working week.
        assert_eq!(
            cal.seconds_between(at(23, 0, 0), at(30, 0, 0)),
            5 * 9 * 3600
        );
    }

    #[test]
    fn adds_across_evenings_weekends_and_holidays() {
        let mut cal = BusinessCalendar::default();
        // Two hours from Monday 17:00: one today, one from Tuesday 9:00.
        assert_eq!(
            cal.add_seconds(at(23, 17, 0), 2 * 3600),
            Some(at(24, 10, 0))
        );
        // Reported on Saturday night: the clock starts Monday morning.
        assert_eq!(cal.add_seconds(at(28, 22, 0), 1800), Some(at(30, 9, 30)));
        // Exactly the rest of the day lands on its end, not the next morning.
        assert_eq!(cal.add_seconds(at(23, 17, 0), 3600), Some(at(23, 18, 0)));
        // Tuesday is a holiday, Saturday a worked exchange day.
        cal.exceptions.insert(date(24), DayKind::Holiday);
        cal.exceptions.insert(date(28), DayKind::Workday);
        assert_eq!(
            cal.add_seconds(at(23, 17, 0), 2 * 3600),
            Some(at(25, 10, 0))
        );
        assert!(!cal.is_working_day(date(24)));
        assert!(cal.is_working_day(date(28)));
        assert_eq!(
            cal.seconds_between(at(27, 9, 0), at(29, 9, 0)),
            2 * 9 * 3600
        );
    }

    #[test]
    fn adding_then_measuring_gives_the_same_time() {
        let cal = BusinessCalendar::default();
        let from = at(25, 11, 17);
        for minutes in [0, 1, 59, 60, 540, 541, 1620, 10_000] {
            let due = cal.add_seconds(from, minutes * 60);
            let due = due.unwrap_or_default();
            assert_eq!(cal.seconds_between(from, due), minutes * 60, "{minutes}");
        }
    }

    #[test]
    fn a_calendar_without_working_days_has_no_due_time() {
        let cal = BusinessCalendar {
            weekdays: [false; 7],
            ..BusinessCalendar::default()
        };
        assert_eq!(cal.add_seconds(at(23, 9, 0), 60), None);
        assert_eq!(cal.seconds_between(at(23, 9, 0), at(30, 9, 0)), 0);
    }
}
