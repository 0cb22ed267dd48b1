//! The whole HTTP surface in one router: `/api` (REST), `/rpc` (server functions), the
//! pages and static files, with sessions, body limits and request logging around them.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::app::{App, shell};
use crate::error::AppError;
use crate::infra::session_store::DbSessionStore;
use crate::web::security::{self, REQUEST_TIMEOUT};
use crate::web::state::AppState;

/// Request bodies above this size are refused with 413.
pub const BODY_LIMIT_BYTES: usize = 256 * 1024;

pub fn build(state: AppState) -> Router {
    let backend = &state.backend;
    let store = DbSessionStore::new(backend.db.clone(), backend.hub.clone());
    let sessions = SessionManagerLayer::new(store)
        .with_name(security::SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config().cookie_secure)
        .with_expiry(Expiry::OnInactivity(time::Duration::days(14)));
    let routes = generate_route_list(App);
    let context_state = state.clone();
    let page_context = move || {
        provide_context(context_state.clone());
        security::provide_page_nonce();
    };
    let options = state.leptos_options.clone();
    let pkg = format!("/{}", options.site_pkg_dir);
    Router::new()
        .route("/api/ping", axum::routing::get(ping))
        .nest(&pkg, crate::web::assets::pkg_router(&options))
        .leptos_routes_with_context(&state, routes, page_context.clone(), move || {
            shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(page_context, shell))
        .layer(middleware::from_fn_with_state(
            REQUEST_TIMEOUT,
            security::time_limit,
        ))
        // The API (under /api) sets its own time limits, route by route.
        .merge(crate::rest::router())
        .layer(middleware::from_fn(rpc_error_status))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::same_origin_only,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::security_headers,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Internal and not part of the API: a JSON answer that touches neither the database nor a
/// session, behind the same layers as every route; the benchmark's bare reference and a
/// probe for "the process is up" (`/api/health` also checks the database).
async fn ping() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({}))
}

/// Server functions answer every error with 500. Give a failed `/rpc` call the status of
/// the `AppError` it carries instead, so a refused login is a 401 and bad input a 422, as on
/// the REST side.
async fn rpc_error_status(request: Request, next: Next) -> Response {
    let is_rpc = request.uri().path().starts_with("/rpc/");
    let response = next.run(request).await;
    if !is_rpc || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT_BYTES).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "").into_response();
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Serves until `shutdown` resolves. In-flight requests finish; parked long-polls answer `[]`
/// at once and the janitor stops.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let backend = state.backend.clone();
    super::janitor::spawn(backend.clone());
    // Other instances on the same Postgres database wake this one's parked polls.
    crate::infra::pg_notify::start(&backend.db, &backend.hub);
    let app = build(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            backend.shutdown.begin();
        })
        .await
}
