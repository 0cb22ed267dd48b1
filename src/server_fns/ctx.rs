//! What a server function needs from the request it runs in.

use axum::extract::ConnectInfo;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use leptos::prelude::*;
use std::net::SocketAddr;
use tower_sessions::Session;

use crate::error::AppError;
use crate::web::auth::{AuthUser, MaybeAuthUser};
use crate::web::state::AppState;

fn parts() -> Result<Parts, AppError> {
    use_context::<Parts>().ok_or_else(|| {
        tracing::error!("server function ran without request parts");
        AppError::Internal
    })
}

pub fn state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| {
        tracing::error!("server function ran without AppState in context");
        AppError::Internal
    })
}

pub async fn maybe_user() -> Result<(AppState, Option<AuthUser>), AppError> {
    let state = state()?;
    let MaybeAuthUser(user) = MaybeAuthUser::from_request_parts(&mut parts()?, &state).await?;
    Ok((state, user))
}

pub async fn user() -> Result<(AppState, AuthUser), AppError> {
    let state = state()?;
    let user = AuthUser::from_request_parts(&mut parts()?, &state).await?;
    Ok((state, user))
}

pub fn session() -> Result<Session, AppError> {
    parts()?
        .extensions
        .get::<Session>()
        .cloned()
        .ok_or_else(|| {
            tracing::error!("server function ran without the session layer");
            AppError::Internal
        })
}

/// The caller's address, for the login throttle.
pub fn client() -> String {
    parts()
        .ok()
        .and_then(|p| {
            p.extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}
