//! What this instance may answer from memory instead of asking the database: the checks that
//! every signal send and inbox poll repeat (is this token revoked, what is in this browser
//! session, who is this user, may they still signal in this meeting) and, per recipient, "the
//! inbox holds nothing after id N", so an idle poll costs no query at all.
//!
//! The database stays the source of truth; a remembered fact is dropped as soon as something
//! that could make it false happens:
//! - a token revocation, a browser session saved or deleted (sign-in, sign-out), a meeting's
//!   status change or a participant leaving forgets every remembered token, session, user and
//!   gate (such changes are rare next to polls, so finer keys would buy nothing);
//! - a stored signal forgets only its recipient's inbox entry.
//!
//! A change made through this instance takes effect here at once. On Postgres, other instances
//! hear of it over LISTEN/NOTIFY (`pg_notify`) a few milliseconds later, and while this
//! instance is not listening it remembers nothing. Each database read takes a [`Ticket`] first:
//! its result is remembered only if nothing was forgotten while it ran, so a change that races
//! the read can never be overwritten by the stale answer.
//!
//! Whatever happens, everything is forgotten [`MAX_AGE`] after the first fact was remembered:
//! should the notice of a change be lost (an instance that died between its write and its
//! NOTIFY, a listening connection that died without a word), that bounds how long it goes
//! unnoticed.
//!
//! A gate also ages: it holds while the participant's `last_seen_at` is younger than the
//! heartbeat interval, after which the call takes the database path, which refreshes it. A
//! sweep of timed-out participants only touches rows older than the whole timeout, so it never
//! falsifies a gate.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tower_sessions::session::Record;

use crate::model::User;

type Key = (i64, i64);

/// Everything is forgotten when a map reaches this size, which bounds the memory of a
/// long-running instance; everything in it can be read again.
const MAX_ENTRIES: usize = 100_000;

/// The longest anything is remembered; see the module documentation.
pub const MAX_AGE: Duration = Duration::from_secs(10);

pub struct Memo {
    live: AtomicBool,
    max_age: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Bumped whenever everything is forgotten.
    epoch: u64,
    /// When the oldest fact still remembered was remembered.
    first_remembered: Option<Instant>,
    /// Token ids known not to be revoked.
    tokens: HashSet<String>,
    /// Browser sessions by id, as stored.
    sessions: HashMap<String, Record>,
    users: HashMap<i64, User>,
    /// (meeting, user) → a `last_seen_at` the participant had at least: the meeting is open,
    /// the user may see it and is present.
    gates: HashMap<Key, i64>,
    inboxes: HashMap<Key, Inbox>,
}

#[derive(Default)]
struct Inbox {
    /// Bumped by every signal stored for this recipient.
    seq: u64,
    /// No unacknowledged signal has an id above this.
    empty_after: Option<i64>,
}

/// Taken before a database read; see the module documentation.
#[derive(Clone, Copy, Debug)]
pub struct Ticket {
    epoch: u64,
    seq: u64,
}

impl Memo {
    /// `live`: whether every change that matters reaches this instance (true for a single
    /// instance; on Postgres, set by the listener).
    pub fn new(live: bool) -> Self {
        Self::with_max_age(live, MAX_AGE)
    }

    fn with_max_age(live: bool, max_age: Duration) -> Self {
        Self {
            live: AtomicBool::new(live),
            max_age,
            state: Mutex::new(State::default()),
        }
    }

