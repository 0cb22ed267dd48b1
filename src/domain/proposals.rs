//! The owner's answer to a time an invitee proposed: take it (the meeting moves) or decline
//! it (the invitation is pending again).

use super::Backend;
use super::access::{INVITATION_COLUMNS, InvitationRow, MEETING_COLUMNS, MeetingRow};
use super::invitations::load;
use crate::error::{AppError, ErrorCode};
use crate::infra::db::{now_millis, to_millis};
use crate::model::{Invitation, InvitationStatus, Meeting, MeetingStatus};
use sqlx::Connection as _;

fn no_proposal(status: InvitationStatus) -> AppError {
    AppError::conflict(
        ErrorCode::NoProposal,
        format!("The invitation is {status}, not proposed."),
    )
}

/// Loads an invitation with a proposal the owner is answering.
async fn load_proposal(
    cx: &Backend,
    user_id: i64,
    invitation_id: i64,
) -> Result<(Invitation, Meeting), AppError> {
    let (invitation, access) = load(cx, user_id, invitation_id).await?;
    access.require_owner()?;
    access.require_open()?;
    if invitation.status != InvitationStatus::Proposed {
        return Err(no_proposal(invitation.status));
    }
    Ok((invitation, access.meeting))
}

/// The owner takes the proposed time: the meeting moves there and the invitation is accepted.
/// Both rows change in one transaction, each guarded by the state it was checked in.
pub async fn accept_proposal(
    cx: &Backend,
    user_id: i64,
    invitation_id: i64,
) -> Result<(Meeting, Invitation), AppError> {
    let (invitation, meeting) = load_proposal(cx, user_id, invitation_id).await?;
    if meeting.status != MeetingStatus::Scheduled {
        return Err(unmovable(meeting.status));
    }
    let proposed = invitation
        .proposed_time
        .map(to_millis)
        .ok_or_else(|| no_proposal(invitation.status))?;
    let now = now_millis();
    let mut writer = cx.db.writer().await?;
    let mut tx = writer.begin().await?;
    let meeting_row: Option<MeetingRow> = cx.db
        .query_as(&format!(
            "UPDATE meetings SET scheduled_at = $1, updated_at = $2 WHERE id = $3 AND status = 'scheduled' \
             RETURNING {MEETING_COLUMNS}"
        ))
        .bind(proposed)
        .bind(now)
        .bind(meeting.id)
        .fetch_optional(&mut *tx)
        .await?;
    let invitation_row: Option<InvitationRow> = cx
        .db
        .query_as(&format!(
            "UPDATE invitations SET status = 'accepted' WHERE id = $1 AND status = 'proposed' \
             AND proposed_time = $2 RETURNING {INVITATION_COLUMNS}"
        ))
        .bind(invitation_id)
        .bind(proposed)
        .fetch_optional(&mut *tx)
        .await?;
    match (meeting_row, invitation_row) {
        (Some(m), Some(i)) => {
            tx.commit().await?;
            Ok((m.into(), i.into()))
        }
        // The meeting started, ended or was cancelled since it was loaded.
        (None, _) => {
            tx.rollback().await?;
            drop(writer);
            Err(unmovable(super::access::status_now(cx, meeting.id).await?))
        }
        (Some(_), None) => {
            tx.rollback().await?;
            Err(AppError::conflict(
                ErrorCode::NoProposal,
                "The proposal changed meanwhile; reload and try again.",
            ))
        }
    }
}

/// Why a meeting in `status` cannot move to a proposed time.
fn unmovable(status: MeetingStatus) -> AppError {
    super::access::require_open(status)
        .err()
        .unwrap_or_else(|| {
            AppError::conflict(
                ErrorCode::AlreadyStarted,
                "The meeting has started; its time can no longer move.",
            )
        })
}

/// The owner turns the proposal down: the invitation is pending again, with no proposed time.
pub async fn decline_proposal(
    cx: &Backend,
    user_id: i64,
    invitation_id: i64,
) -> Result<Invitation, AppError> {
    load_proposal(cx, user_id, invitation_id).await?;
    let row: Option<InvitationRow> = cx.db
        .query_as(&format!(
            "UPDATE invitations SET status = 'pending', proposed_time = NULL WHERE id = $1 AND status = 'proposed' \
             RETURNING {INVITATION_COLUMNS}"
        ))
        .bind(invitation_id)
        .fetch_optional(&mut *cx.db.writer().await?)
        .await?;
    row.map(Invitation::from)
        .ok_or_else(|| no_proposal(InvitationStatus::Pending))
}
