//! A meeting's join link, and a button that copies it for sharing.

use leptos::prelude::*;

/// The meeting's join link, and a button that copies it for sharing.
#[component]
pub fn JoinLink(link: String) -> impl IntoView {
    let copied = RwSignal::new(false);
    let copy = {
        let link = link.clone();
        move |_| {
            #[cfg(feature = "hydrate")]
            {
                let link = link.clone();
                leptos::task::spawn_local(async move {
                    let Some(window) = web_sys::window() else {
                        return;
                    };
                    let written = window.navigator().clipboard().write_text(&link);
                    if wasm_bindgen_futures::JsFuture::from(written).await.is_ok() {
                        copied.try_set(true);
                        set_timeout(
                            move || {
                                copied.try_set(false);
                            },
                            std::time::Duration::from_secs(2),
                        );
                    }
                });
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (&link, copied);
        }
    };
    // On one line, cut short where it does not fit (the whole link is its title, and what the
    // button copies): a link broken over lines is hard to read out or to select.
    let title = link.clone();
    view! {
        <span class="join-link muted small">
            "Join link: " <code title=title>{link}</code>
        </span>
        <button type="button" class="btn btn-quiet btn-small" on:click=copy>
            {move || if copied.get() { "Copied" } else { "Copy link" }}
        </button>
    }
}
