//! The web layer, above the domain and its adapters: the state every request reaches, who is
//! calling (the auth extractor), security headers and limits, static assets, error responses,
//! the assembled router and the background janitor.

pub mod assets;
pub mod auth;
pub mod http_error;
pub mod janitor;
pub mod router;
pub mod security;
pub mod state;
