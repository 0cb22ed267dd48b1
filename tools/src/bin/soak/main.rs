//! Soak test of the signaling inbox: meetings of four exchange signals for a while against a real
//! server process on loopback; reports lost, duplicated and out-of-order signals, 5xx answers and
//! the server's memory. `cargo run --release -p projitt-meet-tools --bin soak -- [--seconds 60]
//! [--meetings 20] [--rate 200]`; `SOAK_DATABASE_URL=postgres://…/db` soaks Postgres instead.
//!
//! The executable runs itself a second time as the server (`soak --serve …`, through the
//! shared harness), so the RSS it reports is the server's alone.

mod server;
mod traffic;

use std::ffi::OsStr;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use reqwest::Client;
use tokio::sync::Mutex;

use projitt_meet_tools::harness::{self, ServerProcess};
use projitt_meet_tools::stats::percentile;
use server::serve;
use traffic::{Api, Ledger, Tally, meeting, receiver, register, sender};

const PARTICIPANTS: usize = 4;
const DRAIN_LIMIT: Duration = Duration::from_secs(30);

struct Settings {
    seconds: u64,
    meetings: usize,
    rate: u64,
}

fn settings() -> Result<Settings, String> {
    let mut s = Settings {
        seconds: 60,
        meetings: 20,
        rate: 200,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let value = pair
            .get(1)
            .and_then(|v| v.parse::<u64>().ok())
            .filter(|v| *v > 0);
        let value = value.ok_or_else(|| format!("{} needs a positive number", pair[0]))?;
        match pair[0].as_str() {
            "--seconds" => s.seconds = value.min(3600),
            "--meetings" => s.meetings = usize::try_from(value.min(200)).unwrap_or(200),
            "--rate" => s.rate = value.min(5000),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(s)
}

fn main() -> ExitCode {
    let runtime = match projitt_meet::infra::process::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("soak: no runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let args: Vec<String> = std::env::args().collect();
    let result = if args.get(1).map(String::as_str) == Some(harness::SERVE) {
        runtime.block_on(serve(&args[2..]))
    } else {
        settings().and_then(|s| runtime.block_on(soak(s)))
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(2),
        Err(message) => {
            eprintln!("soak: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Resident and peak resident memory of the server, in KiB (0 when unknown).
fn memory_kib(server: &ServerProcess) -> (u64, u64) {
    (
        server.rss_kib().unwrap_or(0),
        server.peak_rss_kib().unwrap_or(0),
    )
}

async fn soak(s: Settings) -> Result<bool, String> {
    let dir = std::env::temp_dir().join(format!("projitt-soak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let database_url = std::env::var("SOAK_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.join("soak.db").display()));
    // Up once it answers its health check.
    let server = ServerProcess::start(
        [OsStr::new(&database_url), dir.join("app").as_os_str()],
        &[("RUST_LOG", "warn")],
    )
    .await?;
    let (pid, addr) = (server.pid(), server.addr());
    let http = Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let api = Arc::new(Api {
        http,
        base: server.base_url(),
        tally: Tally::default(),
    });
    let (rss_start, _) = memory_kib(&server);
    println!(
        "server pid {pid} on {addr}, {database_url}; RSS at start {} KiB",
        rss_start
    );

    let mut calls = Vec::new();
    for m in 0..s.meetings {
        let mut members = Vec::new();
        for p in 0..PARTICIPANTS {
            members.push(register(&api, m * PARTICIPANTS + p).await?);
        }
        calls.push((meeting(&api, &members).await?, members));
    }
    let (rss_ready, _) = memory_kib(&server);
    let senders = (s.meetings * PARTICIPANTS) as u64;
    let period = Duration::from_micros(1_000_000 * senders / s.rate);
    println!(
        "{} meetings × {PARTICIPANTS} ready (RSS {rss_ready} KiB); sending {} signals/s for {} s",
        s.meetings, s.rate, s.seconds
    );

    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let stop_sending = Arc::new(AtomicBool::new(false));
    let stop_receiving = Arc::new(AtomicBool::new(false));
    let (mut senders, mut receivers) = (Vec::new(), Vec::new());
    for (meeting, members) in &calls {
        for me in members {
            let others = members
                .iter()
                .map(|m| m.id)
                .filter(|id| *id != me.id)
                .collect();
            senders.push(tokio::spawn(sender(
                api.clone(),
                *meeting,
                me.clone(),
                others,
                period,
                stop_sending.clone(),
                ledger.clone(),
            )));
            receivers.push(tokio::spawn(receiver(
                api.clone(),
                *meeting,
                me.clone(),
                stop_receiving.clone(),
                ledger.clone(),
            )));
        }
    }
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(s.seconds)).await;
    stop_sending.store(true, Ordering::Relaxed);
    // A send in flight at the stop still counts: wait for its answer before draining.
    for task in senders {
        let _ = task.await;
    }
    let sending_took = started.elapsed();
    let drain_started = Instant::now();
    loop {
        let ledger = ledger.lock().await;
        let done = ledger
            .sent
            .keys()
            .all(|id| ledger.received.contains_key(id));
        drop(ledger);
        if done || drain_started.elapsed() > DRAIN_LIMIT {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    stop_receiving.store(true, Ordering::Relaxed);
    let drain_took = drain_started.elapsed();
    for task in receivers {
        let _ = task.await;
    }
    let (rss_end, rss_peak) = memory_kib(&server);
    drop(server);

    let mut ledger = Arc::try_unwrap(ledger)
        .map_err(|_| "tasks still running")?
        .into_inner();
    let lost = ledger
        .sent
        .keys()
        .filter(|id| !ledger.received.contains_key(id))
        .count();
    let duplicated: u64 = ledger
        .received
        .values()
        .map(|n| u64::from(n.saturating_sub(1)))
        .sum();
    let server_errors = api.tally.server_errors.load(Ordering::Relaxed);
    ledger.send_latencies_ms.sort_unstable();
    let l = &ledger.send_latencies_ms;
    println!("--- soak result ---");
    println!(
        "signals answered 201: {} in {:.1} s ({:.0}/s)",
        ledger.sent.len(),
        sending_took.as_secs_f64(),
        ledger.sent.len() as f64 / sending_took.as_secs_f64()
    );
    println!(
        "delivered: {}; lost: {lost}; duplicated: {duplicated}; out of order: {}",
        ledger.received.len(),
        ledger.out_of_order
    );
    println!(
        "requests: {}; 5xx: {server_errors}; other 4xx: {}; transport errors: {}",
        api.tally.requests.load(Ordering::Relaxed),
        api.tally.other_errors.load(Ordering::Relaxed),
        api.tally.transport_errors.load(Ordering::Relaxed)
    );
    println!(
        "send latency ms: p50 {} p95 {} p99 {} max {}",
        percentile(l, 50.0),
        percentile(l, 95.0),
        percentile(l, 99.0),
        l.last().copied().unwrap_or(0)
    );
    println!(
        "server RSS KiB: start {rss_start}, after setup {rss_ready}, end {rss_end}, peak {rss_peak}"
    );
    println!("drained in {:.1} s", drain_took.as_secs_f64());
    let mut missing: Vec<(i64, (i64, i64, u64))> = ledger
        .sent
        .iter()
        .filter(|(id, _)| !ledger.received.contains_key(id))
        .map(|(id, what)| (*id, *what))
        .collect();
    missing.sort_unstable();
    for (id, (from, to, seq)) in missing.iter().take(10) {
        println!("lost: signal {id} from {from} to {to}, seq {seq}");
    }
    if missing.is_empty() {
        let _ = std::fs::remove_dir_all(&dir);
    } else {
        println!("database kept in {}", dir.display());
    }
    Ok(lost == 0 && duplicated == 0 && server_errors == 0 && ledger.out_of_order == 0)
}
