//! `/`: the signed-in user's next meetings and the invitations waiting for their answer;
//! sends everyone else to the login page.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::error_view::ErrorView;
use crate::components::require_user::RequireUser;
use crate::model::{InvitationStatus, MeetingSort, plural};
use crate::pages::meetings::MeetingRow;
use crate::server_fns::invitations::my_invitations;
use crate::server_fns::meetings::list_meetings;

/// How many of the coming meetings the home page shows.
const NEXT_UP: i64 = 3;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <RequireUser children=|user| {
            view! {
                <section class="hero">
                    <h1>"Welcome, " {user.name} "!"</h1>
                    <p class="muted">
                        "Schedule a meeting, invite people and meet them face to face, right in the browser."
                    </p>
                    <div class="actions">
                        <a class="btn" href="/meetings">"Schedule a meeting"</a>
                    </div>
                </section>
                <div class="grid-2">
                    <NextUp />
                    <Waiting />
                </div>
            }
        } />
    }
}

/// The soonest meetings still to come or under way, of those the user owns or is invited to.
#[component]
fn NextUp() -> impl IntoView {
    let meetings = Resource::new(
        || (),
        |_| {
            list_meetings(
                None,
                None,
                Some(MeetingSort::Upcoming),
                None,
                Some(1),
                Some(NEXT_UP),
            )
        },
    );
    view! {
        <section class="card" aria-labelledby="next-up-heading">
            <h2 id="next-up-heading">"Next up"</h2>
            <Suspense fallback=|| view! { <p class="muted" aria-busy="true">"Loading…"</p> }>
                {move || meetings.get().map(|result| match result {
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                    Ok(page) => {
                        // `upcoming` lists the closed meetings after all the open ones.
                        let coming: Vec<_> = page
                            .data
                            .into_iter()
                            .filter(|item| !item.meeting.status.is_closed())
                            .collect();
                        if coming.is_empty() {
                            view! { <p class="empty">"Nothing coming up."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="meeting-list">
                                    {coming.into_iter().map(|item| view! { <MeetingRow item /> }).collect_view()}
                                </ul>
                                <p><A href="/meetings">"All your meetings"</A></p>
                            }
                            .into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

/// How many invitations to meetings still open wait for the user's answer.
#[component]
fn Waiting() -> impl IntoView {
    let pending = Resource::new(
        || (),
        |_| my_invitations(Some(InvitationStatus::Pending.as_str().into())),
    );
    view! {
        <section class="card" aria-labelledby="waiting-heading">
            <h2 id="waiting-heading">"Waiting for your answer"</h2>
            <Suspense fallback=|| view! { <p class="muted" aria-busy="true">"Loading…"</p> }>
                {move || pending.get().map(|result| match result {
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                    Ok(list) => match list.iter().filter(|i| !i.meeting.status.is_closed()).count() {
                        0 => view! { <p class="empty">"No invitations are waiting for your answer."</p> }.into_any(),
                        n => view! {
                            <p>
                                {format!("{} waiting for your answer. ", plural(n, "invitation is", "invitations are"))}
                                <A href="/invitations">"Go to your invitations"</A>
                            </p>
                        }
                        .into_any(),
                    },
                })}
            </Suspense>
        </section>
    }
}
