//! WebRTC signaling through a durable per-recipient inbox: send, long-poll, acknowledge, and
//! pruning. The database is the source of truth; the hub wakes parked polls early (handing
//! them the rows just stored where that is exact, see `infra::hub`) and remembers the
//! answers that repeated checks would read again (`infra::memo`).

use super::Backend;
use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use serde::Deserialize;

use crate::domain::access::meeting_for;
use crate::domain::presence::{self, join_required};
use crate::error::{AppError, ErrorCode};
use crate::infra::db::{Writer, from_millis, now_millis};
use crate::infra::group_commit::{self, Batched, GroupCommit};
use crate::infra::hub::Wake;
use crate::model::{Signal, SignalType};

pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024;
pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 500;
pub const MAX_WAIT_SECS: i64 = 30;
/// One ack may name at most this many ids (a page of the inbox, twice over).
pub const MAX_ACK_IDS: usize = 1000;

#[derive(Debug, Clone, Deserialize)]
pub struct NewSignal {
    pub to_user_id: i64,
    #[serde(rename = "type")]
    pub kind: SignalType,
    pub payload: serde_json::Value,
}

/// The inbox query; `None` means the default.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InboxQuery {
    pub since_id: Option<i64>,
    pub limit: Option<i64>,
    pub wait: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct SignalRow {
    id: i64,
    meeting_id: i64,
    from_user_id: i64,
    to_user_id: i64,
    #[sqlx(rename = "type")]
    kind: String,
    payload: String,
    created_at: i64,
}

impl From<SignalRow> for Signal {
    fn from(r: SignalRow) -> Self {
        Signal {
            id: r.id,
            meeting_id: r.meeting_id,
            from_user_id: r.from_user_id,
            to_user_id: r.to_user_id,
            // Both columns are written only by `send`, from a SignalType and a JSON object.
            kind: r.kind.parse().unwrap_or(SignalType::Candidate),
            payload: serde_json::from_str(&r.payload).unwrap_or_else(|_| serde_json::json!({})),
            created_at: from_millis(r.created_at),
        }
    }
}

/// The checks every send and poll repeat: the caller may see the meeting, it is open, and they
/// are present (a heartbeat, so sending or polling keeps them in the call). Remembered while
/// their presence is fresher than the heartbeat interval (see `infra::memo`), so a busy
/// caller's sends and polls skip these reads.
pub async fn require_in_call(cx: &Backend, user_id: i64, meeting_id: i64) -> Result<(), AppError> {
    if in_call_remembered(cx, user_id, meeting_id) {
        return Ok(());
    }
    let memo = cx.hub.memo();
    let ticket = memo.ticket();
    let access = meeting_for(cx, user_id, meeting_id).await?;
    // A closed meeting has nobody present; say why rather than "join first".
    access.require_open()?;
    let seen = presence::heartbeat(cx, meeting_id, user_id)
        .await?
        .ok_or_else(join_required)?;
    memo.remember_gate(ticket, meeting_id, user_id, seen);
    Ok(())
}

/// Whether [`require_in_call`] would pass without asking the database.
fn in_call_remembered(cx: &Backend, user_id: i64, meeting_id: i64) -> bool {
    cx.hub.memo().gate(meeting_id, user_id).is_some_and(|seen| {
        now_millis() - seen < presence::heartbeat_interval_ms(cx.presence_timeout_secs())
    })
}

/// Stores a signal for a present recipient and wakes their parked poll. The row is committed
/// before this returns, so a 201 survives a restart.
pub async fn send(
    cx: &Backend,
    user_id: i64,
    meeting_id: i64,
    input: NewSignal,
) -> Result<Signal, AppError> {
    require_in_call(cx, user_id, meeting_id).await?;
    if input.to_user_id == user_id {
        return Err(AppError::invalid(
            "to_user_id",
            "must be another participant, not yourself",
        ));
    }
    let payload = payload_text(&input.payload)?;

    let send = QueuedSend {
        key: SendKey {
            meeting_id,
            from_user_id: user_id,
            to_user_id: input.to_user_id,
            kind: input.kind.as_str(),
            payload,
        },
        signal: input,
        cutoff: presence::presence_cutoff(now_millis(), cx.presence_timeout_secs()),
    };
    group_commit::write(cx, send).await?.ok_or_else(|| {
        AppError::conflict(
            ErrorCode::RecipientNotPresent,
            "That participant is not in the meeting.",
        )
    })
}

