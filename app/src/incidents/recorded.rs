//! An incident that reached the team another way (a WeChat group, ITSM, a phone call,
//! monitoring), recorded by a handler in the console with the same checks as a report.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Channel, FieldError, NewReport};
use crate::checks::within;
use crate::error::Problem;
use crate::incidents::IncidentNumber;

/// An ITSM ticket number, a WeChat message's link: what finds the record in the other system.
pub const MAX_EXTERNAL_REF: u32 = 64;
/// Who raised it there (a name, a WeChat nickname).
pub const MAX_CONTACT: u32 = 40;
/// How far back an incident may be recorded: older ones belong to an import.
pub const MAX_AGE_DAYS: i64 = 31;
/// Clocks differ a little between a handler's computer and the server.
const CLOCK_SLACK_MINUTES: i64 = 5;

/// The console's form. Optional texts are empty strings, as the form holds them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RecordedIncident {
    pub channel: Option<Channel>,
    /// When it reached the team, `YYYY-MM-DDTHH:MM` in Shanghai (a `datetime-local` input).
    pub received_at: String,
    pub external_ref: String,
    pub contact: String,
    pub report: NewReport,
}

/// What recording answered: the new incident, or the one already recorded under the same
/// reference in the same channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recorded {
    pub number: IncidentNumber,
    pub existing: bool,
}

impl RecordedIncident {
    pub fn normalized(&self) -> Self {
        Self {
            channel: self.channel,
            received_at: self.received_at.trim().to_owned(),
            external_ref: self.external_ref.trim().to_owned(),
            contact: self.contact.trim().to_owned(),
            report: self.report.normalized(),
        }
    }

    /// The moment it reached the team, when the form's text is one.
    pub fn received(&self) -> Option<DateTime<Utc>> {
        let local = NaiveDateTime::parse_from_str(&self.received_at, "%Y-%m-%dT%H:%M").ok()?;
        local
            .and_local_timezone(crate::time::shanghai())
            .single()
            .map(|at| at.with_timezone(&Utc))
    }

    /// Every problem of a normalised form, in form order.
    pub fn problems(&self, now: DateTime<Utc>) -> Vec<FieldError> {
        self.problems_within(now, MAX_AGE_DAYS)
    }

    /// The same checks, for a record received at most `max_age_days` ago (imports bring in
    /// older history than the form).
    pub fn problems_within(&self, now: DateTime<Utc>, max_age_days: i64) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut check = |field: &'static str, result: Result<(), Problem>| {
            if let Err(problem) = result {
                errors.push(FieldError { field, problem });
            }
        };
        // Reports from the phone app file themselves.
        check(
            "channel",
            match self.channel {
                None => Err(Problem::Required),
                Some(Channel::Mobile) => Err(Problem::UnknownChoice),
                Some(_) => Ok(()),
            },
        );
        check(
            "received_at",
            match self.received() {
                None if self.received_at.is_empty() => Err(Problem::Required),
                None => Err(Problem::Format),
                Some(at) if at > now + Duration::minutes(CLOCK_SLACK_MINUTES) => {
                    Err(Problem::InFuture)
                }
                Some(at) if at < now - Duration::days(max_age_days) => Err(Problem::TooOld {
                    max_days: max_age_days as u32,
                }),
                Some(_) => Ok(()),
            },
        );
        check("external_ref", within(&self.external_ref, MAX_EXTERNAL_REF));
        check("contact", within(&self.contact, MAX_CONTACT));
        let today = crate::time::to_shanghai(now).date_naive();
        errors.extend(self.report.problems(today));
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incidents::DocType;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-01T02:00:00Z")
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn by_phone(received_at: &str) -> RecordedIncident {
        RecordedIncident {
            channel: Some(Channel::Phone),
            received_at: received_at.into(),
            external_ref: String::new(),
            contact: "王经理".into(),
            report: NewReport {
                customer_name: "张三".into(),
                id_doc_type: DocType::IdCard,
                id_number: "11010519491231002X".into(),
                system: "trading".into(),
                title: "委托失败".into(),
                description: "客户来电：下单提示资金账号异常".into(),
                ..NewReport::default()
            },
        }
    }

    fn fields(form: &RecordedIncident) -> Vec<(&'static str, Problem)> {
        form.normalized()
            .problems(now())
            .into_iter()
            .map(|e| (e.field, e.problem))
            .collect()
    }

    #[test]
    fn received_time_is_read_in_shanghai() {
        // 10:00 in Shanghai is 02:00 UTC.
        assert_eq!(by_phone("2026-12-01T10:00").received(), Some(now()));
        assert!(fields(&by_phone("2026-12-01T10:00")).is_empty());
    }

    #[test]
    fn the_time_must_be_a_past_moment_of_the_last_month() {
        assert_eq!(
            fields(&by_phone("2026-12-01T10:30")),
            [("received_at", Problem::InFuture)]
        );
        assert_eq!(
            fields(&by_phone("2026-10-01T10:00")),
            [(
                "received_at",
                Problem::TooOld {
                    max_days: MAX_AGE_DAYS as u32
                }
            )]
        );
        assert_eq!(
            fields(&by_phone("明天上午")),
            [("received_at", Problem::Format)]
        );
        assert_eq!(fields(&by_phone("")), [("received_at", Problem::Required)]);
    }

    #[test]
    fn the_phone_app_is_not_a_channel_one_records_by_hand() {
        let mut form = by_phone("2026-12-01T09:00");
        form.channel = Some(Channel::Mobile);
        assert_eq!(fields(&form), [("channel", Problem::UnknownChoice)]);
        form.channel = None;
        assert_eq!(fields(&form), [("channel", Problem::Required)]);
    }

    #[test]
    fn the_report_part_is_checked_as_a_report_is() {
        let mut form = by_phone("2026-12-01T09:00");
        form.report.id_number = "110105194912310021".into();
        form.external_ref = "单".repeat(MAX_EXTERNAL_REF as usize + 1);
        assert_eq!(
            fields(&form),
            [
                (
                    "external_ref",
                    Problem::TooLong {
                        max: MAX_EXTERNAL_REF
                    }
                ),
                ("id_number", Problem::IdCardChecksum)
            ]
        );
    }
}
