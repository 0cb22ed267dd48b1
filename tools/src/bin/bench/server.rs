//! The server under test: this binary run again with `--serve DIR`, in a child process, so
//! that its memory is measured apart from the load generator's.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;

use axum::routing::get;
use leptos::config::get_configuration;
use projitt_meet::infra::config::Config;
use projitt_meet::infra::db::Db;
use projitt_meet::infra::hub::SignalHub;
use projitt_meet::web::{router, state::AppState};

/// Shared by the child (verifies tokens) and the parent (mints them).
pub const SECRET: &str = "benchmark-secret-0123456789abcdef-0123456789";

pub fn database_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("bench.db").display())
}

pub fn config(dir: &Path) -> Config {
    Config {
        database_url: database_url(dir),
        jwt_secret: SECRET.as_bytes().to_vec(),
        jwt_ttl_minutes: 24 * 60,
        storage_dir: dir.join("storage"),
        production: false,
        // Senders sit idle between rounds; they must not time out of the call meanwhile.
        presence_timeout_seconds: 3600,
        ice_servers: "[]".into(),
        cookie_secure: false,
        public_url: "http://127.0.0.1".into(),
    }
}

/// Child side: the product router over a fresh SQLite database, plus `/bench/parked` (how
/// many recipients have a parked poll), until the parent closes our stdin. The background
/// janitor does not run, so seeded rows stay as seeded.
pub async fn serve(dir: PathBuf) -> Result<(), String> {
    let db = Db::connect(&database_url(&dir))
        .await
        .map_err(|e| format!("database: {e}"))?;
    db.migrate().await.map_err(|e| format!("migrations: {e}"))?;
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let options = get_configuration(Some(manifest))
        .map_err(|e| format!("Leptos configuration: {e}"))?
        .leptos_options;
    let state = AppState::new(options, db, config(&dir));
    let hub: Arc<SignalHub> = Arc::clone(&state.backend.hub);
    let app = router::build(state).route(
        "/bench/parked",
        get(move || {
            let hub = Arc::clone(&hub);
            async move { hub.parked_recipients().to_string() }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("listen: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("{addr}");
    let stdin_closed = async {
        let _ = tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
        })
        .await;
    };
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stdin_closed)
    .await
    .map_err(|e| format!("serve: {e}"))
}

/// Parent side: the running child; killed when dropped, also on an early return.
pub struct Server {
    child: Child,
    _stdin: Option<ChildStdin>,
    // Kept open: a closed pipe would make any later output of the child fail.
    _stdout: Option<BufReader<ChildStdout>>,
    pub base: String,
    dir: PathBuf,
}

impl Server {
    pub fn start(dir: &Path) -> Result<Self, String> {
        let exe = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
        let mut child = Command::new(exe)
            .arg("--serve")
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("starting the server: {e}"))?;
        let stdin = child.stdin.take();
        let mut line = String::new();
        let mut stdout = child.stdout.take().map(BufReader::new);
        if let Some(out) = stdout.as_mut() {
            let _ = out.read_line(&mut line);
        }
        let addr = line.trim();
        if addr.is_empty() {
            let _ = child.kill();
            let _ = child.wait();
            return Err("the server process did not start (see its error above)".into());
        }
        Ok(Self {
            base: format!("http://{addr}"),
            child,
            _stdin: stdin,
            _stdout: stdout,
            dir: dir.to_path_buf(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Resident memory of the server process, in KiB.
    pub fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
