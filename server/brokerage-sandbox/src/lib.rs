//! A sandbox of a securities brokerage's three business systems, as HTTP APIs: the account
//! system (`/account`: identity check, customer profile, customer number, fund account,
//! shareholder cards), third-party custody (`/custody`: bank binding, bank-to-securities
//! transfers) and the trading system (`/trading`: synchronisation, agreements, permissions).
//!
//! It exists for the test-data construction feature, which builds a customer account by
//! calling business APIs in a recipe of HTTP steps: demos and tests run those recipes against
//! this sandbox. It checks what a real system checks (ID number checksums, age, the order of
//! the steps, risk levels before agreements) and answers in Chinese, as the real systems do.
//!
//! All state lives in PostgreSQL, in the schema `brokerage_sandbox`, so several sandbox
//! processes on one database serve the same customers. Every request served is written to
//! `brokerage_sandbox.requests`. Switches (`/switches/{system}`) make a system answer as if it
//! were being redeployed (503), slow, or rejecting one operation, for tests of retries and of
//! failure reporting.
//!
//! Answers: `{"code":"0","message":"成功","data":{...}}` (200), or `{"code":"E_...","message":
//! "<中文原因>"}` with 400 (malformed input), 401 (token), 404, 409 (duplicate), 422 (a
//! business rule), 503 (`REDEPLOYING`, a down switch). Every endpoint but `auth/token` wants
//! `Authorization: Bearer <token>` of its own system. The operations, by system (name, method,
//! path below the system's prefix) are listed in `ops::ENDPOINTS`; a regular account takes 35
//! calls: 18 to the account system (token, identity check, application, contact, address,
//! occupation, education, tax residency, beneficial owner, actual controller, bad-record
//! check, risk questionnaire, customer number, fund account, passwords, Shanghai card,
//! Shenzhen card, activation), 7 to custody (token, banks, pre-sign, confirm with the SMS code,
//! bank password, activation, bindings) and 10 to trading (token, customer, fund account, two
//! cards, electronic contract, risk disclosure, basic permissions, permissions, account).

mod account;
mod check;
mod custody;
mod ops;
mod reply;
mod schema;
mod switches;
mod trading;

use serde::Serialize;

pub use schema::prepare;

/// The credentials of the three systems: what a target environment's secrets hold
/// (`account_app_id`, `account_app_secret`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Credentials {
    pub account: AppCredential,
    pub custody: AppCredential,
    pub trading: AppCredential,
}

/// What `POST /{system}/auth/token` takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppCredential {
    pub app_id: String,
    pub app_secret: String,
}

/// The sandbox's routes (call [`prepare`] first): `/account/...`, `/custody/...`,
/// `/trading/...` and `/switches...`.
pub fn router(pool: sqlx::PgPool) -> axum::Router {
    ops::router(ops::App { pool })
}

/// Prepares the schema, then serves the sandbox on `listener` until the future is dropped.
pub async fn serve(listener: tokio::net::TcpListener, pool: sqlx::PgPool) -> std::io::Result<()> {
    prepare(&pool).await.map_err(std::io::Error::other)?;
    axum::serve(listener, router(pool)).await
}
