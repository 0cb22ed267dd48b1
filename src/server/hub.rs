//! This instance's live view of the database: in-process wake-ups for parked inbox long-polls,
//! keyed by (meeting, recipient), and the [`Memo`] of facts it may answer from memory. Every
//! [`Change`] is applied here at once and, on Postgres, also published to the other server
//! instances (see `pg_notify`), whose feed calls [`SignalHub::apply`]. A wake-up carries no
//! data, so a woken poller always re-reads the database, which stays the only source of truth.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::{Notify, watch};

use super::group_commit::GroupCommit;
use super::memo::Memo;
use crate::domain::presence::QueuedHeartbeat;
use crate::domain::signals::QueuedSend;

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

struct Slot {
    notify: Arc<Notify>,
    /// Live subscriptions; the slot is removed when the last one drops, so the map only
    /// holds recipients that are parked right now.
    subscribers: usize,
}

pub struct SignalHub {
    slots: Mutex<HashMap<Key, Slot>>,
    memo: Memo,
    sends: GroupCommit<QueuedSend>,
    heartbeats: GroupCommit<QueuedHeartbeat>,
    /// Set once when other instances share the database: every local change is also handed
    /// to this queue to be published to them.
    publisher: OnceLock<UnboundedSender<Change>>,
    /// Flips to `true` once when the server starts shutting down, so parked polls answer
    /// `[]` at once instead of holding the shutdown up for their whole wait.
    shutting_down: watch::Sender<bool>,
}

impl Default for SignalHub {
    fn default() -> Self {
        Self {
            slots: Mutex::default(),
            // One instance hears every change; `pg_notify` turns this off until it listens.
            memo: Memo::new(true),
            sends: GroupCommit::default(),
            heartbeats: GroupCommit::default(),
            publisher: OnceLock::new(),
            shutting_down: watch::Sender::default(),
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

impl SignalHub {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn memo(&self) -> &Memo {
        &self.memo
    }

    /// Sends waiting for their turn at the writer.
    pub fn sends(&self) -> &GroupCommit<QueuedSend> {
        &self.sends
    }

    /// Presence refreshes waiting for their turn at the writer.
    pub fn heartbeats(&self) -> &GroupCommit<QueuedHeartbeat> {
        &self.heartbeats
    }

    /// Interest in signals for `user_id` in `meeting_id`. Create the `notified()` future from
    /// the subscription BEFORE querying the inbox: `Notify::notify_waiters` reaches every
    /// `Notified` that exists at that moment, polled or not, so no wake-up is lost.
    pub fn subscribe(self: &Arc<Self>, meeting_id: i64, user_id: i64) -> Subscription {
        let key = (meeting_id, user_id);
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        let slot = slots.entry(key).or_insert_with(|| Slot {
            notify: Arc::new(Notify::new()),
            subscribers: 0,
        });
        slot.subscribers += 1;
        Subscription {
            hub: Arc::clone(self),
            key,
            notify: Arc::clone(&slot.notify),
        }
    }

    /// A signal for this recipient was stored (and committed): wakes their pollers here and,
    /// when a publisher is set, on every other instance.
    pub fn notify(&self, meeting_id: i64, user_id: i64) {
        self.changed(Change::Signal(meeting_id, user_id));
    }

    /// Call after the write that could take access away has committed.
    pub fn access_changed(&self) {
        self.changed(Change::Access);
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
                self.wake(meeting_id, user_id);
            }
            Change::Access => self.memo.forget_all(),
        }
    }

    /// Wakes every poller parked on this recipient's inbox in this process only. A no-op when
    /// nobody waits.
    fn wake(&self, meeting_id: i64, user_id: i64) {
        let slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = slots.get(&(meeting_id, user_id)) {
            slot.notify.notify_waiters();
        }
    }

    /// Wakes every parked poller once, after wake-ups from elsewhere may have been missed.
    pub fn wake_all(&self) {
        let slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        for slot in slots.values() {
            slot.notify.notify_waiters();
        }
    }

    /// Routes every later change also into `publisher`; only the first call takes effect.
    pub fn set_publisher(&self, publisher: UnboundedSender<Change>) -> bool {
        self.publisher.set(publisher).is_ok()
    }

    /// Releases every parked poll, now and later: the server is shutting down.
    pub fn shut_down(&self) {
        self.shutting_down.send_replace(true);
    }

    /// Resolves once [`SignalHub::shut_down`] has been called (at once if it already was).
    pub async fn shutting_down(&self) {
        let mut flag = self.shutting_down.subscribe();
        // An error means the sender is gone, which cannot happen while `self` lives.
        let _ = flag.wait_for(|down| *down).await;
    }

    /// How many recipients have a parked poller; for tests and metrics.
    pub fn parked_recipients(&self) -> usize {
        self.slots
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    fn release(&self, key: Key) {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = slots.get_mut(&key) {
            slot.subscribers -= 1;
            if slot.subscribers == 0 {
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
    notify: Arc<Notify>,
}

impl Subscription {
    pub fn notify(&self) -> &Notify {
        &self.notify
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.release(self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn notify_before_await_is_not_lost_and_entries_are_released() {
        let hub = Arc::new(SignalHub::new());
        let sub = hub.subscribe(1, 2);
        let notified = sub.notify().notified();
        hub.notify(1, 2);
        tokio::time::timeout(std::time::Duration::from_secs(1), notified)
            .await
            .expect("woken");
        assert_eq!(hub.parked_recipients(), 1);
        drop(sub);
        assert_eq!(hub.parked_recipients(), 0);
    }

    #[tokio::test]
    async fn shutting_down_wakes_present_and_later_waiters() {
        let hub = Arc::new(SignalHub::new());
        let waiter = tokio::spawn({
            let hub = Arc::clone(&hub);
            async move { hub.shutting_down().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        hub.shut_down();
        let within = std::time::Duration::from_secs(1);
        tokio::time::timeout(within, waiter)
            .await
            .expect("woken")
            .expect("no panic");
        tokio::time::timeout(within, hub.shutting_down())
            .await
            .expect("a late waiter returns at once");
    }
}
