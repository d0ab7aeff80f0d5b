//! The one error type every server function returns. Internal details never cross the wire:
//! database and I/O failures are logged on the server and reach the browser as `Internal`.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::i18n::{fill, Texts};

mod wire;

/// On the wire as one flat object (`wire`), in server functions, resources and plain endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(into = "wire::Wire", try_from = "wire::Wire")]
pub enum AppError {
    #[error("not signed in")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("wrong login or password")]
    BadCredentials,
    #[error("too many sign-in attempts, retry in {retry_after_secs}s")]
    Throttled { retry_after_secs: u64 },
    /// Too many writes of one kind in an hour (reports, messages, uploads, replies, reveals).
    #[error("rate limited, retry in {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },
    /// The user already holds as many live streams as one user may.
    #[error("too many open streams")]
    TooManyStreams,
    /// Too many requests of a costly kind (password checks) at once; nothing was done.
    #[error("busy, retry in {retry_after_secs}s")]
    Busy { retry_after_secs: u64 },
    #[error("invalid {field}: {problem:?}")]
    Invalid { field: String, problem: Problem },
    /// The uploaded file is not an image (checked by content, not by name).
    #[error("not an image")]
    NotAnImage,
    /// Uploads the request names are gone (never attached within a day, so deleted): the
    /// phone uploads them again from its own copy and retries.
    #[error("uploads gone: {ids:?}")]
    AttachmentsGone { ids: Vec<uuid::Uuid> },
    /// A picture in a format the server reads, cut short or damaged.
    #[error("damaged image")]
    BrokenImage,
    /// An image in a format the server cannot read (HEIC, for example).
    #[error("unsupported image format {format}")]
    UnsupportedImage { format: String },
    #[error("body over {max_mb} MB")]
    TooLarge { max_mb: u32 },
    /// A picture larger than any phone sends (checked by its declared size).
    #[error("image over {max_megapixels} megapixels")]
    ImageTooLarge { max_megapixels: u32 },
    /// The action does not fit the incident's current status.
    #[error("not allowed while {status:?}")]
    NotNow { status: crate::incidents::Status },
    /// Somebody else claimed the incident first.
    #[error("already claimed by {by}")]
    AlreadyClaimed { by: String },
    /// Somebody else reviewed the data-fix script first.
    #[error("already reviewed by {by}")]
    AlreadyReviewed { by: String },
    /// The article's working copy is not in a state that allows this (publishing a draft).
    #[error("article is {state:?}")]
    ArticleNotNow { state: crate::help::ArticleState },
    /// Publishing a text one wrote oneself: a second person reviews every article.
    #[error("own article")]
    OwnArticle,
    /// Written on this phone under another account than the one now signed in.
    #[error("written under another account")]
    WrongAccount,
    /// The same client id was already used for something else.
    #[error("conflicting client id")]
    Conflict,
    /// A request body in an encoding none of the app's requests use.
    #[error("unsupported content type")]
    UnsupportedContentType,
    #[error("internal error")]
    Internal,
    /// The request did not complete (network down, bad encoding). Produced by the server-fn
    /// machinery, not by application code.
    #[error("request failed: {0}")]
    Transport(String),
}

/// Why a field was refused; the UI turns it into words of the user's language. Inside an
/// `AppError` it travels flattened (see `wire`); the derived form is the import preview's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    Required,
    TooLong {
        max: u32,
    },
    /// A control character (NUL, for one) that no text of the desk may hold.
    ControlCharacter,
    TooMany {
        max: u32,
    },
    UnknownChoice,
    IdCardFormat,
    IdCardBirthDate,
    IdCardChecksum,
    PassportFormat,
    HkMacauPermitFormat,
    TaiwanPermitFormat,
    FundAccountFormat,
    MobileFormat,
    OutOfRange {
        min: u32,
        max: u32,
    },
    /// Not in the expected form (a time, a date).
    Format,
    /// An end that does not come after its start.
    NotAfterStart,
    /// Another record already uses this value.
    Duplicate,
    /// An incident number that does not fit (itself, missing, finished, already in a batch).
    BadLink,
    /// A time that has not come yet.
    InFuture,
    /// A record whose status no longer allows the action (retrying a job that did not fail).
    NotNow,
    /// A time further back than this many days.
    TooOld {
        max_days: u32,
    },
}

impl Problem {
    /// The sentence shown at a field named `name`.
    pub fn message(self, t: &Texts, name: &str) -> String {
        let words = crate::incidents::texts::of(t.locale);
        match self {
            Self::Required => fill(t.err_required, &[&name]),
            Self::TooLong { max } => fill(t.err_too_long, &[&name, &max]),
            Self::ControlCharacter => fill(t.err_control_character, &[&name]),
            Self::TooMany { max } => fill(words.err_too_many, &[&name, &max]),
            Self::UnknownChoice => fill(words.err_unknown_choice, &[&name]),
            Self::IdCardFormat => words.err_id_card_format.to_owned(),
            Self::IdCardBirthDate => words.err_id_card_birth_date.to_owned(),
            Self::IdCardChecksum => words.err_id_card_checksum.to_owned(),
            Self::PassportFormat => words.err_passport_format.to_owned(),
            Self::HkMacauPermitFormat => words.err_hk_macau_permit_format.to_owned(),
            Self::TaiwanPermitFormat => words.err_taiwan_permit_format.to_owned(),
            Self::FundAccountFormat => words.err_fund_account_format.to_owned(),
            Self::MobileFormat => words.err_mobile_format.to_owned(),
            Self::OutOfRange { min, max } => fill(words.err_out_of_range, &[&name, &min, &max]),
            Self::Format => fill(words.err_format, &[&name]),
            Self::NotAfterStart => fill(words.err_not_after_start, &[&name]),
            Self::BadLink => words.err_bad_link.to_owned(),
            Self::Duplicate => fill(words.err_duplicate, &[&name]),
            Self::InFuture => fill(words.err_in_future, &[&name]),
            Self::NotNow => fill(words.err_status_changed, &[&name]),
            Self::TooOld { max_days } => fill(words.err_too_old, &[&name, &max_days]),
        }
    }
}

