//! The benchmark: `cargo run --release -p projitt-meet-tools --bin bench -- [--quick] [--out FILE]`.
//! Starts the server on loopback over a fresh SQLite database, loads it over HTTP, and writes
//! a Markdown table (docs/BENCHMARKS.md for a full run, stdout always).

mod fixture;
mod measure;
mod report;
mod server;

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use leptos::server_fn::ServerFn;
use projitt_meet_tools::harness;
use projitt_meet_tools::stats::{median, percentile};
use report::{Row, lat};

struct Sizes {
    runs: usize,
    guests: usize,
    meetings: usize,
    pair_counts: Vec<usize>,
    max_rounds: usize,
    concurrency: usize,
    duration: Duration,
    rows: (i64, i64),
    poll_samples: usize,
    parked: usize,
    one_by_one: usize,
    page_samples: usize,
}

impl Sizes {
    fn new(quick: bool) -> Self {
        if quick {
            Self {
                runs: 1,
                guests: 40,
                meetings: 20,
                pair_counts: vec![1, 5, 20],
                max_rounds: 3,
                concurrency: 5,
                duration: Duration::from_millis(300),
                rows: (1_000, 10_000),
                poll_samples: 30,
                parked: 40,
                one_by_one: 10,
                page_samples: 10,
            }
        } else {
            Self {
                runs: 5,
                guests: 1000,
                meetings: 100,
                pair_counts: vec![1, 50, 500],
                max_rounds: 100,
                concurrency: 50,
                duration: Duration::from_secs(3),
                rows: (1_000, 1_000_000),
                poll_samples: 500,
                parked: 1000,
                one_by_one: 200,
                page_samples: 200,
            }
        }
    }

