//! Group commit: writes of one kind that arrive while another is being stored wait in a
//! queue, and one task at a time stores them: each of its turns at the writer stores every
//! write queued by then in one statement. Writes that arrive together then cost one
//! statement instead of one each, which matters most on SQLite, where writers take turns
//! (see [`Db::writer`]).

use std::future::Future;
use std::sync::{Mutex, MutexGuard, PoisonError};

use tokio::sync::oneshot;

use super::db::{Db, Writer, now_millis};
use crate::error::AppError;

/// A kind of write that is stored in batches.
pub trait Batched: Sized + Send + Sync + 'static {
    /// Where the queue lives and what storing needs: the database and whatever the answers
    /// must reach (parked readers, say). Cloned into the storing task.
    type Context: AsRef<Db> + Clone + Send + Sync + 'static;
    /// What one statement returns for its batch.
    type Stored: Send;
    /// What each write's caller gets back.
    type Answer: Send + 'static;
    /// The most writes one statement stores.
    const MAX: usize;

    /// This kind's queue in this instance.
    fn queue(cx: &Self::Context) -> &GroupCommit<Self>;

    /// Stores `batch` in one statement on `writer`, as of `now` (Unix milliseconds).
    fn store<'a>(
        cx: &'a Self::Context,
        writer: &'a mut Writer,
        batch: &'a [Self],
        now: i64,
    ) -> impl Future<Output = Result<Self::Stored, sqlx::Error>> + Send + 'a;

    /// This write's answer, taken from what its batch's statement returned.
    fn answer(&self, cx: &Self::Context, now: i64, stored: &mut Self::Stored) -> Self::Answer;

    /// Runs once every write's answer is taken, with what the answers left of `stored`, and
    /// before the callers get their answers: what waits for the batch (a parked reader) goes
    /// first, as its callers' answers only confirm what is already committed.
    fn answered(_cx: &Self::Context, _stored: Self::Stored) {}
}

/// The queue of one kind of write.
pub struct GroupCommit<T: Batched>(Mutex<Waiting<Pending<T>>>);

impl<T: Batched> Default for GroupCommit<T> {
    fn default() -> Self {
        Self(Mutex::default())
    }
}

impl<T: Batched> GroupCommit<T> {
    fn waiting(&self) -> MutexGuard<'_, Waiting<Pending<T>>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct Pending<T: Batched> {
    write: T,
    reply: oneshot::Sender<Result<T::Answer, AppError>>,
}

/// Stores `write` along with the others that arrive with it, once committed.
pub async fn write<T: Batched>(cx: &T::Context, write: T) -> Result<T::Answer, AppError> {
    let (reply, answer) = oneshot::channel();
    if T::queue(cx).waiting().push(Pending { write, reply }) {
        // Its own task, so a caller that goes away mid-statement cannot strand the other
        // writes stored along with its own.
        tokio::spawn(store_queued::<T>(cx.clone()));
    }
    answer.await.map_err(|_| AppError::Internal)?
}

/// The storing task: a turn at the writer per statement, so other writes get theirs in
/// between, until the queue is empty.
async fn store_queued<T: Batched>(cx: T::Context) {
    let _task = StoringTask::<T>(cx.clone());
    loop {
        let writer = cx.as_ref().writer().await;
        let batch = T::queue(&cx).waiting().take(T::MAX);
        if batch.is_empty() {
            return;
        }
        let (writes, replies): (Vec<T>, Vec<_>) =
            batch.into_iter().map(|p| (p.write, p.reply)).unzip();
        let now = now_millis();
        let stored = match writer {
            Ok(mut writer) => T::store(&cx, &mut writer, &writes, now)
                .await
                .map_err(AppError::from),
            Err(e) => Err(AppError::from(e)),
        };
        match stored {
            Ok(mut stored) => {
                let answers: Vec<T::Answer> = writes
                    .iter()
                    .map(|write| write.answer(&cx, now, &mut stored))
                    .collect();
                T::answered(&cx, stored);
                for (answer, reply) in answers.into_iter().zip(replies) {
                    let _ = reply.send(Ok(answer));
                }
            }
            Err(e) => {
                for reply in replies {
                    let _ = reply.send(Err(e.clone()));
                }
            }
        }
    }
}

