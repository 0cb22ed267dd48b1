//! The server under test: this binary run again with `--serve ADDR DIR`, in a child process
//! started through the shared harness, so that its memory is measured apart from the load
//! generator's.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::routing::get;
use leptos::config::get_configuration;
use projitt_meet::infra::config::Config;
use projitt_meet::infra::db::Db;
use projitt_meet::infra::hub::SignalHub;
use projitt_meet::server;
use projitt_meet::web::state::AppState;
use projitt_meet_tools::harness::{self, ServerProcess};

/// Shared by the child (verifies tokens) and the parent (mints them).
pub const SECRET: &str = "benchmark-secret-0123456789abcdef-0123456789";

pub fn database_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("bench.db").display())
}

pub fn config(dir: &Path) -> Config {
    let mut config = Config::new(database_url(dir), dir.join("storage"), SECRET.as_bytes());
    config.jwt_ttl_minutes = 24 * 60;
    // Senders sit idle between rounds; they must not time out of the call meanwhile.
    config.presence_timeout_seconds = 3600;
    config.public_url = "http://127.0.0.1".into();
    config
}

/// Child side (`--serve ADDR DIR`): the product router over a fresh SQLite database in DIR,
/// plus `/bench/parked` (how many recipients have a parked poll), until the parent stops it.
/// The background janitor does not run, so seeded rows stay as seeded.
pub async fn serve(args: &[String]) -> Result<(), String> {
    let [addr, dir] = args else {
        return Err("usage: bench --serve <addr> <dir>".into());
    };
    let dir = PathBuf::from(dir);
    let db = Db::connect(&database_url(&dir))
        .await
        .map_err(|e| format!("database: {e}"))?;
    db.migrate().await.map_err(|e| format!("migrations: {e}"))?;
    let manifest = projitt_meet_tools::repo_root().join("Cargo.toml");
    let manifest = manifest
        .to_str()
        .ok_or("the repository's path is not UTF-8")?;
    let options = get_configuration(Some(manifest))
        .map_err(|e| format!("Leptos configuration: {e}"))?
        .leptos_options;
    let state = AppState::new(options, db, config(&dir));
    let backend = state.backend.clone();
    let hub: Arc<SignalHub> = Arc::clone(&backend.hub);
    let app = server::build(state).route(
        "/bench/parked",
        get(move || {
            let hub = Arc::clone(&hub);
            async move { hub.parked_recipients().to_string() }
        }),
    );
    let listener = harness::listen(addr).await?;
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        harness::stop_requested().await;
        // Parked polls answer at once instead of holding the shutdown up.
        backend.shutdown.begin();
    })
    .await
    .map_err(|e| format!("serve: {e}"))
}

/// Parent side: the running child; stopped when dropped, also on an early return.
pub struct Server {
    process: ServerProcess,
    pub base: String,
    dir: PathBuf,
}

impl Server {
    pub async fn start(dir: &Path) -> Result<Self, String> {
        let process = ServerProcess::start([dir], &[]).await?;
        Ok(Self {
            base: process.base_url(),
            process,
            dir: dir.to_path_buf(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Resident memory of the server process, in KiB.
    pub fn rss_kib(&self) -> Option<u64> {
        self.process.rss_kib()
    }
}
