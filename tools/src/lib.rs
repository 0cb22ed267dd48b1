//! What the tool binaries (`bench`, `soak`) share: the server under test as a child process
//! ([`harness`]) and the statistics of their samples ([`stats`]).

pub mod harness;
pub mod stats;

use std::path::Path;

/// The repository's root: the product crate, with its `Cargo.toml`, `docs/` and `target/`.
pub fn repo_root() -> &'static Path {
    let tools = Path::new(env!("CARGO_MANIFEST_DIR"));
    tools.parent().unwrap_or(tools)
}
