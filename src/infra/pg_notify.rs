//! Scale-out on Postgres: changes cross server instances through LISTEN/NOTIFY on one channel,
//! so a signal sent through one instance wakes a poll parked on another, and a revocation or
//! a meeting's change makes every instance forget what it remembered. SQLite has one server
//! process, and keeps the in-process hub alone.

use std::sync::{Arc, Weak};
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use super::db::{Db, Dialect};
use super::hub::{Change, SignalHub};

/// The NOTIFY channel; a payload is `meeting_id:user_id` of a stored signal's recipient, or
/// `access` (see [`Change::Access`]).
pub const CHANNEL: &str = "rtc_signal";
const ACCESS: &str = "access";
/// How many queued wake-ups go out in one round trip when sends come in bursts.
const MAX_BATCH: usize = 256;
const FIRST_RETRY: Duration = Duration::from_millis(100);
const MAX_RETRY: Duration = Duration::from_secs(5);
/// After this long without a notification, the listener checks that its connection still
/// answers: one dropped without a word (a NAT or a failover) would otherwise stay silent for
/// good while this instance trusts what it remembers.
const QUIET_CHECK: Duration = Duration::from_secs(15);
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

/// On Postgres, starts publishing this instance's wake-ups and listening for everyone's.
/// Does nothing on SQLite. Both tasks end once the hub is dropped.
pub fn start(db: &Db, hub: &Arc<SignalHub>) {
    if db.dialect() != Dialect::Postgres {
        return;
    }
    let (sender, queue) = unbounded_channel();
    if !hub.set_publisher(sender) {
        return; // already started for this hub
    }
    // Other instances' changes do not reach this one until the listener runs.
    hub.memo().set_live(false);
    let url = db.url().to_string();
    tokio::spawn(publish(url.clone(), queue));
    tokio::spawn(listen(url, Arc::downgrade(hub)));
}

/// Sends the queued changes. Each is queued after the write that caused it committed, so a
/// woken instance always finds the row when it re-reads.
async fn publish(url: String, mut queue: UnboundedReceiver<Change>) {
    // A pool of one reconnects by itself when the connection drops.
    let pool = match PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect_lazy(&url)
    {
        Ok(pool) => pool,
        Err(e) => {
            tracing::error!(error = %e, "changes will not reach other instances");
            return;
        }
    };
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let mut payloads: Vec<String> = batch
            .drain(..)
            .map(|change| match change {
                Change::Signal(meeting_id, user_id) => format!("{meeting_id}:{user_id}"),
                Change::Access => ACCESS.to_owned(),
            })
            .collect();
        payloads.sort_unstable();
        payloads.dedup();
        // Every change is sent until it gets through: other instances remember empty inboxes
        // and checked access, and trust that until told otherwise, so a lost wake-up would
        // hide a stored signal from a parked poll's next polls too. The database just took
        // the write that caused it, so it is reachable; what queues meanwhile goes next.
        let mut retry = FIRST_RETRY;
        while let Err(e) = send_batch(&pool, &payloads).await {
            tracing::warn!(error = %e, count = payloads.len(), "publishing changes failed");
            tokio::time::sleep(retry).await;
            retry = (retry * 2).min(MAX_RETRY);
        }
    }
}

async fn send_batch(pool: &PgPool, payloads: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p")
        .bind(CHANNEL)
        .bind(payloads)
        .execute(pool)
        .await
        .map(|_| ())
}

/// Feeds other instances' changes into the local hub, on a dedicated connection. After any
/// (re)connect it wakes every parked poll once and starts remembering afresh: notifications
/// sent while it was not listening are gone, but the polls re-read the database and find what
/// they missed.
async fn listen(url: String, hub: Weak<SignalHub>) {
    let mut retry = FIRST_RETRY;
    loop {
        match subscribe(&url).await {
            Ok(mut listener) => {
                retry = FIRST_RETRY;
                let Some(live) = hub.upgrade() else { return };
                live.memo().set_live(true);
                live.wake_all();
                drop(live);
                loop {
                    let Ok(next) = tokio::time::timeout(QUIET_CHECK, listener.try_recv()).await
                    else {
                        // Quiet for a while (receiving is cancel-safe): ask the connection.
                        if hub.strong_count() == 0 {
                            return;
                        }
                        let check = sqlx::query("SELECT 1").execute(&mut listener);
                        if !matches!(tokio::time::timeout(CHECK_TIMEOUT, check).await, Ok(Ok(_))) {
                            tracing::warn!(
                                "the {CHANNEL} listener stopped answering; reconnecting"
                            );
                            break;
                        }
                        continue;
                    };
                    match next {
                        Ok(Some(notification)) => {
                            let Some(live) = hub.upgrade() else { return };
                            match parse_payload(notification.payload()) {
                                Some(change) => live.apply(change),
                                None => tracing::warn!(
                                    payload = notification.payload(),
                                    "ignoring a malformed {CHANNEL} notification"
                                ),
                            }
                        }
                        Ok(None) => {
                            tracing::warn!("lost the {CHANNEL} listener connection; reconnecting");
                            break;
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "{CHANNEL} listener failed; reconnecting");
                            break;
                        }
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in = ?retry, "cannot listen on {CHANNEL}");
            }
        }
        match hub.upgrade() {
            Some(live) => live.memo().set_live(false),
            None => return,
        }
        if hub.strong_count() == 0 {
            return;
        }
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(MAX_RETRY);
    }
}

async fn subscribe(url: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

fn parse_payload(payload: &str) -> Option<Change> {
    if payload == ACCESS {
        return Some(Change::Access);
    }
    let (meeting, user) = payload.split_once(':')?;
    Some(Change::Signal(meeting.parse().ok()?, user.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::{Change, parse_payload};

    #[test]
    fn payloads_name_meeting_and_recipient_and_junk_is_refused() {
        assert_eq!(parse_payload("12:34"), Some(Change::Signal(12, 34)));
        assert_eq!(parse_payload("access"), Some(Change::Access));
        assert_eq!(parse_payload("access:1"), None);
        assert_eq!(parse_payload("12"), None);
        assert_eq!(parse_payload("a:1"), None);
        assert_eq!(parse_payload("1:2:3"), None);
    }
}
