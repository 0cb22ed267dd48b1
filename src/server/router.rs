//! The whole HTTP surface in one router: `/api` (REST), `/rpc` (server functions), the
//! pages and static files, with sessions, body limits and request logging around them.
//! `main` serves it; the integration tests serve the very same router on a random port.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use super::session_store::DbSessionStore;
use super::state::AppState;
use crate::app::{App, shell};

/// Request bodies above this size are refused with 413.
pub const BODY_LIMIT_BYTES: usize = 256 * 1024;

pub fn build(state: AppState) -> Router {
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name("projitt_session")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.cookie_secure)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(14)));
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let options = state.leptos_options.clone();
    Router::new()
        .nest("/api", crate::rest::router())
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(context_state.clone()),
            move || shell(options.clone()),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(sessions)
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    spawn_janitor(state.clone());
    let app = build(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Background clean-up: expired sessions and revocations, timed-out participants, and
/// acknowledged or orphaned signals.
fn spawn_janitor(state: AppState) {
    tokio::spawn(async move {
        let sessions = DbSessionStore::new(state.db.clone());
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            if let Err(e) = sessions.prune().await {
                tracing::warn!(error = %e, "pruning sessions failed");
            }
            if let Err(e) = crate::domain::tokens::prune_revoked(&state.db).await {
                tracing::warn!(error = %e, "pruning revoked tokens failed");
            }
            let timeout = state.config.presence_timeout_seconds;
            let swept = crate::domain::presence::sweep_timed_out(&state.db, None, timeout).await;
            if let Err(e) = swept {
                tracing::warn!(error = %e, "sweeping timed-out participants failed");
            }
            if let Err(e) = crate::domain::signals::prune(&state.db).await {
                tracing::warn!(error = %e, "pruning signals failed");
            }
        }
    });
}
