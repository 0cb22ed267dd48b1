//! One module per page.

pub mod auth;
pub mod call;
pub mod home;
pub mod invitations;
pub mod join;
pub mod meeting;
pub mod meetings;
