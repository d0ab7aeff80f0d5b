//! The worker that empties the outbox. Any replica may run it: due rows are taken with
//! `FOR UPDATE SKIP LOCKED` and stay locked while they are sent, so two workers never send
//! one row, and a worker that dies mid-send leaves its rows to the next. Robots are kept to
//! 20 messages in any minute by grants recorded in PostgreSQL, shared by every worker; a robot
//! WeCom calls rate-limited pauses for a minute while the others go on.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::StreamExt as _;
use rand::Rng as _;
use sqlx::postgres::PgListener;
use sqlx::PgPool;

use super::outbox::{Facts, DUE_CHANNEL};
use super::render::{self, Links};
use super::wecom::{Answer, WeCom};
use super::{store, Kind, TestAnswer};
use crate::error::AppError;
use crate::incidents::sealed::{keyring, Column};

/// Messages a robot may send in any window of [`ROBOT_WINDOW_SECS`].
pub const ROBOT_PER_MINUTE: i64 = 20;
/// WeCom's minute, with a margin for a message that takes a moment to arrive.
pub const ROBOT_WINDOW_SECS: i64 = 62;
/// How long a robot rests after WeCom said "rate limited": at least the minute WeCom asks.
pub const RATE_LIMIT_PAUSE_SECS: i64 = 61;
/// An access token is renewed this long before WeCom says it expires.
const TOKEN_MARGIN_SECS: i64 = 300;
/// Rows one worker takes at a time, and sends at once.
const BATCH: i64 = 16;
const AT_ONCE: usize = 8;
/// Longest sleep between looks at the outbox when nothing wakes the worker.
const IDLE: Duration = Duration::from_secs(5);

/// The worker's time. Tests move it forward to see back-off and pauses end without waiting.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::milliseconds(self.offset_ms.load(Ordering::Relaxed))
    }

    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}

