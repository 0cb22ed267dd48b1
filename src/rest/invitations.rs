//! Invitations: inviting to a meeting, the caller's inbox, the invitee's answers and the
//! owner's answer to a proposed time.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::{ApiJson, ApiPath, ApiQuery};
use crate::domain::invitations::{self, Invitee};
use crate::domain::proposals;
use crate::error::AppError;
use crate::model::{Invitation, InvitationWithMeeting};
use crate::server::auth::AuthUser;
use crate::server::state::AppState;
use crate::server_fns::invitations::ProposalAccepted;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings/{id}/invite", post(invite))
        .route("/meetings/{id}/invitations", get(for_meeting))
        .route("/invitations", get(inbox))
        .route("/invitations/{id}/accept", post(accept))
        .route("/invitations/{id}/reject", post(reject))
        .route("/invitations/{id}/propose", post(propose))
        .route("/invitations/{id}/proposal/accept", post(accept_proposal))
        .route("/invitations/{id}/proposal/decline", post(decline_proposal))
}

#[derive(Deserialize)]
struct InviteBody {
    invitee_user_id: Option<i64>,
    invitee_email: Option<String>,
}

#[derive(Deserialize)]
struct InboxParams {
    status: Option<String>,
}

#[derive(Deserialize)]
struct ProposeBody {
    proposed_time: String,
    comment: Option<String>,
}

async fn invite(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<InviteBody>,
) -> Result<(StatusCode, Json<Invitation>), AppError> {
    let who = Invitee {
        invitee_user_id: body.invitee_user_id,
        invitee_email: body.invitee_email,
    };
    let invitation = invitations::invite(&state.db, auth.user.id, id, who).await?;
    Ok((StatusCode::CREATED, Json(invitation)))
}

async fn for_meeting(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<Invitation>>, AppError> {
    Ok(Json(
        invitations::for_meeting(&state.db, auth.user.id, id).await?,
    ))
}

async fn inbox(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiQuery(p): ApiQuery<InboxParams>,
) -> Result<Json<Vec<InvitationWithMeeting>>, AppError> {
    Ok(Json(
        invitations::inbox(&state.db, auth.user.id, p.status.as_deref()).await?,
    ))
}

async fn accept(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Invitation>, AppError> {
    Ok(Json(
        invitations::respond(&state.db, auth.user.id, id, true).await?,
    ))
}

async fn reject(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Invitation>, AppError> {
    Ok(Json(
        invitations::respond(&state.db, auth.user.id, id, false).await?,
    ))
}

async fn propose(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ProposeBody>,
) -> Result<Json<Invitation>, AppError> {
    let invitation = invitations::propose(
        &state.db,
        auth.user.id,
        id,
        &body.proposed_time,
        body.comment.as_deref(),
    )
    .await?;
    Ok(Json(invitation))
}

async fn accept_proposal(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ProposalAccepted>, AppError> {
    let (meeting, invitation) = proposals::accept_proposal(&state.db, auth.user.id, id).await?;
    Ok(Json(ProposalAccepted {
        meeting,
        invitation,
    }))
}

async fn decline_proposal(
    State(state): State<AppState>,
    auth: AuthUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Invitation>, AppError> {
    Ok(Json(
        proposals::decline_proposal(&state.db, auth.user.id, id).await?,
    ))
}