impl AppError {
    pub fn invalid(field: &str, problem: Problem) -> Self {
        Self::Invalid {
            field: field.to_owned(),
            problem,
        }
    }

    /// The HTTP status a server function answers with for this error.
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            Self::Unauthenticated | Self::BadCredentials => S::UNAUTHORIZED,
            Self::Forbidden | Self::OwnArticle => S::FORBIDDEN,
            Self::NotFound => S::NOT_FOUND,
            Self::Throttled { .. } | Self::RateLimited { .. } | Self::TooManyStreams => {
                S::TOO_MANY_REQUESTS
            }
            Self::Busy { .. } => S::SERVICE_UNAVAILABLE,
            Self::Invalid { .. } | Self::NotNow { .. } | Self::BrokenImage => {
                S::UNPROCESSABLE_ENTITY
            }
            Self::NotAnImage | Self::UnsupportedImage { .. } | Self::UnsupportedContentType => {
                S::UNSUPPORTED_MEDIA_TYPE
            }
            Self::TooLarge { .. } | Self::ImageTooLarge { .. } => S::PAYLOAD_TOO_LARGE,
            Self::AttachmentsGone { .. } => S::GONE,
            Self::Conflict
            | Self::WrongAccount
            | Self::AlreadyClaimed { .. }
            | Self::AlreadyReviewed { .. }
            | Self::ArticleNotNow { .. } => S::CONFLICT,
            Self::Transport(_) => S::BAD_REQUEST,
            Self::Internal => S::INTERNAL_SERVER_ERROR,
        }
    }

    /// The sentence shown to the user.
    pub fn message(&self, t: &Texts) -> String {
        let words = crate::incidents::texts::of(t.locale);
        match self {
            Self::Unauthenticated => t.err_unauthenticated.to_owned(),
            // The knowledge base's pages say these in their own words (`help::texts`).
            Self::Forbidden | Self::OwnArticle => t.err_forbidden.to_owned(),
            Self::NotFound => t.err_not_found.to_owned(),
            Self::BadCredentials => t.err_bad_credentials.to_owned(),
            Self::Throttled { retry_after_secs } => t.throttled(*retry_after_secs),
            Self::Busy { retry_after_secs } => fill(t.err_busy, &[retry_after_secs]),
            Self::TooManyStreams => t.err_too_many_streams.to_owned(),
            Self::RateLimited { retry_after_secs } => {
                fill(t.err_rate_limited, &[&retry_after_secs.div_ceil(60)])
            }
            Self::Invalid { field, problem } => problem.message(t, t.field_name(field)),
            Self::NotAnImage => words.err_not_an_image.to_owned(),
            Self::BrokenImage => words.err_broken_image.to_owned(),
            Self::AttachmentsGone { .. } => words.err_attachments_gone.to_owned(),
            Self::UnsupportedImage { format } => fill(words.err_unsupported_image, &[format]),
            Self::TooLarge { max_mb } => fill(words.err_too_large, &[max_mb]),
            Self::ImageTooLarge { max_megapixels } => {
                fill(words.err_image_too_large, &[max_megapixels])
            }
            Self::NotNow { status } => fill(words.err_not_now, &[&words.status_name(*status)]),
            Self::Conflict | Self::ArticleNotNow { .. } => words.err_conflict.to_owned(),
            Self::WrongAccount => words.err_wrong_account.to_owned(),
            Self::AlreadyClaimed { by } => fill(words.err_already_claimed, &[by]),
            Self::AlreadyReviewed { by } => fill(words.err_already_reviewed, &[by]),
            Self::UnsupportedContentType => t.err_content_type.to_owned(),
            Self::Internal => t.err_internal.to_owned(),
            Self::Transport(_) => t.err_network.to_owned(),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        Self::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        // Text PostgreSQL cannot store (a NUL byte) that no field check caught: still the
        // sender's mistake, never a server error. Every field is checked before it gets here.
        let unstorable = err
            .as_database_error()
            .and_then(|e| e.code())
            .is_some_and(|code| matches!(code.as_ref(), "22021" | "22P05"));
        if unstorable {
            tracing::warn!(error = %err, "unstorable text reached the database");
            return Self::invalid("text", Problem::ControlCharacter);
        }
        tracing::error!(error = %err, "database error");
        Self::Internal
    }
}

#[cfg(feature = "ssr")]
impl From<tower_sessions::session::Error> for AppError {
    fn from(err: tower_sessions::session::Error) -> Self {
        tracing::error!(error = %err, "session store error");
        Self::Internal
    }
}
