//! An invitee's answer to an invitation: accept, reject, or propose another time.
//! Used on the meeting page and on `/invitations`.

use leptos::prelude::*;

use super::Changed;
use crate::components::badge::Badge;
use crate::components::form::{Field, FormError, cleared_on_success};
use crate::components::time::{LocalDateTimeField, LocalTime};
use crate::model::{Invitation, InvitationStatus};
use crate::server_fns::invitations::{AcceptInvitation, ProposeTime, RejectInvitation};

#[component]
pub fn InvitationAnswer(invitation: Invitation, closed: bool) -> impl IntoView {
    let accept = ServerAction::<AcceptInvitation>::new();
    let reject = ServerAction::<RejectInvitation>::new();
    let propose = ServerAction::<ProposeTime>::new();
    // Reload whatever the page shows once an answer went through.
    if let Some(changed) = use_context::<Changed>() {
        changed.after(*accept);
        changed.after(*reject);
        changed.after(*propose);
    }
    let error = Signal::derive(move || {
        [
            accept.value().get().and_then(Result::err),
            reject.value().get().and_then(Result::err),
        ]
        .into_iter()
        .flatten()
        .next()
    });
    let propose_error = Signal::derive(move || propose.value().get().and_then(Result::err));
    // Once the proposal is sent, its form empties and folds away: the status shows it.
    let propose_form = cleared_on_success(propose.value());
    let propose_box = NodeRef::<leptos::html::Details>::new();
    Effect::new(move |_| {
        if propose.value().with(|sent| matches!(sent, Some(Ok(_))))
            && let Some(details) = propose_box.get_untracked()
        {
            details.set_open(false);
        }
    });
    let id = invitation.id;
    let status = invitation.status;
    let pending = move || accept.pending().get() || reject.pending().get();
    view! {
        <section class="card" aria-labelledby=format!("answer-{id}")>
            <h2 id=format!("answer-{id}")>"Your invitation"</h2>
            <p>
                "Status: " <Badge text=status.as_str() />
                {invitation
                    .proposed_time
                    .filter(|_| status == InvitationStatus::Proposed)
                    .map(|t| view! { " · you proposed " <LocalTime at=t /> })}
            </p>
            {(!closed).then(|| view! {
                <div class="actions">
                    <button
                        class="btn"
                        disabled=move || pending() || status == InvitationStatus::Accepted
                        on:click=move |_| { accept.dispatch(AcceptInvitation { id }); }
                    >
                        "Accept"
                    </button>
                    <button
                        class="btn btn-quiet"
                        disabled=move || pending() || status == InvitationStatus::Rejected
                        on:click=move |_| { reject.dispatch(RejectInvitation { id }); }
                    >
                        "Reject"
                    </button>
                </div>
                <FormError error />
                <details class="propose" node_ref=propose_box>
                    <summary>"Propose another time"</summary>
                    <ActionForm action=propose node_ref=propose_form>
                        <input type="hidden" name="id" value=id />
                        <LocalDateTimeField label="Proposed time" name="proposed_time" scope=format!("answer-{id}") error=propose_error />
                        <Field label="Comment" name="comment" scope=format!("answer-{id}") error=propose_error />
                        <FormError error=propose_error />
                        <button type="submit" class="btn" disabled=move || propose.pending().get()>
                            {move || if propose.pending().get() { "Sending…" } else { "Propose time" }}
                        </button>
                    </ActionForm>
                </details>
            })}
        </section>
    }
}