/// Held by the storing task: should the task unwind, writes queued after it still get
/// stored instead of waiting for a task that is gone. (The writes of the batch it was
/// storing get an error, as their replies are dropped.)
struct StoringTask<T: Batched>(T::Context);

impl<T: Batched> Drop for StoringTask<T> {
    fn drop(&mut self) {
        if std::thread::panicking() && T::queue(&self.0).waiting().storing_ended_early() {
            tokio::spawn(store_queued::<T>(self.0.clone()));
        }
    }
}

/// The rows of a `VALUES` list for a batch of `len` writes of `columns` values each, bound
/// from `$first` on, padded with rows of `NULL`s (which match nothing) to a power of two,
/// so that a handful of statement shapes serve every batch size and stay prepared.
pub fn values_rows(len: usize, columns: usize, first: usize) -> String {
    let rows: Vec<String> = (0..len.next_power_of_two())
        .map(|i| {
            let row: Vec<String> = (0..columns)
                .map(|c| {
                    if i < len {
                        format!("${}", first + i * columns + c)
                    } else {
                        "NULL".to_string()
                    }
                })
                .collect();
            format!("({})", row.join(", "))
        })
        .collect();
    rows.join(", ")
}

/// A queue and whether a task is storing it; the task stops when it finds the queue empty.
struct Waiting<P> {
    queue: Vec<P>,
    storing: bool,
}

impl<P> Default for Waiting<P> {
    fn default() -> Self {
        Self {
            queue: Vec::new(),
            storing: false,
        }
    }
}

impl<P> Waiting<P> {
    /// Queues a write; `true` when no task is storing the queue, so the caller starts one.
    fn push(&mut self, pending: P) -> bool {
        self.queue.push(pending);
        !std::mem::replace(&mut self.storing, true)
    }

    /// Up to `max` queued writes, oldest first. None means the storing task stops: the next
    /// push starts another (both happen under the queue's lock, so no write is stranded).
    fn take(&mut self, max: usize) -> Vec<P> {
        if self.queue.is_empty() {
            self.storing = false;
        }
        let n = self.queue.len().min(max);
        self.queue.drain(..n).collect()
    }

    /// After the storing task ended without emptying the queue (it panicked): `true` when
    /// writes still wait, so the caller starts another task; otherwise the next push will.
    fn storing_ended_early(&mut self) -> bool {
        self.storing = !self.queue.is_empty();
        self.storing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_write_into_an_idle_queue_starts_a_storing_task() {
        let mut waiting = Waiting::default();
        assert!(waiting.push(0));
        assert!(!waiting.push(1));
        assert!(!waiting.push(2));
        assert_eq!(waiting.take(2), [0, 1]);
        assert_eq!(waiting.take(2), [2]);
        // Still storing until the task finds the queue empty: a push now starts nothing.
        assert!(!waiting.push(3));
        assert_eq!(waiting.take(64), [3]);
        assert!(waiting.take(64).is_empty());
        // The task has stopped, so the next push must start one.
        assert!(waiting.push(4));
    }

    #[test]
    fn values_rows_number_the_parameters_and_pad_to_a_power_of_two() {
        assert_eq!(values_rows(1, 2, 2), "($2, $3)");
        assert_eq!(
            values_rows(3, 2, 2),
            "($2, $3), ($4, $5), ($6, $7), (NULL, NULL)"
        );
        assert_eq!(values_rows(4, 1, 1), "($1), ($2), ($3), ($4)");
    }

    #[test]
    fn a_storing_task_that_ends_early_is_replaced_only_while_writes_wait() {
        let mut waiting = Waiting::default();
        assert!(waiting.push(0));
        assert!(
            waiting.storing_ended_early(),
            "a write waits: start another task"
        );
        assert!(!waiting.push(1), "the replacement is storing");
        assert_eq!(waiting.take(64), [0, 1]);
        assert!(!waiting.storing_ended_early(), "nothing waits");
        assert!(waiting.push(2), "so the next push starts a task");
    }
}
