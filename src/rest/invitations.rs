//! Invitations: inviting to a meeting, the caller's inbox, the invitee's answers and the
//! owner's answer to a proposed time.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{ApiJson, ApiPath, ApiQuery, InvitationId, MeetingId};
use crate::domain::invitations::{self, Answer, Invitee};
use crate::domain::proposals;
use crate::error::AppError;
use crate::model::{Invitation, InvitationWithInvitee, InvitationWithMeeting, ProposalAccepted};
use crate::web::auth::AuthUser;
use crate::web::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(invite))
        .routes(routes!(for_meeting))
        .routes(routes!(inbox))
        .routes(routes!(accept))
        .routes(routes!(reject))
        .routes(routes!(propose))
        .routes(routes!(accept_proposal))
        .routes(routes!(decline_proposal))
        .routes(routes!(withdraw))
}

#[derive(Deserialize, utoipa::ToSchema)]
struct InviteBody {
    invitee_user_id: Option<i64>,
    #[schema(format = "email", max_length = 254)]
    invitee_email: Option<String>,
}

#[derive(Deserialize)]
struct InboxParams {
    status: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
struct ProposeBody {
    /// RFC 3339 or `YYYY-MM-DD HH:MM:SS` in UTC; in the future and before 9999-12-31 UTC.
    #[schema(format = "date-time")]
    proposed_time: String,
    /// Trimmed; 1..500 characters.
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    comment: Option<String>,
}

#[utoipa::path(
    post,
    path = "/meetings/{id}/invite",
    operation_id = "invite",
    tag = "invitations",
    summary = "Invite a user by id or an email address (owner)",
    params(
        MeetingId,
    ),
    request_body = InviteBody,
    responses(
        (status = 201, description = "The invitation.", body = Invitation),
        (status = 403, description = "forbidden: only the meeting's owner may do this.", body = super::schemas::ErrorBody),
        (status = 409, description = "already_invited or meeting_closed.", body = super::schemas::ErrorBody),
        (status = 422, description = "validation_failed: neither field, an unknown user, or the owner themself.", body = super::schemas::ErrorBody),
    ),
)]
async fn invite(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(MeetingId { id }): ApiPath<MeetingId>,
    ApiJson(body): ApiJson<InviteBody>,
) -> Result<(StatusCode, Json<Invitation>), AppError> {
    let who = Invitee {
        invitee_user_id: body.invitee_user_id,
        invitee_email: body.invitee_email,
    };
    let invitation = invitations::invite(&state.backend, auth.user.id, id, who).await?;
    Ok((StatusCode::CREATED, Json(invitation)))
}

#[utoipa::path(
    get,
    path = "/meetings/{id}/invitations",
    operation_id = "list_meeting_invitations",
    tag = "invitations",
    summary = "The meeting's invitations (owner)",
    params(
        MeetingId,
    ),
    responses(
        (status = 200, description = "Every invitation of the meeting, each with `invitee_name`: the invitee's name once the address belongs to an account, else null.", body = Vec<InvitationWithInvitee>),
        (status = 403, description = "forbidden: only the meeting's owner may do this.", body = super::schemas::ErrorBody),
    ),
)]
async fn for_meeting(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(MeetingId { id }): ApiPath<MeetingId>,
) -> Result<Json<Vec<InvitationWithInvitee>>, AppError> {
    Ok(Json(
        invitations::for_meeting(&state.backend, auth.user.id, id).await?,
    ))
}

