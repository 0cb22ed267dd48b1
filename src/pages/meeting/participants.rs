//! Who is present right now, refreshed every 1.5 seconds while the page is open.

use leptos::prelude::*;

use crate::components::time::LocalTime;
use crate::error::AppError;
use crate::server_fns::presence::present_participants;

const REFRESH_MS: u64 = 1500;

#[component]
pub fn Participants(meeting_id: i64, open: bool) -> impl IntoView {
    let tick = RwSignal::new(0u32);
    // Timers only in the browser, cleared when the page goes away.
    #[cfg(feature = "hydrate")]
    if open {
        if let Ok(handle) = set_interval_with_handle(move || tick.update(|t| *t += 1), std::time::Duration::from_millis(REFRESH_MS)) {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (open, REFRESH_MS);
    let people = Resource::new(move || tick.get(), move |_| present_participants(meeting_id));
    view! {
        <section class="card" aria-labelledby="participants-heading">
            <h2 id="participants-heading">"Here now"</h2>
            <Transition fallback=|| view! { <p class="muted" aria-busy="true">"Loading…"</p> }>
                {move || people.get().map(|result| match result {
                    Ok(list) if list.is_empty() => view! { <p class="empty">"Nobody is in the call right now."</p> }.into_any(),
                    Ok(list) => view! {
                        <ul class="participants" aria-label="Participants">
                            {list.into_iter().map(|p| view! {
                                <li data-user-id=p.user_id>
                                    <span class="dot" aria-hidden="true"></span>
                                    <strong>{p.name}</strong>
                                    <span class="muted small">" joined " <LocalTime at=p.joined_at /></span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(AppError::Forbidden { .. }) => view! { <p class="muted">"Join the call to see who is here."</p> }.into_any(),
                    Err(e) => view! { <p class="alert" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}
