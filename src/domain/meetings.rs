//! Meetings: scheduling, editing and the status machine (scheduled → started → ended,
//! scheduled → cancelled), and the caller's list of meetings.

use chrono::{DateTime, NaiveDateTime, Utc};
use rand::Rng;
use rand::distributions::Alphanumeric;

use super::access::{MEETING_COLUMNS, MeetingRow, meeting_for, not_found};
use super::validate::{Checks, PageRequest};
use crate::error::AppError;
use crate::model::{InvitationSummary, Meeting, MeetingListItem, MeetingStatus, Page, Role};
use crate::server::config::Config;
use crate::server::db::{Db, from_millis, now_millis, to_millis};

const JOIN_CODE_LEN: usize = 16;

/// Reads a time as the contract accepts it: RFC 3339 with any offset, or
/// `YYYY-MM-DD HH:MM:SS` read as UTC.
pub fn parse_time(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(value, "%Y-%m-%d %H:%M:%S")
        .ok()
        .map(|t| t.and_utc())
}

/// [`parse_time`] as a field check: a problem is recorded under `field`.
pub fn check_time(checks: &mut Checks, field: &str, value: &str) -> Option<DateTime<Utc>> {
    let parsed = parse_time(value);
    if parsed.is_none() {
        checks.fail(
            field,
            "must be a time like 2026-11-25T21:00:00Z or 2026-11-25 21:00:00",
        );
    }
    parsed
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

pub async fn create(db: &Db, user_id: i64, input: NewMeeting) -> Result<Meeting, AppError> {
    let mut checks = Checks::new();
    let title = checks.text("title", &input.title, 1, 255);
    let scheduled_at = check_time(&mut checks, "scheduled_at", &input.scheduled_at);
    checks.range("duration_minutes", input.duration_minutes, 1, 1440);
    checks.finish()?;
    let scheduled_at =
        scheduled_at.ok_or_else(|| AppError::invalid("scheduled_at", "is invalid"))?;
    let now = now_millis();
    let id: i64 = db
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
        .fetch_one(db.pool())
        .await?;
    super::access::find_meeting(db, id)
        .await?
        .ok_or_else(not_found)
}

/// The meeting, for its owner and its invitees.
pub async fn get(db: &Db, user_id: i64, meeting_id: i64) -> Result<Meeting, AppError> {
    Ok(meeting_for(db, user_id, meeting_id).await?.meeting)
}

pub async fn update(
    db: &Db,
    user_id: i64,
    meeting_id: i64,
    changes: MeetingChanges,
) -> Result<Meeting, AppError> {
    let access = meeting_for(db, user_id, meeting_id).await?;
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
    let row: Option<MeetingRow> = db
        .query_as(&format!(
            "UPDATE meetings SET title = $1, scheduled_at = $2, duration_minutes = $3, updated_at = $4 \
             WHERE id = $5 AND status IN ('scheduled', 'started') RETURNING {MEETING_COLUMNS}"
        ))
        .bind(&title)
        .bind(to_millis(scheduled_at))
        .bind(duration)
        .bind(now_millis())
        .bind(meeting_id)
        .fetch_optional(db.pool())
        .await?;
    match row {
        Some(row) => Ok(row.into()),
        None => Err(closed(db, meeting_id).await),
    }
}

async fn closed(db: &Db, meeting_id: i64) -> AppError {
    match super::access::find_meeting(db, meeting_id).await {
        Ok(Some(m)) => {
            AppError::conflict("meeting_closed", format!("The meeting is {}.", m.status))
        }
        Ok(None) => not_found(),
        Err(e) => e,
    }
}

/// Why a status change from `status` is not allowed.
fn transition_conflict(status: MeetingStatus, action: &str) -> AppError {
    match status {
        MeetingStatus::Scheduled => AppError::conflict(
            "not_started",
            format!("The meeting has not started, so it cannot {action}."),
        ),
        MeetingStatus::Started => {
            AppError::conflict("already_started", "The meeting has already started.")
        }
        MeetingStatus::Ended => {
            AppError::conflict("already_ended", "The meeting has already ended.")
        }
        MeetingStatus::Cancelled => {
            AppError::conflict("meeting_cancelled", "The meeting was cancelled.")
        }
    }
}

/// Moves the meeting from `from` to `to`, stamping `stamp_column` when given. Conditional on
/// the current status, so two racing calls cannot both succeed.
async fn transition(
    db: &Db,
    user_id: i64,
    meeting_id: i64,
    from: MeetingStatus,
    to: MeetingStatus,
    stamp_column: Option<&str>,
    action: &str,
) -> Result<Meeting, AppError> {
    let access = meeting_for(db, user_id, meeting_id).await?;
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
    let row: Option<MeetingRow> = db
        .query_as(&sql)
        .bind(to.as_str())
        .bind(now)
        .bind(meeting_id)
        .bind(from.as_str())
        .fetch_optional(db.pool())
        .await?;
    match row {
        Some(row) => Ok(row.into()),
        None => {
            let now_status = super::access::find_meeting(db, meeting_id)
                .await?
                .ok_or_else(not_found)?
                .status;
            Err(transition_conflict(now_status, action))
        }
    }
}

pub async fn start(db: &Db, user_id: i64, meeting_id: i64) -> Result<Meeting, AppError> {
    transition(
        db,
        user_id,
        meeting_id,
        MeetingStatus::Scheduled,
        MeetingStatus::Started,
        Some("started_at"),
        "start",
    )
    .await
}

/// Ends the meeting, then closes what only makes sense while it runs: the active
/// recording (its file is written) and everyone's presence.
pub async fn end(
    db: &Db,
    config: &Config,
    user_id: i64,
    meeting_id: i64,
) -> Result<Meeting, AppError> {
    let meeting = transition(
        db,
        user_id,
        meeting_id,
        MeetingStatus::Started,
        MeetingStatus::Ended,
        Some("ended_at"),
        "end",
    )
    .await?;
    // WIRE: recordings::end_active and presence::mark_all_left
    let _ = config;
    Ok(meeting)
}

pub async fn cancel(db: &Db, user_id: i64, meeting_id: i64) -> Result<Meeting, AppError> {
    transition(
        db,
        user_id,
        meeting_id,
        MeetingStatus::Scheduled,
        MeetingStatus::Cancelled,
        None,
        "be cancelled",
    )
    .await
}

/// The list filters as they arrive (query string or page); unknown values are a 422 naming
/// the parameter. Empty values count as absent.
#[derive(Default, Debug, Clone)]
pub struct ListQuery {
    pub scope: Option<String>,
    pub status: Option<String>,
    pub sort_by: Option<String>,
    pub sort_dir: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

fn pick<'a>(
    checks: &mut Checks,
    field: &str,
    value: Option<&str>,
    allowed: &[&'a str],
    default: &'a str,
) -> &'a str {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => default,
        Some(v) => match allowed.iter().find(|a| **a == v) {
            Some(a) => a,
            None => {
                checks.fail(field, format!("must be one of {}", allowed.join(", ")));
                default
            }
        },
    }
}

