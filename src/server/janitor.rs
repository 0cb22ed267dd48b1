//! Background clean-up, once a minute until shutdown: expired sessions and revocations,
//! timed-out participants, and acknowledged or orphaned signals.

use std::time::Duration;

use crate::domain::{Backend, presence, signals, tokens};
use crate::infra::session_store::DbSessionStore;

pub fn spawn(backend: Backend) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let sessions = DbSessionStore::new(backend.db.clone(), backend.hub.clone());
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = backend.shutdown.underway() => return,
            }
            if let Err(e) = sessions.prune().await {
                tracing::warn!(error = %e, "pruning sessions failed");
            }
            if let Err(e) = tokens::prune_revoked(&backend).await {
                tracing::warn!(error = %e, "pruning revoked tokens failed");
            }
            if let Err(e) = presence::sweep_timed_out(&backend, None).await {
                tracing::warn!(error = %e, "sweeping timed-out participants failed");
            }
            if let Err(e) = signals::prune(&backend).await {
                tracing::warn!(error = %e, "pruning signals failed");
            }
        }
    })
}
