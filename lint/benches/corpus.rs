//! A generated corpus for speed and memory: `cargo bench -p cargo-privflow --bench corpus`
//! (or with `-- CRATES MODULES FUNCTIONS`). Writes a synthetic tagged workspace under
//! `target/bench-corpus`, runs the whole check pipeline on it in-process, and prints the
//! time of each stage and the peak memory. Never part of the tests: timings belong here.

mod common;

use std::path::PathBuf;
use std::time::Instant;

use cargo_privflow::index::Index;
use cargo_privflow::load::Selection;
use cargo_privflow::{flow, verdict};

fn main() {
    let numbers: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|arg| arg.parse().ok())
        .collect();
    let (crates, modules, functions) = match numbers.as_slice() {
        [c, m, f, ..] => (*c, *m, *f),
        _ => (20, 25, 20),
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-corpus");
    let lines = common::corpus::generate(&root, crates, modules, functions);
    let Ok(policy) = privflow_model::Policy::builtin() else {
        eprintln!("the built-in pack does not load");
        std::process::exit(2);
    };
    let selection = Selection {
        manifest_path: Some(root.join("Cargo.toml")),
        packages: Vec::new(),
        workspace: true,
    };
    let started = Instant::now();
    let cpu_started = common::cpu_ns();
    let workspace = match cargo_privflow::index::load_lowered(&selection, &policy) {
        Ok(workspace) => workspace,
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(2);
        }
    };
    let loaded = started.elapsed();
    let cpu_loaded = common::cpu_ns();
    let peak_loaded = common::peak_rss_kib() / 1024;
    let files = workspace.files.len();
    let index = Index::build(workspace, &policy);
    let indexed = started.elapsed();
    let cpu_indexed = common::cpu_ns();
    let peak_indexed = common::peak_rss_kib() / 1024;
    let result = flow::analyze(&index, &policy, None);
    let analysed = started.elapsed();
    let cpu_analysed = common::cpu_ns();
    let findings = verdict::judge(
        &index,
        &policy,
        result.flows,
        privflow_model::policy::Date::today(),
    );
    let judged = started.elapsed();
    let cpu_judged = common::cpu_ns();
    println!(
        "corpus: {crates} crates x {modules} modules x {functions} functions = {files} files, {lines} lines"
    );
    let seconds = |ns: u64| ns as f64 / 1e9;
    println!(
        "load+parse+lower {:.2}s, index {:.2}s, flow {:.2}s, verdicts {:.2}s, total {:.2}s",
        loaded.as_secs_f64(),
        (indexed - loaded).as_secs_f64(),
        (analysed - indexed).as_secs_f64(),
        (judged - analysed).as_secs_f64(),
        judged.as_secs_f64()
    );
    // CPU summed over all threads: what the two cores spent on each stage.
    println!(
        "cpu: load+parse+lower {:.2}s, index {:.2}s, flow {:.2}s, verdicts {:.2}s, total {:.2}s",
        seconds(cpu_loaded - cpu_started),
        seconds(cpu_indexed - cpu_loaded),
        seconds(cpu_analysed - cpu_indexed),
        seconds(cpu_judged - cpu_analysed),
        seconds(cpu_judged - cpu_started)
    );
    println!(
        "{} waves, {} function analyses; {} flows, {} calls ({} unresolved); peak memory {} MiB (after loading {} MiB, after indexing {} MiB)",
        result.waves,
        result.analyses,
        findings.len(),
        result.coverage.calls,
        result.coverage.calls_unresolved,
        common::peak_rss_kib() / 1024,
        peak_loaded,
        peak_indexed,
    );
}
