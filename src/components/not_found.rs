//! What an unknown page, or a record the caller may not see, shows: with a 404 status on the
//! server.

use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(axum::http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <section class="card">
            <h1>"Not found"</h1>
            <p>"There is nothing here, or you do not have access to it."</p>
            <A href="/">"Go to the start page"</A>
        </section>
    }
}