#[derive(sqlx::FromRow)]
struct ListRow {
    #[sqlx(flatten)]
    meeting: MeetingRow,
    invitation_id: Option<i64>,
    invitation_status: Option<String>,
    invitation_proposed_time: Option<i64>,
}

/// The meetings the caller owns or is invited to, filtered, sorted and paginated.
pub async fn list(
    db: &Db,
    user_id: i64,
    query: ListQuery,
) -> Result<Page<MeetingListItem>, AppError> {
    let mut checks = Checks::new();
    let scope = pick(
        &mut checks,
        "scope",
        query.scope.as_deref(),
        &["all", "owned", "invited"],
        "all",
    );
    let statuses: Vec<&str> = MeetingStatus::ALL.iter().map(|s| s.as_str()).collect();
    let status = match query
        .status
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        None => None,
        Some(_) => Some(pick(
            &mut checks,
            "status",
            query.status.as_deref(),
            &statuses,
            "scheduled",
        )),
    };
    // ORDER BY is only ever built from these fixed strings, never from the raw input.
    let sort_by = match pick(
        &mut checks,
        "sort_by",
        query.sort_by.as_deref(),
        &["scheduled_at", "created_at", "title", "status"],
        "scheduled_at",
    ) {
        "created_at" => "m.created_at",
        "title" => "LOWER(m.title)",
        "status" => "m.status",
        _ => "m.scheduled_at",
    };
    let sort_dir = match pick(
        &mut checks,
        "sort_dir",
        query.sort_dir.as_deref(),
        &["asc", "desc"],
        "desc",
    ) {
        "asc" => "ASC",
        _ => "DESC",
    };
    let page = PageRequest::new(query.page, query.per_page);
    let page = match (checks.finish(), page) {
        (Ok(()), Ok(page)) => page,
        (Err(AppError::Validation(mut a)), Err(AppError::Validation(b))) => {
            a.extend(b);
            return Err(AppError::Validation(a));
        }
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };

    let scope_sql = match scope {
        "owned" => "m.owner_id = $1",
        "invited" => "m.owner_id <> $1 AND i.id IS NOT NULL",
        _ => "(m.owner_id = $1 OR i.id IS NOT NULL)",
    };
    let status_sql = if status.is_some() {
        " AND m.status = $2"
    } else {
        ""
    };
    let from = format!(
        "FROM meetings m LEFT JOIN invitations i ON i.meeting_id = m.id AND i.invitee_user_id = $1 \
         WHERE {scope_sql}{status_sql}"
    );
    let count_sql = format!("SELECT COUNT(*) {from}");
    let mut count = db.query_scalar::<i64>(&count_sql).bind(user_id);
    if let Some(s) = status {
        count = count.bind(s);
    }
    let total = count.fetch_one(db.pool()).await?;

    let columns = MEETING_COLUMNS
        .split(", ")
        .map(|c| format!("m.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let (limit_at, offset_at) = if status.is_some() { (3, 4) } else { (2, 3) };
    let select_sql = format!(
        "SELECT {columns}, i.id AS invitation_id, i.status AS invitation_status, \
         i.proposed_time AS invitation_proposed_time {from} \
         ORDER BY {sort_by} {sort_dir}, m.id {sort_dir} LIMIT ${limit_at} OFFSET ${offset_at}"
    );
    let mut select = db.query_as::<ListRow>(&select_sql).bind(user_id);
    if let Some(s) = status {
        select = select.bind(s);
    }
    let rows = select
        .bind(page.per_page)
        .bind(page.offset())
        .fetch_all(db.pool())
        .await?;
    let data = rows
        .into_iter()
        .map(|row| {
            let meeting = Meeting::from(row.meeting);
            let is_owner = meeting.owner_id == user_id;
            let invitation = match (is_owner, row.invitation_id, row.invitation_status) {
                (false, Some(id), Some(status)) => Some(InvitationSummary {
                    id,
                    status: status
                        .parse()
                        .unwrap_or(crate::model::InvitationStatus::Pending),
                    proposed_time: row.invitation_proposed_time.map(from_millis),
                }),
                _ => None,
            };
            MeetingListItem {
                meeting,
                role: if is_owner { Role::Owner } else { Role::Invitee },
                invitation,
            }
        })
        .collect();
    Ok(page.into_page(data, total))
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
}
