//! `/api/meetings/{id}/recordings*` and `/api/recordings/{id}*`: starting, ending, listing and
//! downloading recordings.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use tower::Service;
use tower_http::services::ServeFile;

use super::{ApiPath, ApiQuery};
use crate::domain::recordings::{self, ListQuery};
use crate::error::AppError;
use crate::model::{Page, Recording};
use crate::server::auth::AuthUser;
use crate::server::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings/{id}/recordings", get(list))
        .route("/meetings/{id}/recordings/start", post(start))
        .route("/meetings/{id}/recordings/end", post(end))
        .route("/recordings/{id}", get(show))
        .route("/recordings/{id}/download", get(download))
}

#[derive(Deserialize)]
struct ListParams {
    page: Option<i64>,
    per_page: Option<i64>,
    sort_by: Option<String>,
    sort_dir: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<Page<Recording>>, AppError> {
    let query = ListQuery {
        page: params.page,
        per_page: params.per_page,
        sort_by: params.sort_by,
        sort_dir: params.sort_dir,
    };
    Ok(Json(
        recordings::list(&state.db, auth.user.id, id, query).await?,
    ))
}

async fn start(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<(StatusCode, Json<Recording>), AppError> {
    let recording = recordings::start(&state.db, &state.config, auth.user.id, id).await?;
    Ok((StatusCode::CREATED, Json(recording)))
}

async fn end(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Recording>, AppError> {
    Ok(Json(
        recordings::end(&state.db, &state.config, auth.user.id, id).await?,
    ))
}

async fn show(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Recording>, AppError> {
    Ok(Json(recordings::get(&state.db, auth.user.id, id).await?))
}

/// The contract's 404 `file_unavailable`, a code the shared error type has no variant for.
fn file_unavailable() -> Response {
    let body = json!({
        "error": "file_unavailable",
        "message": "The recording's file is not available (still recording, or removed from storage).",
    });
    (StatusCode::NOT_FOUND, Json(body)).into_response()
}

/// Streams the file; `ServeFile` answers `Range` with 206 and conditional requests with 304.
async fn download(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
    request: Request,
) -> Result<Response, AppError> {
    let Some(file) = recordings::file(&state.db, &state.config, auth.user.id, id).await? else {
        return Ok(file_unavailable());
    };
    let served = match ServeFile::new(&file.path).call(request).await {
        Ok(res) => res,
        Err(never) => match never {},
    };
    // The file can vanish between the check and the read.
    if served.status() == StatusCode::NOT_FOUND {
        return Ok(file_unavailable());
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
