//! `/invitations`: the invitations addressed to me, with the same answers as the meeting page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::error_view::ErrorView;
use crate::components::time::LocalTime;
use crate::model::InvitationWithMeeting;
use crate::pages::meeting::{Changed, InvitationAnswer};
use crate::server_fns::invitations::my_invitations;

#[component]
pub fn InvitationsPage() -> impl IntoView {
    view! {
        <Title text="Invitations · Projitt Meet" />
        <h1>"Invitations"</h1>
        <Inbox />
    }
}

#[component]
fn Inbox() -> impl IntoView {
    let changed = Changed(RwSignal::new(0));
    provide_context(changed);
    let invitations = Resource::new(move || changed.0.get(), |_| my_invitations(None));
    view! {
        <Transition fallback=|| view! { <p class="muted" aria-busy="true">"Loading…"</p> }>
            {move || invitations.get().map(|result| match result {
                Err(error) => view! { <ErrorView error /> }.into_any(),
                Ok(list) if list.is_empty() => view! {
                    <p class="empty card">"You have no invitations. When someone invites you, it shows up here."</p>
                }.into_any(),
                Ok(list) => {
                    // Invitations to meetings that are over stay out of the way, below.
                    let (open, past): (Vec<_>, Vec<_>) =
                        list.into_iter().partition(|item| !item.meeting.status.is_closed());
                    view! {
                        {if open.is_empty() {
                            view! { <p class="empty card">"No invitations to coming meetings."</p> }.into_any()
                        } else {
                            cards(open)
                        }}
                        {(!past.is_empty()).then(|| view! {
                            <details class="past-invitations">
                                <summary>{format!("Past meetings ({})", past.len())}</summary>
                                {cards(past)}
                            </details>
                        })}
                    }
                    .into_any()
                }
            })}
        </Transition>
    }
}

fn cards(list: Vec<InvitationWithMeeting>) -> AnyView {
    list.into_iter()
        .map(|item| {
            let m = item.meeting;
            view! {
                <div class="invitation-card" data-meeting-id=m.id>
                    <h2>
                        <A href=format!("/meetings/{}", m.id)>{m.title}</A>
                    </h2>
                    <p class="muted small">
                        <LocalTime at=m.scheduled_at />
                        {format!(" · {} minutes · from {}", m.duration_minutes, m.owner_name)}
                    </p>
                    {m.status.closed_note().map(|note| view! { <p class="muted">{note}</p> })}
                    <InvitationAnswer invitation=item.invitation closed=m.status.is_closed() />
                </div>
            }
        })
        .collect_view()
        .into_any()
}
