//! How an `AppError` travels (server functions, resources, plain endpoints): one flat object,
//! its `kind` and the fields that kind has, e.g. `{"kind": "Invalid", "field": "title",
//! "problem": "TooLong", "max": 200}`. One struct decodes every error, where serde's enum form
//! built a decoder for each variant with fields, and every phone paid for them on its first load.

use serde::{Deserialize, Serialize};

use super::{AppError, Problem};
use crate::help::ArticleState;
use crate::incidents::Status;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
pub(super) struct Wire {
    kind: Kind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after_secs: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    problem: Option<ProblemKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ids: Option<Vec<uuid::Uuid>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_mb: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_megapixels: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<Status>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    state: Option<ArticleState>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    detail: Option<String>,
}

/// `AppError`'s variants by name.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
enum Kind {
    Unauthenticated,
    Forbidden,
    NotFound,
    BadCredentials,
    Throttled,
    RateLimited,
    TooManyStreams,
    Busy,
    Invalid,
    NotAnImage,
    AttachmentsGone,
    BrokenImage,
    UnsupportedImage,
    TooLarge,
    ImageTooLarge,
    NotNow,
    AlreadyClaimed,
    AlreadyReviewed,
    ArticleNotNow,
    OwnArticle,
    WrongAccount,
    Conflict,
    UnsupportedContentType,
    Internal,
    Transport,
}

/// `Problem`'s variants by name; their numbers travel beside (`min`, `max`, `max_days`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
enum ProblemKind {
    Required,
    TooLong,
    ControlCharacter,
    TooMany,
    UnknownChoice,
    IdCardFormat,
    IdCardBirthDate,
    IdCardChecksum,
    PassportFormat,
    HkMacauPermitFormat,
    TaiwanPermitFormat,
    FundAccountFormat,
    MobileFormat,
    OutOfRange,
    Format,
    NotAfterStart,
    Duplicate,
    BadLink,
    InFuture,
    NotNow,
    TooOld,
}

impl Wire {
    fn of(kind: Kind) -> Self {
        Self {
            kind,
            retry_after_secs: None,
            field: None,
            problem: None,
            min: None,
            max: None,
            max_days: None,
            ids: None,
            format: None,
            max_mb: None,
            max_megapixels: None,
            status: None,
            by: None,
            state: None,
            detail: None,
        }
    }

    fn invalid(field: String, problem: Problem) -> Self {
        use ProblemKind as P;
        let mut wire = Self {
            field: Some(field),
            ..Self::of(Kind::Invalid)
        };
        wire.problem = Some(match problem {
            Problem::Required => P::Required,
            Problem::TooLong { max } => {
                wire.max = Some(max);
                P::TooLong
            }
            Problem::ControlCharacter => P::ControlCharacter,
            Problem::TooMany { max } => {
                wire.max = Some(max);
                P::TooMany
            }
            Problem::UnknownChoice => P::UnknownChoice,
            Problem::IdCardFormat => P::IdCardFormat,
            Problem::IdCardBirthDate => P::IdCardBirthDate,
            Problem::IdCardChecksum => P::IdCardChecksum,
            Problem::PassportFormat => P::PassportFormat,
            Problem::HkMacauPermitFormat => P::HkMacauPermitFormat,
            Problem::TaiwanPermitFormat => P::TaiwanPermitFormat,
            Problem::FundAccountFormat => P::FundAccountFormat,
            Problem::MobileFormat => P::MobileFormat,
            Problem::OutOfRange { min, max } => {
                wire.min = Some(min);
                wire.max = Some(max);
                P::OutOfRange
            }
            Problem::Format => P::Format,
            Problem::NotAfterStart => P::NotAfterStart,
            Problem::Duplicate => P::Duplicate,
            Problem::BadLink => P::BadLink,
            Problem::InFuture => P::InFuture,
            Problem::NotNow => P::NotNow,
            Problem::TooOld { max_days } => {
                wire.max_days = Some(max_days);
                P::TooOld
            }
        });
        wire
    }

