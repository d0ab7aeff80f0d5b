//! Timestamps are stored in UTC and always shown in Asia/Shanghai.

use chrono::{DateTime, Datelike as _, FixedOffset, NaiveDate, Offset as _, Timelike as _, Utc};

/// Asia/Shanghai has been UTC+8 without daylight saving since 1991, so a fixed offset is exact
/// and spares the browser bundle a time-zone database.
const SHANGHAI_OFFSET_SECS: i32 = 8 * 3600;

pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(SHANGHAI_OFFSET_SECS).unwrap_or_else(|| Utc.fix())
}

pub fn to_shanghai(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&shanghai())
}

/// `2026-11-24 09:05` in Shanghai time.
pub fn format_minute(at: DateTime<Utc>) -> String {
    let at = to_shanghai(at);
    format!("{}-{}", at.year(), month_day_minute(&at))
}

// Written out rather than with `format("%…")`: chrono's format-string machinery would add
// kilobytes to the phone's first load for three fixed layouts.
fn hour_minute(at: &DateTime<FixedOffset>) -> String {
    format!("{:02}:{:02}", at.hour(), at.minute())
}

fn month_day_minute(at: &DateTime<FixedOffset>) -> String {
    format!("{:02}-{:02} {}", at.month(), at.day(), hour_minute(at))
}

/// Today's date in Shanghai: the upper bound of a birth date.
pub fn shanghai_today() -> NaiveDate {
    to_shanghai(Utc::now()).date_naive()
}

/// `09:05` for today, `11-23 09:05` earlier this year, the full minute otherwise.
pub fn format_recent(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let (at, now) = (to_shanghai(at), to_shanghai(now));
    if at.date_naive() == now.date_naive() {
        hour_minute(&at)
    } else if at.year() == now.year() {
        month_day_minute(&at)
    } else {
        format!("{}-{}", at.year(), month_day_minute(&at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone as _;

    #[test]
    fn utc_evening_is_next_morning_in_shanghai() {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 23, 17, 30, 0)
            .single()
            .expect("valid time");
        assert_eq!(format_minute(at), "2026-11-24 01:30");
    }

    #[test]
    fn recent_times_drop_what_the_reader_knows() {
        let at = |d, h| {
            Utc.with_ymd_and_hms(2026, 11, d, h, 5, 0)
                .single()
                .expect("valid time")
        };
        assert_eq!(format_recent(at(24, 2), at(24, 9)), "10:05");
        assert_eq!(format_recent(at(20, 2), at(24, 9)), "11-20 10:05");
        let last_year = Utc
            .with_ymd_and_hms(2025, 1, 2, 2, 5, 0)
            .single()
            .expect("valid time");
        assert_eq!(format_recent(last_year, at(24, 9)), "2025-01-02 10:05");
    }
}
