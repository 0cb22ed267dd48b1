//! What every request handler can reach: the rules' context and the page renderer's options.

use std::ops::Deref;
use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use crate::domain::Backend;
use crate::infra::config::Config;
use crate::infra::db::Db;

/// Shared by every request; cloning it (axum does, per extractor) copies one pointer.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub leptos_options: LeptosOptions,
    pub backend: Backend,
}

impl AppState {
    pub fn new(leptos_options: LeptosOptions, db: Db, config: Config) -> Self {
        Self(Arc::new(Shared {
            leptos_options: super::assets::with_detected_hashing(leptos_options),
            backend: Backend::new(db, config),
        }))
    }

    pub fn config(&self) -> &Config {
        &self.backend.config
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
