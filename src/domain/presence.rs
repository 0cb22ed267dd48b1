//! Who is in a meeting's call right now: join, leave, the participant list, and the timeout
//! that turns a silent client (closed tab, lost network) into one that has left.

use super::Backend;
use std::collections::HashSet;

use crate::domain::access::{MeetingAccess, meeting_for};
use crate::error::{AppError, ErrorCode};
use crate::infra::db::{Writer, from_millis, now_millis};
use crate::infra::group_commit::{self, Batched, GroupCommit};
use crate::model::{Participant, RecordingParticipant};

/// What a join did, so the adapter can answer 201 or 200.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joined {
    New,
    AlreadyPresent,
}

#[derive(sqlx::FromRow)]
struct ParticipantRow {
    meeting_id: i64,
    user_id: i64,
    name: String,
    joined_at: i64,
    left_at: Option<i64>,
    last_seen_at: i64,
}

impl From<ParticipantRow> for Participant {
    fn from(r: ParticipantRow) -> Self {
        Participant {
            meeting_id: r.meeting_id,
            user_id: r.user_id,
            name: r.name,
            joined_at: from_millis(r.joined_at),
            left_at: r.left_at.map(from_millis),
            last_seen_at: from_millis(r.last_seen_at),
        }
    }
}

const PARTICIPANT_SELECT: &str = "SELECT p.meeting_id, p.user_id, u.name, p.joined_at, p.left_at, p.last_seen_at \
     FROM meeting_participants p JOIN users u ON u.id = p.user_id";

fn timeout_ms(timeout_secs: i64) -> i64 {
    timeout_secs.max(0).saturating_mul(1000)
}

/// The oldest `last_seen_at` that still counts as present at `now`.
pub fn presence_cutoff(now: i64, timeout_secs: i64) -> i64 {
    now.saturating_sub(timeout_ms(timeout_secs))
}

/// Records the timeout as a real leave: `left_at` becomes the moment the participant went
/// silent for too long (last_seen_at + timeout), not the moment someone happened to look.
/// `meeting_id = None` sweeps every meeting (the janitor).
pub async fn sweep_timed_out(cx: &Backend, meeting_id: Option<i64>) -> Result<u64, AppError> {
    let now = now_millis();
    let done = match meeting_id {
        Some(id) => {
            cx.db
                .query(
                    "UPDATE meeting_participants SET left_at = last_seen_at + $1 \
                 WHERE meeting_id = $2 AND left_at IS NULL AND last_seen_at < $3",
                )
                .bind(timeout_ms(cx.presence_timeout_secs()))
                .bind(id)
                .bind(presence_cutoff(now, cx.presence_timeout_secs()))
                .execute(&mut *cx.db.writer().await?)
                .await?
        }
        None => {
            cx.db
                .query(
                    "UPDATE meeting_participants SET left_at = last_seen_at + $1 \
                 WHERE left_at IS NULL AND last_seen_at < $2",
                )
                .bind(timeout_ms(cx.presence_timeout_secs()))
                .bind(presence_cutoff(now, cx.presence_timeout_secs()))
                .execute(&mut *cx.db.writer().await?)
                .await?
        }
    };
    Ok(done.rows_affected())
}

/// Owner or accepted invitee enters the call. Rejoining after a leave (or a timeout) starts a
/// new stay: `joined_at` is reset and `left_at` cleared.
pub async fn join(
    cx: &Backend,
    user_id: i64,
    meeting_id: i64,
) -> Result<(Participant, Joined), AppError> {
    let access = meeting_for(cx, user_id, meeting_id).await?;
    if let Some(refusal) = access.join_refusal() {
        return Err(refusal);
    }
    sweep_timed_out(cx, Some(meeting_id)).await?;
    let now = now_millis();
    let was_present = is_present(cx, meeting_id, user_id).await?;
    // One statement either way, so two concurrent joins cannot leave a half-updated row. It
    // stores nothing once the meeting has closed: an end or cancel that lands between the
    // check above and this write has let everyone go, and must not find someone back in.
    let sql = format!(
        "INSERT INTO meeting_participants (meeting_id, user_id, joined_at, left_at, last_seen_at) \
         SELECT m.id, $2, $3, NULL, $3 FROM meetings m \
         WHERE m.id = $1 AND m.status IN ('scheduled', 'started'){} \
         ON CONFLICT (meeting_id, user_id) DO UPDATE SET \
           joined_at = CASE WHEN meeting_participants.left_at IS NULL \
                            THEN meeting_participants.joined_at ELSE excluded.joined_at END, \
           left_at = NULL, \
           last_seen_at = excluded.last_seen_at",
        cx.db.share_lock("m")
    );
    let stored = cx
        .db
        .query(&sql)
        .bind(meeting_id)
        .bind(user_id)
        .bind(now)
        .execute(&mut *cx.db.writer().await?)
        .await?;
    if stored.rows_affected() == 0 {
        return Err(super::access::closed(cx, meeting_id).await);
    }
    let participant = find(cx, meeting_id, user_id)
        .await?
        .ok_or(AppError::Internal)?;
    let joined = if was_present {
        Joined::AlreadyPresent
    } else {
        Joined::New
    };
    Ok((participant, joined))
}

