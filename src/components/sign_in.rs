//! Sends a signed-out visitor to the login page, and back to where they were once signed in.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

/// Redirects to `/login?next=` the current path and query.
#[component]
pub fn SignInFirst() -> impl IntoView {
    let location = use_location();
    let path = location.pathname.get_untracked();
    // The query string comes without its `?`.
    let query = location.search.get_untracked();
    let query = query.trim_start_matches('?');
    let here = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    // In place of this page's history entry: Back then leaves the login page for the page
    // before, instead of coming here again to be sent back.
    let options = NavigateOptions {
        replace: true,
        ..Default::default()
    };
    view! { <Redirect path=login_then(&here) options /> }
}

/// The login page, returning to `path` (on this site) afterwards.
fn login_then(path: &str) -> String {
    match path {
        "" | "/" => "/login".into(),
        path => format!("/login?next={}", urlencode(path)),
    }
}

fn urlencode(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
