//! The mail worker: due messages taken with `FOR UPDATE SKIP LOCKED` and kept locked while they
//! are sent, so a crash mid-send leaves them due for the next worker; retried with back-off,
//! given up after a few attempts.

use std::time::Duration;

use lettre::address::Envelope;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sqlx::PgPool;

use super::MailSettings;
use crate::error::AppError;

/// Messages one pass takes.
const BATCH: i64 = 8;
/// Attempts before a message is given up (its row stays, marked dead, with the last error).
const MAX_ATTEMPTS: i32 = 8;

pub struct Mailer {
    pool: PgPool,
    transport: AsyncSmtpTransport<Tokio1Executor>,
}

impl Mailer {
    pub fn new(
        pool: PgPool,
        settings: &MailSettings,
    ) -> Result<Self, lettre::transport::smtp::Error> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        Ok(Self { pool, transport })
    }

    /// Sends what is due every 15 seconds.
    pub async fn run(self) {
        let mut tick = tokio::time::interval(Duration::from_secs(15));
        loop {
            tick.tick().await;
            if let Err(error) = self.deliver_due().await {
                tracing::warn!(?error, "mail delivery failed");
            }
        }
    }

    /// One pass: answers how many messages were sent.
    pub async fn deliver_due(&self) -> Result<usize, AppError> {
        let mut tx = self.pool.begin().await?;
        let due = sqlx::query!(
            "SELECT id, sender, recipients, message, attempts FROM mail_outbox
             WHERE state = 'pending' AND due_at <= now()
             ORDER BY due_at, id LIMIT $1 FOR UPDATE SKIP LOCKED",
            BATCH
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut sent = 0;
        for row in due {
            let attempts = row.attempts + 1;
            match self.send(&row.sender, &row.recipients, &row.message).await {
                Ok(()) => {
                    sent += 1;
                    sqlx::query!(
                        "UPDATE mail_outbox SET state = 'sent', sent_at = now(), attempts = $2,
                                                last_error = NULL
                         WHERE id = $1",
                        row.id,
                        attempts
                    )
                    .execute(&mut *tx)
                    .await?;
                }
                Err(why) => {
                    tracing::warn!(id = row.id, attempts, %why, "mail not sent");
                    // 1, 2, 4 … minutes, at most 64.
                    let wait_secs = 60 * 2_i64.pow((attempts - 1).clamp(0, 6) as u32);
                    sqlx::query!(
                        "UPDATE mail_outbox
                         SET attempts = $2::INT, last_error = $3,
                             state = CASE WHEN $2::INT >= $4::INT THEN 'dead' ELSE 'pending' END,
                             due_at = now() + make_interval(secs => $5)
                         WHERE id = $1",
                        row.id,
                        attempts,
                        why,
                        MAX_ATTEMPTS,
                        wait_secs as f64
                    )
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(sent)
    }

    /// The SMTP server's refusal or the transport's failure, as a sentence for the log row.
    async fn send(
        &self,
        sender: &str,
        recipients: &[String],
        message: &[u8],
    ) -> Result<(), String> {
        let from = sender.parse().map_err(|_| "bad sender".to_owned())?;
        let to = recipients
            .iter()
            .map(|to| to.parse())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| "bad recipient".to_owned())?;
        let envelope = Envelope::new(Some(from), to).map_err(|error| error.to_string())?;
        self.transport
            .send_raw(&envelope, message)
            .await
            .map(|_| ())
            .map_err(|error| error.to_string())
    }
}
