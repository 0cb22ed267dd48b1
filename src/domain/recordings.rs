//! Recordings with mocked media: the owner starts one while the meeting runs, it snapshots
//! who is present, and ending it writes a readable text manifest in place of a media file.

use super::Backend;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use super::access::meeting_for;
use super::presence;
use super::validate::{Checks, Given, PageRequest};
use crate::error::{AppError, ErrorCode};
use crate::infra::db::{from_millis, now_millis, to_millis};
use crate::model::{Meeting, MeetingStatus, Page, Recording, RecordingSort, SortDir};

const RECORDING_COLUMNS: &str =
    "id, meeting_id, participants, started_at, ended_at, file_path, size_bytes";

#[derive(sqlx::FromRow)]
struct RecordingRow {
    id: i64,
    meeting_id: i64,
    participants: String,
    started_at: i64,
    ended_at: Option<i64>,
    file_path: Option<String>,
    size_bytes: Option<i64>,
}

impl From<RecordingRow> for Recording {
    fn from(r: RecordingRow) -> Self {
        Recording {
            id: r.id,
            meeting_id: r.meeting_id,
            // Written only by `start` from a serialized list, so it always parses.
            participants: serde_json::from_str(&r.participants).unwrap_or_default(),
            started_at: from_millis(r.started_at),
            ended_at: r.ended_at.map(from_millis),
            file_path: r.file_path,
            size_bytes: r.size_bytes,
        }
    }
}

/// `sort_by`, `sort_dir` and the page of a recordings list, as the client sent them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ListQuery {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
    pub sort_by: Option<Given<RecordingSort>>,
    pub sort_dir: Option<Given<SortDir>>,
}

/// A recording's file on disk, ready to be streamed.
#[derive(Debug, Clone)]
pub struct RecordingFile {
    pub path: PathBuf,
    pub file_name: String,
}

fn not_found() -> AppError {
    AppError::NotFound("No such recording.".into())
}

fn no_active() -> AppError {
    AppError::conflict(
        ErrorCode::NoActiveRecording,
        "No recording is running in this meeting.",
    )
}

fn in_progress() -> AppError {
    AppError::conflict(
        ErrorCode::RecordingInProgress,
        "A recording is already running in this meeting.",
    )
}

async fn running(cx: &Backend, meeting_id: i64) -> Result<Option<RecordingRow>, AppError> {
    Ok(cx
        .db
        .query_as(&format!(
            "SELECT {RECORDING_COLUMNS} FROM recordings WHERE meeting_id = $1 AND ended_at IS NULL"
        ))
        .bind(meeting_id)
        .fetch_optional(cx.db.reader())
        .await?)
}

async fn find(cx: &Backend, recording_id: i64) -> Result<Option<RecordingRow>, AppError> {
    Ok(cx
        .db
        .query_as(&format!(
            "SELECT {RECORDING_COLUMNS} FROM recordings WHERE id = $1"
        ))
        .bind(recording_id)
        .fetch_optional(cx.db.reader())
        .await?)
}

fn not_started(status: MeetingStatus) -> AppError {
    AppError::conflict(
        ErrorCode::NotStarted,
        format!("Only a started meeting can be recorded; this one is {status}."),
    )
}