    fn problem(&self) -> Result<Problem, Missing> {
        use ProblemKind as P;
        let max = || self.max.ok_or(Missing("max"));
        Ok(match self.problem.ok_or(Missing("problem"))? {
            P::Required => Problem::Required,
            P::TooLong => Problem::TooLong { max: max()? },
            P::ControlCharacter => Problem::ControlCharacter,
            P::TooMany => Problem::TooMany { max: max()? },
            P::UnknownChoice => Problem::UnknownChoice,
            P::IdCardFormat => Problem::IdCardFormat,
            P::IdCardBirthDate => Problem::IdCardBirthDate,
            P::IdCardChecksum => Problem::IdCardChecksum,
            P::PassportFormat => Problem::PassportFormat,
            P::HkMacauPermitFormat => Problem::HkMacauPermitFormat,
            P::TaiwanPermitFormat => Problem::TaiwanPermitFormat,
            P::FundAccountFormat => Problem::FundAccountFormat,
            P::MobileFormat => Problem::MobileFormat,
            P::OutOfRange => Problem::OutOfRange {
                min: self.min.ok_or(Missing("min"))?,
                max: max()?,
            },
            P::Format => Problem::Format,
            P::NotAfterStart => Problem::NotAfterStart,
            P::Duplicate => Problem::Duplicate,
            P::BadLink => Problem::BadLink,
            P::InFuture => Problem::InFuture,
            P::NotNow => Problem::NotNow,
            P::TooOld => Problem::TooOld {
                max_days: self.max_days.ok_or(Missing("max_days"))?,
            },
        })
    }
}

impl From<AppError> for Wire {
    fn from(error: AppError) -> Self {
        use AppError as E;
        let secs = |kind, secs| Self {
            retry_after_secs: Some(secs),
            ..Self::of(kind)
        };
        match error {
            E::Unauthenticated => Self::of(Kind::Unauthenticated),
            E::Forbidden => Self::of(Kind::Forbidden),
            E::NotFound => Self::of(Kind::NotFound),
            E::BadCredentials => Self::of(Kind::BadCredentials),
            E::Throttled { retry_after_secs } => secs(Kind::Throttled, retry_after_secs),
            E::RateLimited { retry_after_secs } => secs(Kind::RateLimited, retry_after_secs),
            E::TooManyStreams => Self::of(Kind::TooManyStreams),
            E::Busy { retry_after_secs } => secs(Kind::Busy, retry_after_secs),
            E::Invalid { field, problem } => Self::invalid(field, problem),
            E::NotAnImage => Self::of(Kind::NotAnImage),
            E::AttachmentsGone { ids } => Self {
                ids: Some(ids),
                ..Self::of(Kind::AttachmentsGone)
            },
            E::BrokenImage => Self::of(Kind::BrokenImage),
            E::UnsupportedImage { format } => Self {
                format: Some(format),
                ..Self::of(Kind::UnsupportedImage)
            },
            E::TooLarge { max_mb } => Self {
                max_mb: Some(max_mb),
                ..Self::of(Kind::TooLarge)
            },
            E::ImageTooLarge { max_megapixels } => Self {
                max_megapixels: Some(max_megapixels),
                ..Self::of(Kind::ImageTooLarge)
            },
            E::NotNow { status } => Self {
                status: Some(status),
                ..Self::of(Kind::NotNow)
            },
            E::AlreadyClaimed { by } => Self {
                by: Some(by),
                ..Self::of(Kind::AlreadyClaimed)
            },
            E::AlreadyReviewed { by } => Self {
                by: Some(by),
                ..Self::of(Kind::AlreadyReviewed)
            },
            E::ArticleNotNow { state } => Self {
                state: Some(state),
                ..Self::of(Kind::ArticleNotNow)
            },
            E::OwnArticle => Self::of(Kind::OwnArticle),
            E::WrongAccount => Self::of(Kind::WrongAccount),
            E::Conflict => Self::of(Kind::Conflict),
            E::UnsupportedContentType => Self::of(Kind::UnsupportedContentType),
            E::Internal => Self::of(Kind::Internal),
            E::Transport(detail) => Self {
                detail: Some(detail),
                ..Self::of(Kind::Transport)
            },
        }
    }
}

/// An error whose kind arrived without a field it needs.
#[derive(Debug, PartialEq)]
pub(super) struct Missing(&'static str);

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error without its {}", self.0)
    }
}

impl TryFrom<Wire> for AppError {
    type Error = Missing;

