//! Projitt Meet: schedule meetings, invite people, and meet over a browser WebRTC mesh.
//!
//! The layers, top to bottom; each imports only those below it (docs/ARCHITECTURE.md draws
//! them and walks a signal through):
//! - `server` (server): the composition root: one router for the whole HTTP surface, the
//!   background janitor, `serve`. `main.rs` only reads settings, migrates and serves it.
//! - `app`, `pages`, `components` (both sides): the UI, rendered on the server and hydrated.
//! - `rtc` (browser only, `hydrate`): the call engine: peer connections, media, the inbox
//!   long-poll and presence loops.
//! - `rest` and `server_fns` (server): thin adapters over the domain: the JSON API under
//!   `/api` with its OpenAPI document, and the pages' server functions under `/rpc`.
//! - `session` (both sides): the signed-in user as the pages see it.
//! - `web` (server): what both adapters stand on: the state every request reaches, the auth
//!   extractor, security headers and time limits, static assets, error responses.
//! - `domain` (server): the rules. Every one takes the [`domain::Backend`] context.
//! - `infra` (server): settings, the database and its dialects, wake-ups and the cache
//!   (hub, memo), group commit, the Postgres change feed, sessions, shutdown.
//! - `model` and `error` (both sides): the shared types, and the one error type with the
//!   API's error codes.

// Fully typed views (release builds keep every component's type) nest deeper than the default.
#![recursion_limit = "256"]

pub mod app;
pub mod components;
pub mod error;
pub mod model;
pub mod pages;
pub mod rtc;
pub mod server_fns;
pub mod session;

#[cfg(feature = "ssr")]
pub mod domain;
#[cfg(feature = "ssr")]
pub mod infra;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod web;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Lazily loaded routes need the hydration entry that can wait for their code.
    leptos::mount::hydrate_lazy(app::App);
}
