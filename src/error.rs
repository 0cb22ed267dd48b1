//! The one error type of the app. Every layer returns it; REST turns it into the JSON body of
//! the HTTP contract, and server functions carry it to the pages intact.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Field name → problems with that field, as sent in a 422 `fields` object.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

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
    Forbidden { code: String, message: String },
    /// 404; the same for "does not exist" and "exists but you may not see it".
    #[error("{0}")]
    NotFound(String),
    /// 404 `file_unavailable`: the record exists and may be seen, but its file is not on disk
    /// (still being written, or removed from storage).
    #[error("{0}")]
    FileUnavailable(String),
    /// 409: illegal in the current state, with a specific code.
    #[error("{message}")]
    Conflict { code: String, message: String },
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
    pub fn forbidden(code: &str, message: impl Into<String>) -> Self {
        Self::Forbidden {
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code: code.into(),
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

    /// The snake_case `error` code of the HTTP contract.
    pub fn code(&self) -> &str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Unauthenticated(_) => "unauthenticated",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Forbidden { code, .. } | Self::Conflict { code, .. } => code,
            Self::NotFound(_) => "not_found",
            Self::FileUnavailable(_) => "file_unavailable",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::Validation(_) => "validation_failed",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::Unavailable(_) => "service_unavailable",
            Self::Internal => "internal_error",
            Self::Transport(_) => "transport_error",
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
