//! `/api/meetings/{id}/recordings*` and `/api/recordings/{id}*`: starting, ending, listing and
//! downloading recordings.

use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use tower::Service;
use tower_http::services::ServeFile;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{ApiPath, ApiQuery, MeetingId, RecordingId};
use crate::domain::access;
use crate::domain::recordings::{self, ListQuery};
use crate::error::AppError;
use crate::model::{Page, Recording};
use crate::web::auth::AuthUser;
use crate::web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(start))
        .routes(routes!(end))
        .routes(routes!(show))
        .routes(routes!(download))
}

#[utoipa::path(
    get,
    path = "/meetings/{id}/recordings",
    operation_id = "list_recordings",
    tag = "recordings",
    summary = "The meeting's recordings (owner)",
    params(
        MeetingId,
        ("sort_by" = Option<crate::model::RecordingSort>, Query, description = "Default created_at"),
        ("sort_dir" = Option<crate::model::SortDir>, Query, description = "Default desc"),
        ("page" = Option<i64>, Query, minimum = 1, maximum = 2147483647, description = "Page number, from 1 (default 1)"),
        ("per_page" = Option<i64>, Query, minimum = 1, maximum = 100, description = "Items per page, 1..100 (default 10)"),
    ),
    responses(
        (status = 200, description = "One page of recordings.", body = Page<Recording>),
        (status = 403, description = "forbidden: only the meeting's owner may do this.", body = super::schemas::ErrorBody),
    ),
)]
async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(MeetingId { id }): ApiPath<MeetingId>,
    query: Result<ApiQuery<ListQuery>, AppError>,
) -> Result<Json<Page<Recording>>, AppError> {
    let ApiQuery(query) = match query {
        Ok(query) => query,
        Err(e) => return Err(access::unless_hidden(&state.backend, auth.user.id, id, e).await),
    };
    Ok(Json(
        recordings::list(&state.backend, auth.user.id, id, query).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/meetings/{id}/recordings/start",
    operation_id = "start_recording",
    tag = "recordings",
    summary = "Start recording (owner); snapshots who is present",
    params(
        MeetingId,
    ),
    responses(
        (status = 201, description = "The running recording.", body = Recording),
        (status = 403, description = "forbidden: only the meeting's owner may do this.", body = super::schemas::ErrorBody),
        (status = 409, description = "not_started, recording_in_progress or meeting_closed.", body = super::schemas::ErrorBody),
    ),
)]
async fn start(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(MeetingId { id }): ApiPath<MeetingId>,
) -> Result<(StatusCode, Json<Recording>), AppError> {
    let recording = recordings::start(&state.backend, auth.user.id, id).await?;
    Ok((StatusCode::CREATED, Json(recording)))
}

#[utoipa::path(
    post,
    path = "/meetings/{id}/recordings/end",
    operation_id = "end_recording",
    tag = "recordings",
    summary = "End the running recording (owner) and write its manifest",
    params(
        MeetingId,
    ),
    responses(
        (status = 200, description = "The ended recording with its file.", body = Recording),
        (status = 403, description = "forbidden: only the meeting's owner may do this.", body = super::schemas::ErrorBody),
        (status = 409, description = "no_active_recording.", body = super::schemas::ErrorBody),
    ),
)]
async fn end(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(MeetingId { id }): ApiPath<MeetingId>,
) -> Result<Json<Recording>, AppError> {
    Ok(Json(
        recordings::end(&state.backend, auth.user.id, id).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/recordings/{id}",
    operation_id = "get_recording",
    tag = "recordings",
    summary = "One recording (owner)",
    params(
        RecordingId,
    ),
    responses(
        (status = 200, description = "The recording.", body = Recording),
        (status = 403, description = "forbidden: only the meeting's owner may do this.", body = super::schemas::ErrorBody),
    ),
)]
async fn show(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(RecordingId { id }): ApiPath<RecordingId>,
) -> Result<Json<Recording>, AppError> {
    Ok(Json(
        recordings::get(&state.backend, auth.user.id, id).await?,
    ))
}

fn file_unavailable() -> AppError {
    AppError::FileUnavailable(
        "The recording's file is not available (still recording, or removed from storage).".into(),
    )
}

/// Streams the file; `ServeFile` answers `Range` with 206 and conditional requests with 304.
#[utoipa::path(
    get,
    path = "/recordings/{id}/download",
    operation_id = "download_recording",
    tag = "recordings",
    summary = "The recording's manifest file as an attachment (owner); supports Range",
    params(
        RecordingId,
        ("Range" = Option<String>, Header, description = "e.g. bytes=0-99"),
    ),
    responses(
        (status = 200, description = "The whole file.", body = String, content_type = "text/plain"),
        (status = 206, description = "The requested range.", body = String, content_type = "text/plain"),
        (status = 416, description = "The range is outside the file."),
        (status = 403, description = "forbidden: only the meeting's owner may do this.", body = super::schemas::ErrorBody),
        (status = 404, description = "not_found: no such recording; file_unavailable: still recording, or the file is gone.", body = super::schemas::ErrorBody),
    ),
)]
async fn download(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(RecordingId { id }): ApiPath<RecordingId>,
    request: Request,
) -> Result<Response, AppError> {
    let file = recordings::file(&state.backend, auth.user.id, id)
        .await?
        .ok_or_else(file_unavailable)?;
    let served = match ServeFile::new(&file.path).call(request).await {
        Ok(res) => res,
        Err(never) => match never {},
    };
    // The file can vanish between the check and the read.
    if served.status() == StatusCode::NOT_FOUND {
        return Err(file_unavailable());
    }
    let mut response = served.map(Body::new);
    // The name is ours (`meeting-…-….txt`), plain ASCII, so it needs no escaping.
    let disposition = format!("attachment; filename=\"{}\"", file.file_name);
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
