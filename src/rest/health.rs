//! Liveness and database reachability.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

#[utoipa::path(
    get,
    path = "/health",
    operation_id = "health",
    tag = "service",
    summary = "Liveness and database reachability",
    security(()),
    responses(
        (status = 200, description = "The server and its database are up.", body = super::schemas::Health),
        (status = 503, description = "The database is unreachable.", body = super::schemas::Health),
    ),
)]
async fn health(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.backend.db.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ok", "db": "ok" }))),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "db": "unreachable" })),
            )
        }
    }
}
