//! What a finished run means for its rule's alerts: a rule that turns abnormal (or cannot
//! run) alerts the handlers' robot of its system and the monitoring mailbox once, keeps quiet
//! for its cooldown and while someone has silenced it, and sends a recovery notice when it
//! runs normal again. Messages carry the rule and its counts, never a record.

use chrono::{DateTime, Duration, Utc};
use lettre::message::Mailbox;
use sqlx::PgConnection;

use super::texts::MonitorTexts;
use super::Outcome;
use crate::error::AppError;
use crate::i18n::{fill, Locale};
use crate::incidents::Severity;
use crate::mail::MailSettings;
use crate::notifications::outbox::{self, Facts};
use crate::notifications::Kind;

/// Where alerts go by e-mail: nowhere unless mail is set up and someone is named.
#[derive(Debug, Clone, Default)]
pub struct Alerts {
    pub mail: Option<MailSettings>,
    /// `MONITOR_MAIL_TO`.
    pub mail_to: Vec<Mailbox>,
}

/// What a run did about alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertAction {
    Alerted,
    Recovered,
    /// Not normal, but an alert went out within the rule's cooldown.
    Cooldown,
    /// Not normal, but someone silenced the rule.
    Silenced,
}

impl AlertAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Alerted => "alerted",
            Self::Recovered => "recovered",
            Self::Cooldown => "cooldown",
            Self::Silenced => "silenced",
        }
    }
}

/// A rule's alert state before a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertState {
    /// An alert went out and no recovery since.
    pub alerting: bool,
    pub last_alert_at: Option<DateTime<Utc>>,
    pub cooldown_minutes: i32,
    pub silenced_until: Option<DateTime<Utc>>,
}

/// What a run with `outcome` at `now` does about alerts; `None`: nothing to say.
pub fn decide(state: AlertState, outcome: Outcome, now: DateTime<Utc>) -> Option<AlertAction> {
    if outcome == Outcome::Normal {
        return state.alerting.then_some(AlertAction::Recovered);
    }
    if state.silenced_until.is_some_and(|until| until > now) {
        return Some(AlertAction::Silenced);
    }
    let cooling = state
        .last_alert_at
        .is_some_and(|at| now < at + Duration::minutes(i64::from(state.cooldown_minutes)));
    Some(if cooling {
        AlertAction::Cooldown
    } else {
        AlertAction::Alerted
    })
}

/// Decides and writes the alerts of a finished run, in the transaction that records it.
/// `summary` says what the run found, in the team's language.
pub async fn after_run(
    conn: &mut PgConnection,
    run_id: i64,
    outcome: Outcome,
    summary: &str,
    alerts: &Alerts,
    now: DateTime<Utc>,
) -> Result<Option<AlertAction>, AppError> {
    let rule = sqlx::query!(
        r#"SELECT r.id, r.name, r.severity AS "severity: Severity", r.system_id, r.alerting,
                  r.last_alert_at AS "last_alert_at: DateTime<Utc>", r.cooldown_minutes,
                  r.silenced_until AS "silenced_until: DateTime<Utc>"
           FROM monitor_rules r JOIN monitor_runs u ON u.rule_id = r.id
           WHERE u.id = $1
           FOR UPDATE OF r"#,
        run_id
    )
    .fetch_one(&mut *conn)
    .await?;
    let state = AlertState {
        alerting: rule.alerting,
        last_alert_at: rule.last_alert_at,
        cooldown_minutes: rule.cooldown_minutes,
        silenced_until: rule.silenced_until,
    };
    let Some(action) = decide(state, outcome, now) else {
        return Ok(None);
    };
    sqlx::query!(
        "UPDATE monitor_runs SET alert = $2 WHERE id = $1",
        run_id,
        action.as_str()
    )
    .execute(&mut *conn)
    .await?;
    let kind = match action {
        AlertAction::Alerted => {
            sqlx::query!(
                "UPDATE monitor_rules SET alerting = TRUE, last_alert_at = $2 WHERE id = $1",
                rule.id,
                now as _,
            )
            .execute(&mut *conn)
            .await?;
            Kind::MonitorAlert
        }
        AlertAction::Recovered => {
            sqlx::query!(
                "UPDATE monitor_rules SET alerting = FALSE WHERE id = $1",
                rule.id
            )
            .execute(&mut *conn)
            .await?;
            Kind::MonitorRecovered
        }
        AlertAction::Cooldown | AlertAction::Silenced => return Ok(Some(action)),
    };
    let locale = Locale::default();
    let t = super::texts::of(locale);
    let facts = Facts {
        locale,
        title: rule.name.clone(),
        severity: Some(rule.severity),
        text: Some(summary.to_owned()),
        path: format!("/console/monitor/runs/{run_id}"),
        ..Facts::default()
    };
    outbox::monitor_notice(conn, kind, rule.system_id, &facts).await?;
    if let Some(mail) = alerts.mail.as_ref().filter(|_| !alerts.mail_to.is_empty()) {
        let subject = fill(
            if kind == Kind::MonitorAlert {
                t.mail_alert
            } else {
                t.mail_recovered
            },
            &[&rule.name],
        );
        let message = message(mail, &alerts.mail_to, &subject, summary, &facts.path)?;
        crate::mail::enqueue(conn, &subject, &message).await?;
    }
    Ok(Some(action))
}

