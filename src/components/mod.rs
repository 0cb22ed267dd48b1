//! Pieces of UI that several pages use.

pub mod badge;
pub mod error_view;
pub mod form;
pub mod header;
pub mod join_link;
pub mod not_found;
pub mod require_user;
pub mod sign_in;
pub mod time;
