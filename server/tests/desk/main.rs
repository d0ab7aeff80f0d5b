//! The desk over HTTP: one test binary, a fresh PostgreSQL database per test.

mod auth;
mod console;
mod reports;
mod search;
mod support;
mod throttle;