fn message(
    mail: &MailSettings,
    to: &[Mailbox],
    subject: &str,
    summary: &str,
    path: &str,
) -> Result<lettre::Message, AppError> {
    let body = format!("{summary}\n\n{}{path}\n", mail.link_base);
    to.iter()
        .fold(
            lettre::Message::builder().from(mail.from.clone()),
            |b, to| b.to(to.clone()),
        )
        .subject(subject)
        .body(body)
        .map_err(|error| {
            tracing::error!(%error, "monitoring mail not built");
            AppError::Internal
        })
}

/// What a run found, in a line for its alert.
pub fn summary(
    t: &MonitorTexts,
    outcome: Outcome,
    normal: u64,
    abnormal: u64,
    error: Option<&super::ReadError>,
) -> String {
    match (outcome, error) {
        (Outcome::Error, Some(error)) => fill(t.alert_error, &[&t.read_error(error)]),
        _ => fill(t.counts, &[&normal, &abnormal]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::minutes(minutes)
    }

    #[test]
    fn a_rule_alerts_once_a_cooldown_and_recovers_once() {
        let quiet = AlertState {
            alerting: false,
            last_alert_at: None,
            cooldown_minutes: 60,
            silenced_until: None,
        };
        assert_eq!(decide(quiet, Outcome::Normal, at(0)), None);
        assert_eq!(
            decide(quiet, Outcome::Abnormal, at(0)),
            Some(AlertAction::Alerted)
        );
        assert_eq!(
            decide(quiet, Outcome::Error, at(0)),
            Some(AlertAction::Alerted)
        );
        let alerted = AlertState {
            alerting: true,
            last_alert_at: Some(at(0)),
            ..quiet
        };
        assert_eq!(
            decide(alerted, Outcome::Abnormal, at(59)),
            Some(AlertAction::Cooldown)
        );
        assert_eq!(
            decide(alerted, Outcome::Abnormal, at(60)),
            Some(AlertAction::Alerted),
            "reminded once the cooldown is over"
        );
        assert_eq!(
            decide(alerted, Outcome::Normal, at(10)),
            Some(AlertAction::Recovered)
        );
        let silenced = AlertState {
            silenced_until: Some(at(240)),
            ..alerted
        };
        assert_eq!(
            decide(silenced, Outcome::Abnormal, at(120)),
            Some(AlertAction::Silenced)
        );
        assert_eq!(
            decide(silenced, Outcome::Abnormal, at(240)),
            Some(AlertAction::Alerted)
        );
    }
}
