//! The composition root: the whole HTTP surface assembled in one router, the background
//! janitor, and [`serve`]. It sits on top of everything server-side (the pages, both adapters,
//! the web layer); nothing in the library imports it. `main` serves it, and the tests and
//! tools serve the very same router.

pub mod janitor;
pub mod router;

pub use router::{build, serve};
