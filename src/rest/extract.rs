//! Request-body reading with the contract's answers: 400 for malformed JSON, 413 over the
//! size limit, 415 for a body that is not JSON, and 422 naming the field for a wrong type
//! or a missing field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

use crate::error::AppError;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("application/json")
                    || v.contains("+json")
            });
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge
            } else {
                AppError::BadRequest(format!("The request body could not be read: {rejection}"))
            }
        })?;
        if !is_json {
            return Err(AppError::UnsupportedMediaType);
        }
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        parse(bytes).map(ApiJson)
    }
}

/// Parses a JSON object into `T`, mapping failures onto the contract's statuses. The syntax is
/// checked first, so that a syntax error anywhere is a 400 and never a field error.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    use crate::web::security::{MAX_JSON_DEPTH, json_depth_within};
    if !json_depth_within(bytes, MAX_JSON_DEPTH) {
        let message = format!("The body nests deeper than {MAX_JSON_DEPTH} levels.");
        return Err(AppError::BadRequest(message));
    }
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| AppError::BadRequest(format!("The body is not valid JSON: {e}.")))?;
    if !value.is_object() {
        return Err(AppError::invalid("body", "must be a JSON object"));
    }
    serde_path_to_error::deserialize::<_, T>(value).map_err(|err| field_error(err, "body"))
}

/// A 422 naming the field that failed to deserialize (`whole` when it is the input itself).
fn field_error<E: std::fmt::Display>(err: serde_path_to_error::Error<E>, whole: &str) -> AppError {
    let path = err.path().to_string();
    let message = err.into_inner().to_string();
    match message.strip_prefix("missing field `") {
        Some(rest) => AppError::invalid(rest.trim_end_matches('`'), "is required"),
        None => AppError::invalid(if path == "." { whole } else { &path }, message),
    }
}

/// Query-string parameters; a bad value is a 422 naming the parameter, and an empty one
/// (`?page=&status=`) counts as absent.
pub struct ApiQuery<T>(pub T);

impl<S, T> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or_default();
        let given = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                url::form_urlencoded::parse(query.as_bytes()).filter(|(_, v)| !v.trim().is_empty()),
            )
            .finish();
        let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(given.as_bytes()));
        serde_path_to_error::deserialize::<_, T>(de)
            .map(ApiQuery)
            .map_err(|err| field_error(err, "query"))
    }
}

/// Path ids: one that is not a positive integer names nothing, so it is a 404.
pub struct ApiPath<T>(pub T);

/// The `{id}` of a path, one type per kind of record: the handler extracts it with
/// `ApiPath(MeetingId { id }): ApiPath<MeetingId>`, and its `#[utoipa::path]` lists it as
/// `params(MeetingId)`, so the parameter is described once.
macro_rules! path_id {
    ($name:ident, $what:literal) => {
        #[derive(Debug, Clone, Copy, serde::Deserialize, utoipa::IntoParams)]
        #[into_params(parameter_in = Path)]
        pub struct $name {
            #[doc = $what]
            pub id: i64,
        }
    };
}

path_id!(MeetingId, "The meeting's id");
path_id!(InvitationId, "The invitation's id");
path_id!(RecordingId, "The recording's id");

impl<S, T> axum::extract::FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, AppError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| ApiPath(v))
            .map_err(|_| AppError::NotFound("No such resource.".into()))
    }
}
