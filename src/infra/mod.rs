//! Infrastructure below the domain: settings, the database handle and its dialects, this
//! instance's wake-ups and memory of the database (hub, memo), group commit, the Postgres
//! change feed, browser sessions, shutdown and process set-up. Nothing here knows a rule of
//! the product: it imports only `model` and `error`.

pub mod config;
pub mod db;
pub mod group_commit;
pub mod hub;
pub mod memo;
pub mod pg_notify;
pub mod process;
pub mod session_store;
pub mod shutdown;
