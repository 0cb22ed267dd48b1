//! `/api/meetings/{id}/presence/*` and `/participants`: who is in the call.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{ApiPath, ApiQuery, MeetingId};
use crate::domain::access;
use crate::domain::presence::{self, Joined};
use crate::domain::validate::{Checks, Given};
use crate::error::AppError;
use crate::model::{ActiveFlag, Participant};
use crate::web::auth::AuthUser;
use crate::web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(join))
        .routes(routes!(leave))
        .routes(routes!(participants))
}

#[utoipa::path(
    post,
    path = "/meetings/{id}/presence/join",
    operation_id = "join_meeting",
    tag = "presence",
    summary = "Enter the call (owner or accepted invitee)",
    params(
        MeetingId,
    ),
    responses(
        (status = 201, description = "Joined.", body = Participant),
        (status = 200, description = "Already present.", body = Participant),
        (status = 403, description = "not_accepted: the invitation is pending, rejected or proposed.", body = super::schemas::ErrorBody),
        (status = 409, description = "meeting_closed: the meeting has ended or was cancelled.", body = super::schemas::ErrorBody),
    ),
)]
async fn join(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(MeetingId { id }): ApiPath<MeetingId>,
) -> Result<(StatusCode, Json<Participant>), AppError> {
    let (participant, joined) = presence::join(&state.backend, auth.user.id, id).await?;
    let status = match joined {
        Joined::New => StatusCode::CREATED,
        Joined::AlreadyPresent => StatusCode::OK,
    };
    Ok((status, Json(participant)))
}

#[utoipa::path(
    post,
    path = "/meetings/{id}/presence/leave",
    operation_id = "leave_meeting",
    tag = "presence",
    summary = "Leave the call",
    params(
        MeetingId,
    ),
    responses(
        (status = 200, description = "Left.", body = Participant),
        (status = 409, description = "not_joined: never joined, or already left.", body = super::schemas::ErrorBody),
    ),
)]
async fn leave(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(MeetingId { id }): ApiPath<MeetingId>,
) -> Result<Json<Participant>, AppError> {
    presence::leave(&state.backend, auth.user.id, id)
        .await
        .map(Json)
}

#[derive(Deserialize)]
struct ParticipantsQuery {
    active: Option<Given<ActiveFlag>>,
}

#[utoipa::path(
    get,
    path = "/meetings/{id}/participants",
    operation_id = "list_participants",
    tag = "presence",
    summary = "Who joined, newest first (owner or present participant)",
    params(
        MeetingId,
        ("active" = Option<crate::model::ActiveFlag>, Query, description = "1 keeps those present only"),
    ),
    responses(
        (status = 200, description = "The participants.", body = Vec<Participant>),
        (status = 403, description = "join_required: only the owner or a present participant may look.", body = super::schemas::ErrorBody),
    ),
)]
async fn participants(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(MeetingId { id }): ApiPath<MeetingId>,
    query: Result<ApiQuery<ParticipantsQuery>, AppError>,
) -> Result<Json<Vec<Participant>>, AppError> {
    let active = query.and_then(|ApiQuery(q)| {
        let mut checks = Checks::new();
        let active = checks.choice("active", q.active, ActiveFlag::Zero);
        checks.finish().map(|()| active.present_only())
    });
    let active = match active {
        Ok(active) => active,
        Err(e) => return Err(access::unless_hidden(&state.backend, auth.user.id, id, e).await),
    };
    presence::participants(&state.backend, auth.user.id, id, active)
        .await
        .map(Json)
}
