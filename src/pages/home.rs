//! `/`: greets the signed-in user; sends everyone else to the login page.

use leptos::prelude::*;

use crate::components::require_user::RequireUser;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <RequireUser children=|user| {
            view! {
                <section class="hero">
                    <h1>"Welcome, " {user.name} "!"</h1>
                    <p class="muted">
                        "Schedule a meeting, invite people and meet them face to face, right in the browser."
                    </p>
                    <div class="actions">
                        <a class="btn" href="/meetings">"Schedule a meeting"</a>
                    </div>
                </section>
            }
        } />
    }
}