#[utoipa::path(
    get,
    path = "/invitations",
    operation_id = "invitation_inbox",
    tag = "invitations",
    summary = "The invitations addressed to the caller",
    params(
        ("status" = Option<crate::model::InvitationStatus>, Query, description = "Only invitations in this status"),
    ),
    responses(
        (status = 200, description = "The invitations, each with a summary of its meeting (not paginated).", body = Vec<InvitationWithMeeting>),
    ),
)]
async fn inbox(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(p): ApiQuery<InboxParams>,
) -> Result<Json<Vec<InvitationWithMeeting>>, AppError> {
    Ok(Json(
        invitations::inbox(&state.backend, auth.user.id, p.status.as_deref()).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/invitations/{id}/accept",
    operation_id = "accept_invitation",
    tag = "invitations",
    summary = "Accept (invitee only; may change their mind)",
    params(
        InvitationId,
    ),
    responses(
        (status = 200, description = "The invitation.", body = Invitation),
        (status = 403, description = "forbidden: only the invitee may answer.", body = super::schemas::ErrorBody),
        (status = 409, description = "meeting_closed: the meeting has ended or was cancelled.", body = super::schemas::ErrorBody),
    ),
)]
async fn accept(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(InvitationId { id }): ApiPath<InvitationId>,
) -> Result<Json<Invitation>, AppError> {
    Ok(Json(
        invitations::respond(&state.backend, auth.user.id, id, Answer::Accept).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/invitations/{id}/reject",
    operation_id = "reject_invitation",
    tag = "invitations",
    summary = "Reject (invitee only; may change their mind)",
    params(
        InvitationId,
    ),
    responses(
        (status = 200, description = "The invitation.", body = Invitation),
        (status = 403, description = "forbidden: only the invitee may answer.", body = super::schemas::ErrorBody),
        (status = 409, description = "meeting_closed: the meeting has ended or was cancelled.", body = super::schemas::ErrorBody),
    ),
)]
async fn reject(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(InvitationId { id }): ApiPath<InvitationId>,
) -> Result<Json<Invitation>, AppError> {
    Ok(Json(
        invitations::respond(&state.backend, auth.user.id, id, Answer::Reject).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/invitations/{id}/propose",
    operation_id = "propose_time",
    tag = "invitations",
    summary = "Propose another time (invitee only)",
    params(
        InvitationId,
    ),
    request_body = ProposeBody,
    responses(
        (status = 200, description = "The invitation, now `proposed`.", body = Invitation),
        (status = 403, description = "forbidden: only the invitee may answer.", body = super::schemas::ErrorBody),
        (status = 409, description = "meeting_closed: the meeting has ended or was cancelled.", body = super::schemas::ErrorBody),
        (status = 422, description = "validation_failed: proposed_time not in the future, or comment over 500 characters.", body = super::schemas::ErrorBody),
    ),
)]
async fn propose(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(InvitationId { id }): ApiPath<InvitationId>,
    ApiJson(body): ApiJson<ProposeBody>,
) -> Result<Json<Invitation>, AppError> {
    let invitation = invitations::propose(
        &state.backend,
        auth.user.id,
        id,
        &body.proposed_time,
        body.comment.as_deref(),
    )
    .await?;
    Ok(Json(invitation))
}

#[utoipa::path(
    post,
    path = "/invitations/{id}/proposal/accept",
    operation_id = "accept_proposal",
    tag = "invitations",
    summary = "Move the meeting to the proposed time (owner)",
    params(
        InvitationId,
    ),
    responses(
        (status = 200, description = "The rescheduled meeting and the accepted invitation.", body = ProposalAccepted),
        (status = 403, description = "forbidden: only the meeting's owner may do this.", body = super::schemas::ErrorBody),
        (status = 409, description = "no_proposal, or the meeting is no longer scheduled.", body = super::schemas::ErrorBody),
    ),
)]
async fn accept_proposal(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(InvitationId { id }): ApiPath<InvitationId>,
) -> Result<Json<ProposalAccepted>, AppError> {
    let (meeting, invitation) =
        proposals::accept_proposal(&state.backend, auth.user.id, id).await?;
    Ok(Json(ProposalAccepted {
        meeting,
        invitation,
    }))
}

#[utoipa::path(
    post,
    path = "/invitations/{id}/proposal/decline",
    operation_id = "decline_proposal",
    tag = "invitations",
    summary = "Decline the proposed time (owner)",
    params(
        InvitationId,
    ),
    responses(
        (status = 200, description = "The invitation, back to `pending`.", body = Invitation),
        (status = 403, description = "forbidden: only the meeting's owner may do this.", body = super::schemas::ErrorBody),
        (status = 409, description = "no_proposal, or the meeting is closed.", body = super::schemas::ErrorBody),
    ),
)]
async fn decline_proposal(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(InvitationId { id }): ApiPath<InvitationId>,
) -> Result<Json<Invitation>, AppError> {
    Ok(Json(
        proposals::decline_proposal(&state.backend, auth.user.id, id).await?,
    ))
}

#[utoipa::path(
    delete,
    path = "/invitations/{id}",
    operation_id = "withdraw_invitation",
    tag = "invitations",
    summary = "Withdraw an invitation that was not accepted (owner)",
    params(
        InvitationId,
    ),
    responses(
        (status = 204, description = "Withdrawn: the invitee no longer sees the meeting."),
        (status = 403, description = "forbidden: only the meeting's owner may do this.", body = super::schemas::ErrorBody),
        (status = 409, description = "already_accepted, or meeting_closed: the meeting has ended or was cancelled.", body = super::schemas::ErrorBody),
    ),
)]
async fn withdraw(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(InvitationId { id }): ApiPath<InvitationId>,
) -> Result<StatusCode, AppError> {
    invitations::withdraw(&state.backend, auth.user.id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
