//! `/meetings`: the meetings I own and those I am invited to, and a form to schedule one.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::components::badge::Badge;
use crate::components::error_view::ErrorView;
use crate::components::form::{Field, FormError, cleared_on_success};
use crate::components::join_link::JoinLink;
use crate::components::time::{LocalDateTimeField, LocalTime};
use crate::error::AppError;
use crate::model::{MeetingListItem, MeetingScope, MeetingSort, MeetingStatus, Page};
use crate::server_fns::meetings::{CreateMeeting, list_meetings};

const PER_PAGE: i64 = 10;

#[component]
pub fn MeetingsPage() -> impl IntoView {
    view! {
        <Title text="Meetings · Projitt Meet" />
        <Meetings />
    }
}

#[component]
fn Meetings() -> impl IntoView {
    let create = ServerAction::<CreateMeeting>::new();
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    let created = move || create.value().get().and_then(Result::ok);
    let form = cleared_on_success(create.value());
    view! {
        <h1>"Meetings"</h1>
        <div class="grid-2">
            <div>
                <MeetingList title="My meetings" scope=MeetingScope::Owned refresh=create.version() />
                <MeetingList title="Invited" scope=MeetingScope::Invited refresh=create.version() />
            </div>
            <section class="card" aria-labelledby="create-heading">
                <h2 id="create-heading">"Schedule a meeting"</h2>
                <ActionForm action=create node_ref=form>
                    <Field label="Title" name="title" error />
                    <LocalDateTimeField label="When" name="scheduled_at" error />
                    <Field
                        label="Duration (minutes)"
                        name="duration_minutes"
                        kind="number"
                        value="30"
                        required=true
                        error
                    />
                    <FormError error />
                    <button type="submit" class="btn" disabled=move || create.pending().get()>
                        {move || if create.pending().get() { "Creating…" } else { "Create meeting" }}
                    </button>
                </ActionForm>
                {move || {
                    created()
                        .map(|c| {
                            view! {
                                <div class="notice" role="status">
                                    <p>
                                        "Created "
                                        <A href=format!("/meetings/{}", c.meeting.id)>{c.meeting.title}</A>
                                        ". Share its join link:"
                                    </p>
                                    <div class="actions">
                                        <JoinLink link=c.join_link />
                                    </div>
                                </div>
                            }
                        })
                }}
            </section>
        </div>
    }
}

/// One paginated list, owned or invited, upcoming first.
#[component]
fn MeetingList(
    title: &'static str,
    scope: MeetingScope,
    refresh: RwSignal<usize>,
) -> impl IntoView {
    let page = RwSignal::new(1i64);
    let meetings = Resource::new(
        move || (page.get(), refresh.get()),
        move |(page, _)| {
            list_meetings(
                Some(scope),
                None,
                Some(MeetingSort::Upcoming),
                None,
                Some(page),
                Some(PER_PAGE),
            )
        },
    );
    let heading_id = format!("list-{scope}");
    view! {
        <section class="card" aria-labelledby=heading_id.clone()>
            <h2 id=heading_id.clone()>{title}</h2>
            <Transition fallback=|| view! { <p class="muted" aria-busy="true">"Loading…"</p> }>
                {move || meetings.get().map(|result| render_page(result, scope, page))}
            </Transition>
        </section>
    }
}

fn render_page(
    result: Result<Page<MeetingListItem>, AppError>,
    scope: MeetingScope,
    page: RwSignal<i64>,
) -> AnyView {
    let list = match result {
        Ok(list) => list,
        Err(error) => return view! { <ErrorView error /> }.into_any(),
    };
    if list.data.is_empty() {
        let empty = if scope == MeetingScope::Owned {
            "You have no meetings yet. Schedule one with the form."
        } else {
            "Nobody has invited you yet. Invitations show up here."
        };
        return view! { <p class="empty">{empty}</p> }.into_any();
    }
    let (current, last, total) = (list.current_page, list.last_page, list.total);
    view! {
        <ul class="meeting-list">
            {list.data.into_iter().map(|item| view! { <MeetingRow item /> }).collect_view()}
        </ul>
        // A pager only when there is more than one page.
        {(last > 1).then(|| view! {
            // Each button names the page it goes to, so a double click cannot run past the end.
            <nav class="pager" aria-label=if scope == MeetingScope::Owned { "Pages of my meetings" } else { "Pages of meetings I am invited to" }>
                <button class="btn btn-quiet btn-small" disabled={current <= 1} on:click=move |_| page.set(current - 1)>
                    "Previous"
                </button>
                <span class="muted">{format!("Page {current} of {last} · {total} in all")}</span>
                <button class="btn btn-quiet btn-small" disabled={current >= last} on:click=move |_| page.set(current + 1)>
                    "Next"
                </button>
            </nav>
        })}
    }
    .into_any()
}

/// A meeting in a list: its title, time and status (an invitee's own answer while it can
/// still take place), and "Join call" while it is under way and the call is open to the user.
#[component]
pub fn MeetingRow(item: MeetingListItem) -> impl IntoView {
    let m = item.meeting;
    let answer = item.invitation.as_ref().map(|inv| inv.status);
    let badge = match answer {
        Some(answer) if !m.status.is_closed() => answer.as_str(),
        _ => m.status.as_str(),
    };
    let join = (m.status == MeetingStatus::Started && m.status.call_open_to(item.role, answer))
        .then(|| {
            view! {
                <A href=format!("/meetings/{}/call", m.id) attr:class="btn btn-small">"Join call"</A>
            }
        });
    view! {
        <li class="meeting-item">
            <div>
                <A href=format!("/meetings/{}", m.id) attr:class="meeting-title">{m.title}</A>
                <div class="muted small">
                    <LocalTime at=m.scheduled_at />
                    {format!(" · {} min", m.duration_minutes)}
                </div>
            </div>
            <div class="actions">
                <Badge text=badge />
                {join}
            </div>
        </li>
    }
}
