//! E-mail over SMTP (lettre), off unless `SMTP_URL` and `MAIL_FROM` are set. Messages are
//! written into `mail_outbox` in the transaction of what causes them ([`enqueue`]) and sent by
//! any replica's worker ([`delivery::Mailer`]), so nothing committed is lost to a crash.

pub mod delivery;

use lettre::message::Mailbox;
use lettre::Message;
use sqlx::PgConnection;

use crate::error::AppError;

/// Where mail goes from and to, read once at start-up.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// `smtp://host:25`, `smtp://user:password@host:587?tls=required` or `smtps://…:465`.
    pub smtp_url: String,
    pub from: Mailbox,
    /// Who gets the weekly service report; none: it is not mailed.
    pub report_to: Vec<Mailbox>,
    /// This app's public address, for links in mail.
    pub link_base: String,
}

impl MailSettings {
    /// The settings when e-mail is set up (`None` when neither the URL nor the sender is
    /// given), or the name of the setting that is wrong.
    pub fn from_parts(
        smtp_url: Option<String>,
        from: Option<String>,
        report_to: Option<String>,
        link_base: &str,
    ) -> Result<Option<Self>, &'static str> {
        let (smtp_url, from) = match (smtp_url, from) {
            (None, None) => return Ok(None),
            (Some(url), Some(from)) => (url, from),
            (None, Some(_)) => return Err("SMTP_URL"),
            (Some(_), None) => return Err("MAIL_FROM"),
        };
        if !(smtp_url.starts_with("smtp://") || smtp_url.starts_with("smtps://")) {
            return Err("SMTP_URL");
        }
        let from = from.parse().map_err(|_| "MAIL_FROM")?;
        let report_to = mailboxes(report_to.as_deref(), "REPORT_MAIL_TO")?;
        Ok(Some(Self {
            smtp_url,
            from,
            report_to,
            link_base: link_base.trim_end_matches('/').to_owned(),
        }))
    }
}

/// Addresses separated by commas or semicolons (the setting `name` when one does not read).
pub fn mailboxes(text: Option<&str>, name: &'static str) -> Result<Vec<Mailbox>, &'static str> {
    text.unwrap_or_default()
        .split([',', ';'])
        .map(str::trim)
        .filter(|to| !to.is_empty())
        .map(|to| to.parse().map_err(|_| name))
        .collect()
}

/// Writes `message` into the outbox in the caller's transaction.
pub async fn enqueue(
    conn: &mut PgConnection,
    subject: &str,
    message: &Message,
) -> Result<(), AppError> {
    let envelope = message.envelope();
    let sender = envelope.from().map(ToString::to_string).unwrap_or_default();
    let recipients: Vec<String> = envelope.to().iter().map(ToString::to_string).collect();
    sqlx::query!(
        "INSERT INTO mail_outbox (sender, recipients, subject, message) VALUES ($1, $2, $3, $4)",
        sender,
        &recipients,
        subject,
        message.formatted()
    )
    .execute(conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(
        url: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<usize, &'static str> {
        MailSettings::from_parts(
            url.map(Into::into),
            from.map(Into::into),
            to.map(Into::into),
            "https://desk.example.com/",
        )
        .map(|settings| settings.map_or(0, |s| s.report_to.len() + 1))
    }

    #[test]
    fn mail_is_off_until_both_url_and_sender_are_set_and_bad_settings_are_named() {
        assert_eq!(parts(None, None, Some("a@example.com")), Ok(0));
        assert_eq!(parts(Some("smtp://mail:25"), None, None), Err("MAIL_FROM"));
        assert_eq!(parts(None, Some("desk@example.com"), None), Err("SMTP_URL"));
        assert_eq!(
            parts(Some("http://mail"), Some("desk@example.com"), None),
            Err("SMTP_URL")
        );
        assert_eq!(
            parts(Some("smtp://mail:25"), Some("not an address"), None),
            Err("MAIL_FROM")
        );
        assert_eq!(
            parts(
                Some("smtp://mail:25"),
                Some("事件处理平台 <desk@example.com>"),
                Some("a@example.com, b@example.com;")
            ),
            Ok(3)
        );
        assert_eq!(
            parts(
                Some("smtp://mail:25"),
                Some("desk@example.com"),
                Some("a@example.com, nobody")
            ),
            Err("REPORT_MAIL_TO")
        );
    }
}
