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
    use crate::web::auth::start_session;
    let state = super::ctx::state()?;
    let user = users::register(
        &state.backend,
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
    use crate::web::auth::start_session;
    let state = super::ctx::state()?;
    let user = users::login(&state.backend, &email, &password, &super::ctx::client()).await?;
    start_session(&super::ctx::session()?, user.id).await?;
    leptos_axum::redirect(&safe_next(next));
    Ok(user)
}

#[server(prefix = "/rpc")]
pub async fn logout() -> Result<(), AppError> {
    crate::web::auth::end_session(&super::ctx::session()?).await?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// Where to go after signing in: a path on this site, never another origin. Browsers drop
/// tabs and line breaks from a URL and read `\\` as `/`, so `/\t/evil.example` or
/// `/\\evil.example` would leave the site as `//evil.example`: such a path goes home instead.
pub fn safe_next(next: Option<String>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path
                    .chars()
                    .any(|c| c == '\\' || c.is_control() || c.is_whitespace()) =>
        {
            path
        }
        _ => "/".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        for path in [
            "/",
            "/meetings/3",
            "/meetings?page=2&status=scheduled",
            "/join/ab12",
        ] {
            assert_eq!(safe_next(Some(path.into())), path);
        }
        for path in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            " //evil.example",
            "/ /evil.example",
            "evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(path.into())), "/", "{path:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
