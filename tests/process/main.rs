//! The server binary run as a child process, for what only a real process shows: signals
//! (SIGTERM, SIGKILL), settings read from its environment, and several instances on one
//! PostgreSQL database.

#[path = "../support"]
mod support {
    pub mod browser;
    pub mod process;
}

mod durability;
mod hardening;
mod scale_out;
