//! What every request handler can reach.

use std::ops::Deref;
use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use super::config::Config;
use super::db::Db;
use super::hub::SignalHub;
use crate::domain::throttle::LoginThrottle;

/// Shared by every request; cloning it (axum does, per extractor) copies one pointer.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    pub throttle: Arc<LoginThrottle>,
    /// Wakes parked inbox long-polls when a signal for them is stored.
    pub hub: Arc<SignalHub>,
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, db: Db, config: Config) -> Self {
        Self(Arc::new(Shared {
            leptos_options: super::assets::with_detected_hashing(leptos_options),
            config: Arc::new(config),
            throttle: Arc::new(LoginThrottle::default()),
            hub: Arc::clone(db.hub()),
            db,
        }))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for Db {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}
