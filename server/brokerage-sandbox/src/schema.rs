//! The sandbox's tables, in the schema `brokerage_sandbox`, and its credentials.

use rand::distr::{Alphanumeric, SampleString};

use crate::{AppCredential, Credentials};

/// Serialises `prepare` across processes sharing a database (an arbitrary constant).
const PREPARE_LOCK: i64 = 0x6272_6b73_6278; // "brksbx"

/// Idempotent DDL, run in order inside one transaction.
const SCHEMA: &[&str] = &[
    "CREATE SCHEMA IF NOT EXISTS brokerage_sandbox",
    // The app credentials of each system, generated once.
    "CREATE TABLE IF NOT EXISTS brokerage_sandbox.credentials (
        system TEXT PRIMARY KEY,
        app_id TEXT NOT NULL UNIQUE,
        app_secret TEXT NOT NULL
    )",
    "CREATE TABLE IF NOT EXISTS brokerage_sandbox.tokens (
        token TEXT PRIMARY KEY,
        system TEXT NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL
    )",
    // One switch per system and mode; a reject switch per operation (`operation` is '' else).
    "CREATE TABLE IF NOT EXISTS brokerage_sandbox.switches (
        system TEXT NOT NULL,
        mode TEXT NOT NULL,
        operation TEXT NOT NULL DEFAULT '',
        delay_ms INT,
        message TEXT,
        until TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (system, mode, operation)
    )",
    "CREATE TABLE IF NOT EXISTS brokerage_sandbox.requests (
        id BIGSERIAL PRIMARY KEY,
        at TIMESTAMPTZ NOT NULL DEFAULT now(),
        system TEXT NOT NULL,
        operation TEXT NOT NULL,
        status INT NOT NULL,
        fund_account TEXT,
        customer_no TEXT
    )",
    "CREATE INDEX IF NOT EXISTS requests_fund_account
        ON brokerage_sandbox.requests (fund_account) WHERE fund_account IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS requests_customer_no
        ON brokerage_sandbox.requests (customer_no) WHERE customer_no IS NOT NULL",
    // Account system: identity checks (公安校验).
    "CREATE TABLE IF NOT EXISTS brokerage_sandbox.verifications (
        verification_no TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        id_number TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )",
    // An account-opening application, which becomes a customer when given its number.
    "CREATE TABLE IF NOT EXISTS brokerage_sandbox.customers (
        apply_no TEXT PRIMARY KEY,
        customer_no TEXT UNIQUE,
        name TEXT NOT NULL,
        id_number TEXT NOT NULL UNIQUE,
        gender TEXT NOT NULL,
        birth_date DATE NOT NULL,
        verification_no TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'APPLYING',
        mobile TEXT,
        email TEXT,
        address JSONB,
        occupation JSONB,
        education TEXT,
        tax_residency JSONB,
        beneficial_owner JSONB,
        actual_controller JSONB,
        bad_record TEXT,
        bad_record_checked_at TIMESTAMPTZ,
        risk_level TEXT,
        risk_score INT,
        risk_assessed_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        activated_at TIMESTAMPTZ
    )",
    // Money is kept in cents.
    "CREATE TABLE IF NOT EXISTS brokerage_sandbox.fund_accounts (
        fund_account TEXT PRIMARY KEY,
        customer_no TEXT NOT NULL UNIQUE,
        currency TEXT NOT NULL DEFAULT 'CNY',
        trade_password BYTEA,
        fund_password BYTEA,
        available_cents BIGINT NOT NULL DEFAULT 0,
        withdrawable_cents BIGINT NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CHECK (0 <= withdrawable_cents AND withdrawable_cents <= available_cents)
    )",
    "CREATE TABLE IF NOT EXISTS brokerage_sandbox.shareholder_accounts (
        account TEXT PRIMARY KEY,
        customer_no TEXT NOT NULL,
        fund_account TEXT NOT NULL,
        market TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        UNIQUE (customer_no, market)
    )",
    // Third-party custody: one signing per fund account and bank.
    "CREATE TABLE IF NOT EXISTS brokerage_sandbox.signings (
        sign_no TEXT PRIMARY KEY,
        fund_account TEXT NOT NULL,
        bank_code TEXT NOT NULL,
        bank_card_no TEXT NOT NULL UNIQUE,
        sms_code TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'PRESIGNED',
        bank_password BYTEA,
        is_main BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        confirmed_at TIMESTAMPTZ,
        activated_at TIMESTAMPTZ,
        UNIQUE (fund_account, bank_code)
    )",
    "CREATE TABLE IF NOT EXISTS brokerage_sandbox.transfers (
        transfer_no TEXT PRIMARY KEY,
        request_no TEXT UNIQUE,
        sign_no TEXT NOT NULL,
        fund_account TEXT NOT NULL,
        direction TEXT NOT NULL,
        amount_cents BIGINT NOT NULL,
        withdrawable_cents BIGINT NOT NULL,
        at TIMESTAMPTZ NOT NULL DEFAULT now()
    )",
    // Trading system: its own copies of customers and fund accounts.
    "CREATE TABLE IF NOT EXISTS brokerage_sandbox.trading_customers (
        customer_no TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        synced_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )",
    "CREATE TABLE IF NOT EXISTS brokerage_sandbox.trading_accounts (
        fund_account TEXT PRIMARY KEY,
        customer_no TEXT NOT NULL,
        e_contract_at TIMESTAMPTZ,
        e_contract_version TEXT,
        risk_disclosure_at TIMESTAMPTZ,
        risk_disclosure_version TEXT,
        synced_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )",
    "CREATE TABLE IF NOT EXISTS brokerage_sandbox.trading_shareholder_accounts (
        fund_account TEXT NOT NULL,
        market TEXT NOT NULL,
        account TEXT NOT NULL,
        registered_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (fund_account, market)
    )",
    "CREATE TABLE IF NOT EXISTS brokerage_sandbox.trading_agreements (
        fund_account TEXT NOT NULL,
        agreement TEXT NOT NULL,
        signed_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (fund_account, agreement)
    )",
    "CREATE TABLE IF NOT EXISTS brokerage_sandbox.trading_permissions (
        fund_account TEXT NOT NULL,
        permission TEXT NOT NULL,
        granted_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (fund_account, permission)
    )",
];

