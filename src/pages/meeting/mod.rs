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
use crate::components::error_view::ErrorView;
use crate::components::join_link::JoinLink;
use crate::components::time::LocalTime;
use crate::error::AppError;
use crate::model::MeetingPageData;
use crate::model::{MeetingStatus, Role};
use crate::server_fns::meetings::meeting_page;

#[component]
pub fn MeetingPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let changed = Changed(RwSignal::new(0));
    provide_context(changed);
    // Created here, at the page's top level, so the server render and hydration agree on it.
    let detail = Resource::new(
        move || (id(), changed.0.get()),
        |(id, _)| async move {
            match id {
                Some(id) => meeting_page(id).await,
                None => Err(AppError::NotFound("No such meeting.".into())),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="muted" aria-busy="true">"Loading…"</p> }>
            {move || detail.get().map(|result| match result {
                Ok(data) => view! { <Detail data /> }.into_any(),
                Err(error) => view! { <ErrorView error /> }.into_any(),
            })}
        </Transition>
    }
}

/// Bumped by every action on the page that goes through, so the details reload after a
/// change. A refused action bumps nothing: reloading would rebuild the forms, and with them
/// the error message and whatever the user typed.
#[derive(Clone, Copy)]
pub struct Changed(pub RwSignal<u32>);

impl Changed {
    pub fn bump(self) {
        self.0.update(|n| *n += 1);
    }

    /// Bumps after each success of `action`.
    pub fn after<I, T, E>(self, action: Action<I, Result<T, E>>)
    where
        I: Send + Sync + 'static,
        T: Send + Sync + 'static,
        E: Send + Sync + 'static,
    {
        let result = action.value();
        Effect::new(move |_| {
            if result.with(|r| matches!(r, Some(Ok(_)))) {
                self.bump();
            }
        });
    }
}

#[component]
fn Detail(data: MeetingPageData) -> impl IntoView {
    let MeetingPageData {
        detail,
        recordings,
        notes,
        revision: data_revision,
    } = data;
    let m = detail.meeting.clone();
    let is_owner = detail.role == Role::Owner;
    let may_join = m
        .status
        .call_open_to(detail.role, detail.invitation.as_ref().map(|i| i.status));
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
                // Nobody can join a closed meeting: no link to share.
                {(!m.status.is_closed()).then(|| view! { <JoinLink link=detail.join_link.clone() /> })}
            </div>
        </section>
        {detail
            .invitation
            .clone()
            .filter(|_| !is_owner)
            .map(|invitation| view! { <InvitationAnswer invitation closed=m.status.is_closed() /> })}
        <participants::Participants meeting_id=m.id status=m.status revision=data_revision />
        {is_owner.then(|| view! {
            <owner::OwnerPanel detail=detail.clone() />
            <media::Recordings meeting=detail.meeting.clone() recordings />
            <media::Notes meeting_id=detail.meeting.id cancelled=detail.meeting.status == MeetingStatus::Cancelled notes />
        })}
    }
}
