//! The server's shutdown, as a value every long-lived task can wait on: parked inbox polls
//! answer `[]` at once and the background janitor stops, so a graceful shutdown never waits
//! for them.

use tokio::sync::watch;

/// Flips once from running to shutting down; cloning it shares the same flag.
#[derive(Clone, Debug, Default)]
pub struct Shutdown(std::sync::Arc<watch::Sender<bool>>);

impl Shutdown {
    /// Starts the shutdown: every waiter, now and later, is released.
    pub fn begin(&self) {
        self.0.send_replace(true);
    }

    pub fn is_underway(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once [`Shutdown::begin`] has been called (at once if it already was).
    pub async fn underway(&self) {
        let mut flag = self.0.subscribe();
        // An error means the sender is gone, which cannot happen while `self` lives.
        let _ = flag.wait_for(|down| *down).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn beginning_releases_present_and_later_waiters() {
        let shutdown = Shutdown::default();
        let waiter = tokio::spawn({
            let shutdown = shutdown.clone();
            async move { shutdown.underway().await }
        });
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        assert!(!shutdown.is_underway());
        shutdown.begin();
        let within = std::time::Duration::from_secs(1);
        tokio::time::timeout(within, waiter)
            .await
            .expect("woken")
            .expect("no panic");
        tokio::time::timeout(within, shutdown.underway())
            .await
            .expect("a late waiter returns at once");
        assert!(shutdown.is_underway());
    }
}