/// A send waiting to be stored with the others that arrive with it (group commit).
pub struct QueuedSend {
    key: SendKey,
    signal: NewSignal,
    /// The recipient counts as present if seen at or after this time.
    cutoff: i64,
}

/// What a stored row is recognised by among those of one statement. Two sends with equal
/// keys are interchangeable, so they may take each other's ids.
#[derive(PartialEq, Eq, Hash)]
pub struct SendKey {
    meeting_id: i64,
    from_user_id: i64,
    to_user_id: i64,
    kind: &'static str,
    payload: String,
}

/// What a batch of sends stored, as its sends are answered.
pub struct StoredSends {
    /// The new ids by key, oldest first; each answer takes its own.
    ids: HashMap<SendKey, VecDeque<i64>>,
    /// The answered signals by recipient, for their parked polls; the rows are kept only
    /// where the hub hands them over.
    by_recipient: HashMap<(i64, i64), Vec<Signal>>,
}

impl Batched for QueuedSend {
    type Context = Backend;
    type Stored = StoredSends;
    /// The stored signal, `None` when the recipient is not present.
    type Answer = Option<Signal>;
    /// 6 parameters each.
    const MAX: usize = 64;

    fn queue(cx: &Backend) -> &GroupCommit<Self> {
        &cx.sends
    }

    async fn store(
        cx: &Backend,
        writer: &mut Writer,
        batch: &[Self],
        now: i64,
    ) -> Result<Self::Stored, sqlx::Error> {
        Ok(StoredSends {
            ids: insert_batch(cx, writer, batch, now).await?,
            by_recipient: HashMap::new(),
        })
    }

    fn answer(&self, cx: &Backend, now: i64, stored: &mut Self::Stored) -> Self::Answer {
        let id = stored
            .ids
            .get_mut(&self.key)
            .and_then(VecDeque::pop_front)?;
        let k = &self.key;
        let signal = Signal {
            id,
            meeting_id: k.meeting_id,
            from_user_id: k.from_user_id,
            to_user_id: k.to_user_id,
            kind: self.signal.kind,
            payload: self.signal.payload.clone(),
            created_at: from_millis(now),
        };
        let rows = stored
            .by_recipient
            .entry((k.meeting_id, k.to_user_id))
            .or_default();
        if cx.hub.hands_over_rows() {
            rows.push(signal.clone());
        }
        Some(signal)
    }

    /// Wakes each recipient's parked polls once, with its rows of the batch in id order.
    fn answered(cx: &Backend, stored: Self::Stored) {
        for ((meeting_id, user_id), mut signals) in stored.by_recipient {
            signals.sort_unstable_by_key(|signal| signal.id);
            cx.hub.stored(meeting_id, user_id, signals);
        }
    }
}

/// One statement stores each send whose recipient is present and returns the new ids by
/// key, oldest first. On Postgres it locks the recipients' participant rows until it
/// commits, so sends to one recipient commit in id order and a poller that moves
/// `since_id` forward never skips a row committed late.
async fn insert_batch(
    cx: &Backend,
    writer: &mut Writer,
    batch: &[QueuedSend],
    now: i64,
) -> Result<HashMap<SendKey, VecDeque<i64>>, sqlx::Error> {
    let sql = format!(
        "WITH v (mid, sender, recipient, kind, body, cutoff) AS (VALUES {}) \
         INSERT INTO rtc_signals (meeting_id, from_user_id, to_user_id, type, payload, created_at) \
         SELECT v.mid, v.sender, v.recipient, v.kind, v.body, $1 FROM v \
         JOIN meeting_participants p ON p.meeting_id = v.mid AND p.user_id = v.recipient \
         WHERE p.left_at IS NULL AND p.last_seen_at >= v.cutoff{} \
         RETURNING id, meeting_id, from_user_id, to_user_id, type, payload",
        group_commit::values_rows(batch.len(), 6, 2),
        cx.db.row_lock("p")
    );
    let mut query = cx
        .db
        .query_as::<(i64, i64, i64, i64, String, String)>(&sql)
        .bind(now);
    for send in batch {
        let k = &send.key;
        query = query
            .bind(k.meeting_id)
            .bind(k.from_user_id)
            .bind(k.to_user_id)
            .bind(k.kind)
            .bind(k.payload.as_str())
            .bind(send.cutoff);
    }
    let mut rows = query.fetch_all(&mut **writer).await?;
    rows.sort_unstable_by_key(|row| row.0);
    let mut ids: HashMap<SendKey, VecDeque<i64>> = HashMap::new();
    for (id, meeting_id, from_user_id, to_user_id, kind, payload) in rows {
        let Ok(kind) = kind.parse::<SignalType>() else {
            continue; // not one of ours: every kind stored here came from a SignalType
        };
        let key = SendKey {
            meeting_id,
            from_user_id,
            to_user_id,
            kind: kind.as_str(),
            payload,
        };
        ids.entry(key).or_default().push_back(id);
    }
    Ok(ids)
}

