//! `/meetings/:id`: everything about one meeting on one page. The owner manages it; an
//! invitee answers; both see who is present right now.

mod answer;
mod media;
mod owner;
mod participants;

pub use answer::InvitationAnswer;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::components::badge::Badge;
use crate::components::require_user::RequireUser;
use crate::components::time::LocalTime;
use crate::error::AppError;
use crate::model::{MeetingStatus, Role};
use crate::pages::not_found::NotFound;
use crate::server_fns::meetings::{MeetingDetail, get_meeting};

#[component]
pub fn MeetingPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    view! {
        <RequireUser children=move |_| {
            move || match id() {
                Some(id) => view! { <MeetingView id /> }.into_any(),
                None => view! { <NotFound /> }.into_any(),
            }
        } />
    }
}

/// Bumped by every action on the page, so the details reload after a change.
#[derive(Clone, Copy)]
pub struct Changed(pub RwSignal<u32>);

impl Changed {
    pub fn bump(self) {
        self.0.update(|n| *n += 1);
    }
}

#[component]
fn MeetingView(id: i64) -> impl IntoView {
    let changed = Changed(RwSignal::new(0));
    provide_context(changed);
    let detail = Resource::new(move || changed.0.get(), move |_| get_meeting(id));
    view! {
        <Transition fallback=|| view! { <p class="muted" aria-busy="true">"Loading…"</p> }>
            {move || detail.get().map(|result| match result {
                Ok(detail) => view! { <Detail detail /> }.into_any(),
                Err(AppError::NotFound(_)) => view! { <NotFound /> }.into_any(),
                Err(e) => view! { <div class="alert" role="alert">{e.to_string()}</div> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Detail(detail: MeetingDetail) -> impl IntoView {
    let m = detail.meeting.clone();
    let is_owner = detail.role == Role::Owner;
    let may_join = !m.status.is_closed()
        && (is_owner || detail.invitation.as_ref().is_some_and(|i| i.status == crate::model::InvitationStatus::Accepted));
    let ended = m.status == MeetingStatus::Ended;
    view! {
        <Title text=format!("{} · Projitt Meet", m.title) />
        <section class="card meeting-head">
            <div class="meeting-head-row">
                <h1>{m.title.clone()}</h1>
                <Badge text=m.status.as_str() />
            </div>
            <p class="muted">
                <LocalTime at=m.scheduled_at />
                {format!(" · {} minutes", m.duration_minutes)}
                {if is_owner { " · You are the owner" } else { " · You are invited" }}
            </p>
            <div class="actions">
                <Show when=move || may_join>
                    <A href=format!("/meetings/{}/call", m.id) attr:class="btn">"Join call"</A>
                </Show>
                <a class="btn btn-quiet" href=format!("/api/meetings/{}/calendar.ics", m.id) download="">
                    "Download .ics"
                </a>
                <span class="muted small">"Join link: " <code>{detail.join_link.clone()}</code></span>
            </div>
        </section>
        {match detail.invitation.clone() {
            Some(invitation) if !is_owner => view! { <InvitationAnswer invitation closed=m.status.is_closed() /> }.into_any(),
            _ => ().into_any(),
        }}
        <participants::Participants meeting_id=m.id open=!m.status.is_closed() />
        {is_owner.then(|| view! {
            <owner::OwnerPanel detail=detail.clone() />
            <media::Recordings meeting=detail.meeting.clone() />
            <media::Notes meeting_id=detail.meeting.id cancelled=detail.meeting.status == MeetingStatus::Cancelled />
        })}
        {(ended && !is_owner).then(|| view! { <p class="muted">"This meeting has ended."</p> })}
    }
}
