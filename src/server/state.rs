//! What every request handler can reach.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use super::config::Config;
use super::db::Db;
use super::hub::SignalHub;
use crate::domain::throttle::LoginThrottle;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    pub throttle: Arc<LoginThrottle>,
    /// Wakes parked inbox long-polls when a signal for them is stored.
    pub hub: Arc<SignalHub>,
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, db: Db, config: Config) -> Self {
        Self {
            leptos_options: super::assets::with_detected_hashing(leptos_options),
            config: Arc::new(config),
            throttle: Arc::new(LoginThrottle::default()),
            hub: Arc::clone(db.hub()),
            db,
        }
    }
}
