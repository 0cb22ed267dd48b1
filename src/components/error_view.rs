//! How a page shows an error from the server: signed-out visitors go to the login page,
//! what does not exist (or is not theirs to see) is a not-found page, the rest a message.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::error::AppError;
use crate::pages::not_found::NotFound;

#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    match error {
        AppError::Unauthenticated(_) => view! { <Redirect path="/login" /> }.into_any(),
        AppError::NotFound(_) => view! { <NotFound /> }.into_any(),
        other => view! { <div class="alert" role="alert">{other.to_string()}</div> }.into_any(),
    }
}
