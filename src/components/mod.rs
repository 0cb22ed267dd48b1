//! Pieces of UI that several pages use.

pub mod form;
pub mod header;
pub mod require_user;
