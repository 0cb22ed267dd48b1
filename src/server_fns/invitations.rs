//! The pages' calls for invitations: inviting by email, the caller's inbox, the invitee's
//! answers and the owner's answer to a proposal, over `domain::invitations`.

use leptos::prelude::*;

use crate::error::AppError;
use crate::model::{Invitation, InvitationWithMeeting, ProposalAccepted};

#[server(prefix = "/rpc")]
pub async fn invite_by_email(
    meeting_id: i64,
    invitee_email: String,
) -> Result<Invitation, AppError> {
    use crate::domain::invitations::{Invitee, invite};
    let (state, auth) = super::ctx::user().await?;
    // Named as in the REST API, so a refusal names the form's field.
    let who = Invitee {
        invitee_user_id: None,
        invitee_email: Some(invitee_email),
    };
    invite(&state.backend, auth.user.id, meeting_id, who).await
}

/// The invitations addressed to the caller; `status` keeps one status only.
#[server(prefix = "/rpc")]
pub async fn my_invitations(
    status: Option<String>,
) -> Result<Vec<InvitationWithMeeting>, AppError> {
    let (state, auth) = super::ctx::user().await?;
    crate::domain::invitations::inbox(&state.backend, auth.user.id, status.as_deref()).await
}

#[server(prefix = "/rpc")]
pub async fn accept_invitation(id: i64) -> Result<Invitation, AppError> {
    let (state, auth) = super::ctx::user().await?;
    crate::domain::invitations::respond(
        &state.backend,
        auth.user.id,
        id,
        crate::domain::invitations::Answer::Accept,
    )
    .await
}

#[server(prefix = "/rpc")]
pub async fn reject_invitation(id: i64) -> Result<Invitation, AppError> {
    let (state, auth) = super::ctx::user().await?;
    crate::domain::invitations::respond(
        &state.backend,
        auth.user.id,
        id,
        crate::domain::invitations::Answer::Reject,
    )
    .await
}

/// `proposed_time` is RFC 3339 or `YYYY-MM-DD HH:MM:SS` (UTC), and must be in the future.
#[server(prefix = "/rpc")]
pub async fn propose_time(
    id: i64,
    proposed_time: String,
    comment: Option<String>,
) -> Result<Invitation, AppError> {
    let (state, auth) = super::ctx::user().await?;
    crate::domain::invitations::propose(
        &state.backend,
        auth.user.id,
        id,
        &proposed_time,
        comment.as_deref(),
    )
    .await
}

#[server(prefix = "/rpc")]
pub async fn accept_proposal(id: i64) -> Result<ProposalAccepted, AppError> {
    let (state, auth) = super::ctx::user().await?;
    let (meeting, invitation) =
        crate::domain::proposals::accept_proposal(&state.backend, auth.user.id, id).await?;
    Ok(ProposalAccepted {
        meeting,
        invitation,
    })
}

#[server(prefix = "/rpc")]
pub async fn decline_proposal(id: i64) -> Result<Invitation, AppError> {
    let (state, auth) = super::ctx::user().await?;
    crate::domain::proposals::decline_proposal(&state.backend, auth.user.id, id).await
}

#[server(prefix = "/rpc")]
pub async fn withdraw_invitation(id: i64) -> Result<(), AppError> {
    let (state, auth) = super::ctx::user().await?;
    crate::domain::invitations::withdraw(&state.backend, auth.user.id, id).await
}