/// A present participant leaves; never joined or already gone is 409 `not_joined`.
pub async fn leave(cx: &Backend, user_id: i64, meeting_id: i64) -> Result<Participant, AppError> {
    meeting_for(cx, user_id, meeting_id).await?;
    sweep_timed_out(cx, Some(meeting_id)).await?;
    let changed = cx.hub.access_changing();
    let done = cx
        .db
        .query(
            "UPDATE meeting_participants SET left_at = $1 \
             WHERE meeting_id = $2 AND user_id = $3 AND left_at IS NULL",
        )
        .bind(now_millis())
        .bind(meeting_id)
        .bind(user_id)
        .execute(&mut *cx.db.writer().await?)
        .await?;
    drop(changed);
    if done.rows_affected() == 0 {
        return Err(AppError::conflict(
            ErrorCode::NotJoined,
            "You are not in this meeting.",
        ));
    }
    find(cx, meeting_id, user_id)
        .await?
        .ok_or(AppError::Internal)
}

/// Everyone who ever joined (or only those present), newest `joined_at` first. Those who may
/// join may look, also before they do: the owner and accepted invitees.
pub async fn participants(
    cx: &Backend,
    user_id: i64,
    meeting_id: i64,
    active_only: bool,
) -> Result<Vec<Participant>, AppError> {
    let access: MeetingAccess = meeting_for(cx, user_id, meeting_id).await?;
    if !access.may_join() {
        return Err(AppError::forbidden(
            ErrorCode::NotAccepted,
            "Accept the invitation to see who is in the call.",
        ));
    }
    sweep_timed_out(cx, Some(meeting_id)).await?;
    let filter = if active_only {
        " AND p.left_at IS NULL"
    } else {
        ""
    };
    let sql = format!(
        "{PARTICIPANT_SELECT} WHERE p.meeting_id = $1{filter} ORDER BY p.joined_at DESC, p.user_id DESC"
    );
    let rows: Vec<ParticipantRow> = cx
        .db
        .query_as(&sql)
        .bind(meeting_id)
        .fetch_all(cx.db.reader())
        .await?;
    Ok(rows.into_iter().map(Participant::from).collect())
}

/// Ending a meeting takes everyone out of the call at that moment.
pub async fn mark_all_left(cx: &Backend, meeting_id: i64) -> Result<(), AppError> {
    let _changed = cx.hub.access_changing();
    cx.db.query(
        "UPDATE meeting_participants SET left_at = $1 WHERE meeting_id = $2 AND left_at IS NULL",
    )
    .bind(now_millis())
    .bind(meeting_id)
    .execute(&mut *cx.db.writer().await?)
    .await?;
    Ok(())
}

/// Who is in the call right now (user id, name, email), earliest arrival first: the
/// participant snapshot of a recording.
pub async fn present_users(
    cx: &Backend,
    meeting_id: i64,
) -> Result<Vec<RecordingParticipant>, AppError> {
    let rows: Vec<(i64, String, String)> = cx.db
        .query_as(
            "SELECT u.id, u.name, u.email FROM meeting_participants p JOIN users u ON u.id = p.user_id \
             WHERE p.meeting_id = $1 AND p.left_at IS NULL AND p.last_seen_at >= $2 \
             ORDER BY p.joined_at, u.id",
        )
        .bind(meeting_id)
        .bind(presence_cutoff(now_millis(), cx.presence_timeout_secs()))
        .fetch_all(cx.db.reader())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(user_id, name, email)| RecordingParticipant {
            user_id,
            name,
            email,
        })
        .collect())
}

/// Present = joined, not left, and heard from within the timeout.
pub async fn is_present(cx: &Backend, meeting_id: i64, user_id: i64) -> Result<bool, AppError> {
    let hit: Option<i64> = cx
        .db
        .query_scalar(
            "SELECT user_id FROM meeting_participants \
             WHERE meeting_id = $1 AND user_id = $2 AND left_at IS NULL AND last_seen_at >= $3",
        )
        .bind(meeting_id)
        .bind(user_id)
        .bind(presence_cutoff(now_millis(), cx.presence_timeout_secs()))
        .fetch_optional(cx.db.reader())
        .await?;
    Ok(hit.is_some())
}

