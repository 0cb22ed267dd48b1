//! Projitt Meet: schedule meetings, invite people, and meet over a browser WebRTC mesh.
//!
//! Layers, top to bottom: `pages` and `components` (UI, both sides), `server_fns` (the pages'
//! calls), `rest` (the JSON API), `domain` (the rules), `server` (config, database, auth
//! plumbing). `model` and `error` are shared by the server and the browser.

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
pub mod web;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Lazily loaded routes need the hydration entry that can wait for their code.
    leptos::mount::hydrate_lazy(app::App);
}
