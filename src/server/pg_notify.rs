//! Scale-out on Postgres: wake-ups for parked inbox polls cross server instances through
//! LISTEN/NOTIFY on one channel, so a signal sent through one instance wakes a poll parked on
//! another. SQLite has one server process, and keeps the in-process hub alone.

use std::sync::{Arc, Weak};
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use super::db::{Db, Dialect};
use super::hub::SignalHub;

/// The NOTIFY channel; each payload is `meeting_id:user_id` of a stored signal's recipient.
pub const CHANNEL: &str = "rtc_signal";
/// How many queued wake-ups go out in one round trip when sends come in bursts.
const MAX_BATCH: usize = 256;
const FIRST_RETRY: Duration = Duration::from_millis(100);
const MAX_RETRY: Duration = Duration::from_secs(5);

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
    let url = db.url().to_string();
    tokio::spawn(publish(url.clone(), queue));
    tokio::spawn(listen(url, Arc::downgrade(hub)));
}

/// Sends the queued wake-ups. The send path queues them after its transaction committed, so a
/// woken instance always finds the row when it re-reads.
async fn publish(url: String, mut queue: UnboundedReceiver<(i64, i64)>) {
    // A pool of one reconnects by itself when the connection drops.
    let pool = match PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(5))
        .connect_lazy(&url)
    {
        Ok(pool) => pool,
        Err(e) => {
            tracing::error!(error = %e, "signal wake-ups will not reach other instances");
            return;
        }
    };
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let mut payloads: Vec<String> = batch
            .drain(..)
            .map(|(meeting_id, user_id)| format!("{meeting_id}:{user_id}"))
            .collect();
        payloads.sort_unstable();
        payloads.dedup();
        if let Err(e) = send_batch(&pool, &payloads).await {
            // The receivers' polls still end at their `wait`, and the rows are stored, so a
            // lost wake-up costs latency, never a signal.
            tracing::warn!(error = %e, count = payloads.len(), "publishing signal wake-ups failed");
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

/// Feeds other instances' wake-ups into the local hub, on a dedicated connection. After any
/// (re)connect it wakes every parked poll once: notifications sent while it was not listening
/// are gone, but the polls re-read the database and find what they missed.
async fn listen(url: String, hub: Weak<SignalHub>) {
    let mut retry = FIRST_RETRY;
    loop {
        match subscribe(&url).await {
            Ok(mut listener) => {
                retry = FIRST_RETRY;
                let Some(live) = hub.upgrade() else { return };
                live.wake_all();
                drop(live);
                loop {
                    match listener.try_recv().await {
                        Ok(Some(notification)) => {
                            let Some(live) = hub.upgrade() else { return };
                            match parse_payload(notification.payload()) {
                                Some((meeting_id, user_id)) => live.wake(meeting_id, user_id),
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

fn parse_payload(payload: &str) -> Option<(i64, i64)> {
    let (meeting, user) = payload.split_once(':')?;
    Some((meeting.parse().ok()?, user.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::parse_payload;

    #[test]
    fn payloads_name_meeting_and_recipient_and_junk_is_refused() {
        assert_eq!(parse_payload("12:34"), Some((12, 34)));
        assert_eq!(parse_payload("12"), None);
        assert_eq!(parse_payload("a:1"), None);
        assert_eq!(parse_payload("1:2:3"), None);
    }
}