/// How old `last_seen_at` may grow before a heartbeat writes it again: a tenth of the timeout.
pub fn heartbeat_interval_ms(timeout_secs: i64) -> i64 {
    timeout_ms(timeout_secs) / 10
}

/// Refreshes `last_seen_at` if the user is still present and returns it; `None` when they are
/// not (never joined, left, or already timed out: a heartbeat does not bring anyone back).
///
/// A poll arrives every few hundred milliseconds from a busy client. Writing on each one would
/// turn every poll into a durable write, so a `last_seen_at` younger than
/// [`heartbeat_interval_ms`] is left as it is: presence is still judged well inside the timeout.
pub async fn heartbeat(
    cx: &Backend,
    meeting_id: i64,
    user_id: i64,
) -> Result<Option<i64>, AppError> {
    let now = now_millis();
    let cutoff = presence_cutoff(now, cx.presence_timeout_secs());
    let seen: Option<i64> = cx
        .db
        .query_scalar(
            "SELECT last_seen_at FROM meeting_participants \
             WHERE meeting_id = $1 AND user_id = $2 AND left_at IS NULL AND last_seen_at >= $3",
        )
        .bind(meeting_id)
        .bind(user_id)
        .bind(cutoff)
        .fetch_optional(cx.db.reader())
        .await?;
    let Some(seen) = seen else { return Ok(None) };
    if now - seen < heartbeat_interval_ms(cx.presence_timeout_secs()) {
        return Ok(Some(seen));
    }
    group_commit::write(
        cx,
        QueuedHeartbeat {
            meeting_id,
            user_id,
            cutoff,
        },
    )
    .await
}

/// A presence refresh waiting to be stored with the others that arrive with it (group
/// commit): many parked polls or senders refresh at about the same time.
pub struct QueuedHeartbeat {
    meeting_id: i64,
    user_id: i64,
    /// Refreshes only a presence seen at or after this time.
    cutoff: i64,
}

impl Batched for QueuedHeartbeat {
    type Context = Backend;
    /// The participants it was written for.
    type Stored = HashSet<(i64, i64)>;
    /// The time written, `None` when the participant is not present.
    type Answer = Option<i64>;
    /// 3 parameters each.
    const MAX: usize = 128;

    fn queue(cx: &Backend) -> &GroupCommit<Self> {
        &cx.heartbeats
    }

    /// Finds each row by its key (the `IN`), not by a scan of everyone present.
    async fn store(
        cx: &Backend,
        writer: &mut Writer,
        batch: &[Self],
        now: i64,
    ) -> Result<Self::Stored, sqlx::Error> {
        let sql = format!(
            "WITH v (mid, uid, cutoff) AS (VALUES {}) \
             UPDATE meeting_participants SET last_seen_at = $1 \
             WHERE (meeting_id, user_id) IN (SELECT mid, uid FROM v) AND left_at IS NULL \
             AND last_seen_at >= (SELECT MIN(v.cutoff) FROM v \
               WHERE v.mid = meeting_participants.meeting_id \
               AND v.uid = meeting_participants.user_id) \
             RETURNING meeting_id, user_id",
            group_commit::values_rows(batch.len(), 3, 2)
        );
        let mut query = cx.db.query_as::<(i64, i64)>(&sql).bind(now);
        for beat in batch {
            query = query
                .bind(beat.meeting_id)
                .bind(beat.user_id)
                .bind(beat.cutoff);
        }
        let updated = query.fetch_all(&mut **writer).await?;
        Ok(updated.into_iter().collect())
    }

    fn answer(&self, _cx: &Backend, now: i64, updated: &mut Self::Stored) -> Self::Answer {
        updated
            .contains(&(self.meeting_id, self.user_id))
            .then_some(now)
    }
}

pub fn join_required() -> AppError {
    AppError::forbidden(ErrorCode::JoinRequired, "Join the meeting first.")
}

async fn find(
    cx: &Backend,
    meeting_id: i64,
    user_id: i64,
) -> Result<Option<Participant>, AppError> {
    let sql = format!("{PARTICIPANT_SELECT} WHERE p.meeting_id = $1 AND p.user_id = $2");
    let row: Option<ParticipantRow> = cx
        .db
        .query_as(&sql)
        .bind(meeting_id)
        .bind(user_id)
        .fetch_optional(cx.db.reader())
        .await?;
    Ok(row.map(Participant::from))
}
