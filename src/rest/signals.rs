//! `/api/meetings/{id}/rtc/*`: the signaling inbox (send, long-poll, ack).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::{ApiJson, ApiPath, ApiQuery};
use crate::domain::signals::{self, InboxQuery, NewSignal};
use crate::error::AppError;
use crate::model::Signal;
use crate::server::auth::AuthUser;
use crate::server::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings/{id}/rtc/send", post(send))
        .route("/meetings/{id}/rtc/inbox", get(inbox))
        .route("/meetings/{id}/rtc/ack", post(ack))
}

async fn send(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<NewSignal>,
) -> Result<(StatusCode, Json<Signal>), AppError> {
    let timeout = state.config.presence_timeout_seconds;
    let signal = signals::send(&state.db, &state.hub, auth.user.id, id, body, timeout).await?;
    Ok((StatusCode::CREATED, Json(signal)))
}

async fn inbox(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> Result<Json<Vec<Signal>>, AppError> {
    let timeout = state.config.presence_timeout_seconds;
    signals::inbox(&state.db, &state.hub, auth.user.id, id, &q, timeout)
        .await
        .map(Json)
}

#[derive(Deserialize)]
struct AckBody {
    ids: Vec<i64>,
}

#[derive(Serialize)]
struct Acknowledged {
    acknowledged: u64,
}

async fn ack(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<AckBody>,
) -> Result<Json<Acknowledged>, AppError> {
    let timeout = state.config.presence_timeout_seconds;
    let acknowledged = signals::ack(&state.db, auth.user.id, id, &body.ids, timeout).await?;
    Ok(Json(Acknowledged { acknowledged }))
}