/// Starts recording a running meeting (owner only).
pub async fn start(cx: &Backend, user_id: i64, meeting_id: i64) -> Result<Recording, AppError> {
    let access = meeting_for(cx, user_id, meeting_id).await?;
    access.require_owner()?;
    if access.meeting.status != MeetingStatus::Started {
        return Err(not_started(access.meeting.status));
    }
    if running(cx, meeting_id).await?.is_some() {
        return Err(in_progress());
    }
    let participants = presence::present_users(cx, meeting_id).await?;
    let snapshot = serde_json::to_string(&participants).map_err(|e| {
        tracing::error!(error = %e, "cannot serialize a participant snapshot");
        AppError::Internal
    })?;
    let now = now_millis();
    // Stores nothing once the meeting is no longer running: an end that lands after the
    // check above has already ended whatever recording it found.
    let sql = format!(
        "INSERT INTO recordings (meeting_id, participants, started_at, created_at) \
         SELECT m.id, $2, $3, $3 FROM meetings m WHERE m.id = $1 AND m.status = 'started'{} \
         RETURNING id",
        cx.db.share_lock("m")
    );
    let inserted: Result<Option<i64>, sqlx::Error> = cx
        .db
        .query_scalar(&sql)
        .bind(meeting_id)
        .bind(snapshot)
        .bind(now)
        .fetch_optional(&mut *cx.db.writer().await?)
        .await;
    let id = match inserted {
        Ok(Some(id)) => id,
        Ok(None) => {
            return Err(not_started(
                super::access::status_now(cx, meeting_id).await?,
            ));
        }
        // Two starts raced past the check above; the partial unique index let one win.
        Err(e)
            if e.as_database_error()
                .is_some_and(|d| d.is_unique_violation()) =>
        {
            return Err(in_progress());
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Recording {
        id,
        meeting_id,
        participants,
        started_at: from_millis(now),
        ended_at: None,
        file_path: None,
        size_bytes: None,
    })
}

/// Ends the meeting's running recording (owner only); 409 when none runs.
pub async fn end(cx: &Backend, user_id: i64, meeting_id: i64) -> Result<Recording, AppError> {
    let access = meeting_for(cx, user_id, meeting_id).await?;
    access.require_owner()?;
    end_active(cx, &access.meeting).await?.ok_or_else(no_active)
}

/// Ends the running recording of `meeting`, if any, writing its manifest. The caller has
/// already checked who may do this (ending the recording or ending the whole meeting).
pub async fn end_active(cx: &Backend, meeting: &Meeting) -> Result<Option<Recording>, AppError> {
    let Some(row) = running(cx, meeting.id).await? else {
        return Ok(None);
    };
    let mut recording = Recording::from(row);
    let ended_at = from_millis(now_millis());
    let file_name = format!(
        "meeting-{}-{}-{}.txt",
        meeting.id,
        recording.id,
        ended_at.format("%Y%m%dT%H%M%SZ")
    );
    let text = manifest(meeting, &recording, ended_at);
    // The file comes first: if storage fails, the row stays running and can be ended later.
    let dir = cx.config.recordings_dir();
    let path = dir.join(&file_name);
    let written = async {
        tokio::fs::create_dir_all(&dir).await?;
        tokio::fs::write(&path, text.as_bytes()).await
    }
    .await;
    if let Err(e) = written {
        tracing::error!(error = %e, path = %path.display(), "cannot write a recording manifest");
        return Err(AppError::Unavailable(
            "Recording storage is unavailable right now; the recording is still running. Please try again.".into(),
        ));
    }
    let relative = path
        .strip_prefix(&cx.config.storage_dir)
        .unwrap_or(&path)
        .to_string_lossy()
        .replace('\\', "/");
    let size = i64::try_from(text.len()).unwrap_or(i64::MAX);
    let updated = cx
        .db
        .query(
            "UPDATE recordings SET ended_at = $1, file_path = $2, size_bytes = $3 \
             WHERE id = $4 AND ended_at IS NULL",
        )
        .bind(to_millis(ended_at))
        .bind(&relative)
        .bind(size)
        .bind(recording.id)
        .execute(&mut *cx.db.writer().await?)
        .await?;
    if updated.rows_affected() == 0 {
        // Someone else ended it a moment ago; their file is the one on record, and within
        // the same second it has the same name as ours, so only a differently named one goes.
        let winner = find(cx, recording.id).await?.and_then(|r| r.file_path);
        if winner.as_deref() != Some(relative.as_str()) {
            let _ = tokio::fs::remove_file(&path).await;
        }
        return Ok(None);
    }
    recording.ended_at = Some(ended_at);
    recording.file_path = Some(relative);
    recording.size_bytes = Some(size);
    Ok(Some(recording))
}

/// The text that stands in for the media file.
fn manifest(meeting: &Meeting, recording: &Recording, ended_at: DateTime<Utc>) -> String {
    let seconds = (ended_at - recording.started_at).num_seconds().max(0);
    let mut text = format!(
        "Projitt Meet recording (mocked media)\n\
         Meeting: {title}\n\
         Meeting id: {mid}\n\
         Recording id: {rid}\n\
         Started: {start}\n\
         Ended: {end}\n\
         Duration: {dur} ({seconds} seconds)\n\
         Participants ({count}):\n",
        title = meeting.title,
        mid = meeting.id,
        rid = recording.id,
        start = recording.started_at.format("%Y-%m-%dT%H:%M:%SZ"),
        end = ended_at.format("%Y-%m-%dT%H:%M:%SZ"),
        dur = human_duration(seconds),
        count = recording.participants.len(),
    );
    if recording.participants.is_empty() {
        text.push_str("- nobody was present when the recording started\n");
    }
    for p in &recording.participants {
        text.push_str(&format!(
            "- {} <{}> (user {})\n",
            p.name, p.email, p.user_id
        ));
    }
    text
}

/// `1h 02m 03s`, `4m 05s`, `6s`.
pub fn human_duration(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    if h > 0 {
        format!("{h}h {m:02}m {s:02}s")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

/// The meeting's recordings (owner only), paginated and sorted.
pub async fn list(
    cx: &Backend,
    user_id: i64,
    meeting_id: i64,
    query: ListQuery,
) -> Result<Page<Recording>, AppError> {
    let access = meeting_for(cx, user_id, meeting_id).await?;
    access.require_owner()?;
    let mut checks = Checks::new();
    // ORDER BY is only ever built from these fixed strings, never from the raw input.
    let column = match checks.choice("sort_by", query.sort_by, RecordingSort::CreatedAt) {
        RecordingSort::CreatedAt => "created_at",
        RecordingSort::StartedAt => "started_at",
        RecordingSort::EndedAt => "ended_at",
    };
    let dir =
        super::meeting_list::direction(checks.choice("sort_dir", query.sort_dir, SortDir::Desc));
    let page = PageRequest::new(query.page, query.per_page);
    checks.finish()?;
    let page = page?;
    let total: i64 = cx
        .db
        .query_scalar("SELECT COUNT(*) FROM recordings WHERE meeting_id = $1")
        .bind(meeting_id)
        .fetch_one(cx.db.reader())
        .await?;
    // A running recording has no end yet: it sorts as the latest, the same on every database.
    let sql = format!(
        "SELECT {RECORDING_COLUMNS} FROM recordings WHERE meeting_id = $1 \
         ORDER BY CASE WHEN {column} IS NULL THEN 1 ELSE 0 END {dir}, {column} {dir}, id {dir} \
         LIMIT $2 OFFSET $3"
    );
    let rows: Vec<RecordingRow> = cx
        .db
        .query_as(&sql)
        .bind(meeting_id)
        .bind(page.per_page)
        .bind(page.offset())
        .fetch_all(cx.db.reader())
        .await?;
    Ok(page.into_page(rows.into_iter().map(Recording::from).collect(), total))
}

/// One recording, for its meeting's owner: 404 if the caller cannot see the meeting, 403 for
/// an invitee.
pub async fn get(cx: &Backend, user_id: i64, recording_id: i64) -> Result<Recording, AppError> {
    let row = find(cx, recording_id).await?.ok_or_else(not_found)?;
    let access = meeting_for(cx, user_id, row.meeting_id)
        .await
        .map_err(|e| match e {
            AppError::NotFound(_) => not_found(),
            other => other,
        })?;
    access.require_owner()?;
    Ok(row.into())
}

/// The file of an ended recording, for its meeting's owner. `None` while it is still running
/// or when the file has gone from disk: the contract answers that with 404 `file_unavailable`,
/// a code `AppError::NotFound` cannot carry, so the adapter spells it.
pub async fn file(
    cx: &Backend,
    user_id: i64,
    recording_id: i64,
) -> Result<Option<RecordingFile>, AppError> {
    let recording = get(cx, user_id, recording_id).await?;
    let Some(relative) = recording.file_path.filter(|_| recording.ended_at.is_some()) else {
        return Ok(None);
    };
    let path = cx.config.storage_dir.join(&relative);
    let is_file = tokio::fs::metadata(&path).await.is_ok_and(|m| m.is_file());
    if !is_file {
        return Ok(None);
    }
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| format!("recording-{recording_id}.txt"));
    Ok(Some(RecordingFile { path, file_name }))
}
