//! Meetings: scheduling, editing and the status machine (scheduled → started → ended,
//! scheduled → cancelled), and the caller's list of meetings.

use super::Backend;
use chrono::{DateTime, NaiveDateTime, Utc};
use rand::Rng;
use rand::distributions::Alphanumeric;

use super::access::{MEETING_COLUMNS, MeetingRow, meeting_for, not_found};
use super::validate::{self, Checks};

pub use super::meeting_list::{ListQuery, list};
use crate::error::{AppError, ErrorCode};
use crate::infra::config::Config;
use crate::infra::db::{now_millis, to_millis};
use crate::model::{Meeting, MeetingStatus};

const JOIN_CODE_LEN: usize = 16;

/// Reads a time as the contract accepts it: RFC 3339 with any offset, or
/// `YYYY-MM-DD HH:MM:SS` read as UTC.
pub fn parse_time(value: &str) -> Option<DateTime<Utc>> {
    read_time(value).filter(in_range)
}

fn read_time(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    match DateTime::parse_from_rfc3339(value) {
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(_) => NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S")
            .ok()
            .map(|t| t.and_utc()),
    }
}

fn in_range(t: &DateTime<Utc>) -> bool {
    (earliest_time()..=latest_time()).contains(t)
}

// An offset can carry a four-digit year past 0000 or 9999 in UTC, which RFC 3339 and
// iCalendar cannot write; the last day is kept free so that start + duration fits too.
fn earliest_time() -> DateTime<Utc> {
    DateTime::from_timestamp(-62_167_219_200, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

fn latest_time() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_214_399, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// [`parse_time`] as a field check: a problem is recorded under `field`.
pub fn check_time(checks: &mut Checks, field: &str, value: &str) -> Option<DateTime<Utc>> {
    match read_time(value) {
        Some(t) if in_range(&t) => Some(t),
        Some(_) => {
            checks.fail(field, "must be between 0000-01-01 and 9999-12-30 in UTC");
            None
        }
        None if value.trim().is_empty() => {
            checks.fail(field, validate::EMPTY);
            None
        }
        None => {
            checks.fail(
                field,
                "must be a time like 2026-11-25T21:00:00Z or 2026-11-25 21:00:00",
            );
            None
        }
    }
}

/// The absolute address of the meeting's call page.
pub fn join_link(config: &Config, meeting: &Meeting) -> String {
    format!(
        "{}/join/{}",
        config.public_url.trim_end_matches('/'),
        meeting.join_code
    )
}

fn new_join_code() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(JOIN_CODE_LEN)
        .map(char::from)
        .collect()
}

pub struct NewMeeting {
    pub title: String,
    pub scheduled_at: String,
    pub duration_minutes: i64,
}

/// Any of the create fields; `None` leaves that field as it is.
#[derive(Default)]
pub struct MeetingChanges {
    pub title: Option<String>,
    pub scheduled_at: Option<String>,
    pub duration_minutes: Option<i64>,
}

pub async fn create(cx: &Backend, user_id: i64, input: NewMeeting) -> Result<Meeting, AppError> {
    let mut checks = Checks::new();
    let title = checks.text("title", &input.title, 1, 255);
    let scheduled_at = check_time(&mut checks, "scheduled_at", &input.scheduled_at);
    checks.range("duration_minutes", input.duration_minutes, 1, 1440);
    checks.finish()?;
    let scheduled_at =
        scheduled_at.ok_or_else(|| AppError::invalid("scheduled_at", "is invalid"))?;
    let now = now_millis();
    let id: i64 = cx.db
        .query_scalar(
            "INSERT INTO meetings (owner_id, title, scheduled_at, duration_minutes, status, join_code, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, 'scheduled', $5, $6, $6) RETURNING id",
        )
        .bind(user_id)
        .bind(&title)
        .bind(to_millis(scheduled_at))
        .bind(input.duration_minutes)
        .bind(new_join_code())
        .bind(now)
        .fetch_one(&mut *cx.db.writer().await?)
        .await?;
    super::access::find_meeting(cx, id)
        .await?
        .ok_or_else(not_found)
}

/// The meeting, for its owner and its invitees.
pub async fn get(cx: &Backend, user_id: i64, meeting_id: i64) -> Result<Meeting, AppError> {
    Ok(meeting_for(cx, user_id, meeting_id).await?.meeting)
}

/// One value that changes whenever the meeting or any of its invitations does (an edit, a move,
/// a status change, an invitation sent, answered, proposed, withdrawn, or bound to a new
/// account): an open page compares it with the one it was rendered from to know it is stale.
/// Not a rule of access: hand it out only to a caller found to see the meeting (`meeting_for`).
pub async fn revision(cx: &Backend, meeting_id: i64) -> Result<String, AppError> {
    let (updated, invitations, bound, created, responded): (i64, i64, i64, i64, i64) = cx
        .db
        .query_as(
            "SELECT m.updated_at, COUNT(i.id), COUNT(i.invitee_user_id), \
             COALESCE(MAX(i.created_at), 0), COALESCE(MAX(i.responded_at), 0) \
             FROM meetings m LEFT JOIN invitations i ON i.meeting_id = m.id \
             WHERE m.id = $1 GROUP BY m.updated_at",
        )
        .bind(meeting_id)
        .fetch_optional(cx.db.reader())
        .await?
        .ok_or_else(super::access::not_found)?;
    Ok(format!(
        "{updated}.{invitations}.{bound}.{created}.{responded}"
    ))
}

pub async fn update(
    cx: &Backend,
    user_id: i64,
    meeting_id: i64,
    changes: MeetingChanges,
) -> Result<Meeting, AppError> {
    let access = meeting_for(cx, user_id, meeting_id).await?;
    access.require_owner()?;
    let mut checks = Checks::new();
    let title = changes
        .title
        .as_deref()
        .map(|t| checks.text("title", t, 1, 255));
    let scheduled_at = changes
        .scheduled_at
        .as_deref()
        .and_then(|t| check_time(&mut checks, "scheduled_at", t));
    if let Some(minutes) = changes.duration_minutes {
        checks.range("duration_minutes", minutes, 1, 1440);
    }
    checks.finish()?;
    access.require_open()?;
    let current = access.meeting;
    let title = title.unwrap_or(current.title);
    let scheduled_at = scheduled_at.unwrap_or(current.scheduled_at);
    let duration = changes.duration_minutes.unwrap_or(current.duration_minutes);
    // The status guard keeps a concurrent end or cancel from being overwritten.
    let row: Option<MeetingRow> = cx.db
        .query_as(&format!(
            "UPDATE meetings SET title = $1, scheduled_at = $2, duration_minutes = $3, updated_at = $4 \
             WHERE id = $5 AND status IN ('scheduled', 'started') RETURNING {MEETING_COLUMNS}"
        ))
        .bind(&title)
        .bind(to_millis(scheduled_at))
        .bind(duration)
        .bind(now_millis())
        .bind(meeting_id)
        .fetch_optional(&mut *cx.db.writer().await?)
        .await?;
    match row {
        Some(row) => Ok(row.into()),
        None => Err(super::access::closed(cx, meeting_id).await),
    }
}

/// Why a status change from `status` is not allowed.
fn transition_conflict(status: MeetingStatus, action: &str) -> AppError {
    match status {
        MeetingStatus::Scheduled => AppError::conflict(
            ErrorCode::NotStarted,
            format!("The meeting has not started, so it cannot {action}."),
        ),
        MeetingStatus::Started => AppError::conflict(
            ErrorCode::AlreadyStarted,
            "The meeting has already started.",
        ),
        MeetingStatus::Ended => {
            AppError::conflict(ErrorCode::AlreadyEnded, "The meeting has already ended.")
        }
        MeetingStatus::Cancelled => {
            AppError::conflict(ErrorCode::MeetingCancelled, "The meeting was cancelled.")
        }
    }
}

/// Moves the meeting from `from` to `to`, stamping `stamp_column` when given. Conditional on
/// the current status, so two racing calls cannot both succeed.
async fn transition(
    cx: &Backend,
    user_id: i64,
    meeting_id: i64,
    from: MeetingStatus,
    to: MeetingStatus,
    stamp_column: Option<&str>,
    action: &str,
) -> Result<Meeting, AppError> {
    let access = meeting_for(cx, user_id, meeting_id).await?;
    access.require_owner()?;
    if access.meeting.status != from {
        return Err(transition_conflict(access.meeting.status, action));
    }
    let now = now_millis();
    let stamp = stamp_column
        .map(|c| format!(", {c} = $2"))
        .unwrap_or_default();
    let sql = format!(
        "UPDATE meetings SET status = $1, updated_at = $2{stamp} WHERE id = $3 AND status = $4 \
         RETURNING {MEETING_COLUMNS}"
    );
    // Closing a meeting ends everyone's right to signal in it.
    let changed = cx.hub.access_changing();
    let row: Option<MeetingRow> = cx
        .db
        .query_as(&sql)
        .bind(to.as_str())
        .bind(now)
        .bind(meeting_id)
        .bind(from.as_str())
        .fetch_optional(&mut *cx.db.writer().await?)
        .await?;
    drop(changed);
    match row {
        Some(row) => Ok(row.into()),
        None => Err(transition_conflict(
            super::access::status_now(cx, meeting_id).await?,
            action,
        )),
    }
}

pub async fn start(cx: &Backend, user_id: i64, meeting_id: i64) -> Result<Meeting, AppError> {
    transition(
        cx,
        user_id,
        meeting_id,
        MeetingStatus::Scheduled,
        MeetingStatus::Started,
        Some("started_at"),
        "start",
    )
    .await
}

/// Ends the meeting, then closes what only makes sense while it runs: everyone's presence,
/// and the active recording (its file is written). Presence goes first: if the file cannot
/// be written (503), the meeting has still ended and nobody stays in its call; the
/// recording can be ended later.
pub async fn end(cx: &Backend, user_id: i64, meeting_id: i64) -> Result<Meeting, AppError> {
    let meeting = transition(
        cx,
        user_id,
        meeting_id,
        MeetingStatus::Started,
        MeetingStatus::Ended,
        Some("ended_at"),
        "end",
    )
    .await?;
    super::presence::mark_all_left(cx, meeting.id).await?;
    super::recordings::end_active(cx, &meeting).await?;
    Ok(meeting)
}

/// Cancels the meeting; like ending it, this lets everyone in its call go.
pub async fn cancel(cx: &Backend, user_id: i64, meeting_id: i64) -> Result<Meeting, AppError> {
    let meeting = transition(
        cx,
        user_id,
        meeting_id,
        MeetingStatus::Scheduled,
        MeetingStatus::Cancelled,
        None,
        "be cancelled",
    )
    .await?;
    super::presence::mark_all_left(cx, meeting.id).await?;
    Ok(meeting)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_time_accepts_documented_forms() {
        let utc = parse_time("2026-11-25T21:00:00Z").unwrap();
        assert_eq!(parse_time("2026-11-25T22:00:00+01:00"), Some(utc));
        assert_eq!(parse_time("2026-11-25 21:00:00"), Some(utc));
        assert_eq!(parse_time("2026-11-25"), None);
        assert_eq!(parse_time("tomorrow"), None);
        assert_eq!(parse_time("2026-13-25 21:00:00"), None);
    }

    #[test]
    fn parse_time_keeps_to_years_that_rfc3339_can_write() {
        assert!(parse_time("0000-01-01T00:00:00Z").is_some());
        assert!(parse_time("9999-12-30T23:59:59Z").is_some());
        assert_eq!(parse_time("0000-01-01T00:00:00+00:01"), None);
        assert_eq!(parse_time("9999-12-31T00:00:00Z"), None);
        assert_eq!(parse_time("9999-12-30T23:59:59-23:59"), None);
    }
}
