//! Invitations: who the owner invites, the caller's inbox, and the invitee's answer (accept,
//! reject, propose another time). The owner's answer to a proposal is in `proposals`.

use super::Backend;
use super::access::{INVITATION_COLUMNS, InvitationRow, MeetingAccess, meeting_for, require_open};
use super::meetings::check_time;
use super::users::{self, on_unique};
use super::validate::Checks;
use crate::error::{AppError, ErrorCode};
use crate::infra::db::{from_millis, now_millis, to_millis};
use crate::model::{
    Invitation, InvitationStatus, InvitationWithInvitee, InvitationWithMeeting, MeetingStatus,
    MeetingSummary,
};
use sqlx::Connection as _;

const COMMENT_MAX: usize = 500;

/// Whom to invite: an account id or an email address (with or without an account).
#[derive(Default)]
pub struct Invitee {
    pub invitee_user_id: Option<i64>,
    pub invitee_email: Option<String>,
}

fn no_invitation() -> AppError {
    AppError::NotFound("No such invitation.".into())
}

fn already_invited() -> AppError {
    AppError::conflict(
        ErrorCode::AlreadyInvited,
        "This person is already invited to the meeting.",
    )
}

pub async fn invite(
    cx: &Backend,
    user_id: i64,
    meeting_id: i64,
    who: Invitee,
) -> Result<Invitation, AppError> {
    let access = meeting_for(cx, user_id, meeting_id).await?;
    access.require_owner()?;

    let mut checks = Checks::new();
    let email = who
        .invitee_email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .map(|e| checks.email("invitee_email", e));
    if who.invitee_user_id.is_none() && email.is_none() {
        checks.fail("invitee_user_id", "give invitee_user_id or invitee_email");
        checks.fail("invitee_email", "give invitee_user_id or invitee_email");
    }
    checks.finish()?;

    // Resolve the person: an account when there is one, so the invitation is bound at once.
    let (invitee_user_id, invitee_email) = match who.invitee_user_id {
        Some(id) => {
            let user = users::get(cx, id)
                .await?
                .ok_or_else(|| AppError::invalid("invitee_user_id", "is not a known user"))?;
            if email.as_ref().is_some_and(|e| *e != user.email) {
                return Err(AppError::invalid(
                    "invitee_email",
                    "does not match invitee_user_id",
                ));
            }
            (Some(user.id), user.email)
        }
        None => {
            let email = email.unwrap_or_default();
            let user = users::find_by_email(cx, &email).await?;
            (user.map(|u| u.id), email)
        }
    };
    if invitee_user_id == Some(user_id) {
        let field = if who.invitee_user_id.is_some() {
            "invitee_user_id"
        } else {
            "invitee_email"
        };
        return Err(AppError::invalid(field, "cannot be yourself"));
    }
    access.require_open()?;

    let existing: Option<i64> = cx.db
        .query_scalar("SELECT id FROM invitations WHERE meeting_id = $1 AND (invitee_email = $2 OR invitee_user_id = $3)")
        .bind(meeting_id)
        .bind(&invitee_email)
        .bind(invitee_user_id)
        .fetch_optional(cx.db.reader())
        .await?;
    if existing.is_some() {
        return Err(already_invited());
    }
    let row: InvitationRow = cx.db
        .query_as(&format!(
            "INSERT INTO invitations (meeting_id, inviter_id, invitee_user_id, invitee_email, status, created_at) \
             VALUES ($1, $2, $3, $4, 'pending', $5) RETURNING {INVITATION_COLUMNS}"
        ))
        .bind(meeting_id)
        .bind(user_id)
        .bind(invitee_user_id)
        .bind(&invitee_email)
        .bind(now_millis())
        .fetch_one(&mut *cx.db.writer().await?)
        .await
        .map_err(|e| on_unique(e, already_invited()))?;
    let mut invitation = Invitation::from(row);
    if invitation.invitee_user_id.is_none()
        && users::bind_invitations(cx, &mut *cx.db.writer().await?, &invitee_email).await? > 0
    {
        // The address was registered meanwhile.
        invitation.invitee_user_id = users::find_by_email(cx, &invitee_email)
            .await?
            .map(|u| u.id);
    }
    Ok(invitation)
}

