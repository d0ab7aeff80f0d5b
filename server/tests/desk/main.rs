//! The desk over HTTP: one test binary, a fresh PostgreSQL database per test.

mod abandoned_uploads;
mod auth;
mod bad_input;
mod batches;
mod canned;
mod codes;
mod console;
mod datafix;
mod forgery;
mod fuzz;
mod headers;
mod history;
mod images;
mod limits;
mod notes;
mod pages;
mod permissions;
mod reports;
mod reveals;
mod sealed;
mod search;
mod sla;
mod storage;
mod streams;
mod support;
mod throttle;
