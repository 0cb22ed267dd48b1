//! Liveness and database reachability.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde_json::{Value, json};

use crate::web::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/health", get(health))
}

#[utoipa::path(
    get,
    path = "/api/health",
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