    /// Rounds per run for `pairs` concurrent pairs: about a thousand samples, at least three.
    fn rounds(&self, pairs: usize) -> usize {
        (1000 / pairs.max(1)).clamp(3, self.max_rounds)
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = match projitt_meet::infra::process::runtime() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("bench: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match args.first().map(String::as_str) {
        Some(harness::SERVE) => runtime.block_on(server::serve(&args[1..])),
        Some("--help" | "-h") => {
            println!("usage: bench [--quick] [--out FILE]");
            Ok(())
        }
        _ => parse(&args).and_then(|(quick, out)| runtime.block_on(run(quick, out))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse(args: &[String]) -> Result<(bool, Option<PathBuf>), String> {
    let mut quick = false;
    let mut out = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" => quick = true,
            "--out" => out = Some(PathBuf::from(args.next().ok_or("--out needs a file")?)),
            other => return Err(format!("unknown argument {other:?} (try --help)")),
        }
    }
    // A smoke run must not overwrite the real figures unless asked to.
    if out.is_none() && !quick {
        out = Some(projitt_meet_tools::repo_root().join("docs/BENCHMARKS.md"));
    }
    Ok((quick, out))
}

async fn run(quick: bool, out: Option<PathBuf>) -> Result<(), String> {
    let sizes = Sizes::new(quick);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!("projitt-bench-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let result = measure_all(&sizes, &dir, quick).await;
    let _ = std::fs::remove_dir_all(&dir);
    let (rows, notes) = result?;
    let text = report::markdown(quick, &rows, &notes);
    println!("{text}");
    if let Some(out) = out {
        std::fs::write(&out, &text).map_err(|e| format!("{}: {e}", out.display()))?;
        eprintln!("bench: wrote {}", out.display());
    }
    Ok(())
}

fn progress(what: &str) {
    eprintln!("bench: {what}");
    let _ = std::io::stderr().flush();
}

async fn measure_all(
    sizes: &Sizes,
    dir: &std::path::Path,
    quick: bool,
) -> Result<(Vec<Row>, Vec<String>), String> {
    let server = server::Server::start(dir).await?;
    let rss_fresh = server.rss_kib().unwrap_or(0) as f64 / 1024.0;
    progress("building the fixture");
    let w = fixture::build(&server, sizes.guests, sizes.meetings).await?;
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    let receiver = 0;
    let ping = w.url("/api/ping");
    let send_pairs: Vec<(usize, usize)> = (0..sizes.concurrency.min(w.guests.len() / 2))
        .map(|k| (2 * k + 2, 2 * k + 3))
        .filter(|&(_, r)| r < w.guests.len())
        .collect();

    // c first, on two fresh servers alike but for the size of rtc_signals: this one, whose
    // table is grown to the large size (every later stage runs here), and a second one at the
    // small size. Their runs alternate, so that a slow spell of the machine, which can last
    // seconds, falls on both stages alike instead of on whichever was running then.
    let small_dir = dir.join("small-table");
    std::fs::create_dir_all(&small_dir).map_err(|e| format!("{}: {e}", small_dir.display()))?;
    let small_server = server::Server::start(&small_dir).await?;
    let ws = fixture::build(&small_server, sizes.guests, sizes.meetings).await?;
    // Untimed warm-up of the paths measured (connections, the server's memory, the database's
    // caches and files), so that no stage measured is the first to run: the first seconds of
    // sends on a fresh server ran up to 30 % slower. Its rows go again.
    for world in [&ws, &w] {
        measure::send_throughput(world, &send_pairs, sizes.duration).await?;
        world.delete_signals().await?;
    }
    progress(&format!(
        "c: rtc_signals at {} rows on one server and {} on the other",
        sizes.rows.0, sizes.rows.1
    ));
    ws.seed_signals(sizes.rows.0, ws.guests[receiver].id)
        .await?;
    w.seed_signals(sizes.rows.1, w.guests[receiver].id).await?;
    let (small_rows, large_rows) = (ws.signal_rows().await?, w.signal_rows().await?);
    let [small, large] = table_stages([&ws, &w], sizes, receiver, &send_pairs).await?;
    drop(ws);
    drop(small_server);

    progress("e: page render");
    let page = page_render(&w, sizes).await?;
    let bare_seq: Vec<f64> = {
        let mut per_run = Vec::new();
        for _ in 0..sizes.runs {
            let samples = measure::sequential(&w.client, &ping, None, sizes.page_samples).await?;
            per_run.push(percentile(&samples, 50.0));
        }
        per_run
    };

    for &pairs in &sizes.pair_counts {
        progress(&format!("a: long-poll delivery with {pairs} pairs"));
        let chosen: Vec<(usize, usize)> = (0..pairs).map(|k| (2 * k, 2 * k + 1)).collect();
        if chosen.iter().any(|&(_, r)| r >= w.guests.len()) {
            return Err(format!("{pairs} pairs need {} guests", 2 * pairs));
        }
        let (mut d50, mut d99, mut b50, mut b99) = (vec![], vec![], vec![], vec![]);
        let mut s50 = vec![];
        for _ in 0..sizes.runs {
            let (mut deliveries, mut sends, mut bare) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..sizes.rounds(pairs) {
                let (delivered, sent) = measure::delivery_round(&w, &chosen).await?;
                deliveries.extend(delivered);
                sends.extend(sent);
                bare.extend(measure::ping_burst(&w, pairs).await?);
            }
            s50.push(percentile(&sends, 50.0));
            d50.push(percentile(&deliveries, 50.0));
            d99.push(percentile(&deliveries, 99.0));
            b50.push(percentile(&bare, 50.0));
            b99.push(percentile(&bare, 99.0));
        }
        let ratio = median(&d50) / median(&b50).max(f64::EPSILON);
        rows.push(Row {
            what: format!("a. long-poll delivery, {pairs} concurrent pair(s)"),
            result: lat(median(&d50), median(&d99)),
            reference: format!(
                "bare, {pairs} at once: {}; the send request alone: p50 {:.2} ms",
                lat(median(&b50), median(&b99)),
                median(&s50)
            ),
            ratio: format!("{ratio:.2}× (p50)"),
            target: "p50 ≤ 3× bare".into(),
            met: Some(ratio <= 3.0),
        });
    }

    progress("b: empty-inbox poll throughput");
    let (mut polls, mut bares) = (vec![], vec![]);
    for _ in 0..sizes.runs {
        let since = w.high_water().await?;
        let poll_workers = (0..sizes.concurrency)
            .map(|k| {
                let g = &w.guests[k % w.guests.len()];
                (w.inbox_url(0, since), Some(g.token.clone()))
            })
            .collect();
        let bare_workers = (0..sizes.concurrency)
            .map(|_| (ping.clone(), None))
            .collect();
        bares.push(measure::throughput(&w, bare_workers, sizes.duration).await?);
        polls.push(measure::throughput(&w, poll_workers, sizes.duration).await?);
    }
    let share = median(&polls) / median(&bares).max(f64::EPSILON);
    rows.push(Row {
        what: format!(
            "b. empty-inbox poll (wait=0), {} clients",
            sizes.concurrency
        ),
        result: format!("{:.0} req/s", median(&polls)),
        reference: format!("bare: {:.0} req/s", median(&bares)),
        ratio: format!("{:.0} %", share * 100.0),
        target: "≥ 50 % of bare".into(),
        met: Some(share >= 0.5),
    });

    progress(&format!("d: {} parked long-polls", sizes.parked));
    let parked_n = sizes.parked.min(w.guests.len());
    let (mut rss_idle, mut rss_parked, mut one50, mut one99, mut burst99) =
        (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..sizes.runs {
        let got = measure::parked_many(&w, || server.rss_kib(), parked_n, sizes.one_by_one).await?;
        rss_idle.push(got.rss_idle_kib as f64 / 1024.0);
        rss_parked.push(got.rss_parked_kib as f64 / 1024.0);
        one50.push(percentile(&got.one_by_one, 50.0));
        one99.push(percentile(&got.one_by_one, 99.0));
        burst99.push(percentile(&got.burst, 99.0));
    }
    let rss = median(&rss_parked);
    rows.push(Row {
        what: format!("d. server RSS with {parked_n} parked polls"),
        result: format!("{rss:.1} MB"),
        reference: format!(
            "same server idle after the earlier loads: {:.1} MB; fresh: {rss_fresh:.1} MB",
            median(&rss_idle)
        ),
        ratio: "–".into(),
        target: "≤ 100 MB".into(),
        met: Some(rss <= 100.0),
    });
    let p99 = median(&one99);
    rows.push(Row {
        what: format!(
            "d. delivery while {parked_n} polls are parked ({} in turn)",
            sizes.one_by_one
        ),
        result: lat(median(&one50), p99),
        reference: format!("bare sequential p50 {:.2} ms", median(&bare_seq)),
        ratio: "–".into(),
        target: "p99 ≤ 50 ms".into(),
        met: Some(p99 <= 50.0),
    });
    rows.push(Row {
        what: format!(
            "d. the other {} parked polls, all sent to at once",
            parked_n.saturating_sub(sizes.one_by_one)
        ),
        result: format!("p99 {:.1} ms", median(&burst99)),
        reference: "–".into(),
        ratio: "–".into(),
        target: "(informative)".into(),
        met: None,
    });

    let poll_ratio = large.0 / small.0.max(f64::EPSILON);
    rows.push(Row {
        what: format!("c. inbox poll with {large_rows} rows in rtc_signals"),
        result: lat(large.0, large.1),
        reference: format!("{small_rows} rows: {}", lat(small.0, small.1)),
        ratio: format!("{poll_ratio:.2}× (p50)"),
        target: "≤ 1.2×".into(),
        met: Some(poll_ratio <= 1.2),
    });
    let send_ratio = small.2 / large.2.max(f64::EPSILON);
    rows.push(Row {
        what: format!(
            "c. send throughput, {} senders, from {large_rows} rows",
            send_pairs.len()
        ),
        result: format!("{:.0} signals/s", large.2),
        reference: format!("from {small_rows} rows: {:.0} signals/s", small.2),
        ratio: format!("{send_ratio:.2}× slower"),
        target: "≤ 1.2×".into(),
        met: Some(send_ratio <= 1.2),
    });

    let page50 = median(&page);
    rows.push(Row {
        what: format!("e. render /meetings, owner of {} meetings", sizes.meetings),
        result: format!("p50 {page50:.2} ms"),
        reference: format!("bare sequential p50 {:.2} ms", median(&bare_seq)),
        ratio: format!("{:.1}×", page50 / median(&bare_seq).max(f64::EPSILON)),
        target: "p50 ≤ 5 ms".into(),
        met: Some(page50 <= 5.0),
    });
    rows.push(wasm_row(&mut notes, quick));

    notes.push(format!(
        "a: each round parks every receiver (`wait=10`), waits until the server reports them \
         all parked, then every sender sends at once; a sample runs from the send request \
         leaving to the receiver's poll answering, so it includes storing the signal \
         (a durable SQLite commit). The reference fires as many pings at once. {} rounds \
         per run for 1 pair, fewer for more pairs (about 1000 samples a run).",
        sizes.rounds(1)
    ));
    notes.push(
        "c: measured first, on two fresh servers alike but for the table's size (each after an \
         untimed warm-up), whose runs alternate, so a slow spell of the machine falls on both \
         stages alike; every other stage runs on the server with the large table. The seeded rows are \
         nine in ten unacknowledged signals of other meetings and one in ten acknowledged \
         signals in the polled inbox; the partial inbox index skips both. After seeding, the \
         write-ahead log is checkpointed and the kernel's buffers flushed, as at rest."
            .into(),
    );
    notes.push(
        "d: RSS is read from /proc/<server pid>/status (VmRSS) of the server process alone.".into(),
    );
    if !quick {
        notes.push(format!("{} runs of every measurement.", sizes.runs));
    }
    drop(w);
    drop(server);
    Ok((rows, notes))
}

/// For each world: poll latency (p50, p99) of the receiver's empty inbox and send
/// throughput, medians over the runs, at the table's current size. The worlds take turns
/// run by run.
async fn table_stages<const N: usize>(
    worlds: [&fixture::World; N],
    sizes: &Sizes,
    receiver: usize,
    send_pairs: &[(usize, usize)],
) -> Result<[(f64, f64, f64); N], String> {
    let (mut p50, mut p99, mut sends) = (
        [(); N].map(|_| vec![]),
        [(); N].map(|_| vec![]),
        [(); N].map(|_| vec![]),
    );
    // All polls before any send, so they all see the tables at the sizes reported.
    let mut urls = Vec::with_capacity(N);
    for w in worlds {
        urls.push(w.inbox_url(0, w.high_water().await?));
    }
    for _ in 0..sizes.runs {
        for (i, w) in worlds.iter().enumerate() {
            let token = w.guests[receiver].token.clone();
            let samples =
                measure::sequential(&w.client, &urls[i], Some(&token), sizes.poll_samples).await?;
            p50[i].push(percentile(&samples, 50.0));
            p99[i].push(percentile(&samples, 99.0));
        }
    }
    for _ in 0..sizes.runs {
        for (i, w) in worlds.iter().enumerate() {
            sends[i].push(measure::send_throughput(w, send_pairs, sizes.duration).await?);
        }
    }
    Ok(std::array::from_fn(|i| {
        (median(&p50[i]), median(&p99[i]), median(&sends[i]))
    }))
}

/// Signs the owner in through the login form's server function (a session cookie, as a
/// browser), then times `GET /meetings`; one p50 per run.
async fn page_render(w: &fixture::World, sizes: &Sizes) -> Result<Vec<f64>, String> {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .tcp_nodelay(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let login = w.url(projitt_meet::server_fns::auth::Login::PATH);
    let res = browser
        .post(&login)
        .header("accept", "application/json")
        .form(&[
            ("email", w.owner_email.as_str()),
            ("password", fixture::PASSWORD),
        ])
        .send()
        .await
        .map_err(|e| format!("login: {e}"))?;
    if res.status() != 200 {
        return Err(format!("login: {}", res.status()));
    }
    let page = w.url("/meetings");
    let mut per_run = Vec::new();
    for _ in 0..sizes.runs {
        let samples = measure::sequential(&browser, &page, None, sizes.page_samples).await?;
        per_run.push(percentile(&samples, 50.0));
    }
    Ok(per_run)
}

/// The release bundle's wasm: `scripts/build.sh release` names it after its content hash,
/// recorded in target/release/hash.txt.
fn release_wasm() -> Option<std::path::PathBuf> {
    let root = projitt_meet_tools::repo_root();
    let hashes = std::fs::read_to_string(root.join("target/release/hash.txt")).ok()?;
    let hash = hashes
        .lines()
        .find_map(|line| line.strip_prefix("wasm:"))?
        .trim();
    let path = root.join(format!("target/site/pkg/projitt-meet.{hash}.wasm"));
    path.is_file().then_some(path)
}

fn wasm_row(notes: &mut Vec<String>, quick: bool) -> Row {
    let what = "e. hydrate wasm size (release)".to_string();
    let target = "≤ 150 KB brotli".to_string();
    let Some((path, bytes)) =
        release_wasm().and_then(|path| Some((path.clone(), std::fs::read(path).ok()?)))
    else {
        return Row {
            what,
            result: "not measured (no release bundle in target/site; run scripts/build.sh release)"
                .into(),
            reference: "–".into(),
            ratio: "–".into(),
            target,
            met: None,
        };
    };
    let gzip = std::process::Command::new("gzip")
        .arg("-9")
        .arg("-c")
        .arg(&path)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or("n/a".to_string(), |o| kib(o.stdout.len()));
    // Quality 11 takes seconds per megabyte; a smoke run only shows that the row works.
    let quality = if quick { 1 } else { 11 };
    let brotli = brotli_size(&bytes, quality);
    // The lazily loaded modules of the pages behind sign-in (`--split`), fetched on first use.
    let lazy: Vec<Vec<u8>> = path
        .parent()
        .and_then(|dir| std::fs::read_dir(dir).ok())
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            (name.starts_with("split___") || name.starts_with("chunk_")) && name.ends_with(".wasm")
        })
        .filter_map(|p| std::fs::read(p).ok())
        .collect();
    let lazy_raw: usize = lazy.iter().map(Vec::len).sum();
    let lazy_brotli: Option<usize> = lazy.iter().map(|b| brotli_size(b, quality)).sum();
    notes.push(
        "e: the wasm is the release bundle in target/site/pkg (the main module is the file \
         target/release/hash.txt names); browsers download the brotli copies that \
         `scripts/build.sh release` stores beside each file. The first download is the main \
         module; the pages behind sign-in come as separate modules on first use."
            .into(),
    );
    Row {
        what,
        result: format!(
            "first download {} raw, {gzip} gzip -9, {} brotli {quality}; {} lazily loaded modules: {} raw, {} brotli in all",
            kib(bytes.len()),
            brotli.map_or("n/a".into(), kib),
            lazy.len(),
            kib(lazy_raw),
            lazy_brotli.map_or("n/a".into(), kib)
        ),
        reference: "–".into(),
        ratio: "–".into(),
        met: brotli.map(|size| size <= 150 * 1000),
        target,
    }
}

fn brotli_size(bytes: &[u8], quality: u32) -> Option<usize> {
    let mut writer = brotli::CompressorWriter::new(Vec::new(), 4096, quality, 22);
    writer.write_all(bytes).ok()?;
    Some(writer.into_inner().len())
}

fn kib(bytes: usize) -> String {
    format!("{:.0} KiB", bytes as f64 / 1024.0)
}
