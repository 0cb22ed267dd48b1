//! The application shell and its routes.

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{Lazy, LazyRoute, SsrMode, lazy_route, path};

use crate::components::header::Header;
use crate::components::not_found::NotFound;
use crate::pages::{
    auth::{LoginPage, RegisterPage},
    call::CallPage,
    home::HomePage,
    invitations::InvitationsPage,
    join::JoinPage,
    meeting::MeetingPage,
    meetings::MeetingsPage,
};
use crate::session::provide_session;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <AutoReload options=options.clone() />
                <HashedStylesheet options=options.clone() id="leptos" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Pages render fully on the server before the first byte goes out (`SsrMode::Async`), so a
/// page can still set its status (404) or redirect after its data has loaded.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_session();

    // Tests (and people) can tell when the page has become interactive.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
        #[cfg(feature = "hydrate")]
        reload_when_restored();
    });

    view! {
        <Title text="Projitt Meet" />
        <Router>
            <Header />
            <main class="container">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view={Lazy::<HomeRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/register") view=RegisterPage ssr=SsrMode::Async />
                    <Route path=path!("/meetings/:id/call") view={Lazy::<CallRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/meetings") view={Lazy::<MeetingsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/meetings/:id") view={Lazy::<MeetingRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/invitations") view={Lazy::<InvitationsRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/join/:code") view=JoinPage ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}

/// A page that the browser restores from its back/forward cache shows what it showed when it
/// was left, perhaps to someone signed in then, and a call on it has stopped: it loads afresh
/// instead, as the server sees it now (a signed-out visitor is sent to log in).
#[cfg(feature = "hydrate")]
fn reload_when_restored() {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    let on_show = Closure::<dyn Fn(web_sys::Event)>::new(|event: web_sys::Event| {
        let persisted = js_sys::Reflect::get(&event, &"persisted".into())
            .is_ok_and(|persisted| persisted.is_truthy());
        if persisted {
            let _ = window().location().reload();
        }
    });
    let _ = window().add_event_listener_with_callback("pageshow", on_show.as_ref().unchecked_ref());
    // Listens for the document's whole life.
    on_show.forget();
}

/// Pages behind sign-in load their code on first use: the release build splits each into its
/// own wasm module (`cargo leptos build --split`), so the first download holds only the shell
/// and the public pages. A page creates its own resources, so there is no data to start early.
macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    };
}

lazy_page!(HomeRoute, HomePage);
lazy_page!(CallRoute, CallPage);
lazy_page!(MeetingsRoute, MeetingsPage);
lazy_page!(MeetingRoute, MeetingPage);
lazy_page!(InvitationsRoute, InvitationsPage);
