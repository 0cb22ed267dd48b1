//! `/api/meetings/{id}/notes`: generating and listing the mocked AI notes.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{ApiPath, MeetingId};
use crate::domain::notes;
use crate::error::AppError;
use crate::model::Note;
use crate::web::auth::AuthUser;
use crate::web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(generate))
        .routes(routes!(list))
}

#[utoipa::path(
    post,
    path = "/meetings/{id}/notes",
    operation_id = "generate_note",
    tag = "notes",
    summary = "Generate the mocked AI note from the meeting's data (owner)",
    params(
        MeetingId,
    ),
    responses(
        (status = 201, description = "The stored note.", body = Note),
        (status = 403, description = "forbidden: only the meeting's owner may do this.", body = super::schemas::ErrorBody),
        (status = 409, description = "meeting_cancelled.", body = super::schemas::ErrorBody),
    ),
)]
async fn generate(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(MeetingId { id }): ApiPath<MeetingId>,
) -> Result<(StatusCode, Json<Note>), AppError> {
    let note = notes::generate(&state.backend, auth.user.id, id).await?;
    Ok((StatusCode::CREATED, Json(note)))
}

#[utoipa::path(
    get,
    path = "/meetings/{id}/notes",
    operation_id = "list_notes",
    tag = "notes",
    summary = "The meeting's notes, newest first (owner)",
    params(
        MeetingId,
    ),
    responses(
        (status = 200, description = "The notes.", body = Vec<Note>),
        (status = 403, description = "forbidden: only the meeting's owner may do this.", body = super::schemas::ErrorBody),
    ),
)]
async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(MeetingId { id }): ApiPath<MeetingId>,
) -> Result<Json<Vec<Note>>, AppError> {
    Ok(Json(notes::list(&state.backend, auth.user.id, id).await?))
}