    /// The state, with everything forgotten first if it is too old.
    fn state(&self) -> MutexGuard<'_, State> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state
            .first_remembered
            .is_some_and(|at| at.elapsed() > self.max_age)
        {
            state.forget_all();
        }
        state
    }

    fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    /// Starts or stops remembering; either way, what was remembered is dropped (changes may
    /// have been missed while not listening).
    pub fn set_live(&self, live: bool) {
        let mut state = self.state();
        self.live.store(live, Ordering::Release);
        state.forget_all();
    }

    /// Something that could revoke access happened.
    pub fn forget_all(&self) {
        self.state().forget_all();
    }

    /// A signal for this recipient was stored.
    pub fn signal_stored(&self, meeting_id: i64, user_id: i64) {
        let mut state = self.state();
        if let Some(inbox) = state.inboxes.get_mut(&(meeting_id, user_id)) {
            inbox.seq += 1;
            inbox.empty_after = None;
        }
    }

    /// Take before reading what will be remembered.
    pub fn ticket(&self) -> Ticket {
        Ticket {
            epoch: self.state().epoch,
            seq: 0,
        }
    }

    /// Take before reading a recipient's inbox.
    pub fn inbox_ticket(&self, meeting_id: i64, user_id: i64) -> Ticket {
        let mut state = self.state();
        if !self.is_live() {
            return Ticket {
                epoch: state.epoch,
                seq: 0,
            };
        }
        if !state.inboxes.contains_key(&(meeting_id, user_id)) {
            state.make_room();
        }
        let seq = state.inboxes.entry((meeting_id, user_id)).or_default().seq;
        Ticket {
            epoch: state.epoch,
            seq,
        }
    }

    /// Runs `remember` on the state if nothing was forgotten since `ticket` was taken.
    fn remember(&self, ticket: Ticket, remember: impl FnOnce(&mut State)) {
        let mut state = self.state();
        if self.is_live() && state.epoch == ticket.epoch {
            state.make_room();
            // Making room forgets everything, and with it this ticket's epoch.
            if state.epoch == ticket.epoch {
                state.first_remembered.get_or_insert_with(Instant::now);
                remember(&mut state);
            }
        }
    }

    fn recall<T>(&self, recall: impl FnOnce(&State) -> Option<T>) -> Option<T> {
        let state = self.state();
        if self.is_live() { recall(&state) } else { None }
    }

    pub fn token_unrevoked(&self, jti: &str) -> bool {
        self.recall(|s| s.tokens.contains(jti).then_some(()))
            .is_some()
    }

    pub fn remember_token_unrevoked(&self, ticket: Ticket, jti: &str) {
        self.remember(ticket, |s| {
            s.tokens.insert(jti.to_owned());
        });
    }

    /// A stored session; the caller still checks its expiry.
    pub fn session(&self, id: &str) -> Option<Record> {
        self.recall(|s| s.sessions.get(id).cloned())
    }

    pub fn remember_session(&self, ticket: Ticket, record: &Record) {
        self.remember(ticket, |s| {
            s.sessions.insert(record.id.to_string(), record.clone());
        });
    }

    pub fn user(&self, id: i64) -> Option<User> {
        self.recall(|s| s.users.get(&id).cloned())
    }

    pub fn remember_user(&self, ticket: Ticket, user: &User) {
        self.remember(ticket, |s| {
            s.users.insert(user.id, user.clone());
        });
    }

    /// The `last_seen_at` a present participant had at least, if remembered.
    pub fn gate(&self, meeting_id: i64, user_id: i64) -> Option<i64> {
        self.recall(|s| s.gates.get(&(meeting_id, user_id)).copied())
    }

    pub fn remember_gate(&self, ticket: Ticket, meeting_id: i64, user_id: i64, seen_at: i64) {
        self.remember(ticket, |s| {
            s.gates.insert((meeting_id, user_id), seen_at);
        });
    }

    /// Whether the recipient's inbox is known to hold nothing after `since_id`.
    pub fn inbox_empty_after(&self, meeting_id: i64, user_id: i64, since_id: i64) -> bool {
        self.recall(|s| {
            let after = s.inboxes.get(&(meeting_id, user_id))?.empty_after?;
            (since_id >= after).then_some(())
        })
        .is_some()
    }

    /// A read taken with `ticket` found nothing after `since_id`.
    pub fn remember_inbox_empty(
        &self,
        ticket: Ticket,
        meeting_id: i64,
        user_id: i64,
        since_id: i64,
    ) {
        self.remember(ticket, |s| {
            if let Some(inbox) = s.inboxes.get_mut(&(meeting_id, user_id))
                && inbox.seq == ticket.seq
            {
                inbox.empty_after = Some(inbox.empty_after.map_or(since_id, |a| a.min(since_id)));
            }
        });
    }
}

