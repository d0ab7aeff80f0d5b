//! Every Monday at 09:00 (Shanghai), last week's report goes out once: by e-mail with its
//! workbook when mail and its recipients are set up, and as a summary to the handlers' WeCom
//! robot when an admin has switched the kind on. A replica that starts late catches up with
//! the week that is due; the week's row makes it happen once.

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc};
use sqlx::PgPool;

use super::page::{duration, percent};
use super::texts::ReportTexts;
use super::{share, Period, PeriodKind, Report};
use crate::error::AppError;
use crate::i18n::{fill, Locale};
use crate::incidents::Category;
use crate::mail::MailSettings;
use crate::notifications::outbox::{self, Facts};

/// When a week's report goes out: the Monday after it, at this time in Shanghai.
const SEND_AT: NaiveTime = match NaiveTime::from_hms_opt(9, 0, 0) {
    Some(at) => at,
    None => NaiveTime::MIN,
};

/// Hot questions a summary names.
const SUMMARY_HOT: usize = 3;

/// The week whose report is due at `now`: last week once this Monday's 09:00 has come, the
/// week before until then.
pub fn due_week(now: DateTime<Utc>) -> Period {
    let local = crate::time::to_shanghai(now);
    let monday = local.date_naive() - Duration::days(local.weekday().num_days_from_monday() as i64);
    let sent_from = if local.weekday() == chrono::Weekday::Mon && local.time() < SEND_AT {
        monday - Duration::days(7)
    } else {
        monday
    };
    Period::containing(PeriodKind::Week, sent_from - Duration::days(1))
}

/// [`send_due`] now.
pub async fn send_if_due(
    pool: &PgPool,
    mail: Option<&MailSettings>,
) -> Result<Option<Period>, AppError> {
    send_due(pool, mail, Utc::now()).await
}

/// Sends the due week's report unless it went out already. Answers the week it sent.
pub async fn send_due(
    pool: &PgPool,
    mail: Option<&MailSettings>,
    now: DateTime<Utc>,
) -> Result<Option<Period>, AppError> {
    let period = due_week(now);
    let sent = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM weekly_reports WHERE week_start = $1) AS "sent!""#,
        period.first as _
    )
    .fetch_one(pool)
    .await?;
    if sent {
        return Ok(None);
    }
    let report = super::store::report(pool, period).await?;
    let mut tx = pool.begin().await?;
    let mine = sqlx::query_scalar!(
        "INSERT INTO weekly_reports (week_start) VALUES ($1)
         ON CONFLICT DO NOTHING RETURNING week_start",
        period.first as _
    )
    .fetch_optional(&mut *tx)
    .await?;
    if mine.is_none() {
        // Another replica sent it meanwhile.
        return Ok(None);
    }
    // The team's language.
    let locale = Locale::Zh;
    let t = super::texts::of(locale);
    let facts = Facts {
        locale,
        title: period.label(),
        text: Some(summary(&report, t)),
        path: period.report_href(),
        ..Facts::default()
    };
    if let Some(mail) = mail.filter(|mail| !mail.report_to.is_empty()) {
        let subject = fill(t.mail_subject, &[&period.label()]);
        let message = mail_of(&report, &facts, mail, &subject)?;
        crate::mail::enqueue(&mut tx, &subject, &message).await?;
    }
    outbox::weekly_summary(&mut tx, &facts).await?;
    tx.commit().await?;
    Ok(Some(period))
}

/// The mail: the summary and the report's link, with the report's tables as a workbook.
fn mail_of(
    report: &Report,
    facts: &Facts,
    mail: &MailSettings,
    subject: &str,
) -> Result<lettre::Message, AppError> {
    use lettre::message::header::ContentType;
    use lettre::message::{Attachment, MultiPart, SinglePart};
    let period = report.period;
    let body = format!(
        "{}\n\n{}{}\n",
        facts.text.as_deref().unwrap_or_default(),
        mail.link_base,
        facts.path
    );
    let workbook = super::export::xlsx(&super::export::tables(report, facts.locale))?;
    let file = format!("service-report-{}-{}.xlsx", period.first, period.last);
    let kind = ContentType::parse(super::export::XLSX).map_err(|_| AppError::Internal)?;
    let builder = mail.report_to.iter().fold(
        lettre::Message::builder().from(mail.from.clone()),
        |b, to| b.to(to.clone()),
    );
    builder
        .subject(subject)
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(body))
                .singlepart(Attachment::new(file).body(workbook, kind)),
        )
        .map_err(|error| {
            tracing::error!(%error, "weekly report mail not built");
            AppError::Internal
        })
}

/// The report in four lines: counts, rates, times, hot questions. Counts only: no incident,
/// no customer.
pub fn summary(report: &Report, t: &ReportTexts) -> String {
    let now = report.current();
    let mut lines = vec![
        fill(
            t.summary_counts,
            &[
                &now.reported,
                &now.resolved,
                &percent(t, share(now.resolved, now.reported)),
            ],
        ),
        fill(
            t.summary_rates,
            &[
                &percent(t, share(now.timely, now.resolved)),
                &percent(
                    t,
                    share(now.category(Some(Category::Consultation)), now.reported),
                ),
                &report.reopened,
            ],
        ),
        fill(
            t.summary_times,
            &[
                &duration(t, report.first_response.median_secs),
                &duration(t, report.resolution.median_secs),
            ],
        ),
    ];
    let hot: Vec<String> = report
        .subcategories
        .iter()
        .take(SUMMARY_HOT)
        .map(|topic| fill(t.summary_hot_item, &[&topic.subcategory, &topic.count]))
        .collect();
    if !hot.is_empty() {
        lines.push(fill(t.summary_hot, &[&hot.join("、")]));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339)
            .map(|at| at.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn last_week_is_due_from_monday_nine_in_shanghai() {
        let first = |now| due_week(at(now)).first.to_string();
        // Monday 2026-11-30 08:59 in Shanghai: the week before last is the one due.
        assert_eq!(first("2026-11-30T00:59:00Z"), "2026-11-16");
        assert_eq!(first("2026-11-30T01:00:00Z"), "2026-11-23");
        assert_eq!(first("2026-12-06T15:59:00Z"), "2026-11-23");
        // Sunday 23:59 in UTC is Monday 07:59 in Shanghai.
        assert_eq!(first("2026-12-06T23:59:00Z"), "2026-11-23");
        assert_eq!(first("2026-12-07T01:00:00Z"), "2026-11-30");
    }
}
