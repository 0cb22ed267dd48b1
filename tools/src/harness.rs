//! The server under test, as a child process: the tool's own executable run again in its
//! serving mode (`TOOL --serve ADDR ARGS…`), so that the memory read from /proc is the
//! server's alone, apart from the load generator's.
//!
//! Parent side: [`ServerProcess::start`] picks a free loopback port, starts the child, waits
//! until `GET /api/health` answers 200, and stops the child when dropped. Child side:
//! [`listen`] binds the address it was given and [`stop_requested`] says when to stop.

use std::ffi::OsStr;
use std::net::SocketAddr;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

/// The first argument of the serving mode.
pub const SERVE: &str = "--serve";

/// How long the child may take to answer its health check.
const START_LIMIT: Duration = Duration::from_secs(30);
/// How long a stopped child may take over its graceful shutdown before it is killed.
const STOP_LIMIT: Duration = Duration::from_secs(10);

/// The running child; stopped when dropped, also on an early return.
pub struct ServerProcess {
    child: Child,
    // Held open: the child stops when its stdin closes, so it never outlives this process,
    // even one that is killed.
    _stdin: Option<ChildStdin>,
    addr: SocketAddr,
}

impl ServerProcess {
    /// Runs this executable again as `--serve ADDR args…` with `envs` added to its
    /// environment, ADDR being a free loopback port, and waits until it is healthy.
    pub async fn start<I, S>(args: I, envs: &[(&str, &str)]) -> Result<Self, String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let addr = free_loopback_addr()?;
        let exe = std::env::current_exe().map_err(|e| format!("own path: {e}"))?;
        let mut child = Command::new(exe)
            .arg(SERVE)
            .arg(addr.to_string())
            .args(args)
            .envs(envs.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start the server: {e}"))?;
        let mut server = Self {
            _stdin: child.stdin.take(),
            child,
            addr,
        };
        server.until_healthy().await?;
        Ok(server)
    }

    /// Polls `GET /api/health` until it answers 200; refused connections while the server
    /// starts are no errors.
    async fn until_healthy(&mut self) -> Result<(), String> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        let url = format!("{}/api/health", self.base_url());
        let started = Instant::now();
        loop {
            if http.get(&url).send().await.is_ok_and(|r| r.status() == 200) {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "the server process exited ({status}; see its error above)"
                ));
            }
            if started.elapsed() > START_LIMIT {
                return Err("the server did not come up".into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory of the server process (VmRSS), in KiB.
    pub fn rss_kib(&self) -> Option<u64> {
        self.status_kib("VmRSS:")
    }

    /// The peak of its resident memory so far (VmHWM), in KiB.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        self.status_kib("VmHWM:")
    }

    fn status_kib(&self, field: &str) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix(field))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    }
}

impl Drop for ServerProcess {
    /// SIGTERM first, for the server's graceful shutdown; killed if it takes too long.
    fn drop(&mut self) {
        if !matches!(self.child.try_wait(), Ok(None)) {
            return;
        }
        if let Ok(pid) = libc::pid_t::try_from(self.child.id()) {
            // SAFETY: kill(2) only sends a signal; the child has not been reaped (checked
            // just above, and only this value reaps it), so its pid still names it.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
        }
        let deadline = Instant::now() + STOP_LIMIT;
        while Instant::now() < deadline {
            match self.child.try_wait() {
                Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                _ => return,
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A loopback address with a port that was free a moment ago.
fn free_loopback_addr() -> Result<SocketAddr, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map_err(|e| format!("no free port: {e}"))
}

/// Child side: listens on the address the parent passed after `--serve`.
pub async fn listen(addr: &str) -> Result<tokio::net::TcpListener, String> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))
}

/// Child side: resolves when the server should stop, on SIGTERM or once the parent is gone
/// (its end of our stdin closed).
pub async fn stop_requested() {
    let (parent_gone, gone) = tokio::sync::oneshot::channel::<()>();
    // A thread of its own, not the runtime's blocking pool: the read never ends while the
    // parent lives, and the runtime's shutdown would wait for it.
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        let _ = parent_gone.send(());
    });
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = gone => {}
        () = terminate => {}
    }
}
