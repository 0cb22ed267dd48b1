//! The benchmark tool works end to end: a `--quick` run measures everything against a real
//! server process and prints the results table.

use std::process::Command;

#[test]
fn bench_quick_run_measures_everything_and_prints_the_table() {
    let dir = std::env::temp_dir().join(format!("projitt_bench_smoke_{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let out_file = dir.join("BENCHMARKS.md");
    let output = Command::new(env!("CARGO_BIN_EXE_bench"))
        .arg("--quick")
        .arg("--out")
        .arg(&out_file)
        .output()
        .expect("run the bench binary");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "bench failed: {stderr}\n{stdout}");
    assert!(
        stdout.contains("| Measurement | Result |"),
        "no table: {stdout}"
    );
    for row in [
        "a. long-poll delivery, 1 concurrent pair",
        "a. long-poll delivery, 20 concurrent pair",
        "b. empty-inbox poll",
        "c. inbox poll with",
        "c. send throughput",
        "d. server RSS with 40 parked polls",
        "d. delivery while 40 polls are parked",
        "e. render /meetings",
        "e. hydrate wasm size",
    ] {
        assert!(stdout.contains(row), "missing row {row:?} in {stdout}");
    }
    // Figures, not placeholders: every latency row carries a number of milliseconds.
    assert!(stdout.contains(" ms, p99 "), "{stdout}");
    assert!(stdout.contains(" req/s"), "{stdout}");
    let written = std::fs::read_to_string(&out_file).expect("--out file written");
    assert!(written.starts_with("# Benchmarks"), "{written}");
    let _ = std::fs::remove_dir_all(&dir);
}
