//! What both benchmark harnesses measure the same way.

/// The binary's allocator: the harnesses measure the program as shipped.
#[global_allocator]
static ALLOCATOR: cargo_privflow::Allocator = cargo_privflow::Allocator;

/// This process's peak resident memory so far (`VmHWM`), in KiB.
pub fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
