//! The owner's controls: edit, start/end/cancel (each shown only when legal), invite by
//! email, and the invitations with their proposals.

use leptos::prelude::*;

use super::Changed;
use crate::components::badge::Badge;
use crate::components::form::{Field, FormError, cleared_on_success};
use crate::components::time::{LocalDateTimeField, LocalTime};
use crate::error::AppError;
use crate::model::{InvitationStatus, InvitationWithInvitee, MeetingDetail, MeetingStatus};
use crate::server_fns::invitations::{
    AcceptProposal, DeclineProposal, InviteByEmail, WithdrawInvitation,
};
use crate::server_fns::meetings::{CancelMeeting, EndMeeting, StartMeeting, UpdateMeeting};

#[component]
pub fn OwnerPanel(detail: MeetingDetail) -> impl IntoView {
    let m = detail.meeting.clone();
    let id = m.id;
    let start = ServerAction::<StartMeeting>::new();
    let end = ServerAction::<EndMeeting>::new();
    let cancel = ServerAction::<CancelMeeting>::new();
    let update = ServerAction::<UpdateMeeting>::new();
    let invite = ServerAction::<InviteByEmail>::new();
    let changed = expect_context::<Changed>();
    changed.after(*start);
    changed.after(*end);
    changed.after(*cancel);
    changed.after(*update);
    changed.after(*invite);
    let status_error = Signal::derive(move || {
        [start.value().get(), end.value().get(), cancel.value().get()]
            .into_iter()
            .flatten()
            .find_map(Result::err)
    });
    let update_error = Signal::derive(move || update.value().get().and_then(Result::err));
    let invite_error = Signal::derive(move || invite.value().get().and_then(Result::err));
    let invite_form = cleared_on_success(invite.value());
    let busy = move || start.pending().get() || end.pending().get() || cancel.pending().get();
    let open = !m.status.is_closed();
    view! {
        <section class="card" aria-labelledby="manage-heading">
            <h2 id="manage-heading">"Manage"</h2>
            <div class="actions">
                {(m.status == MeetingStatus::Scheduled).then(|| view! {
                    <button class="btn" disabled=busy on:click=move |_| { start.dispatch(StartMeeting { id }); }>
                        "Start meeting"
                    </button>
                    <button class="btn btn-danger" disabled=busy on:click=move |_| {
                        if confirmed("Cancel this meeting? Everyone invited will see it cancelled, and it cannot be undone.") {
                            cancel.dispatch(CancelMeeting { id });
                        }
                    }>
                        "Cancel meeting"
                    </button>
                })}
                {(m.status == MeetingStatus::Started).then(|| view! {
                    <button class="btn btn-danger" disabled=busy on:click=move |_| {
                        if confirmed("End this meeting for everyone? The call stops for all, and a running recording ends.") {
                            end.dispatch(EndMeeting { id });
                        }
                    }>
                        "End meeting"
                    </button>
                })}
                {m.status.closed_note().map(|note| view! { <span class="muted">{note}</span> })}
            </div>
            <FormError error=status_error />
            {open.then(|| view! {
                <details class="edit">
                    <summary>"Edit details"</summary>
                    <ActionForm action=update>
                        <input type="hidden" name="id" value=id />
                        <Field label="Title" name="title" value=m.title.clone() error=update_error />
                        <LocalDateTimeField label="When" name="scheduled_at" initial=m.scheduled_at error=update_error />
                        <Field label="Duration (minutes)" name="duration_minutes" kind="number" required=true value=m.duration_minutes.to_string() error=update_error />
                        <FormError error=update_error />
                        <button type="submit" class="btn" disabled=move || update.pending().get()>"Save changes"</button>
                    </ActionForm>
                </details>
                <h3>"Invite someone"</h3>
                // An error about the address goes as soon as it is edited (the input events of
                // the form's fields bubble up to here).
                <div on:input=move |_| invite.clear()>
                    <ActionForm action=invite node_ref=invite_form attr:class="inline-form">
                        <input type="hidden" name="meeting_id" value=id />
                        <Field label="Email to invite" name="invitee_email" kind="email" error=invite_error />
                        <FormError error=invite_error />
                        <button type="submit" class="btn" disabled=move || invite.pending().get()>
                            {move || if invite.pending().get() { "Inviting…" } else { "Invite" }}
                        </button>
                    </ActionForm>
                </div>
            })}
        </section>
        <Invitations invitations=detail.invitations status=m.status />
    }
}