fn payload_text(payload: &serde_json::Value) -> Result<String, AppError> {
    if !payload.is_object() {
        return Err(AppError::invalid("payload", "must be a JSON object"));
    }
    let text = serde_json::to_string(payload)
        .map_err(|_| AppError::invalid("payload", "must be a JSON object"))?;
    if text.len() > MAX_PAYLOAD_BYTES {
        return Err(AppError::invalid(
            "payload",
            format!("must be at most {MAX_PAYLOAD_BYTES} bytes as JSON"),
        ));
    }
    Ok(text)
}

struct Inbox {
    since_id: i64,
    limit: i64,
    wait: Duration,
}

fn check_inbox_query(q: &InboxQuery) -> Result<Inbox, AppError> {
    let mut checks = crate::domain::validate::Checks::new();
    let since_id = q.since_id.unwrap_or(0);
    if since_id < 0 {
        checks.fail("since_id", "must be 0 or more");
    }
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    checks.range("limit", limit, 1, MAX_LIMIT);
    let wait = q.wait.unwrap_or(0);
    checks.range("wait", wait, 0, MAX_WAIT_SECS);
    checks.finish()?;
    Ok(Inbox {
        since_id,
        limit,
        wait: Duration::from_secs(wait.max(0).unsigned_abs()),
    })
}

/// The caller's unacknowledged signals after `since_id`, oldest first. With `wait`, an empty
/// inbox parks until the hub says a signal for the caller was stored, or the time is up;
/// a wake-up that hands over the rows just stored answers with those, without a re-read.
/// Every poll is a presence heartbeat, and so is every half-timeout spent parked, so a long
/// wait never makes the caller time out. A parked poll answers `[]` at once when the server
/// starts shutting down.
pub async fn inbox(
    cx: &Backend,
    user_id: i64,
    meeting_id: i64,
    query: &InboxQuery,
) -> Result<Vec<Signal>, AppError> {
    require_in_call(cx, user_id, meeting_id).await?;
    let q = check_inbox_query(query)?;
    if q.wait.is_zero() {
        return fetch(cx, user_id, meeting_id, q.since_id, q.limit).await;
    }

    let deadline = tokio::time::Instant::now() + q.wait;
    let beat_every = Duration::from_millis(
        (cx.presence_timeout_secs().max(1).unsigned_abs() * 1000 / 2).max(200),
    );
    // Subscribed before the read: a send committed after its snapshot still wakes us.
    let mut subscription = cx.hub.subscribe(meeting_id, user_id);
    loop {
        subscription.forget_queued();
        let found = fetch(cx, user_id, meeting_id, q.since_id, q.limit).await?;
        if !found.is_empty() {
            return Ok(found);
        }
        loop {
            let beat = tokio::time::Instant::now() + beat_every;
            tokio::select! {
                wake = subscription.next() => match wake {
                    Wake::Stored(signals) => {
                        let page = page_after(signals, q.since_id, q.limit);
                        if !page.is_empty() {
                            return Ok(page);
                        }
                    }
                    Wake::Reread => break,
                },
                _ = tokio::time::sleep_until(deadline) => return Ok(Vec::new()),
                // The server is shutting down: a parked poll must not hold it up.
                () = cx.shutdown.underway() => return Ok(Vec::new()),
                _ = tokio::time::sleep_until(beat), if beat < deadline => {
                    if presence::heartbeat(cx, meeting_id, user_id).await?.is_none() {
                        return Ok(Vec::new());
                    }
                }
            }
        }
    }
}

