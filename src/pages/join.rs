//! `/join/:code`, where a meeting's join link points: signs the visitor in if needed, then
//! opens the call. Someone not invited, or who has not accepted, is told why instead.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Redirect};
use leptos_router::hooks::use_params_map;

use crate::components::error_view::ErrorView;
use crate::components::sign_in::SignInFirst;
use crate::error::AppError;
use crate::server_fns::auth::current_user;
use crate::server_fns::meetings::resolve_join_code;

#[component]
pub fn JoinPage() -> impl IntoView {
    let params = use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let target = Resource::new(code, |code| async move {
        match current_user().await? {
            None => Ok(None),
            Some(_) => resolve_join_code(code).await.map(Some),
        }
    });
    view! {
        <Title text="Join a meeting · Projitt Meet" />
        <Suspense fallback=|| view! { <p class="muted" aria-busy="true">"Opening the meeting…"</p> }>
            {move || target.get().map(|result| match result {
                Ok(None) => {
                    view! { <SignInFirst /> }.into_any()
                }
                Ok(Some(t)) => match t.blocked {
                    None => view! { <Redirect path=format!("/meetings/{}/call", t.meeting_id) /> }.into_any(),
                    Some(reason) => view! {
                        <section class="card">
                            <h1>{t.title}</h1>
                            <p>{reason}</p>
                            <A href=format!("/meetings/{}", t.meeting_id)>"Open the meeting"</A>
                        </section>
                    }.into_any(),
                },
                Err(AppError::NotFound(_)) => view! {
                    <section class="card">
                        <h1>"You are not invited"</h1>
                        <p>"This link belongs to a meeting you are not invited to, or it no longer exists. Ask the organizer to invite you."</p>
                        <A href="/meetings">"Go to your meetings"</A>
                    </section>
                }.into_any(),
                Err(error) => view! { <ErrorView error /> }.into_any(),
            })}
        </Suspense>
    }
}
