//! The results as a Markdown document: the machine, how it was measured, one table.

use std::fmt::Write as _;

pub struct Row {
    pub what: String,
    pub result: String,
    pub reference: String,
    pub ratio: String,
    pub target: String,
    /// `None` when there is no target (informative rows).
    pub met: Option<bool>,
}

pub fn lat(p50: f64, p99: f64) -> String {
    format!("p50 {p50:.2} ms, p99 {p99:.2} ms")
}

pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            let line = info
                .lines()
                .find(|l| l.starts_with("MemTotal:"))?
                .to_string();
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(format!("{} GiB RAM", kib / 1024 / 1024))
        })
        .unwrap_or_default();
    format!("{cores} cores ({cpu}), {mem}, Linux")
}

pub fn markdown(quick: bool, rows: &[Row], notes: &[String]) -> String {
    let mut out = String::new();
    let when = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC");
    let _ = writeln!(out, "# Benchmarks\n");
    let _ = writeln!(
        out,
        "Measured {when} on {}{}.\n",
        machine(),
        if quick {
            ", `--quick` sizes (a smoke run, not figures)"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "Command: `cargo run --release -p projitt-meet-tools --bin bench` (add `-- --quick` for a \
         seconds-long smoke run). The server is the release build of the product router, run \
         as a child process on loopback over a fresh SQLite database (WAL, `synchronous = NORMAL`); \
         the load generator is a Rust HTTP client (reqwest) in the parent process, on the same \
         cores. Every figure is the median over the runs of that run's statistic; each result \
         sits next to its reference measured in the same run. The reference is `GET /api/ping`, \
         an internal handler that answers `{{}}` through the same middleware without touching \
         the database.\n"
    );
    let _ = writeln!(
        out,
        "| Measurement | Result | Reference (same run) | Ratio | Target | Met |\n|---|---|---|---|---|---|"
    );
    for row in rows {
        let met = match row.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "–",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            row.what, row.result, row.reference, row.ratio, row.target, met
        );
    }
    if !notes.is_empty() {
        let _ = writeln!(out, "\nNotes:\n");
        for note in notes {
            let _ = writeln!(out, "- {note}");
        }
    }
    out
}