/// Creates the schema `brokerage_sandbox` if missing, with credentials generated once, and
/// answers them. Idempotent; two processes may call it at once (a transaction-scoped advisory
/// lock serialises them).
pub async fn prepare(pool: &sqlx::PgPool) -> Result<Credentials, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(PREPARE_LOCK)
        .execute(&mut *tx)
        .await?;
    for statement in SCHEMA {
        sqlx::query(statement).execute(&mut *tx).await?;
    }
    for system in ["account", "custody", "trading"] {
        let (app_id, app_secret) = {
            let mut rng = rand::rng();
            (
                format!(
                    "{system}-{}",
                    Alphanumeric.sample_string(&mut rng, 12).to_lowercase()
                ),
                Alphanumeric.sample_string(&mut rng, 32),
            )
        };
        sqlx::query(
            "INSERT INTO brokerage_sandbox.credentials (system, app_id, app_secret)
             VALUES ($1, $2, $3) ON CONFLICT (system) DO NOTHING",
        )
        .bind(system)
        .bind(app_id)
        .bind(app_secret)
        .execute(&mut *tx)
        .await?;
    }
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT system, app_id, app_secret FROM brokerage_sandbox.credentials")
            .fetch_all(&mut *tx)
            .await?;
    tx.commit().await?;
    let find = |name: &str| {
        rows.iter()
            .find(|(system, _, _)| system == name)
            .map(|(_, app_id, app_secret)| AppCredential {
                app_id: app_id.clone(),
                app_secret: app_secret.clone(),
            })
            .ok_or_else(|| sqlx::Error::RowNotFound)
    };
    Ok(Credentials {
        account: find("account")?,
        custody: find("custody")?,
        trading: find("trading")?,
    })
}
