//! Process set-up shared by the server binaries (the app, and the tools that run its router):
//! memory allocation and the async runtime.

/// The runtime every server process uses, built after the allocator is tuned.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    limit_malloc_arenas();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
}

/// glibc gives each thread that allocates its own arena, up to 8 per core, and memory freed in
/// one arena is not reused by threads of another. Bursts of connections served across the
/// runtime's workers and the database driver's threads then leave most of their memory spread
/// over idle arenas: the measured RSS after a 1000-connection burst was 103 MB with the
/// default and 76 MB with two arenas, at no measurable cost in throughput (docs/BENCHMARKS.md).
/// Must run before any thread is started.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only changes allocator settings; it is called before other threads
    // exist, as glibc requires for M_ARENA_MAX to take full effect.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