/// Retries with exponential back-off and jitter, up to a number of attempts.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub first: Duration,
    pub longest: Duration,
    /// Attempts after which a message is given up (dead).
    pub attempts: i32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            first: Duration::from_secs(10),
            longest: Duration::from_secs(15 * 60),
            attempts: 8,
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempt` (from 1): doubling, capped, ±20%.
    pub fn delay(&self, attempt: i32) -> Duration {
        let doubled = self
            .first
            .saturating_mul(1u32 << attempt.clamp(1, 20).saturating_sub(1));
        let base = doubled.min(self.longest);
        base.mul_f64(rand::rng().random_range(0.8..1.2))
    }
}

/// What happened to one row.
#[derive(Debug)]
enum Outcome {
    Sent,
    /// Not tried: the robot is paused or used its minute.
    Wait(DateTime<Utc>),
    Retry(String),
    Dead(String),
}

impl From<Answer> for Outcome {
    fn from(answer: Answer) -> Self {
        match answer {
            Answer::Delivered => Self::Sent,
            Answer::RateLimited => Self::Retry("rate limited".to_owned()),
            Answer::TokenExpired => Self::Retry("access token refused".to_owned()),
            Answer::Retry(why) => Self::Retry(why),
            Answer::Permanent(why) => Self::Dead(why),
        }
    }
}

#[derive(Clone)]
struct Due {
    id: i64,
    kind: Kind,
    robot_id: Option<i16>,
    to_user_id: Option<i64>,
    facts: serde_json::Value,
    attempts: i32,
}

struct App {
    corp_id: String,
    agent_id: i64,
    secret: String,
}

/// Sends the outbox. Cheap to clone: every clone shares the pool, the client and the clock.
#[derive(Debug, Clone)]
pub struct Deliverer {
    pool: PgPool,
    wecom: WeCom,
    links: Links,
    clock: Clock,
    policy: RetryPolicy,
}

impl Deliverer {
    pub fn new(pool: PgPool, wecom: WeCom, links: Links) -> Self {
        Self {
            pool,
            wecom,
            links,
            clock: Clock::default(),
            policy: RetryPolicy::default(),
        }
    }

    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Works the outbox until the process ends: woken by every commit that wrote messages, and
    /// every few seconds for messages whose time came.
    pub async fn run(self) {
        let mut listener = loop {
            match PgListener::connect_with(&self.pool).await {
                Ok(mut listener) => match listener.listen(DUE_CHANNEL).await {
                    Ok(()) => break listener,
                    Err(error) => tracing::warn!(%error, "notification worker cannot listen"),
                },
                Err(error) => tracing::warn!(%error, "notification worker cannot connect"),
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        };
        loop {
            let taken = match self.deliver_due(BATCH).await {
                Ok(taken) => taken,
                Err(error) => {
                    tracing::warn!(?error, "notification delivery failed");
                    0
                }
            };
            if taken == BATCH as usize {
                continue;
            }
            let wait = self.until_next_due().await.min(IDLE);
            tokio::select! {
                woken = listener.recv() => {
                    if woken.is_err() {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    async fn until_next_due(&self) -> Duration {
        let next = sqlx::query_scalar!(
            r#"SELECT min(due_at) AS "due: DateTime<Utc>" FROM notifications WHERE state = 'pending'"#
        )
        .fetch_one(&self.pool)
        .await
        .ok()
        .flatten();
        next.map_or(IDLE, |due| {
            (due - self.clock.now()).to_std().unwrap_or(Duration::ZERO)
        })
    }

    /// Sends up to `limit` due messages; answers how many were taken.
    pub async fn deliver_due(&self, limit: i64) -> Result<usize, AppError> {
        let now = self.clock.now();
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query_as!(
            Due,
            r#"SELECT id, kind AS "kind: Kind", robot_id, to_user_id, facts, attempts
               FROM notifications
               WHERE state = 'pending' AND due_at <= $1
               ORDER BY due_at, id
               LIMIT $2
               FOR UPDATE SKIP LOCKED"#,
            now as _,
            limit
        )
        .fetch_all(&mut *tx)
        .await?;
        // Owned futures: a borrowed row in a spawned task's future trips the compiler's
        // higher-ranked lifetime check.
        let outcomes: Vec<Outcome> = futures_util::stream::iter(rows.clone())
            .map(|row| {
                let this = self.clone();
                async move { this.attempt(&row).await }
            })
            .buffered(AT_ONCE)
            .collect()
            .await;
        for (row, outcome) in rows.iter().zip(outcomes) {
            self.record(&mut tx, row, outcome).await?;
        }
        tx.commit().await?;
        Ok(rows.len())
    }

    /// Sends an admin's test message to a robot now, and answers what WeCom said. It goes
    /// through the outbox like any other, so the delivery log lists it.
    pub async fn test_robot(&self, robot_id: i16) -> Result<TestAnswer, AppError> {
        let facts = serde_json::to_value(render::test_facts()).map_err(|_| AppError::Internal)?;
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query_as!(
            Due,
            r#"INSERT INTO notifications (kind, robot_id, facts)
               SELECT 'test', id, $2 FROM wecom_robots WHERE id = $1 AND active
               RETURNING id, kind AS "kind: Kind", robot_id, to_user_id, facts, attempts"#,
            robot_id,
            facts
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
        let outcome = self.attempt(&row).await;
        let answer = match &outcome {
            Outcome::Sent => TestAnswer {
                errcode: Some(0),
                errmsg: "ok".to_owned(),
            },
            Outcome::Wait(until) => TestAnswer {
                errcode: None,
                errmsg: format!(
                    "waiting for the robot's minute until {}",
                    crate::time::format_minute(*until)
                ),
            },
            Outcome::Retry(why) | Outcome::Dead(why) => {
                let (errcode, errmsg) = Answer::Permanent(why.clone()).describe();
                TestAnswer { errcode, errmsg }
            }
        };
        self.record(&mut tx, &row, outcome).await?;
        tx.commit().await?;
        Ok(answer)
    }

    async fn attempt(&self, row: &Due) -> Outcome {
        let facts: Facts = match serde_json::from_value(row.facts.clone()) {
            Ok(facts) => facts,
            Err(_) => return Outcome::Dead("unreadable message".to_owned()),
        };
        let outcome = match (row.robot_id, row.to_user_id) {
            (Some(robot), _) => self.to_robot(robot, row.kind, &facts).await,
            (None, Some(_)) => self.to_person(row.kind, &facts).await,
            (None, None) => Ok(Outcome::Dead("recipient removed".to_owned())),
        };
        // Not only the database can fail here (a key that does not open, say): log what it
        // was, record no more than that it happened before sending.
        outcome.unwrap_or_else(|error| {
            tracing::warn!(
                id = row.id,
                ?error,
                "notification failed before it was sent"
            );
            Outcome::Retry("failed before sending".to_owned())
        })
    }

    async fn to_robot(&self, robot: i16, kind: Kind, facts: &Facts) -> Result<Outcome, AppError> {
        let key = {
            let mut conn = self.pool.acquire().await?;
            store::key_of(&mut conn, robot).await?
        };
        let Some(key) = key else {
            return Ok(Outcome::Dead("robot removed".to_owned()));
        };
        if let Some(until) = self.reserve(robot).await? {
            return Ok(Outcome::Wait(until));
        }
        let payload = render::robot_message(kind, facts, &self.links);
        match self.wecom.robot(&key, &payload).await {
            Answer::RateLimited => {
                let until = self.clock.now() + chrono::Duration::seconds(RATE_LIMIT_PAUSE_SECS);
                sqlx::query!(
                    "UPDATE wecom_robots SET paused_until = $2 WHERE id = $1",
                    robot,
                    until as _
                )
                .execute(&self.pool)
                .await?;
                tracing::warn!(robot, "WeCom rate-limited a robot; paused for a minute");
                Ok(Outcome::Wait(until))
            }
            answer => Ok(answer.into()),
        }
    }

    /// A grant to send one message to `robot` now, or when one may be sent. Grants are
    /// counted under the robot's row lock, so workers anywhere never pass 20 in a window.
    /// `NO KEY UPDATE`: a transaction that just wrote a message for this robot holds a key
    /// share on its row until it commits, and must not hold up this one.
    async fn reserve(&self, robot: i16) -> Result<Option<DateTime<Utc>>, AppError> {
        let now = self.clock.now();
        let window = chrono::Duration::seconds(ROBOT_WINDOW_SECS);
        let mut tx = self.pool.begin().await?;
        let paused = sqlx::query_scalar!(
            r#"SELECT paused_until AS "paused_until: DateTime<Utc>" FROM wecom_robots WHERE id = $1 FOR NO KEY UPDATE"#,
            robot
        )
        .fetch_one(&mut *tx)
        .await?;
        if let Some(until) = paused.filter(|until| *until > now) {
            return Ok(Some(until));
        }
        sqlx::query!(
            "DELETE FROM wecom_robot_sends WHERE robot_id = $1 AND sent_at < $2",
            robot,
            (now - chrono::Duration::hours(1)) as _
        )
        .execute(&mut *tx)
        .await?;
        let recent = sqlx::query!(
            r#"SELECT count(*) AS "count!", min(sent_at) AS "oldest: DateTime<Utc>"
               FROM wecom_robot_sends WHERE robot_id = $1 AND sent_at > $2"#,
            robot,
            (now - window) as _
        )
        .fetch_one(&mut *tx)
        .await?;
        if recent.count >= ROBOT_PER_MINUTE {
            let free_at = recent.oldest.map_or(now, |oldest| oldest + window);
            return Ok(Some(free_at));
        }
        sqlx::query!(
            "INSERT INTO wecom_robot_sends (robot_id, sent_at) VALUES ($1, $2)",
            robot,
            now as _
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(None)
    }

    async fn to_person(&self, kind: Kind, facts: &Facts) -> Result<Outcome, AppError> {
        let Some(app) = self.app().await? else {
            return Ok(Outcome::Dead("application not configured".to_owned()));
        };
        let token = match self.token(&app, None).await? {
            Ok(token) => token,
            Err(answer) => return Ok(answer.into()),
        };
        let payload = render::app_message(kind, facts, &self.links, app.agent_id);
        let rest = || self.clock.now() + chrono::Duration::seconds(RATE_LIMIT_PAUSE_SECS);
        match self.wecom.app_message(&token, &payload).await {
            // The application's limit: this message waits a minute, without using an attempt.
            Answer::RateLimited => Ok(Outcome::Wait(rest())),
            Answer::TokenExpired => {
                // Once: a fresh token that is refused too is WeCom's problem, not ours.
                let fresh = match self.token(&app, Some(&token)).await? {
                    Ok(fresh) => fresh,
                    Err(answer) => return Ok(answer.into()),
                };
                match self.wecom.app_message(&fresh, &payload).await {
                    Answer::RateLimited => Ok(Outcome::Wait(rest())),
                    answer => Ok(answer.into()),
                }
            }
            answer => Ok(answer.into()),
        }
    }

    async fn app(&self) -> Result<Option<App>, AppError> {
        let row = sqlx::query!("SELECT corp_id, agent_id, key_id, secret_sealed FROM wecom_app")
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            Ok(App {
                secret: keyring()?.open(Column::AppSecret, &r.key_id, &r.secret_sealed)?,
                corp_id: r.corp_id,
                agent_id: r.agent_id,
            })
        })
        .transpose()
    }

    /// The shared access token: the stored one while it lives (unless it is `refused`), else
    /// a new one, fetched by one worker at a time under the row lock.
    async fn token(
        &self,
        app: &App,
        refused: Option<&str>,
    ) -> Result<Result<String, Answer>, AppError> {
        let keys = keyring()?;
        let stored =
            |row_key: Option<String>, sealed: Option<Vec<u8>>, expires: Option<DateTime<Utc>>| {
                let live = expires.is_some_and(|at| {
                    at > self.clock.now() + chrono::Duration::seconds(TOKEN_MARGIN_SECS)
                });
                match (row_key, sealed, live) {
                    (Some(key_id), Some(sealed), true) => keys
                        .open(Column::AccessToken, &key_id, &sealed)
                        .ok()
                        .filter(|token| Some(token.as_str()) != refused),
                    _ => None,
                }
            };
        let row = sqlx::query!(
            r#"SELECT token_key_id, token_sealed, token_expires_at AS "expires: DateTime<Utc>" FROM wecom_app"#
        )
        .fetch_optional(&self.pool)
        .await?;
        if let Some(token) = row.and_then(|r| stored(r.token_key_id, r.token_sealed, r.expires)) {
            return Ok(Ok(token));
        }
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query!(
            r#"SELECT token_key_id, token_sealed, token_expires_at AS "expires: DateTime<Utc>"
               FROM wecom_app FOR UPDATE"#
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(Err(Answer::Permanent(
                "application not configured".to_owned(),
            )));
        };
        // Another worker may have renewed it while this one waited for the lock.
        if let Some(token) = stored(row.token_key_id, row.token_sealed, row.expires) {
            return Ok(Ok(token));
        }
        let (token, lives_secs) = match self.wecom.token(&app.corp_id, &app.secret).await {
            Ok(fresh) => fresh,
            Err(answer) => return Ok(Err(answer)),
        };
        sqlx::query!(
            "UPDATE wecom_app SET token_key_id = $1, token_sealed = $2, token_expires_at = $3",
            keys.current_id(),
            keys.seal(Column::AccessToken, &token)?,
            (self.clock.now() + chrono::Duration::seconds(lives_secs)) as _
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(token))
    }

    async fn record(
        &self,
        conn: &mut sqlx::PgConnection,
        row: &Due,
        outcome: Outcome,
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        let attempts = row.attempts + 1;
        match outcome {
            Outcome::Sent => {
                sqlx::query!(
                    "UPDATE notifications SET state = 'sent', sent_at = $2, attempts = $3,
                            last_error = NULL
                     WHERE id = $1",
                    row.id,
                    now as _,
                    attempts
                )
                .execute(conn)
                .await?;
            }
            Outcome::Wait(until) => {
                sqlx::query!(
                    "UPDATE notifications SET due_at = $2 WHERE id = $1",
                    row.id,
                    until as _
                )
                .execute(conn)
                .await?;
            }
            Outcome::Retry(why) if attempts < self.policy.attempts => {
                let due = now
                    + chrono::Duration::from_std(self.policy.delay(attempts))
                        .unwrap_or(chrono::Duration::minutes(15));
                sqlx::query!(
                    "UPDATE notifications SET attempts = $2, due_at = $3, last_error = $4
                     WHERE id = $1",
                    row.id,
                    attempts,
                    due as _,
                    why
                )
                .execute(conn)
                .await?;
            }
            Outcome::Retry(why) | Outcome::Dead(why) => {
                tracing::warn!(id = row.id, kind = ?row.kind, error = %why, "notification given up");
                sqlx::query!(
                    "UPDATE notifications SET state = 'dead', attempts = $2, last_error = $3
                     WHERE id = $1",
                    row.id,
                    attempts,
                    why
                )
                .execute(conn)
                .await?;
            }
        }
        Ok(())
    }
}
