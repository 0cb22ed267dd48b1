//! Sign-up, sign-in and sign-out for the pages, over the same domain code as `/api/auth`.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::User;

#[server(prefix = "/rpc")]
pub async fn current_user() -> Result<Option<User>, AppError> {
    let (_, user) = super::ctx::maybe_user().await?;
    Ok(user.map(|u| u.user))
}

#[server(prefix = "/rpc")]
pub async fn register(
    name: String,
    email: String,
    password: String,
    next: Option<String>,
) -> Result<User, AppError> {
    use crate::domain::users;
    use crate::server::auth::start_session;
    let state = super::ctx::state()?;
    let user = users::register(
        &state.db,
        users::Registration {
            name,
            email,
            password,
        },
    )
    .await?;
    start_session(&super::ctx::session()?, user.id).await?;
    leptos_axum::redirect(&safe_next(next));
    Ok(user)
}

#[server(prefix = "/rpc")]
pub async fn login(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<User, AppError> {
    use crate::domain::users;
    use crate::server::auth::start_session;
    let state = super::ctx::state()?;
    let user = users::login(
        &state.db,
        &state.throttle,
        &email,
        &password,
        &super::ctx::client(),
    )
    .await?;
    start_session(&super::ctx::session()?, user.id).await?;
    leptos_axum::redirect(&safe_next(next));
    Ok(user)
}

#[server(prefix = "/rpc")]
pub async fn logout() -> Result<(), AppError> {
    crate::server::auth::end_session(&super::ctx::session()?).await?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// Where to go after signing in: a path on this site, never another origin.
pub fn safe_next(next: Option<String>) -> String {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path
        }
        _ => "/".into(),
    }
}