impl State {
    fn make_room(&mut self) {
        let largest = [
            self.tokens.len(),
            self.sessions.len(),
            self.users.len(),
            self.gates.len(),
            self.inboxes.len(),
        ];
        if largest.into_iter().max().unwrap_or(0) >= MAX_ENTRIES {
            self.forget_all();
        }
    }

    fn forget_all(&mut self) {
        self.epoch += 1;
        self.first_remembered = None;
        self.tokens.clear();
        self.sessions.clear();
        self.users.clear();
        self.gates.clear();
        self.inboxes.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64) -> User {
        User {
            id,
            name: "Ada".into(),
            email: "ada@example.org".into(),
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_change_during_a_read_keeps_its_stale_answer_out() {
        let memo = Memo::new(true);
        let ticket = memo.ticket();
        memo.forget_all(); // e.g. the meeting ended while the gate was being read
        memo.remember_gate(ticket, 1, 2, 1_000);
        assert_eq!(memo.gate(1, 2), None);

        let ticket = memo.ticket();
        memo.remember_gate(ticket, 1, 2, 1_000);
        memo.remember_user(ticket, &user(2));
        memo.remember_token_unrevoked(ticket, "jti");
        assert_eq!(memo.gate(1, 2), Some(1_000));
        assert_eq!(memo.user(2).map(|u| u.id), Some(2));
        assert!(memo.token_unrevoked("jti"));
        memo.forget_all();
        assert_eq!(memo.gate(1, 2), None);
        assert!(memo.user(2).is_none());
        assert!(!memo.token_unrevoked("jti"));
    }

    #[test]
    fn a_signal_stored_during_an_inbox_read_keeps_the_inbox_unknown() {
        let memo = Memo::new(true);
        let ticket = memo.inbox_ticket(1, 2);
        memo.signal_stored(1, 2);
        memo.remember_inbox_empty(ticket, 1, 2, 0);
        assert!(!memo.inbox_empty_after(1, 2, 0));

        let ticket = memo.inbox_ticket(1, 2);
        memo.remember_inbox_empty(ticket, 1, 2, 5);
        assert!(memo.inbox_empty_after(1, 2, 5));
        assert!(memo.inbox_empty_after(1, 2, 9));
        // Below 5 nothing is known: signals up to 5 may be delivered but unacknowledged.
        assert!(!memo.inbox_empty_after(1, 2, 4));
        // Another recipient's signal changes nothing here; this one's forgets it.
        memo.signal_stored(1, 3);
        assert!(memo.inbox_empty_after(1, 2, 5));
        memo.signal_stored(1, 2);
        assert!(!memo.inbox_empty_after(1, 2, 5));
    }

    #[test]
    fn everything_is_forgotten_once_too_old() {
        let memo = Memo::with_max_age(true, Duration::from_millis(50));
        let ticket = memo.ticket();
        memo.remember_token_unrevoked(ticket, "jti");
        assert!(memo.token_unrevoked("jti"));
        std::thread::sleep(Duration::from_millis(80));
        assert!(!memo.token_unrevoked("jti"));
        // A read that began before the forgetting keeps its answer out, as for any change.
        memo.remember_gate(ticket, 1, 2, 1_000);
        assert_eq!(memo.gate(1, 2), None);
        let ticket = memo.ticket();
        memo.remember_gate(ticket, 1, 2, 1_000);
        assert_eq!(memo.gate(1, 2), Some(1_000));
    }

    #[test]
    fn nothing_is_remembered_while_not_listening() {
        let memo = Memo::new(true);
        let ticket = memo.ticket();
        memo.remember_gate(ticket, 1, 2, 1_000);
        memo.set_live(false);
        assert_eq!(memo.gate(1, 2), None);
        let ticket = memo.ticket();
        memo.remember_gate(ticket, 1, 2, 1_000);
        assert_eq!(memo.gate(1, 2), None);
        memo.set_live(true);
        assert_eq!(memo.gate(1, 2), None);
    }
}
