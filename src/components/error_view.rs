//! How a page shows an error from the server: signed-out visitors go to the login page,
//! what does not exist (or is not theirs to see) is a not-found page, the rest a message.

use super::not_found::NotFound;
use super::sign_in::SignInFirst;
use crate::error::AppError;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    match error {
        AppError::Unauthenticated(_) => view! { <SignInFirst /> }.into_any(),
        AppError::NotFound(_) => view! { <NotFound /> }.into_any(),
        other => view! {
            <div class="alert" role="alert">{other.to_string()}</div>
            <p><A href="/meetings">"Back to your meetings"</A></p>
        }
        .into_any(),
    }
}
