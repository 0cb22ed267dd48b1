//! `/api/auth/*`: register, login, me, refresh, logout.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tower_sessions::Session;

use super::ApiJson;
use crate::domain::{tokens, users};
use crate::error::AppError;
use crate::model::{TokenResponse, User};
use crate::server::auth::{AuthUser, end_session};
use crate::server::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/register", post(register))
        .route("/auth/login", post(login))
        .route("/auth/me", get(me))
        .route("/auth/refresh", post(refresh))
        .route("/auth/logout", post(logout))
}

#[derive(Deserialize)]
struct RegisterBody {
    name: String,
    email: String,
    password: String,
}

#[derive(Deserialize)]
struct LoginBody {
    email: String,
    password: String,
}

fn token_response(state: &AppState, user: User) -> Result<Json<TokenResponse>, AppError> {
    let issued = tokens::issue(&state.config, user.id)?;
    Ok(Json(TokenResponse {
        access_token: issued.token,
        token_type: "bearer".into(),
        expires_in: issued.expires_in,
        user,
    }))
}

async fn register(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<(StatusCode, Json<TokenResponse>), AppError> {
    let registration = users::Registration {
        name: body.name,
        email: body.email,
        password: body.password,
    };
    let user = users::register(&state.db, registration).await?;
    Ok((StatusCode::CREATED, token_response(&state, user)?))
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Json<TokenResponse>, AppError> {
    let user = users::login(
        &state.db,
        &state.throttle,
        &body.email,
        &body.password,
        &addr.ip().to_string(),
    )
    .await?;
    token_response(&state, user)
}

async fn me(auth: AuthUser) -> Json<User> {
    Json(auth.user)
}

async fn refresh(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<Json<TokenResponse>, AppError> {
    let response = token_response(&state, auth.user)?;
    if let Some(claims) = &auth.token {
        tokens::revoke(&state.db, claims).await?;
    }
    Ok(response)
}

async fn logout(
    State(state): State<AppState>,
    session: Session,
    auth: AuthUser,
) -> Result<Json<Value>, AppError> {
    match &auth.token {
        Some(claims) => tokens::revoke(&state.db, claims).await?,
        None => end_session(&session).await?,
    }
    Ok(Json(json!({ "message": "Logged out" })))
}