#[component]
fn Invitations(invitations: Vec<InvitationWithInvitee>, status: MeetingStatus) -> impl IntoView {
    let open = !status.is_closed();
    // A proposal moves the meeting: only one that has not started yet.
    let movable = status == MeetingStatus::Scheduled;
    let accept = ServerAction::<AcceptProposal>::new();
    let decline = ServerAction::<DeclineProposal>::new();
    let withdraw = ServerAction::<WithdrawInvitation>::new();
    let changed = expect_context::<Changed>();
    changed.after(*accept);
    changed.after(*decline);
    changed.after(*withdraw);
    let error: Signal<Option<AppError>> = Signal::derive(move || {
        accept
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| decline.value().get().and_then(Result::err))
            .or_else(|| withdraw.value().get().and_then(Result::err))
    });
    let busy =
        move || accept.pending().get() || decline.pending().get() || withdraw.pending().get();
    let empty = invitations.is_empty();
    view! {
        <section class="card" aria-labelledby="invitations-heading">
            <h2 id="invitations-heading">"Invitations"</h2>
            <FormError error />
            {empty.then(|| view! {
                <p class="empty">
                    {if open { "No one is invited yet. Invite people by email above." } else { "No one was invited." }}
                </p>
            })}
            <ul class="invitation-list">
                {invitations.into_iter().map(|InvitationWithInvitee { invitation: inv, invitee_name }| {
                    let id = inv.id;
                    let proposed = inv.status == InvitationStatus::Proposed;
                    view! {
                        <li class="invitation-item" data-email=inv.invitee_email.clone()>
                            <div>
                                // The name once the address belongs to an account, with the address.
                                {match invitee_name {
                                    Some(name) => view! {
                                        <strong>{name}</strong> " " <span class="muted small">{inv.invitee_email.clone()}</span>
                                    }.into_any(),
                                    None => view! { <strong>{inv.invitee_email.clone()}</strong> }.into_any(),
                                }}
                                " " <Badge text=inv.status.as_str() />
                                {inv.proposed_time.filter(|_| proposed).map(|t| view! { <div class="small">"Proposed: " <LocalTime at=t /></div> })}
                                // The comment goes with the proposal: once it is accepted or declined, it is history.
                                {inv.comment.clone().filter(|c| proposed && !c.is_empty()).map(|c| view! { <div class="small comment">"“" {c} "”"</div> })}
                            </div>
                            // An accepted invitee may be in the call: their invitation stays.
                            {(open && inv.status != InvitationStatus::Accepted).then(|| {
                                let question = format!("Withdraw the invitation to {}? They will no longer see this meeting.", inv.invitee_email);
                                view! {
                                    <div class="actions">
                                        {(proposed && movable).then(|| view! {
                                            <button class="btn btn-small" disabled=busy on:click=move |_| { accept.dispatch(AcceptProposal { id }); }>
                                                "Accept proposal"
                                            </button>
                                        })}
                                        {proposed.then(|| view! {
                                            <button class="btn btn-quiet btn-small" disabled=busy on:click=move |_| { decline.dispatch(DeclineProposal { id }); }>
                                                "Decline proposal"
                                            </button>
                                        })}
                                        <button class="btn btn-quiet btn-small" disabled=busy on:click=move |_| {
                                            if confirmed(&question) {
                                                withdraw.dispatch(WithdrawInvitation { id });
                                            }
                                        }>
                                            "Withdraw"
                                        </button>
                                    </div>
                                }
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Asks before an action that cannot be undone.
fn confirmed(question: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        leptos::web_sys::window()
            .and_then(|w| w.confirm_with_message(question).ok())
            .unwrap_or(false)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = question;
        false
    }
}
