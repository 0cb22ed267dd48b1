//! The web layer, between the domain and the adapters that use it: the state every request
//! reaches, who is calling (the auth extractor), security headers and limits, static assets
//! and error responses. The router that assembles it all is `server`'s.

pub mod assets;
pub mod auth;
pub mod http_error;
pub mod security;
pub mod state;
