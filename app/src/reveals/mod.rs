//! Showing a customer's identity in full: only on one's own incidents (admins on any), with a
//! reason from a short list, rate-limited, and recorded with user, session, address, field and
//! reason. Admins read the record at `/console/settings/reveals`, where a user revealing more
//! than the configured number an hour is flagged (and logged when it happens).

mod api;
mod page;
#[cfg(feature = "ssr")]
pub mod store;
pub mod texts;

pub use api::*;
pub use page::RevealAuditPage;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Reveals an hour by one user past which the audit page and the log raise an alert, unless
/// configured otherwise (`REVEAL_ALERT_PER_HOUR`).
pub const DEFAULT_ALERT_PER_HOUR: u32 = 10;

/// The configured alert threshold, provided to server functions by the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlertThreshold(pub u32);

/// How many records the audit page lists at a time.
pub const AUDIT_PAGE: i64 = 50;

/// A field of the customer's identity, masked until it is revealed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum IdentityField {
    CustomerName,
    IdNumber,
    FundAccount,
    CustomerMobile,
}

impl IdentityField {
    pub const ALL: [IdentityField; 4] = [
        Self::CustomerName,
        Self::IdNumber,
        Self::FundAccount,
        Self::CustomerMobile,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CustomerName => "customer_name",
            Self::IdNumber => "id_number",
            Self::FundAccount => "fund_account",
            Self::CustomerMobile => "customer_mobile",
        }
    }
}

/// Why a handler needs to see a field in full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum RevealReason {
    /// Check the customer's identity against a business system.
    VerifyIdentity,
    /// Call or write to the customer.
    ContactCustomer,
    /// Write or check a data-fix script that needs the exact value.
    DataFix,
    /// A compliance or regulator's request.
    Compliance,
}

impl RevealReason {
    pub const ALL: [RevealReason; 4] = [
        Self::VerifyIdentity,
        Self::ContactCustomer,
        Self::DataFix,
        Self::Compliance,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerifyIdentity => "verify_identity",
            Self::ContactCustomer => "contact_customer",
            Self::DataFix => "data_fix",
            Self::Compliance => "compliance",
        }
    }

    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// What the audit page narrows its list to; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// A user's login.
    pub login: Option<String>,
    pub number: Option<i64>,
    pub field: Option<IdentityField>,
    pub reason: Option<RevealReason>,
    /// First and last day, Asia/Shanghai, inclusive.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// One recorded reveal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevealRecord {
    pub id: i64,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub at: DateTime<Utc>,
    pub login: String,
    pub display_name: String,
    pub number: i64,
    pub field: IdentityField,
    /// None for reveals recorded before reasons were asked.
    pub reason: Option<RevealReason>,
    /// A digest of the session that asked (never the session id itself).
    pub session_ref: Option<String>,
    pub address: Option<String>,
}

/// A user past the alert threshold in the last hour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevealAlert {
    pub login: String,
    pub display_name: String,
    pub reveals: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub records: Vec<RevealRecord>,
    /// The id to continue after, when there are more.
    pub next: Option<i64>,
    pub alerts: Vec<RevealAlert>,
    pub threshold: u32,
}
