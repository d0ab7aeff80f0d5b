//! The desk over HTTP: one test binary, a fresh PostgreSQL database per test.

mod auth;
mod reports;
mod support;
mod throttle;
