//! The two ways an incident is named, kept apart by type: the number people quote (`#1234`, in
//! URLs, pages and server-function arguments) and the row id (foreign keys, locks,
//! notifications), which never leaves the server.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type), sqlx(transparent))]
pub struct IncidentNumber(pub i64);

impl fmt::Display for IncidentNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for IncidentNumber {
    type Err = std::num::ParseIntError;

    /// As a URL segment or the outbox has it; surrounding spaces are tolerated.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        text.trim().parse().map(Self)
    }
}

#[cfg(feature = "ssr")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, sqlx::Type)]
#[sqlx(transparent)]
pub struct IncidentId(pub i64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_and_urls_write_them() {
        assert_eq!(" 42 ".parse::<IncidentNumber>(), Ok(IncidentNumber(42)));
        assert!("#42".parse::<IncidentNumber>().is_err());
        assert_eq!(IncidentNumber(42).to_string(), "42");
    }
}
