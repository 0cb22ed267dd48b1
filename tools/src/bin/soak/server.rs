//! The soak's server side: the real router in a process of its own, and its memory figures.

use std::process::{Child, Command};

use leptos::config::LeptosOptions;
use projitt_meet::infra::{config::Config, db::Db};
use projitt_meet::web::{router, state::AppState};

/// The server side: `--serve <addr> <database url> <storage dir>`, until SIGTERM.
pub async fn serve(args: &[String]) -> Result<bool, String> {
    let [addr, database_url, storage] = args else {
        return Err("usage: soak --serve <addr> <database url> <storage dir>".into());
    };
    let db = Db::connect(database_url).await.map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    let config = Config {
        database_url: database_url.clone(),
        jwt_secret: b"soak-test-secret-0123456789abcdefghijkl".to_vec(),
        jwt_ttl_minutes: 120,
        storage_dir: storage.into(),
        production: false,
        presence_timeout_seconds: 30,
        ice_servers: "[]".into(),
        cookie_secure: false,
        public_url: format!("http://{addr}"),
    };
    let options = LeptosOptions::builder()
        .output_name("projitt-meet")
        .site_addr(
            addr.parse::<std::net::SocketAddr>()
                .map_err(|e| e.to_string())?,
        )
        .build();
    let listener = tokio::net::TcpListener::bind(addr.as_str())
        .await
        .map_err(|e| e.to_string())?;
    let shutdown = async {
        if let Ok(mut term) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            term.recv().await;
        }
    };
    router::serve(listener, AppState::new(options, db, config), shutdown)
        .await
        .map_err(|e| e.to_string())?;
    Ok(true)
}

/// Resident and peak resident memory of a process, in KiB.
pub fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

pub struct ServerProcess(pub Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}
