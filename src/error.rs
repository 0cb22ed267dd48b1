//! The one error type of the app. Every layer returns it; REST turns it into the JSON body of
//! the HTTP contract, and server functions carry it to the pages intact.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Field name → problems with that field, as sent in a 422 `fields` object.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// The `error` codes of the HTTP contract. Their snake_case strings are the contract; the
/// browser's call engine matches these variants, so a misspelt code cannot compile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    Unauthenticated,
    InvalidCredentials,
    Forbidden,
    NotAccepted,
    JoinRequired,
    CrossSiteRequest,
    NotFound,
    FileUnavailable,
    AlreadyInvited,
    AlreadyAccepted,
    AlreadyStarted,
    AlreadyEnded,
    NotStarted,
    MeetingCancelled,
    MeetingClosed,
    NotJoined,
    RecipientNotPresent,
    NoProposal,
    RecordingInProgress,
    NoActiveRecording,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    TooManyRequests,
    ServiceUnavailable,
    InternalError,
    TransportError,
    /// A code this build does not know (a newer server, or an answer that is not the API's
    /// own, such as a proxy's). Never sent by this server.
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// The contract's string for this code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::Unauthenticated => "unauthenticated",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Forbidden => "forbidden",
            Self::NotAccepted => "not_accepted",
            Self::JoinRequired => "join_required",
            Self::CrossSiteRequest => "cross_site_request",
            Self::NotFound => "not_found",
            Self::FileUnavailable => "file_unavailable",
            Self::AlreadyInvited => "already_invited",
            Self::AlreadyAccepted => "already_accepted",
            Self::AlreadyStarted => "already_started",
            Self::AlreadyEnded => "already_ended",
            Self::NotStarted => "not_started",
            Self::MeetingCancelled => "meeting_cancelled",
            Self::MeetingClosed => "meeting_closed",
            Self::NotJoined => "not_joined",
            Self::RecipientNotPresent => "recipient_not_present",
            Self::NoProposal => "no_proposal",
            Self::RecordingInProgress => "recording_in_progress",
            Self::NoActiveRecording => "no_active_recording",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::ValidationFailed => "validation_failed",
            Self::TooManyRequests => "too_many_requests",
            Self::ServiceUnavailable => "service_unavailable",
            Self::InternalError => "internal_error",
            Self::TransportError => "transport_error",
            Self::Unknown => "unknown",
        }
    }

    /// The code named by `s`; [`ErrorCode::Unknown`] for one this build does not know.
    pub fn parse(s: &str) -> Self {
        serde_json::from_value(serde_json::Value::String(s.to_string())).unwrap_or(Self::Unknown)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// 400: the request could not be read (malformed JSON, bad query string).
    #[error("{0}")]
    BadRequest(String),
    /// 401 `unauthenticated`.
    #[error("{0}")]
    Unauthenticated(String),
    /// 401 `invalid_credentials`: the same for an unknown email and a wrong password.
    #[error("The email or password is incorrect.")]
    InvalidCredentials,
    /// 403 with a specific code (`forbidden`, `not_accepted`, `join_required`, ...).
    #[error("{message}")]
    Forbidden { code: ErrorCode, message: String },
    /// 404; the same for "does not exist" and "exists but you may not see it".
    #[error("{0}")]
    NotFound(String),
    /// 404 `file_unavailable`: the record exists and may be seen, but its file is not on disk
    /// (still being written, or removed from storage).
    #[error("{0}")]
    FileUnavailable(String),
    /// 409: illegal in the current state, with a specific code.
    #[error("{message}")]
    Conflict { code: ErrorCode, message: String },
    /// 413: the body is over the limit.
    #[error("The request body is too large.")]
    PayloadTooLarge,
    /// 415: a body that is not JSON.
    #[error("Send the body as JSON (Content-Type: application/json).")]
    UnsupportedMediaType,
    /// 422 with per-field messages.
    #[error("{}", validation_summary(.0))]
    Validation(FieldErrors),
    /// 429: too many attempts; retry after the given number of seconds.
    #[error("Too many attempts. Try again in {}.", wait_in_words(*.retry_after_secs))]
    TooManyRequests { retry_after_secs: u64 },
    /// 503: a dependency (database, storage) is unavailable right now.
    #[error("{0}")]
    Unavailable(String),
    /// 500: the cause was logged where it happened and is never sent to the client.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The server-function transport failed (network, encoding). Only seen by the pages.
    #[error("Could not reach the server: {0}")]
    Transport(String),
}

