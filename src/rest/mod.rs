//! The JSON HTTP API under `/api`: thin handlers that read the request, call the domain and
//! shape the response exactly as API.md says.

mod auth;
mod extract;
mod health;
mod invitations;
mod meetings;
mod notes;
mod openapi;
mod presence;
mod recordings;
mod schemas;
mod signals;

use std::time::Duration;

use axum::Router;
use axum::http::{Method, Uri};
use axum::middleware::from_fn_with_state;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::domain::signals::MAX_WAIT_SECS;
use crate::error::AppError;
use crate::web::security::{REQUEST_TIMEOUT, time_limit};
use crate::web::state::AppState;

pub use extract::{ApiJson, ApiPath, ApiQuery, InvitationId, MeetingId, RecordingId};

/// The API under `/api`, and its OpenAPI document from the same list of routes.
pub fn router() -> Router<AppState> {
    let api = OpenApiRouter::new()
        .merge(health::router())
        .merge(auth::router())
        .merge(presence::router())
        .merge(signals::router())
        .merge(meetings::router())
        .merge(invitations::router())
        .merge(recordings::router())
        .merge(notes::router())
        .merge(openapi::router())
        .fallback(not_found)
        .layer(from_fn_with_state(REQUEST_TIMEOUT, time_limit))
        .merge(signals::long_poll_router().layer(from_fn_with_state(
            REQUEST_TIMEOUT + Duration::from_secs(MAX_WAIT_SECS.unsigned_abs()),
            time_limit,
        )));
    let (router, doc) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .nest("/api", api)
        .split_for_parts();
    openapi::publish(doc);
    router
}

async fn not_found(method: Method, uri: Uri) -> AppError {
    AppError::NotFound(format!("There is no {method} {uri} in this API."))
}