    fn try_from(wire: Wire) -> Result<Self, Missing> {
        use AppError as E;
        let secs = || wire.retry_after_secs.ok_or(Missing("retry_after_secs"));
        Ok(match wire.kind {
            Kind::Unauthenticated => E::Unauthenticated,
            Kind::Forbidden => E::Forbidden,
            Kind::NotFound => E::NotFound,
            Kind::BadCredentials => E::BadCredentials,
            Kind::Throttled => E::Throttled {
                retry_after_secs: secs()?,
            },
            Kind::RateLimited => E::RateLimited {
                retry_after_secs: secs()?,
            },
            Kind::TooManyStreams => E::TooManyStreams,
            Kind::Busy => E::Busy {
                retry_after_secs: secs()?,
            },
            Kind::Invalid => E::Invalid {
                problem: wire.problem()?,
                field: wire.field.ok_or(Missing("field"))?,
            },
            Kind::NotAnImage => E::NotAnImage,
            Kind::AttachmentsGone => E::AttachmentsGone {
                ids: wire.ids.ok_or(Missing("ids"))?,
            },
            Kind::BrokenImage => E::BrokenImage,
            Kind::UnsupportedImage => E::UnsupportedImage {
                format: wire.format.ok_or(Missing("format"))?,
            },
            Kind::TooLarge => E::TooLarge {
                max_mb: wire.max_mb.ok_or(Missing("max_mb"))?,
            },
            Kind::ImageTooLarge => E::ImageTooLarge {
                max_megapixels: wire.max_megapixels.ok_or(Missing("max_megapixels"))?,
            },
            Kind::NotNow => E::NotNow {
                status: wire.status.ok_or(Missing("status"))?,
            },
            Kind::AlreadyClaimed => E::AlreadyClaimed {
                by: wire.by.ok_or(Missing("by"))?,
            },
            Kind::AlreadyReviewed => E::AlreadyReviewed {
                by: wire.by.ok_or(Missing("by"))?,
            },
            Kind::ArticleNotNow => E::ArticleNotNow {
                state: wire.state.ok_or(Missing("state"))?,
            },
            Kind::OwnArticle => E::OwnArticle,
            Kind::WrongAccount => E::WrongAccount,
            Kind::Conflict => E::Conflict,
            Kind::UnsupportedContentType => E::UnsupportedContentType,
            Kind::Internal => E::Internal,
            Kind::Transport => E::Transport(wire.detail.unwrap_or_default()),
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn every_error() -> Vec<AppError> {
        use AppError as E;
        let problems = [
            Problem::Required,
            Problem::TooLong { max: 200 },
            Problem::TooMany { max: 8 },
            Problem::IdCardChecksum,
            Problem::OutOfRange { min: 1, max: 60 },
            Problem::TooOld { max_days: 31 },
        ];
        let mut errors = vec![
            E::Unauthenticated,
            E::Forbidden,
            E::NotFound,
            E::BadCredentials,
            E::Throttled {
                retry_after_secs: 30,
            },
            E::RateLimited {
                retry_after_secs: 600,
            },
            E::TooManyStreams,
            E::Busy {
                retry_after_secs: 2,
            },
            E::NotAnImage,
            E::AttachmentsGone {
                ids: vec![uuid::Uuid::nil()],
            },
            E::BrokenImage,
            E::UnsupportedImage {
                format: "heic".into(),
            },
            E::TooLarge { max_mb: 10 },
            E::ImageTooLarge { max_megapixels: 40 },
            E::NotNow {
                status: Status::Resolved,
            },
            E::AlreadyClaimed {
                by: "李强".into()
            },
            E::AlreadyReviewed {
                by: "赵敏".into()
            },
            E::ArticleNotNow {
                state: ArticleState::Published,
            },
            E::OwnArticle,
            E::WrongAccount,
            E::Conflict,
            E::UnsupportedContentType,
            E::Internal,
            E::Transport("timed out".into()),
        ];
        errors.extend(problems.map(|problem| E::invalid("title", problem)));
        errors
    }

    #[test]
    fn every_error_comes_back_as_it_left() {
        for error in every_error() {
            let text = serde_json::to_string(&error).unwrap_or_default();
            let back: Result<AppError, _> = serde_json::from_str(&text);
            assert_eq!(back.ok(), Some(error), "{text}");
        }
    }

    #[test]
    fn an_error_is_one_flat_object() {
        let error = AppError::invalid("title", Problem::OutOfRange { min: 1, max: 60 });
        assert_eq!(
            serde_json::to_value(error).ok(),
            Some(
                json!({"kind": "Invalid", "field": "title", "problem": "OutOfRange", "min": 1, "max": 60})
            )
        );
        assert_eq!(
            serde_json::to_value(AppError::Forbidden).ok(),
            Some(json!({"kind": "Forbidden"}))
        );
    }

    #[test]
    fn a_kind_without_its_fields_is_refused() {
        for text in [
            r#"{"kind": "Invalid", "field": "title"}"#,
            r#"{"kind": "Invalid", "field": "title", "problem": "TooLong"}"#,
            r#"{"kind": "Throttled"}"#,
            r#"{"kind": "NoSuchKind"}"#,
        ] {
            assert!(serde_json::from_str::<AppError>(text).is_err(), "{text}");
        }
    }
}
