//! Server-side plumbing shared by both adapters: settings, the database, the app state,
//! authentication, sessions and the assembled router.

pub mod assets;
pub mod auth;
pub mod config;
pub mod db;
pub mod group_commit;
pub mod http_error;
pub mod hub;
pub mod memo;
pub mod pg_notify;
pub mod process;
pub mod router;
pub mod security;
pub mod session_store;
pub mod state;
