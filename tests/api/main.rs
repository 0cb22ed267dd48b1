//! The HTTP API and the pages' server functions, specified against the real router started
//! in-process on a port-0 listener over a fresh database (SQLite, or a fresh PostgreSQL
//! database with `TEST_DATABASE_URL`). One test binary, so the app is linked once for all.

#[path = "../support"]
mod support {
    pub mod app;
    pub mod browser;
    pub mod call;
    pub mod meetings;
    pub mod recordings;
}

mod auth;
mod authz_matrix;
mod hardening;
mod invitations;
mod meeting_end;
mod meeting_views;
mod meetings;
mod notes;
mod openapi;
mod presence;
mod proposals;
mod recordings;
mod rpc_auth;
mod rtc_config;
mod signal_rules;
mod signals;
mod time_range;
