//! Who may see and act on a meeting. A meeting is visible to its owner and to anyone
//! invited to it (any invitation status); everyone else gets the same 404 as for a meeting
//! that does not exist, so ids don't leak.

use super::Backend;
use crate::error::{AppError, ErrorCode};
use crate::infra::db::from_millis;
use crate::model::{Invitation, InvitationStatus, Meeting, MeetingStatus, Role};

pub const MEETING_COLUMNS: &str = "id, owner_id, title, scheduled_at, duration_minutes, status, join_code, \
     started_at, ended_at, created_at, updated_at";

pub const INVITATION_COLUMNS: &str = "id, meeting_id, inviter_id, invitee_user_id, invitee_email, status, \
     proposed_time, comment, responded_at, created_at";

#[derive(sqlx::FromRow)]
pub struct MeetingRow {
    id: i64,
    owner_id: i64,
    title: String,
    scheduled_at: i64,
    duration_minutes: i64,
    status: String,
    join_code: String,
    started_at: Option<i64>,
    ended_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl From<MeetingRow> for Meeting {
    fn from(r: MeetingRow) -> Self {
        Meeting {
            id: r.id,
            owner_id: r.owner_id,
            title: r.title,
            scheduled_at: from_millis(r.scheduled_at),
            duration_minutes: r.duration_minutes,
            // The column has a CHECK constraint, so only known values are stored.
            status: r.status.parse().unwrap_or(MeetingStatus::Scheduled),
            join_code: r.join_code,
            started_at: r.started_at.map(from_millis),
            ended_at: r.ended_at.map(from_millis),
            created_at: from_millis(r.created_at),
            updated_at: from_millis(r.updated_at),
        }
    }
}

#[derive(sqlx::FromRow)]
pub struct InvitationRow {
    id: i64,
    meeting_id: i64,
    inviter_id: i64,
    invitee_user_id: Option<i64>,
    invitee_email: String,
    status: String,
    proposed_time: Option<i64>,
    comment: Option<String>,
    responded_at: Option<i64>,
    created_at: i64,
}

impl From<InvitationRow> for Invitation {
    fn from(r: InvitationRow) -> Self {
        Invitation {
            id: r.id,
            meeting_id: r.meeting_id,
            inviter_id: r.inviter_id,
            invitee_user_id: r.invitee_user_id,
            invitee_email: r.invitee_email,
            status: r.status.parse().unwrap_or(InvitationStatus::Pending),
            proposed_time: r.proposed_time.map(from_millis),
            comment: r.comment,
            responded_at: r.responded_at.map(from_millis),
            created_at: from_millis(r.created_at),
        }
    }
}

/// A meeting as one user may see it.
#[derive(Debug, Clone)]
pub struct MeetingAccess {
    pub meeting: Meeting,
    pub role: Role,
    /// The caller's own invitation, when they are an invitee.
    pub invitation: Option<Invitation>,
}

pub fn not_found() -> AppError {
    AppError::NotFound("No such meeting.".into())
}

pub async fn find_meeting(cx: &Backend, meeting_id: i64) -> Result<Option<Meeting>, AppError> {
    let row: Option<MeetingRow> = cx
        .db
        .query_as(&format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE id = $1"
        ))
        .bind(meeting_id)
        .fetch_optional(cx.db.reader())
        .await?;
    Ok(row.map(Meeting::from))
}

/// The meeting's status as stored now: for a conditional write that found the meeting
/// changed since it was read, to say why it refused.
pub async fn status_now(cx: &Backend, meeting_id: i64) -> Result<MeetingStatus, AppError> {
    Ok(find_meeting(cx, meeting_id)
        .await?
        .ok_or_else(not_found)?
        .status)
}

/// What to answer a request about `meeting_id` that failed with `error` before it got to
/// the meeting (a bad query, say): 404 all the same to a caller who cannot see the meeting,
/// as for every other request about it.
pub async fn unless_hidden(
    cx: &Backend,
    user_id: i64,
    meeting_id: i64,
    error: AppError,
) -> AppError {
    match meeting_for(cx, user_id, meeting_id).await {
        Ok(_) => error,
        Err(hidden) => hidden,
    }
}

