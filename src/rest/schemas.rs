//! The shapes of the OpenAPI document that no shared model type describes: the error body,
//! ad-hoc JSON answers, and the allowed values of query parameters. A leaf: the handlers
//! name these in their `#[utoipa::path]` attributes, and `openapi` lists them.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::model::SignalType;

/// Every error body of the API. `fields` comes with 422 only.
#[derive(Serialize, ToSchema)]
pub(crate) struct ErrorBody {
    /// The snake_case code, e.g. `not_found`, `meeting_closed`, `validation_failed`.
    error: String,
    /// A sentence for a person.
    message: String,
    /// 422 only: each field with its problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    fields: Option<BTreeMap<String, Vec<String>>>,
}

// The next types describe bodies whose Rust types live in the domain, which does not know
// utoipa, or are built as ad-hoc JSON; they mirror those shapes.

/// A signal to send to another present participant.
#[derive(Serialize, ToSchema)]
pub(crate) struct NewSignal {
    to_user_id: i64,
    #[serde(rename = "type")]
    kind: SignalType,
    /// Any JSON object of at most 64 KiB.
    #[schema(value_type = Object)]
    payload: serde_json::Value,
}

/// The health check's answer; with 503 it reads `{"status":"unavailable","db":"unreachable"}`.
#[derive(Serialize, ToSchema)]
pub(crate) struct Health {
    #[schema(example = "ok")]
    status: String,
    #[schema(example = "ok")]
    db: String,
}

/// A plain confirmation, e.g. `{"message": "Logged out"}`.
#[derive(Serialize, ToSchema)]
pub(crate) struct Message {
    message: String,
}
