//! Settings from the environment. Everything has a default that runs the app on one machine.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::client_address::{BadProxyList, TrustedProxies};

#[derive(Debug, Clone)]
pub struct Config {
    /// An external database; when unset the server runs its own cluster in `embedded_pg_dir`.
    pub database_url: Option<String>,
    pub embedded_pg_dir: PathBuf,
    /// Load demo users on first start. Defaults to on for the embedded database only.
    pub demo_data: bool,
    /// Mark the session cookie `Secure`; turn on behind HTTPS.
    pub cookie_secure: bool,
    /// Where images are stored: a local folder, unless `media_url` names an object store.
    pub upload_dir: PathBuf,
    /// An object store URL such as `s3://bucket/prefix` (credentials from `AWS_*` variables).
    pub media_url: Option<String>,
    /// Where browsers reach the app, such as `https://desk.example.com`, checked against the
    /// `Origin` of state-changing requests; unset, the host each request names is trusted.
    pub public_origin: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
    /// How long the authentication audit is kept.
    pub auth_audit_days: u32,
    /// Identity reveals an hour by one user past which an alert is raised.
    pub reveal_alert_per_hour: u32,
    /// Where WeCom is reached; tests point it at a local mock.
    pub wecom_base_url: String,
    /// How long one call to WeCom may take before its outcome counts as unknown.
    pub wecom_timeout_secs: u32,
    /// Run the notification worker in this process (every replica may; turn it off to have a
    /// replica only serve pages).
    pub notifications_worker: bool,
    /// E-mail (off unless both are set): `SMTP_URL` such as `smtp://user:password@host:587?tls=required`
    /// and `MAIL_FROM` such as `事件处理平台 <desk@example.com>`.
    pub smtp_url: Option<String>,
    pub mail_from: Option<String>,
    /// Who gets the weekly service report by mail, separated by commas.
    pub report_mail_to: Option<String>,
    /// Who gets monitoring alerts by mail, separated by commas.
    pub monitor_mail_to: Option<String>,
    /// The business databases monitoring rules read (`MONITOR_SOURCE_<NAME>` URLs).
    pub monitor_sources: app::monitor::sources::Sources,
    /// How monitoring runs read them: `MONITOR_QUERY_TIMEOUT_SECS`, `MONITOR_ROW_CAP`,
    /// `MONITOR_KEEP_RECORDS`.
    pub monitor_runs: app::monitor::schedule::RunSettings,
    /// Test-data jobs this process runs at once (`DATAGEN_WORKERS`, 1 to 256).
    pub datagen_workers: u32,
    /// Where the sandbox of the brokerage's business APIs listens (`BROKERAGE_SANDBOX_ADDR`,
    /// `off` for none); with demo data it defaults to 127.0.0.1:3100, and the demo's test
    /// environment points at it.
    pub sandbox_addr: Option<SocketAddr>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Flag(#[from] BadFlag),
    #[error(transparent)]
    Proxies(#[from] BadProxyList),
    #[error("{0}")]
    MonitorSource(String),
    #[error("{name} must be an address such as 127.0.0.1:3100 or off, got {value:?}")]
    Address { name: &'static str, value: String },
    #[error("{name} must be a whole number from 1 to {max}, got {value:?}")]
    Number {
        name: &'static str,
        max: u32,
        value: String,
    },
}

/// The demo sandbox's port: beside the app's 3000.
const DEFAULT_SANDBOX_PORT: u16 = 3100;

fn number(name: &'static str, default: u32, max: u32) -> Result<u32, ConfigError> {
    match std::env::var(name) {
        Err(_) => Ok(default),
        Ok(value) => value
            .trim()
            .parse()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or(ConfigError::Number { name, max, value }),
    }
}

fn monitor_runs() -> Result<app::monitor::schedule::RunSettings, ConfigError> {
    let defaults = app::monitor::schedule::RunSettings::default();
    let secs = defaults.limits.timeout.as_secs() as u32;
    let cap = defaults.limits.row_cap as u32;
    Ok(app::monitor::schedule::RunSettings {
        limits: app::monitor::reading::Limits {
            timeout: std::time::Duration::from_secs(
                number("MONITOR_QUERY_TIMEOUT_SECS", secs, 3600)?.into(),
            ),
            row_cap: number("MONITOR_ROW_CAP", cap, 100_000_000)?.into(),
        },
        keep: number("MONITOR_KEEP_RECORDS", defaults.keep as u32, 100_000)? as usize,
    })
}

/// A setting's text, when it is set and not empty.
fn text(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

#[derive(Debug, thiserror::Error)]
#[error("{name} must be true/false/1/0, got {value:?}")]
pub struct BadFlag {
    name: &'static str,
    value: String,
}

fn flag(name: &'static str) -> Result<Option<bool>, BadFlag> {
    match std::env::var(name) {
        Err(_) => Ok(None),
        Ok(value) => match value.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(Some(true)),
            "0" | "false" | "no" | "off" | "" => Ok(Some(false)),
            _ => Err(BadFlag { name, value }),
        },
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let database_url = std::env::var("DATABASE_URL")
            .ok()
            .filter(|url| !url.is_empty());
        let embedded = database_url.is_none();
        Ok(Self {
            embedded_pg_dir: std::env::var_os("EMBEDDED_PG_DIR")
                .map_or_else(|| PathBuf::from(".data/pg"), PathBuf::from),
            demo_data: flag("DEMO_DATA")?.unwrap_or(embedded),
            cookie_secure: flag("COOKIE_SECURE")?.unwrap_or(false),
            upload_dir: std::env::var_os("UPLOAD_DIR")
                .map_or_else(|| PathBuf::from(".data/uploads"), PathBuf::from),
            media_url: std::env::var("MEDIA_URL")
                .ok()
                .filter(|url| !url.is_empty()),
            public_origin: std::env::var("PUBLIC_ORIGIN")
                .ok()
                .filter(|origin| !origin.is_empty()),
            trusted_proxies: TrustedProxies::parse(
                &std::env::var("TRUSTED_PROXIES").unwrap_or_default(),
            )?,
            auth_audit_days: number(
                "AUTH_AUDIT_DAYS",
                app::auth::audit::DEFAULT_RETENTION_DAYS,
                3650,
            )?,
            reveal_alert_per_hour: number(
                "REVEAL_ALERT_PER_HOUR",
                app::reveals::DEFAULT_ALERT_PER_HOUR,
                10_000,
            )?,
            wecom_base_url: std::env::var("WECOM_BASE_URL")
                .ok()
                .filter(|url| !url.is_empty())
                .unwrap_or_else(|| app::notifications::wecom::DEFAULT_BASE_URL.to_owned()),
            wecom_timeout_secs: number("WECOM_TIMEOUT_SECS", 10, 120)?,
            notifications_worker: flag("NOTIFICATIONS_WORKER")?.unwrap_or(true),
            smtp_url: text("SMTP_URL"),
            mail_from: text("MAIL_FROM"),
            report_mail_to: text("REPORT_MAIL_TO"),
            monitor_sources: app::monitor::sources::Sources::from_vars(std::env::vars())
                .map_err(ConfigError::MonitorSource)?,
            monitor_runs: monitor_runs()?,
            monitor_mail_to: text("MONITOR_MAIL_TO"),
            datagen_workers: number("DATAGEN_WORKERS", 8, 256)?,
            sandbox_addr: match text("BROKERAGE_SANDBOX_ADDR").as_deref() {
                Some("off") => None,
                Some(addr) => Some(addr.parse().map_err(|_| ConfigError::Address {
                    name: "BROKERAGE_SANDBOX_ADDR",
                    value: addr.to_owned(),
                })?),
                None if flag("DEMO_DATA")?.unwrap_or(embedded) => {
                    Some(SocketAddr::from(([127, 0, 0, 1], DEFAULT_SANDBOX_PORT)))
                }
                None => None,
            },
            database_url,
        })
    }
}
