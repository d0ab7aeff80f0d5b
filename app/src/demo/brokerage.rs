//! A small demo brokerage beside the app's own database, for monitoring to read: the account
//! system's and the trading system's shareholder cards, with last night's planted
//! disagreements, and account-opening applications, a few stuck in review and yesterday's
//! WeChat channel down to a fifth. Rebuilt at every
//! start, so its times are always recent; read through an account that may only read.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

use crate::error::AppError;
use crate::incidents::Severity;
use crate::monitor::sources::Source;
use crate::monitor::store::NewRule;
use crate::monitor::{Check, MetricDay, Query, Threshold};

/// The account monitoring reads the demo as: SELECT on its tables and nothing else.
const READER: &str = "desk_monitor_reader";

const SCHEMA: &str = "
DROP SCHEMA IF EXISTS account_system CASCADE;
DROP SCHEMA IF EXISTS trading_system CASCADE;
CREATE SCHEMA account_system;
CREATE SCHEMA trading_system;

CREATE TABLE account_system.shareholder_cards (
    card_no     TEXT PRIMARY KEY,
    customer_no TEXT NOT NULL,
    market      TEXT NOT NULL,
    status      TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
INSERT INTO account_system.shareholder_cards
SELECT CASE WHEN n % 2 = 0 THEN 'A' ELSE '0' END || lpad(n::text, 9, '0'),
       'C' || lpad(n::text, 8, '0'),
       CASE WHEN n % 2 = 0 THEN 'SH' ELSE 'SZ' END,
       'normal',
       date_trunc('day', now()) - interval '6 hours'
FROM generate_series(1, 2000) n;

CREATE TABLE trading_system.shareholder_cards (
    card_no TEXT PRIMARY KEY,
    market  TEXT NOT NULL,
    status  TEXT NOT NULL
);
INSERT INTO trading_system.shareholder_cards
SELECT card_no, market, status FROM account_system.shareholder_cards;

-- Last night's clearing: three cards frozen in the account system only, two that never
-- reached the trading system, one the trading system has that the account system does not.
UPDATE account_system.shareholder_cards SET status = 'frozen'
WHERE customer_no IN ('C00000117', 'C00000842', 'C00001503');
DELETE FROM trading_system.shareholder_cards
WHERE card_no IN (SELECT card_no FROM account_system.shareholder_cards
                  WHERE customer_no IN ('C00000311', 'C00001788'));
INSERT INTO trading_system.shareholder_cards VALUES ('A999000001', 'SH', 'normal');

CREATE TABLE account_system.applications (
    id           BIGINT PRIMARY KEY,
    channel      TEXT NOT NULL,
    submitted_at TIMESTAMPTZ NOT NULL,
    status       TEXT NOT NULL
);
-- Eight weeks of applications, every one approved within the hour, but for four still in
-- review hours after they were submitted today.
INSERT INTO account_system.applications
SELECT n,
       (ARRAY['app', 'branch', 'wechat'])[1 + n % 3],
       now() - make_interval(mins => n * 7),
       'approved'
FROM generate_series(1, 11000) n;
UPDATE account_system.applications SET status = 'in_review'
WHERE id IN (31, 32, 47, 55);
-- Yesterday the WeChat channel lost four in five of its applications: a broken step.
DELETE FROM account_system.applications
WHERE channel = 'wechat' AND status = 'approved' AND id % 5 <> 0
  AND (submitted_at AT TIME ZONE 'Asia/Shanghai')::date
      = (now() AT TIME ZONE 'Asia/Shanghai')::date - 1;
";

/// The demo brokerage's database on the app's own server, rebuilt, and the two sources that
/// read it (the account system and the trading system).
pub async fn prepare(app: &PgPool) -> Result<Vec<Source>, AppError> {
    let options = app.connect_options().as_ref().clone();
    let name = database_of(&options);
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(app)
            .await?;
    if !exists {
        // The name is this function's own, never typed by anyone. Another server starting
        // at the same moment may have made it first.
        let created = sqlx::raw_sql(&format!("CREATE DATABASE \"{name}\""))
            .execute(app)
            .await;
        if let Err(error) = created {
            let raced = error
                .as_database_error()
                .and_then(|e| e.code())
                .is_some_and(|code| code == "42P04");
            if !raced {
                return Err(error.into());
            }
        }
    }
    let brokerage = options.clone().database(&name);
    let owner = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(brokerage.clone())
        .await?;
    // Servers starting together rebuild it one after the other.
    sqlx::query("SELECT pg_advisory_lock(hashtext('demo brokerage'))")
        .execute(&owner)
        .await?;
    sqlx::raw_sql(SCHEMA).execute(&owner).await?;
    let granted = grant_reader(&owner, &name).await;
    sqlx::query("SELECT pg_advisory_unlock(hashtext('demo brokerage'))")
        .execute(&owner)
        .await?;
    let reader = match granted {
        Ok(()) => brokerage.clone().username(READER),
        Err(error) => {
            // A server whose account may not create roles reads the demo as itself; the
            // read-only transaction still holds.
            tracing::warn!(?error, "demo brokerage read with the app's own account");
            brokerage.clone()
        }
    };
    owner.close().await;
    let source = |name: &str, label: &str| {
        Source::with_options(name, reader.clone(), format!("{label} (demo)"))
    };
    Ok(vec![
        source("account_system", "account_system @ demo brokerage"),
        source("trading_system", "trading_system @ demo brokerage"),
    ])
}

async fn grant_reader(owner: &PgPool, database: &str) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(&format!(
        "DO $$ BEGIN
             IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{READER}') THEN
                 CREATE ROLE {READER} LOGIN;
             END IF;
         END $$;
         GRANT CONNECT ON DATABASE \"{database}\" TO {READER};
         GRANT USAGE ON SCHEMA account_system, trading_system TO {READER};
         GRANT SELECT ON ALL TABLES IN SCHEMA account_system, trading_system TO {READER};"
    ))
    .execute(owner)
    .await?;
    Ok(())
}

