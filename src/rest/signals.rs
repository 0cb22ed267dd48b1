//! `/api/meetings/{id}/rtc/*`: the ICE servers of a call, and the signaling inbox (send,
//! long-poll, ack).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{ApiJson, ApiPath, ApiQuery, MeetingId};
use crate::domain::ice;
use crate::domain::signals::{self, InboxQuery, NewSignal};
use crate::error::AppError;
use crate::model::{RtcConfig, Signal};
use crate::web::auth::AuthUser;
use crate::web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(config))
        .routes(routes!(send))
        .routes(routes!(ack))
}

#[utoipa::path(
    get,
    path = "/meetings/{id}/rtc/config",
    operation_id = "rtc_config",
    tag = "signaling",
    summary = "The ICE servers for the caller's peer connections, with TURN credentials",
    params(MeetingId),
    responses(
        (status = 200, description = "`iceServers` for `RTCPeerConnection`; TURN credentials (when a TURN server is configured) are the caller's own and valid until `expires_at`.", body = RtcConfig),
        (status = 403, description = "not_accepted: only the owner and accepted invitees get them.", body = super::schemas::ErrorBody),
        (status = 409, description = "meeting_closed: the meeting has ended or was cancelled.", body = super::schemas::ErrorBody),
    ),
)]
async fn config(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(MeetingId { id }): ApiPath<MeetingId>,
) -> Result<Json<RtcConfig>, AppError> {
    ice::for_call(&state.backend, auth.user.id, id)
        .await
        .map(Json)
}

/// The inbox long-poll, apart: its time limit adds the longest wait (see `rest::router`).
pub fn long_poll_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(inbox))
}

#[utoipa::path(
    post,
    path = "/meetings/{id}/rtc/send",
    operation_id = "send_signal",
    tag = "signaling",
    summary = "Send a signal to another present participant",
    params(
        MeetingId,
    ),
    request_body = super::schemas::NewSignal,
    responses(
        (status = 201, description = "The stored signal.", body = Signal),
        (status = 403, description = "join_required: the sender is not present.", body = super::schemas::ErrorBody),
        (status = 409, description = "recipient_not_present or meeting_closed.", body = super::schemas::ErrorBody),
        (status = 422, description = "validation_failed: to yourself, or a payload that is not an object of at most 64 KiB.", body = super::schemas::ErrorBody),
    ),
)]
async fn send(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(MeetingId { id }): ApiPath<MeetingId>,
    ApiJson(body): ApiJson<NewSignal>,
) -> Result<(StatusCode, Json<Signal>), AppError> {
    let signal = signals::send(&state.backend, auth.user.id, id, body).await?;
    Ok((StatusCode::CREATED, Json(signal)))
}

#[utoipa::path(
    get,
    path = "/meetings/{id}/rtc/inbox",
    operation_id = "signal_inbox",
    tag = "signaling",
    summary = "The caller's unacknowledged signals (long-poll with `wait`)",
    params(
        MeetingId,
        ("since_id" = Option<i64>, Query, minimum = 0, description = "Only signals with a greater id (default 0)"),
        ("limit" = Option<i64>, Query, minimum = 1, maximum = 500, description = "At most this many (default 100)"),
        ("wait" = Option<i64>, Query, minimum = 0, maximum = 30, description = "Seconds to hold an empty inbox open (default 0)"),
    ),
    responses(
        (status = 200, description = "The signals in ascending id order (a bare array).", body = Vec<Signal>),
        (status = 403, description = "join_required: the caller is not present.", body = super::schemas::ErrorBody),
        (status = 409, description = "meeting_closed: the meeting has ended or was cancelled.", body = super::schemas::ErrorBody),
    ),
)]
async fn inbox(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(MeetingId { id }): ApiPath<MeetingId>,
    query: Result<ApiQuery<InboxQuery>, AppError>,
) -> Result<Json<Vec<Signal>>, AppError> {
    // A query that cannot be read is checked last, as the domain checks one that can.
    let ApiQuery(q) = match query {
        Ok(query) => query,
        Err(e) => {
            signals::require_in_call(&state.backend, auth.user.id, id).await?;
            return Err(e);
        }
    };
    signals::inbox(&state.backend, auth.user.id, id, &q)
        .await
        .map(Json)
}

#[derive(Deserialize, utoipa::ToSchema)]
struct AckBody {
    #[schema(max_items = 1000)]
    ids: Vec<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
struct Acknowledged {
    acknowledged: u64,
}

#[utoipa::path(
    post,
    path = "/meetings/{id}/rtc/ack",
    operation_id = "ack_signals",
    tag = "signaling",
    summary = "Acknowledge received signals",
    params(
        MeetingId,
    ),
    request_body = AckBody,
    responses(
        (status = 200, description = "How many of the caller's signals were newly acknowledged.", body = Acknowledged),
        (status = 403, description = "join_required: the caller is not present.", body = super::schemas::ErrorBody),
    ),
)]
async fn ack(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(MeetingId { id }): ApiPath<MeetingId>,
    ApiJson(body): ApiJson<AckBody>,
) -> Result<Json<Acknowledged>, AppError> {
    let acknowledged = signals::ack(&state.backend, auth.user.id, id, &body.ids).await?;
    Ok(Json(Acknowledged { acknowledged }))
}
