//! What the benchmark harnesses measure the same way (each uses some of it).
#![allow(dead_code)]

pub mod corpus;

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

/// CPU time of this process so far, summed over its threads (`/proc/self/task/*/
/// schedstat`, nanoseconds): the work on rayon's workers counts, and none of them exit
/// while a measurement runs.
pub fn cpu_ns() -> u64 {
    read_dir(std::path::Path::new("/proc/self/task"))
        .iter()
        .filter_map(|task| std::fs::read_to_string(task.join("schedstat")).ok())
        .filter_map(|text| text.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// The entries of a directory, sorted (none if it cannot be read).
pub fn read_dir(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut entries: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|entry| Some(entry.ok()?.path()))
                .collect()
        })
        .unwrap_or_default();
    entries.sort();
    entries
}
