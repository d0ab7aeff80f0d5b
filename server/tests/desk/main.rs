//! The desk over HTTP: one test binary, a fresh PostgreSQL database per test.

mod auth;
mod support;
mod throttle;