/// The page of `signals` (in id order, all newer than the read that found the inbox empty)
/// that a read after `since_id` would return.
fn page_after(mut signals: Vec<Signal>, since_id: i64, limit: i64) -> Vec<Signal> {
    signals.retain(|signal| signal.id > since_id);
    signals.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    signals
}

/// The inbox page after `since_id`; an inbox known to be empty (see `infra::memo`) costs no
/// query.
async fn fetch(
    cx: &Backend,
    user_id: i64,
    meeting_id: i64,
    since_id: i64,
    limit: i64,
) -> Result<Vec<Signal>, AppError> {
    let memo = cx.hub.memo();
    if memo.inbox_empty_after(meeting_id, user_id, since_id) {
        return Ok(Vec::new());
    }
    let ticket = memo.inbox_ticket(meeting_id, user_id);
    let rows: Vec<SignalRow> = cx.db
        .query_as(
            "SELECT id, meeting_id, from_user_id, to_user_id, type, payload, created_at FROM rtc_signals \
             WHERE meeting_id = $1 AND to_user_id = $2 AND acked_at IS NULL AND id > $3 \
             ORDER BY id LIMIT $4",
        )
        .bind(meeting_id)
        .bind(user_id)
        .bind(since_id)
        .bind(limit)
        .fetch_all(cx.db.reader())
        .await?;
    if rows.is_empty() {
        memo.remember_inbox_empty(ticket, meeting_id, user_id, since_id);
    }
    Ok(rows.into_iter().map(Signal::from).collect())
}

/// Marks the caller's own unacknowledged signals among `ids` as acknowledged and returns how
/// many that was; other users' ids and repeats count 0.
pub async fn ack(
    cx: &Backend,
    user_id: i64,
    meeting_id: i64,
    ids: &[i64],
) -> Result<u64, AppError> {
    // A caller remembered in the call passes both checks below.
    let remembered = in_call_remembered(cx, user_id, meeting_id);
    if !remembered {
        meeting_for(cx, user_id, meeting_id).await?;
    }
    if ids.len() > MAX_ACK_IDS {
        return Err(AppError::invalid(
            "ids",
            format!("must hold at most {MAX_ACK_IDS} ids"),
        ));
    }
    if !remembered && !presence::is_present(cx, meeting_id, user_id).await? {
        return Err(join_required());
    }
    let mut ids: Vec<i64> = ids.iter().copied().filter(|id| *id > 0).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(0);
    }
    let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 4)).collect();
    let sql = format!(
        "UPDATE rtc_signals SET acked_at = $1 \
         WHERE meeting_id = $2 AND to_user_id = $3 AND acked_at IS NULL AND id IN ({})",
        placeholders.join(", ")
    );
    let mut query = cx
        .db
        .query(&sql)
        .bind(now_millis())
        .bind(meeting_id)
        .bind(user_id);
    for id in &ids {
        query = query.bind(*id);
    }
    Ok(query
        .execute(&mut *cx.db.writer().await?)
        .await?
        .rows_affected())
}

/// Background clean-up: acknowledged signals are never delivered again, and a closed
/// meeting's signals have nobody left to read them.
pub async fn prune(cx: &Backend) -> Result<u64, AppError> {
    let acked = cx
        .db
        .query("DELETE FROM rtc_signals WHERE acked_at IS NOT NULL")
        .execute(&mut *cx.db.writer().await?)
        .await?
        .rows_affected();
    let closed = cx
        .db
        .query(
            "DELETE FROM rtc_signals WHERE meeting_id IN \
             (SELECT id FROM meetings WHERE status IN ('ended', 'cancelled'))",
        )
        .execute(&mut *cx.db.writer().await?)
        .await?
        .rows_affected();
    Ok(acked + closed)
}
