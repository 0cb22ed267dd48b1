//! Who is present right now. It is live data, so the browser fetches it (not the server
//! render) and refreshes it every 1.5 seconds while the page is open. Each answer carries the
//! meeting's status and revision too: when the owner starts, ends, cancels or edits the
//! meeting, or an invitation is sent, answered, proposed or withdrawn, every open page of it
//! reloads to match.

use leptos::prelude::*;

use crate::components::time::LocalTime;
use crate::error::AppError;
use crate::model::MeetingStatus;
use crate::server_fns::presence::who_is_here;

use super::Changed;

const REFRESH_MS: u64 = 1500;

/// Once the meeting is over nobody can be in its call, so the card says so instead of asking.
#[component]
pub fn Participants(meeting_id: i64, status: MeetingStatus, revision: String) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="participants-heading">
            <h2 id="participants-heading">"Here now"</h2>
            {match status.closed_note() {
                Some(text) => view! { <p class="empty">{text}</p> }.into_any(),
                None => view! { <Present meeting_id status revision /> }.into_any(),
            }}
        </section>
    }
}

/// The live list of an open meeting, shown while it is `status` at `revision`.
#[component]
fn Present(meeting_id: i64, status: MeetingStatus, revision: String) -> impl IntoView {
    let tick = RwSignal::new(0u32);
    // Timers only in the browser, cleared when the page goes away.
    #[cfg(feature = "hydrate")]
    if let Ok(handle) = set_interval_with_handle(
        move || tick.update(|t| *t += 1),
        std::time::Duration::from_millis(REFRESH_MS),
    ) {
        on_cleanup(move || handle.clear());
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = REFRESH_MS;
    let people = LocalResource::new(move || {
        tick.track();
        who_is_here(meeting_id)
    });
    // Keep the last answer on screen while the next one loads, so the list does not flicker.
    let shown = RwSignal::new(None::<Result<Option<Vec<crate::model::Participant>>, AppError>>);
    let changed = use_context::<Changed>();
    Effect::new(move |_| {
        if let Some(result) = people.get() {
            if let (Ok(here), Some(changed)) = (&result, changed)
                && (here.status != status || here.revision != revision)
            {
                changed.bump();
            }
            shown.set(Some(result.map(|here| here.participants)));
        }
    });
    view! {
            {move || match shown.get() {
                None => view! { <p class="muted" aria-busy="true">"Checking who is here…"</p> }.into_any(),
                Some(Ok(Some(list))) if list.is_empty() => view! { <p class="empty">"Nobody is in the call right now."</p> }.into_any(),
                Some(Ok(Some(list))) => view! {
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
                Some(Ok(None)) => view! { <p class="muted">"Accept the invitation to see who is here."</p> }.into_any(),
                Some(Err(e)) => view! { <p class="alert" role="alert">{e.to_string()}</p> }.into_any(),
            }}
    }
}
