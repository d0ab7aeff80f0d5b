//! Through which channel an incident reached the team; the service report counts by it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "ssr", derive(sqlx::Type))]
#[cfg_attr(feature = "ssr", sqlx(type_name = "text", rename_all = "snake_case"))]
pub enum Channel {
    /// The reporter's phone app (MSS); stored as `mobile`.
    Mobile,
    /// A WeChat group the team watches.
    Wechat,
    /// A ticket in the company's ITSM.
    Itsm,
    /// Raised by business monitoring.
    Monitoring,
    /// A phone call to the team.
    Phone,
}

impl Channel {
    pub const ALL: [Channel; 5] = [
        Self::Mobile,
        Self::Wechat,
        Self::Itsm,
        Self::Monitoring,
        Self::Phone,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mobile => "mobile",
            Self::Wechat => "wechat",
            Self::Itsm => "itsm",
            Self::Monitoring => "monitoring",
            Self::Phone => "phone",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == value)
    }

    /// Its place in [`Channel::ALL`], for per-channel tables of words.
    pub fn index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_channel_reads_back_from_its_code() {
        for (i, channel) in Channel::ALL.into_iter().enumerate() {
            assert_eq!(Channel::parse(channel.as_str()), Some(channel));
            assert_eq!(channel.index(), i);
        }
        assert_eq!(Channel::parse("mss"), None);
    }
}
