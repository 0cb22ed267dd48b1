//! The one context every rule runs in: the database, this instance's hub (wake-ups and the
//! memory of the database), the queues that group-commit sends and presence refreshes, the
//! login throttle, the settings, and the shutdown that releases parked polls. Built once at
//! start-up; cloning it copies one pointer.

use std::ops::Deref;
use std::sync::Arc;

use super::presence::QueuedHeartbeat;
use super::signals::QueuedSend;
use super::throttle::LoginThrottle;
use crate::infra::config::Config;
use crate::infra::db::Db;
use crate::infra::group_commit::GroupCommit;
use crate::infra::hub::SignalHub;
use crate::infra::shutdown::Shutdown;

#[derive(Clone)]
pub struct Backend(Arc<Parts>);

pub struct Parts {
    pub db: Db,
    /// Wakes parked inbox polls and remembers what may be answered without the database;
    /// writes that can take access away announce themselves here.
    pub hub: Arc<SignalHub>,
    /// Sends waiting for their turn at the writer.
    pub sends: GroupCommit<QueuedSend>,
    /// Presence refreshes waiting for their turn at the writer.
    pub heartbeats: GroupCommit<QueuedHeartbeat>,
    pub throttle: LoginThrottle,
    pub config: Config,
    pub shutdown: Shutdown,
}

impl Backend {
    pub fn new(db: Db, config: Config) -> Self {
        Self(Arc::new(Parts {
            db,
            hub: Arc::new(SignalHub::new()),
            sends: GroupCommit::default(),
            heartbeats: GroupCommit::default(),
            throttle: LoginThrottle::default(),
            config,
            shutdown: Shutdown::default(),
        }))
    }

    /// How long a participant counts as present after their last sign of life.
    pub fn presence_timeout_secs(&self) -> i64 {
        self.config.presence_timeout_seconds
    }
}

impl Deref for Backend {
    type Target = Parts;

    fn deref(&self) -> &Parts {
        &self.0
    }
}

impl AsRef<Db> for Backend {
    fn as_ref(&self) -> &Db {
        &self.db
    }
}
