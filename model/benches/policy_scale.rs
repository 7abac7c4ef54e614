//! Policy loading at scale: `cargo bench -p privflow-model --bench policy_scale` (or with
//! `-- N ...` entries per table). Generates policies with N categories, sinks, hosts,
//! rules (with ids) and exceptions, then the same with every rule and exception naming
//! a missing category (so 2N errors), loads each, and prints the time and how it grows from one size
//! to the next: a doubling of N should about double it. Never part of the tests.

use std::fmt::Write as _;
use std::time::Instant;

use privflow_model::Policy;

/// A policy with `n` entries of each kind; with `broken`, each rule and exception also
/// names a category that does not exist.
fn policy(n: usize, broken: bool) -> String {
    let mut text = String::from("extends = \"axodesk\"\n");
    for i in 0..n {
        let missing = if broken { "missing." } else { "" };
        let _ = write!(
            text,
            "[categories.\"x.c{i}\"]\ndescription = \"d\"\n\
             [sinks.s{i}]\nkind = \"logs\"\nfunctions = [\"app::f{i}\"]\n\
             [[hosts]]\nhost = \"h{i}.example.com\"\nsink = \"s{i}\"\n\
             [[rules]]\nid = \"r.rule{i}\"\nallow = [\"{missing}x.c{i}\"]\nto = [\"s{i}\"]\nreason = \"r\"\n\
             [[exceptions]]\nflow = \"{missing}x.c{i} -> s{i}\"\nreason = \"r\"\nexpires = \"2099-01-01\"\n"
        );
    }
    text
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|arg| arg.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![5_000, 10_000, 20_000, 40_000]
    } else {
        sizes
    };
    println!("| entries per table | file | valid: load | broken: load | errors |");
    println!("| --- | --- | --- | --- | --- |");
    for n in sizes {
        let valid = policy(n, false);
        let start = Instant::now();
        let loaded = Policy::from_toml("bench.toml", &valid);
        let valid_time = start.elapsed();
        if let Err(errors) = &loaded {
            eprintln!("the valid policy has {} errors", errors.errors.len());
            std::process::exit(2);
        }
        let broken = policy(n, true);
        let start = Instant::now();
        let errors = Policy::from_toml("bench.toml", &broken)
            .err()
            .map_or(0, |errors| errors.errors.len());
        let broken_time = start.elapsed();
        println!(
            "| {n} | {:.1} MiB | {:.2} s | {:.2} s | {errors} |",
            valid.len() as f64 / (1024.0 * 1024.0),
            valid_time.as_secs_f64(),
            broken_time.as_secs_f64()
        );
    }
}
