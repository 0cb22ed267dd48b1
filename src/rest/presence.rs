//! `/api/meetings/{id}/presence/*` and `/participants`: who is in the call.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::{ApiPath, ApiQuery};
use crate::domain::presence::{self, Joined};
use crate::error::AppError;
use crate::model::Participant;
use crate::server::auth::AuthUser;
use crate::server::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings/{id}/presence/join", post(join))
        .route("/meetings/{id}/presence/leave", post(leave))
        .route("/meetings/{id}/participants", get(participants))
}

async fn join(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<(StatusCode, Json<Participant>), AppError> {
    let (participant, joined) = presence::join(
        &state.db,
        auth.user.id,
        id,
        state.config.presence_timeout_seconds,
    )
    .await?;
    let status = match joined {
        Joined::New => StatusCode::CREATED,
        Joined::AlreadyPresent => StatusCode::OK,
    };
    Ok((status, Json(participant)))
}

async fn leave(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Participant>, AppError> {
    presence::leave(
        &state.db,
        auth.user.id,
        id,
        state.config.presence_timeout_seconds,
    )
    .await
    .map(Json)
}

#[derive(Deserialize)]
struct ParticipantsQuery {
    active: Option<String>,
}

async fn participants(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ParticipantsQuery>,
) -> Result<Json<Vec<Participant>>, AppError> {
    let active = match q.active.as_deref().map(str::trim) {
        None | Some("") | Some("0") | Some("false") => false,
        Some("1") | Some("true") => true,
        Some(_) => return Err(AppError::invalid("active", "must be 1 or 0")),
    };
    presence::participants(
        &state.db,
        auth.user.id,
        id,
        active,
        state.config.presence_timeout_seconds,
    )
    .await
    .map(Json)
}
