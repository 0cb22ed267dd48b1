//! The application shell and its routes.

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::components::header::Header;
use crate::pages::{
    auth::{LoginPage, RegisterPage},
    call::CallPage,
    home::HomePage,
    invitations::InvitationsPage,
    join::JoinPage,
    meeting::MeetingPage,
    meetings::MeetingsPage,
    not_found::NotFound,
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
    });

    view! {
        <Title text="Projitt Meet" />
        <Router>
            <Header />
            <main class="container">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/register") view=RegisterPage ssr=SsrMode::Async />
                    <Route path=path!("/meetings/:id/call") view=CallPage ssr=SsrMode::Async />
                    <Route path=path!("/meetings") view=MeetingsPage ssr=SsrMode::Async />
                    <Route path=path!("/meetings/:id") view=MeetingPage ssr=SsrMode::Async />
                    <Route path=path!("/invitations") view=InvitationsPage ssr=SsrMode::Async />
                    <Route path=path!("/join/:code") view=JoinPage ssr=SsrMode::Async />
                </Routes>
            </main>
        </Router>
    }
}
