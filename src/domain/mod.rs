//! The rules of the product, server-side only. Each function takes the [`Backend`] (the
//! database and what the rules need beside it) and, where it matters, the acting user, and
//! returns `Result<_, AppError>`. The REST handlers and the server functions are thin
//! adapters over this layer.

pub mod access;
pub mod backend;
pub mod calendar;
pub mod ice;
pub mod invitations;
pub mod meeting_list;
pub mod meetings;
pub mod notes;
pub mod presence;
pub mod proposals;
pub mod recordings;
pub mod signals;
pub mod throttle;
pub mod tokens;
pub mod users;
pub mod validate;

pub use backend::Backend;
