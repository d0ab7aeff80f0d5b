//! Boots and wires the incident desk: configuration, database, HTTP routes, background work.

pub mod client_address;
pub mod config;
pub mod forgery;
pub mod http;
pub mod identity_keys;
pub mod telemetry;

/// Migrations are embedded in the binary and applied at start-up.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");
