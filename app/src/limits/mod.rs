//! Per-user limits on writes (reports, messages, uploads, replies, identity reveals), counted in
//! PostgreSQL so every server replica shares them. Generous for people at work, a wall for a
//! script run wild or a stolen session.

#[cfg(feature = "ssr")]
pub mod store;

/// A kind of write with its own hourly allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum Write {
    Report,
    Message,
    Upload,
    Reply,
    Reveal,
}

impl Write {
    /// How many an hour one user may make.
    pub fn per_hour(self) -> i32 {
        match self {
            Self::Report => 60,
            Self::Message => 300,
            Self::Upload => 300,
            Self::Reply => 600,
            Self::Reveal => 120,
        }
    }
}