fn validation_summary(fields: &FieldErrors) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|(field, problems)| format!("{field} {}", problems.join(", ")))
        .collect();
    if parts.is_empty() {
        "The input is invalid.".into()
    } else {
        format!("The input is invalid: {}.", parts.join("; "))
    }
}

/// "45 seconds", "1 minute", "5 minutes": a wait as people say it, rounded up.
fn wait_in_words(secs: u64) -> String {
    let (n, unit) = if secs < 60 {
        (secs.max(1), "second")
    } else {
        (secs.div_ceil(60), "minute")
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

impl AppError {
    pub fn forbidden(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Forbidden {
            code,
            message: message.into(),
        }
    }

    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
        }
    }

    /// A 422 for a single field.
    pub fn invalid(field: &str, problem: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(field.into(), vec![problem.into()]);
        Self::Validation(fields)
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::BadRequest(_) => 400,
            Self::Unauthenticated(_) | Self::InvalidCredentials => 401,
            Self::Forbidden { .. } => 403,
            Self::NotFound(_) | Self::FileUnavailable(_) => 404,
            Self::Conflict { .. } => 409,
            Self::PayloadTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::Validation(_) => 422,
            Self::TooManyRequests { .. } => 429,
            Self::Unavailable(_) => 503,
            Self::Internal | Self::Transport(_) => 500,
        }
    }

    /// The `error` code of the HTTP contract.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::InvalidCredentials => ErrorCode::InvalidCredentials,
            Self::Forbidden { code, .. } | Self::Conflict { code, .. } => *code,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::FileUnavailable(_) => ErrorCode::FileUnavailable,
            Self::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            Self::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            Self::Validation(_) => ErrorCode::ValidationFailed,
            Self::TooManyRequests { .. } => ErrorCode::TooManyRequests,
            Self::Unavailable(_) => ErrorCode::ServiceUnavailable,
            Self::Internal => ErrorCode::InternalError,
            Self::Transport(_) => ErrorCode::TransportError,
        }
    }

    /// The problems with one field, for inline messages next to an input.
    pub fn field(&self, name: &str) -> Option<String> {
        match self {
            Self::Validation(fields) => fields.get(name).map(|p| p.join(", ")),
            _ => None,
        }
    }
}

impl server_fn_error::FromServerFnError for AppError {
    type Encoder = server_fn_error::JsonEncoding;

    fn from_server_fn_error(value: server_fn_error::ServerFnErrorErr) -> Self {
        use server_fn_error::ServerFnErrorErr as E;
        match value {
            // The server could not read the call's arguments: the caller sent bad input.
            E::Args(message) => {
                AppError::BadRequest(format!("The request could not be read: {message}"))
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

mod server_fn_error {
    pub use leptos::server_fn::codec::JsonEncoding;
    pub use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_from_its_contract_string() {
        let codes = [
            ErrorCode::BadRequest,
            ErrorCode::JoinRequired,
            ErrorCode::MeetingClosed,
            ErrorCode::RecipientNotPresent,
            ErrorCode::ServiceUnavailable,
        ];
        for code in codes {
            assert_eq!(ErrorCode::parse(code.as_str()), code);
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
        assert_eq!(ErrorCode::parse("bad_gateway"), ErrorCode::Unknown);
    }

    #[test]
    fn a_throttled_caller_is_told_the_wait_in_words() {
        let told = |secs| {
            AppError::TooManyRequests {
                retry_after_secs: secs,
            }
            .to_string()
        };
        assert_eq!(told(0), "Too many attempts. Try again in 1 second.");
        assert_eq!(told(45), "Too many attempts. Try again in 45 seconds.");
        assert_eq!(told(60), "Too many attempts. Try again in 1 minute.");
        assert_eq!(told(61), "Too many attempts. Try again in 2 minutes.");
        assert_eq!(told(300), "Too many attempts. Try again in 5 minutes.");
    }
}
