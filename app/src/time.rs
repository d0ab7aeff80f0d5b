//! Timestamps are stored in UTC and always shown in Asia/Shanghai.

use chrono::{DateTime, FixedOffset, Offset as _, Utc};

/// Asia/Shanghai has been UTC+8 without daylight saving since 1991, so a fixed offset is exact
/// and spares the browser bundle a time-zone database.
const SHANGHAI_OFFSET_SECS: i32 = 8 * 3600;

pub fn to_shanghai(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    let offset = FixedOffset::east_opt(SHANGHAI_OFFSET_SECS).unwrap_or_else(|| Utc.fix());
    at.with_timezone(&offset)
}

/// `2026-11-24 09:05` in Shanghai time.
pub fn format_minute(at: DateTime<Utc>) -> String {
    to_shanghai(at).format("%Y-%m-%d %H:%M").to_string()
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
}
