//! `/api/meetings/{id}/notes`: generating and listing the mocked AI notes.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};

use super::ApiPath;
use crate::domain::notes;
use crate::error::AppError;
use crate::model::Note;
use crate::server::auth::AuthUser;
use crate::server::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/meetings/{id}/notes", get(list).post(generate))
}

async fn generate(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<(StatusCode, Json<Note>), AppError> {
    let note = notes::generate(&state.db, auth.user.id, id).await?;
    Ok((StatusCode::CREATED, Json(note)))
}

async fn list(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<Note>>, AppError> {
    Ok(Json(notes::list(&state.db, auth.user.id, id).await?))
}
