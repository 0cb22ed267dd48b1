//! `/api/auth/*`: register, login, me, refresh, logout.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use tower_sessions::Session;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::ApiJson;
use crate::domain::{tokens, users};
use crate::error::AppError;
use crate::model::{TokenResponse, User};
use crate::web::auth::{AuthUser, end_session};
use crate::web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(me))
        .routes(routes!(refresh))
        .routes(routes!(logout))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct RegisterBody {
    /// Trimmed; 1..255 characters.
    #[schema(min_length = 1, max_length = 255, pattern = r"\S")]
    name: String,
    #[schema(format = "email", max_length = 254)]
    email: String,
    #[schema(min_length = 8, max_length = 1024)]
    password: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
struct LoginBody {
    email: String,
    password: String,
}

fn token_response(state: &AppState, user: User) -> Result<Json<TokenResponse>, AppError> {
    let issued = tokens::issue(state.config(), user.id)?;
    Ok(Json(TokenResponse {
        access_token: issued.token,
        token_type: "bearer".into(),
        expires_in: issued.expires_in,
        user,
    }))
}

#[utoipa::path(
    post,
    path = "/auth/register",
    operation_id = "register",
    tag = "auth",
    summary = "Create an account and sign in",
    security(()),
    request_body = RegisterBody,
    responses(
        (status = 201, description = "Signed up; a new access token.", body = TokenResponse),
        (status = 422, description = "validation_failed: name, email (also when already registered) or password.", body = super::schemas::ErrorBody),
    ),
)]
async fn register(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<(StatusCode, Json<TokenResponse>), AppError> {
    let registration = users::Registration {
        name: body.name,
        email: body.email,
        password: body.password,
    };
    let user = users::register(&state.backend, registration).await?;
    Ok((StatusCode::CREATED, token_response(&state, user)?))
}

#[utoipa::path(
    post,
    path = "/auth/login",
    operation_id = "login",
    tag = "auth",
    summary = "Sign in with email and password",
    security(()),
    request_body = LoginBody,
    responses(
        (status = 200, description = "A new access token.", body = TokenResponse),
        (status = 401, description = "invalid_credentials: the same answer for an unknown email and a wrong password.", body = super::schemas::ErrorBody),
        (status = 429, description = "too_many_requests: repeated failures; retry after `Retry-After` seconds.", body = super::schemas::ErrorBody, headers(("Retry-After" = u64, description = "Seconds to wait"))),
    ),
)]
async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Json<TokenResponse>, AppError> {
    let user = users::login(
        &state.backend,
        &body.email,
        &body.password,
        &addr.ip().to_string(),
    )
    .await?;
    token_response(&state, user)
}

#[utoipa::path(
    get,
    path = "/auth/me",
    operation_id = "me",
    tag = "auth",
    summary = "The signed-in user",
    responses(
        (status = 200, description = "The caller.", body = User),
    ),
)]
async fn me(auth: AuthUser) -> Json<User> {
    Json(auth.user)
}

#[utoipa::path(
    post,
    path = "/auth/refresh",
    operation_id = "refresh",
    tag = "auth",
    summary = "Exchange the token for a new one; the old one is revoked",
    responses(
        (status = 200, description = "A new access token.", body = TokenResponse),
    ),
)]
async fn refresh(
    State(state): State<AppState>,
    auth: AuthUser,
) -> Result<Json<TokenResponse>, AppError> {
    // One new token per old one: of two refreshes racing with the same token, the one that
    // did not revoke it is refused, as it would be a moment later.
    if let Some(claims) = &auth.token
        && !tokens::revoke(&state.backend, claims).await?
    {
        return Err(AppError::Unauthenticated(
            "The access token was revoked.".into(),
        ));
    }
    token_response(&state, auth.user)
}

#[utoipa::path(
    post,
    path = "/auth/logout",
    operation_id = "logout",
    tag = "auth",
    summary = "Revoke the token",
    responses(
        (status = 200, description = "Logged out.", body = super::schemas::Message),
    ),
)]
async fn logout(
    State(state): State<AppState>,
    session: Session,
    auth: AuthUser,
) -> Result<Json<Value>, AppError> {
    match &auth.token {
        Some(claims) => {
            tokens::revoke(&state.backend, claims).await?;
        }
        None => end_session(&session).await?,
    }
    Ok(Json(json!({ "message": "Logged out" })))
}
