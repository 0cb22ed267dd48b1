//! Server functions: the pages' calls into the domain. Each is a thin adapter, like a REST
//! handler: find the caller, call one domain function, return its result.

pub mod auth;
pub mod call;
#[cfg(feature = "ssr")]
mod ctx;
pub mod invitations;
pub mod meetings;
pub mod notes;
pub mod presence;
pub mod recordings;
