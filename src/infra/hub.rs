//! This instance's live view of the database: in-process wake-ups for parked inbox long-polls,
//! keyed by (meeting, recipient), and the [`Memo`] of facts it may answer from memory. Every
//! [`Change`] is applied here at once and, on Postgres, also published to the other server
//! instances (see `pg_notify`), whose feed calls [`SignalHub::apply`].
//!
//! A wake-up either hands the poller the signals just committed for it ([`Wake::Stored`]) or
//! tells it to read its inbox again ([`Wake::Reread`]). Handing rows over is exact only where
//! one process stores every signal, commits them in id order and wakes in that same order:
//! then the rows of the first wake-up after an empty read are the oldest unread ones. That
//! holds for the single server process on SQLite. Where other instances share the database
//! (Postgres, with a publisher set), a row committed elsewhere may have a lower id and its
//! NOTIFY may still be on the way, so every wake-up there is a re-read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::memo::Memo;
use crate::model::Signal;

type Key = (i64, i64);

/// What every instance must hear about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// A signal for this recipient (meeting, user) was stored and committed.
    Signal(i64, i64),
    /// Something that can take access away happened: a token was revoked, a browser session
    /// was saved or deleted, a meeting's status changed, or a participant left.
    Access,
}

/// What wakes a parked poller.
#[derive(Clone, Debug, PartialEq)]
pub enum Wake {
    /// These signals for its recipient were committed, oldest first, and no other signal
    /// for them was committed since the previous wake-up.
    Stored(Vec<Signal>),
    /// Something may have changed: read the inbox again.
    Reread,
}

impl Wake {
    /// One wake-up that stands for `self` followed by `later`.
    fn then(self, later: Wake) -> Wake {
        match (self, later) {
            (Wake::Stored(mut first), Wake::Stored(more)) => {
                first.extend(more);
                Wake::Stored(first)
            }
            _ => Wake::Reread,
        }
    }
}

/// The parked pollers of one recipient; removed with the last one, so the map only holds
/// recipients that are parked right now.
type Slot = Vec<UnboundedSender<Wake>>;

pub struct SignalHub {
    slots: Mutex<HashMap<Key, Slot>>,
    memo: Memo,
    /// Set once when other instances share the database: every local change is also handed
    /// to this queue to be published to them.
    publisher: OnceLock<UnboundedSender<Change>>,
}

impl Default for SignalHub {
    fn default() -> Self {
        Self {
            slots: Mutex::default(),
            // One instance hears every change; `pg_notify` turns this off until it listens.
            memo: Memo::new(true),
            publisher: OnceLock::new(),
        }
    }
}

impl std::fmt::Debug for SignalHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignalHub")
            .field("parked_recipients", &self.parked_recipients())
            .finish_non_exhaustive()
    }
}

/// See [`SignalHub::access_changing`].
#[must_use = "access is forgotten when this is dropped: keep it until the write is done"]
pub struct AccessChange<'a>(&'a SignalHub);

impl Drop for AccessChange<'_> {
    fn drop(&mut self) {
        self.0.changed(Change::Access);
    }
}

impl SignalHub {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn memo(&self) -> &Memo {
        &self.memo
    }

    /// Interest in signals for `user_id` in `meeting_id`. Subscribe BEFORE reading the inbox
    /// and call [`Subscription::forget_queued`] right before each read, so that every
    /// signal committed after that read's snapshot reaches the subscription.
    pub fn subscribe(self: &Arc<Self>, meeting_id: i64, user_id: i64) -> Subscription {
        let key = (meeting_id, user_id);
        let (sender, wakes) = unbounded_channel();
        self.slots().entry(key).or_default().push(sender.clone());
        Subscription {
            hub: Arc::clone(self),
            key,
            sender,
            wakes,
        }
    }

    /// `signals` for this recipient were committed together, in id order, as one batch:
    /// wakes their pollers here, handing the rows over when this process stores every
    /// signal, and, when a publisher is set, wakes the pollers of every other instance.
    pub fn stored(&self, meeting_id: i64, user_id: i64, signals: Vec<Signal>) {
        if !self.hands_over_rows() {
            self.changed(Change::Signal(meeting_id, user_id));
            return;
        }
        self.memo.signal_stored(meeting_id, user_id);
        self.wake(meeting_id, user_id, Wake::Stored(signals));
    }

    /// Whether wake-ups hand pollers the rows just stored: only while no other instance
    /// shares the database (see the module documentation).
    pub fn hands_over_rows(&self) -> bool {
        self.publisher.get().is_none()
    }