/// The meeting if `user_id` may see it, else 404.
pub async fn meeting_for(
    cx: &Backend,
    user_id: i64,
    meeting_id: i64,
) -> Result<MeetingAccess, AppError> {
    let meeting = find_meeting(cx, meeting_id).await?.ok_or_else(not_found)?;
    if meeting.owner_id == user_id {
        return Ok(MeetingAccess {
            meeting,
            role: Role::Owner,
            invitation: None,
        });
    }
    let row: Option<InvitationRow> = cx.db
        .query_as(&format!("SELECT {INVITATION_COLUMNS} FROM invitations WHERE meeting_id = $1 AND invitee_user_id = $2"))
        .bind(meeting_id)
        .bind(user_id)
        .fetch_optional(cx.db.reader())
        .await?;
    let invitation = row.map(Invitation::from).ok_or_else(not_found)?;
    Ok(MeetingAccess {
        meeting,
        role: Role::Invitee,
        invitation: Some(invitation),
    })
}

impl MeetingAccess {
    pub fn is_owner(&self) -> bool {
        self.role == Role::Owner
    }

    /// 403 unless the caller owns the meeting.
    pub fn require_owner(&self) -> Result<(), AppError> {
        if self.is_owner() {
            Ok(())
        } else {
            Err(AppError::forbidden(
                ErrorCode::Forbidden,
                "Only the meeting's owner may do this.",
            ))
        }
    }

    /// 409 `meeting_closed` once the meeting has ended or was cancelled.
    pub fn require_open(&self) -> Result<(), AppError> {
        require_open(self.meeting.status)
    }

    /// Owners and accepted invitees may join the call.
    pub fn may_join(&self) -> bool {
        self.role
            .may_join(self.invitation.as_ref().map(|i| i.status))
    }

    /// Why the caller may not join the call now, as the join answers it (409 once the meeting
    /// has closed, else 403 until the invitation is accepted); `None` when they may. The call
    /// page and the join link show its message.
    pub fn join_refusal(&self) -> Option<AppError> {
        if self.meeting.status.is_closed() {
            return self.require_open().err();
        }
        if self.may_join() {
            return None;
        }
        let message = match self.invitation.as_ref().map(|i| i.status) {
            Some(InvitationStatus::Rejected) => {
                "You declined this invitation. Accept it to join the call."
            }
            Some(InvitationStatus::Proposed) => {
                "You proposed another time. Accept the invitation to join the call."
            }
            _ => "You have not accepted this invitation yet. Accept it to join the call.",
        };
        Some(AppError::forbidden(ErrorCode::NotAccepted, message))
    }
}

/// The 409 `meeting_closed` for a meeting that a conditional write found closed meanwhile.
pub async fn closed(cx: &Backend, meeting_id: i64) -> AppError {
    match status_now(cx, meeting_id).await {
        Ok(status) => AppError::conflict(
            ErrorCode::MeetingClosed,
            status.closed_note().unwrap_or("The meeting is closed."),
        ),
        Err(e) => e,
    }
}

/// 409 `meeting_closed` for a meeting in `status` once it has ended or was cancelled.
pub fn require_open(status: MeetingStatus) -> Result<(), AppError> {
    match status.closed_note() {
        Some(note) => Err(AppError::conflict(ErrorCode::MeetingClosed, note)),
        None => Ok(()),
    }
}

/// The meeting behind a join link, if `user_id` may see it (else 404, as for an id).
pub async fn meeting_by_code(
    cx: &Backend,
    user_id: i64,
    join_code: &str,
) -> Result<MeetingAccess, AppError> {
    // Codes are letters and digits: anything else names no meeting.
    if !join_code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(not_found());
    }
    let id: Option<i64> = cx
        .db
        .query_scalar("SELECT id FROM meetings WHERE join_code = $1")
        .bind(join_code)
        .fetch_optional(cx.db.reader())
        .await?;
    meeting_for(cx, user_id, id.ok_or_else(not_found)?).await
}
