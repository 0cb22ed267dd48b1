//! Who is calling. One path for both adapters: a `Bearer` token (API clients) or the
//! session cookie (the pages). REST handlers take `AuthUser` as an extractor; server
//! functions call the same extractor on the request parts.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use tower_sessions::Session;

use super::state::AppState;
use crate::domain::{tokens, users};
use crate::error::AppError;
use crate::model::User;

const SESSION_USER_KEY: &str = "user_id";

/// A signed-in user, and the token they used if they came with one.
#[derive(Clone, Debug)]
pub struct AuthUser {
    pub user: User,
    pub token: Option<tokens::Claims>,
}

/// Like [`AuthUser`] but anonymous callers are allowed (`None`).
pub struct MaybeAuthUser(pub Option<AuthUser>);

fn unauthenticated() -> AppError {
    AppError::Unauthenticated("Sign in to continue.".into())
}

impl<S> FromRequestParts<S> for MaybeAuthUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let state = AppState::from_ref(state);
        if let Some(header) = parts.headers.get(AUTHORIZATION) {
            let token = header
                .to_str()
                .ok()
                .and_then(|h| {
                    h.strip_prefix("Bearer ")
                        .or_else(|| h.strip_prefix("bearer "))
                })
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| {
                    AppError::Unauthenticated(
                        "The Authorization header must be `Bearer <token>`.".into(),
                    )
                })?;
            let claims = tokens::verify(&state.backend, token).await?;
            let user_id = claims.user_id().ok_or_else(unauthenticated)?;
            let user = users::get(&state.backend, user_id)
                .await?
                .ok_or_else(unauthenticated)?;
            return Ok(Self(Some(AuthUser {
                user,
                token: Some(claims),
            })));
        }
        let Some(session) = parts.extensions.get::<Session>() else {
            return Ok(Self(None));
        };
        let user_id: Option<i64> = session.get(SESSION_USER_KEY).await.map_err(session_error)?;
        let Some(user_id) = user_id else {
            return Ok(Self(None));
        };
        Ok(Self(
            users::get(&state.backend, user_id)
                .await?
                .map(|user| AuthUser { user, token: None }),
        ))
    }
}

impl<S> FromRequestParts<S> for AuthUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        MaybeAuthUser::from_request_parts(parts, state)
            .await?
            .0
            .ok_or_else(unauthenticated)
    }
}

/// Signs the browser session in, under a fresh session id (no fixation).
pub async fn start_session(session: &Session, user_id: i64) -> Result<(), AppError> {
    session.cycle_id().await.map_err(session_error)?;
    session
        .insert(SESSION_USER_KEY, user_id)
        .await
        .map_err(session_error)
}

pub async fn end_session(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(session_error)
}

fn session_error(e: tower_sessions::session::Error) -> AppError {
    tracing::error!(error = %e, "session store failed");
    AppError::Unavailable("Sessions are unavailable right now. Please try again.".into())
}