/// Every invitation of a meeting, for its owner, with the names of invitees who have an
/// account.
pub async fn for_meeting(
    cx: &Backend,
    user_id: i64,
    meeting_id: i64,
) -> Result<Vec<InvitationWithInvitee>, AppError> {
    meeting_for(cx, user_id, meeting_id)
        .await?
        .require_owner()?;
    let rows: Vec<InviteeRow> = cx
        .db
        .query_as(&format!(
            "SELECT {INVITATION_COLUMNS}, \
             (SELECT name FROM users WHERE users.id = invitations.invitee_user_id) AS invitee_name \
             FROM invitations WHERE meeting_id = $1 ORDER BY id"
        ))
        .bind(meeting_id)
        .fetch_all(cx.db.reader())
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| InvitationWithInvitee {
            invitation: Invitation::from(r.invitation),
            invitee_name: r.invitee_name,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct InviteeRow {
    #[sqlx(flatten)]
    invitation: InvitationRow,
    invitee_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct InboxRow {
    #[sqlx(flatten)]
    invitation: InvitationRow,
    m_title: String,
    m_scheduled_at: i64,
    m_duration_minutes: i64,
    m_status: String,
    m_owner_id: i64,
    m_owner_name: String,
}

/// The invitations addressed to the caller, newest first, optionally of one status.
pub async fn inbox(
    cx: &Backend,
    user_id: i64,
    status: Option<&str>,
) -> Result<Vec<InvitationWithMeeting>, AppError> {
    let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            s.parse::<InvitationStatus>()
                .map_err(|problem| AppError::invalid("status", problem))?,
        ),
    };
    let columns = INVITATION_COLUMNS
        .split(", ")
        .map(|c| format!("i.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let status_sql = if status.is_some() {
        " AND i.status = $2"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {columns}, m.title AS m_title, m.scheduled_at AS m_scheduled_at, \
         m.duration_minutes AS m_duration_minutes, m.status AS m_status, m.owner_id AS m_owner_id, \
         u.name AS m_owner_name \
         FROM invitations i JOIN meetings m ON m.id = i.meeting_id JOIN users u ON u.id = m.owner_id \
         WHERE i.invitee_user_id = $1{status_sql} ORDER BY i.created_at DESC, i.id DESC"
    );
    let mut query = cx.db.query_as::<InboxRow>(&sql).bind(user_id);
    if let Some(s) = status {
        query = query.bind(s.as_str());
    }
    let rows = query.fetch_all(cx.db.reader()).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let invitation = Invitation::from(r.invitation);
            let meeting = MeetingSummary {
                id: invitation.meeting_id,
                title: r.m_title,
                scheduled_at: from_millis(r.m_scheduled_at),
                duration_minutes: r.m_duration_minutes,
                status: r.m_status.parse().unwrap_or(MeetingStatus::Scheduled),
                owner_id: r.m_owner_id,
                owner_name: r.m_owner_name,
            };
            InvitationWithMeeting {
                invitation,
                meeting,
            }
        })
        .collect())
}

/// The invitation and the caller's view of its meeting; 404 when the caller cannot see the
/// meeting, so invitation ids leak nothing either.
pub(super) async fn load(
    cx: &Backend,
    user_id: i64,
    invitation_id: i64,
) -> Result<(Invitation, MeetingAccess), AppError> {
    let row: Option<InvitationRow> = cx
        .db
        .query_as(&format!(
            "SELECT {INVITATION_COLUMNS} FROM invitations WHERE id = $1"
        ))
        .bind(invitation_id)
        .fetch_optional(cx.db.reader())
        .await?;
    let invitation = Invitation::from(row.ok_or_else(no_invitation)?);
    let access = meeting_for(cx, user_id, invitation.meeting_id)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => no_invitation(),
            other => other,
        })?;
    Ok((invitation, access))
}

/// Loads an invitation the caller answers as its invitee: the owner (and any other invitee of
/// the meeting) gets 403, and a closed meeting takes no more answers.
async fn load_as_invitee(
    cx: &Backend,
    user_id: i64,
    invitation_id: i64,
) -> Result<Invitation, AppError> {
    let (invitation, access) = load(cx, user_id, invitation_id).await?;
    if invitation.invitee_user_id != Some(user_id) {
        return Err(AppError::forbidden(
            ErrorCode::Forbidden,
            "Only the invitee may answer this invitation.",
        ));
    }
    access.require_open()?;
    Ok(invitation)
}