    /// Take before a write that could take access away, and drop once it is done: what this
    /// instance remembers is forgotten then, and the other instances are told. Dropped as well
    /// when the request is cancelled mid-write (its client went away), as the statement may
    /// still commit; forgetting after a write that failed costs only a few re-reads.
    pub fn access_changing(&self) -> AccessChange<'_> {
        AccessChange(self)
    }

    fn changed(&self, change: Change) {
        self.apply(change);
        if let Some(publisher) = self.publisher.get() {
            // Fails only once the publishing task is gone, i.e. at shutdown.
            let _ = publisher.send(change);
        }
    }

    /// Applies a change in this process only (the feed from other instances calls this).
    pub fn apply(&self, change: Change) {
        match change {
            Change::Signal(meeting_id, user_id) => {
                self.memo.signal_stored(meeting_id, user_id);
                self.wake(meeting_id, user_id, Wake::Reread);
            }
            Change::Access => self.memo.forget_all(),
        }
    }

    /// Wakes every poller parked on this recipient's inbox in this process only. A no-op when
    /// nobody waits.
    fn wake(&self, meeting_id: i64, user_id: i64, wake: Wake) {
        let slots = self.slots();
        if let Some((last, others)) = slots
            .get(&(meeting_id, user_id))
            .and_then(|slot| slot.split_last())
        {
            // A send fails only while that poller's subscription is being dropped.
            for poller in others {
                let _ = poller.send(wake.clone());
            }
            let _ = last.send(wake);
        }
    }

    /// Wakes every parked poller once, after wake-ups from elsewhere may have been missed.
    pub fn wake_all(&self) {
        for poller in self.slots().values().flatten() {
            let _ = poller.send(Wake::Reread);
        }
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Slot>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Routes every later change also into `publisher`; only the first call takes effect.
    pub fn set_publisher(&self, publisher: UnboundedSender<Change>) -> bool {
        self.publisher.set(publisher).is_ok()
    }

    /// How many recipients have a parked poller; for tests and metrics.
    pub fn parked_recipients(&self) -> usize {
        self.slots().len()
    }

    fn release(&self, key: Key, sender: &UnboundedSender<Wake>) {
        let mut slots = self.slots();
        if let Some(slot) = slots.get_mut(&key) {
            slot.retain(|poller| !poller.same_channel(sender));
            if slot.is_empty() {
                slots.remove(&key);
            }
        }
    }
}

/// One parked poller's interest; dropping it (also when the client disconnects and the
/// request future is dropped) releases the map entry.
pub struct Subscription {
    hub: Arc<SignalHub>,
    key: Key,
    /// Its own sender, to be found among the slot's; it also keeps `wakes` open.
    sender: UnboundedSender<Wake>,
    wakes: UnboundedReceiver<Wake>,
}

impl Subscription {
    /// Drops the wake-ups queued so far: the read about to start will see their rows.
    pub fn forget_queued(&mut self) {
        while self.wakes.try_recv().is_ok() {}
    }

    /// The next wake-up, merged with any queued behind it. Cancel-safe.
    pub async fn next(&mut self) -> Wake {
        let Some(mut wake) = self.wakes.recv().await else {
            return Wake::Reread; // unreachable: `self.sender` keeps the channel open
        };
        while let Ok(later) = self.wakes.try_recv() {
            wake = wake.then(later);
        }
        wake
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.release(self.key, &self.sender);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signal(id: i64) -> Signal {
        Signal {
            id,
            meeting_id: 1,
            from_user_id: 3,
            to_user_id: 2,
            kind: crate::model::SignalType::Offer,
            payload: serde_json::json!({"sdp": id}),
            created_at: crate::infra::db::from_millis(1_700_000_000_000 + id),
        }
    }

    async fn next(sub: &mut Subscription) -> Wake {
        tokio::time::timeout(std::time::Duration::from_secs(1), sub.next())
            .await
            .expect("woken")
    }

    #[tokio::test]
    async fn stored_rows_reach_every_poller_of_their_recipient_in_order() {
        let hub = Arc::new(SignalHub::new());
        let (mut first, mut second) = (hub.subscribe(1, 2), hub.subscribe(1, 2));
        let mut other = hub.subscribe(1, 3);
        // Queued before anyone awaits: not lost, and later batches follow in order.
        hub.stored(1, 2, vec![signal(5), signal(6)]);
        hub.stored(1, 2, vec![signal(9)]);
        let expected = Wake::Stored(vec![signal(5), signal(6), signal(9)]);
        assert_eq!(next(&mut first).await, expected);
        assert_eq!(next(&mut second).await, expected);
        assert_eq!(hub.parked_recipients(), 2);
        drop(first);
        assert_eq!(hub.parked_recipients(), 2, "the second poller still waits");
        drop(second);
        assert_eq!(hub.parked_recipients(), 1);
        // Another recipient's poller heard nothing.
        other.forget_queued();
        hub.stored(1, 3, vec![signal(10)]);
        assert_eq!(next(&mut other).await, Wake::Stored(vec![signal(10)]));
        drop(other);
        assert_eq!(hub.parked_recipients(), 0);
    }

    #[tokio::test]
    async fn a_wake_without_rows_or_before_the_read_asks_for_a_re_read() {
        let hub = Arc::new(SignalHub::new());
        let mut sub = hub.subscribe(1, 2);
        hub.stored(1, 2, vec![signal(5)]);
        hub.apply(Change::Signal(1, 2)); // from another instance: no rows
        hub.stored(1, 2, vec![signal(7)]);
        assert_eq!(next(&mut sub).await, Wake::Reread);
        hub.stored(1, 2, vec![signal(8)]);
        sub.forget_queued();
        hub.stored(1, 2, vec![signal(9)]);
        assert_eq!(next(&mut sub).await, Wake::Stored(vec![signal(9)]));
        hub.wake_all();
        assert_eq!(next(&mut sub).await, Wake::Reread);
    }

    #[tokio::test]
    async fn with_other_instances_every_wake_is_a_re_read_and_is_published() {
        let hub = Arc::new(SignalHub::new());
        let (publisher, mut published) = unbounded_channel();
        assert!(hub.set_publisher(publisher));
        let mut sub = hub.subscribe(1, 2);
        hub.stored(1, 2, vec![signal(5)]);
        assert_eq!(next(&mut sub).await, Wake::Reread);
        assert_eq!(published.try_recv(), Ok(Change::Signal(1, 2)));
    }
}
