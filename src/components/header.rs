//! The top bar: brand, navigation, the signed-in user's name and Log out.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_router::components::A;

use crate::server_fns::auth::Logout;
use crate::session::use_session;

#[component]
pub fn Header() -> impl IntoView {
    let session = use_session();
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">
                <img src="/favicon.svg" alt="" width="24" height="24" />
                // On a phone only the mark shows; the name stays for screen readers.
                <span class="brand-name">"Projitt Meet"</span>
            </A>
            <Transition fallback=|| ()>
                {move || {
                    session
                        .user
                        .get()
                        .map(|user| match user {
                            Ok(Some(user)) => {
                                let full_name = user.name.clone();
                                view! {
                                    <nav class="nav" aria-label="Main">
                                        <A href="/meetings">"Meetings"</A>
                                        <A href="/invitations">"Invitations"</A>
                                        <span class="nav-user" data-testid="current-user" title=full_name>
                                            {user.name}
                                        </span>
                                        // A plain form: the server's redirect loads the login
                                        // page as a new document, so nothing of the pages seen
                                        // while signed in stays behind in this one.
                                        <form method="post" action=Logout::PATH class="inline">
                                            <button type="submit" class="btn btn-quiet">
                                                "Log out"
                                            </button>
                                        </form>
                                    </nav>
                                }
                                    .into_any()
                            }
                            _ => {
                                view! {
                                    <nav class="nav" aria-label="Main">
                                        <A href="/login">"Log in"</A>
                                        <A href="/register" attr:class="btn btn-small">
                                            "Sign up"
                                        </A>
                                    </nav>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Transition>
        </header>
    }
}