/// Records the invitee's answer. A proposal carries its own time and comment; a plain
/// accept or reject withdraws any proposed time and keeps the comment.
async fn set_answer(
    cx: &Backend,
    invitation_id: i64,
    status: InvitationStatus,
    proposal: Option<(i64, Option<&str>)>,
) -> Result<Invitation, AppError> {
    let now = now_millis();
    let query = match proposal {
        Some((time, comment)) => {
            let sql = format!(
                "UPDATE invitations SET status = $1, proposed_time = $2, comment = $3, responded_at = $4 \
                 WHERE id = $5 RETURNING {INVITATION_COLUMNS}"
            );
            cx.db
                .query_as::<InvitationRow>(&sql)
                .bind(status.as_str())
                .bind(time)
                .bind(comment.map(str::to_string))
                .bind(now)
                .bind(invitation_id)
                .fetch_optional(&mut *cx.db.writer().await?)
                .await
        }
        None => {
            let sql = format!(
                "UPDATE invitations SET status = $1, proposed_time = NULL, responded_at = $2 \
                 WHERE id = $3 RETURNING {INVITATION_COLUMNS}"
            );
            cx.db
                .query_as::<InvitationRow>(&sql)
                .bind(status.as_str())
                .bind(now)
                .bind(invitation_id)
                .fetch_optional(&mut *cx.db.writer().await?)
                .await
        }
    };
    // Gone since it was read: the owner withdrew it.
    Ok(query?.ok_or_else(no_invitation)?.into())
}

/// The owner withdraws an invitation while the meeting is open, unless it was accepted (an
/// accepted invitee may be in the call): the invitee no longer sees the meeting. One who
/// rejected after joining leaves the call with it. The check and the writes share one
/// transaction, with the row locked on PostgreSQL, so an accept that races the withdrawal
/// either lands first (409 `already_accepted`) or finds nothing (404).
pub async fn withdraw(cx: &Backend, user_id: i64, invitation_id: i64) -> Result<(), AppError> {
    let (_, access) = load(cx, user_id, invitation_id).await?;
    access.require_owner()?;
    let changed = cx.hub.access_changing();
    let mut writer = cx.db.writer().await?;
    let mut tx = writer.begin().await?;
    let now: Option<(String, String, Option<i64>)> = cx
        .db
        .query_as(&format!(
            "SELECT i.status, m.status, i.invitee_user_id FROM invitations i \
             JOIN meetings m ON m.id = i.meeting_id WHERE i.id = $1{}",
            cx.db.row_lock("i")
        ))
        .bind(invitation_id)
        .fetch_optional(&mut *tx)
        .await?;
    let (invitation_status, meeting_status, invitee) = now.ok_or_else(no_invitation)?;
    if let Ok(status) = meeting_status.parse::<MeetingStatus>() {
        require_open(status)?;
    }
    if invitation_status == InvitationStatus::Accepted.as_str() {
        return Err(AppError::conflict(
            ErrorCode::AlreadyAccepted,
            "An accepted invitation cannot be withdrawn: the invitee may be in the call.",
        ));
    }
    cx.db
        .query("DELETE FROM invitations WHERE id = $1")
        .bind(invitation_id)
        .execute(&mut *tx)
        .await?;
    if let Some(invitee) = invitee {
        cx.db
            .query(
                "UPDATE meeting_participants SET left_at = $1 \
             WHERE meeting_id = $2 AND user_id = $3 AND left_at IS NULL",
            )
            .bind(now_millis())
            .bind(access.meeting.id)
            .bind(invitee)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    drop(changed);
    Ok(())
}

/// An invitee's answer to an invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Accept,
    Reject,
}

/// Accepts or rejects; the invitee may change their mind any time while the meeting is open.
/// A pending proposal is withdrawn by the answer.
pub async fn respond(
    cx: &Backend,
    user_id: i64,
    invitation_id: i64,
    answer: Answer,
) -> Result<Invitation, AppError> {
    load_as_invitee(cx, user_id, invitation_id).await?;
    let status = match answer {
        Answer::Accept => InvitationStatus::Accepted,
        Answer::Reject => InvitationStatus::Rejected,
    };
    set_answer(cx, invitation_id, status, None).await
}

pub async fn propose(
    cx: &Backend,
    user_id: i64,
    invitation_id: i64,
    proposed_time: &str,
    comment: Option<&str>,
) -> Result<Invitation, AppError> {
    load_as_invitee(cx, user_id, invitation_id).await?;
    let mut checks = Checks::new();
    let time = check_time(&mut checks, "proposed_time", proposed_time);
    if time.is_some_and(|t| to_millis(t) <= now_millis()) {
        checks.fail("proposed_time", "must be in the future");
    }
    let comment = comment
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|c| checks.text("comment", c, 1, COMMENT_MAX));
    checks.finish()?;
    let time = time.ok_or_else(|| AppError::invalid("proposed_time", "is invalid"))?;
    set_answer(
        cx,
        invitation_id,
        InvitationStatus::Proposed,
        Some((to_millis(time), comment.as_deref())),
    )
    .await
}
