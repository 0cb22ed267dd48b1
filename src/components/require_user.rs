//! A guard for pages that need a signed-in user: renders its children with the user, and
//! sends anyone else to the login page. It asks the server afresh on every mount, so a page
//! reached right after signing in never acts on a stale "signed out".

use super::sign_in::SignInFirst;
use crate::model::User;
use crate::server_fns::auth::current_user;
use leptos::prelude::*;

#[component]
pub fn RequireUser<F, IV>(children: F) -> impl IntoView
where
    F: Fn(User) -> IV + Send + Sync + 'static,
    IV: IntoView + 'static,
{
    let user = Resource::new(|| (), |_| current_user());
    view! {
        <Suspense fallback=|| view! { <p class="muted" aria-busy="true">"Loading…"</p> }>
            {move || {
                user.get()
                    .map(|result| match result {
                        Ok(Some(user)) => children(user).into_any(),
                        Ok(None) => view! { <SignInFirst /> }.into_any(),
                        Err(e) => view! { <div class="alert" role="alert">{e.to_string()}</div> }.into_any(),
                    })
            }}
        </Suspense>
    }
}
