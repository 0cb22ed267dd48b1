//! `/`: greets the signed-in user; sends everyone else to the login page.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::session::use_session;

#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    view! {
        <Suspense fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || {
                session
                    .user
                    .get()
                    .map(|user| match user {
                        Ok(Some(user)) => {
                            view! {
                                <section class="hero">
                                    <h1>"Welcome, " {user.name} "!"</h1>
                                    <p class="muted">
                                        "Schedule a meeting, invite people and meet them face to face, right in the browser."
                                    </p>
                                </section>
                            }
                                .into_any()
                        }
                        Ok(None) => view! { <Redirect path="/login" /> }.into_any(),
                        Err(e) => view! { <div class="alert" role="alert">{e.to_string()}</div> }.into_any(),
                    })
            }}
        </Suspense>
    }
}