/// The demo's rules, due at once, so the first runs are there a few seconds after start.
pub async fn seed_rules(pool: &PgPool, admin_id: i64) -> Result<(), AppError> {
    let query = |source: &str, sql: &str| Query {
        source: source.to_owned(),
        sql: sql.to_owned(),
    };
    let rules = [
        NewRule {
            name: "股东卡状态：账户系统对交易系统".to_owned(),
            check: Check::Reconciliation {
                left: query(
                    "account_system",
                    "SELECT card_no, market, status FROM account_system.shareholder_cards",
                ),
                right: query(
                    "trading_system",
                    "SELECT card_no, market, status FROM trading_system.shareholder_cards",
                ),
                key: "card_no".to_owned(),
                compare: vec!["status".to_owned()],
            },
            schedule: "30 7 * * *".to_owned(),
            severity: Severity::P2,
            system: Some("account".to_owned()),
            from_incident: None,
        },
        NewRule {
            name: "开户申请审核超过 2 小时".to_owned(),
            check: Check::RowCheck {
                query: query(
                    "account_system",
                    "SELECT id, channel, submitted_at FROM account_system.applications\n\
                     WHERE status = 'in_review' AND submitted_at < now() - interval '2 hours'\n\
                     ORDER BY submitted_at",
                ),
            },
            schedule: "*/30 8-18 * * *".to_owned(),
            severity: Severity::P3,
            system: Some("account_opening".to_owned()),
            from_incident: None,
        },
        NewRule {
            name: "每日开户申请（按渠道）".to_owned(),
            check: Check::Metric {
                query: query(
                    "account_system",
                    "SELECT (submitted_at AT TIME ZONE 'Asia/Shanghai')::date AS day, channel,\n\
                     count(*) AS applications\n\
                     FROM account_system.applications GROUP BY 1, 2",
                ),
                threshold: Threshold::Weekday {
                    weeks: 4,
                    drop_percent: 30.0,
                },
                day: MetricDay::Yesterday,
            },
            schedule: "0 8 * * *".to_owned(),
            severity: Severity::P2,
            system: Some("account_opening".to_owned()),
            from_incident: None,
        },
    ];
    let now = chrono::Utc::now();
    for rule in &rules {
        crate::monitor::store::create_rule(pool, rule, admin_id, now).await?;
    }
    Ok(())
}

/// The demo brokerage's database name beside the app's database: within PostgreSQL's 63
/// bytes, which would otherwise cut a long name back to the app's own.
pub fn database_of(app: &PgConnectOptions) -> String {
    let base: String = app
        .get_database()
        .unwrap_or("postgres")
        .chars()
        .take(50)
        .collect();
    format!("{base}_brokerage")
}
