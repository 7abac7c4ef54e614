//! Incremental runs on the generated corpus: `cargo bench -p cargo-privflow --bench
//! incremental` (or with `-- CRATES MODULES FUNCTIONS RUNS`). Writes the corpus under
//! `target/bench-incremental`, then runs the release `cargo-privflow check --workspace
//! --format json` there as a user would: once cold (no cache), then RUNS times after a
//! one-file edit (one module's function bodies, edited and restored in turn), each
//! followed by a warm run (nothing changed). Prints the wall time of each kind of run (minimum, median,
//! maximum), and checks that an edited run's output is a cold run's. Never part of the
//! tests: timings belong here.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn check(root: &Path) -> (Duration, Vec<u8>) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-privflow"))
        .args(["check", "--workspace", "--format", "json"])
        .current_dir(root)
        .output();
    let elapsed = started.elapsed();
    match output {
        Ok(output) if matches!(output.status.code(), Some(0 | 1)) => (elapsed, output.stdout),
        Ok(output) => {
            eprintln!("check failed: {}", String::from_utf8_lossy(&output.stderr));
            std::process::exit(2);
        }
        Err(error) => {
            eprintln!("cannot run cargo-privflow: {error}");
            std::process::exit(2);
        }
    }
}

fn spread(mut times: Vec<Duration>) -> String {
    times.sort();
    let seconds = |at: usize| times.get(at).map_or(0.0, Duration::as_secs_f64);
    format!(
        "min {:.3} s, median {:.3} s, max {:.3} s ({} runs)",
        seconds(0),
        seconds(times.len() / 2),
        seconds(times.len().saturating_sub(1)),
        times.len()
    )
}

fn write(path: &Path, text: &str) {
    if let Err(error) = std::fs::write(path, text) {
        eprintln!("cannot write {}: {error}", path.display());
        std::process::exit(2);
    }
}

fn main() {
    let numbers: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|arg| arg.parse().ok())
        .collect();
    let (crates, modules, functions, runs) = match numbers.as_slice() {
        [c, m, f, r, ..] => (*c, *m, *f, *r),
        [c, m, f] => (*c, *m, *f, 11),
        _ => (12, 25, 20, 11),
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-incremental");
    let lines = common::corpus::generate(&root, crates, modules, functions);
    println!("corpus: {crates} crates x {modules} modules x {functions} functions, {lines} lines");
    let (cold, _) = check(&root);
    println!("cold (no cache): {:.3} s", cold.as_secs_f64());
    check(&root);

    // One module in the middle of the workspace: its bodies change (every `step_*`
    // gains a statement; no line moves), then go back. Each run after an edit is
    // followed by a warm run (nothing changed since), so that both kinds of run see the
    // machine in the same state.
    let edited = root.join(format!("crates/c{}/src/m{}.rs", crates / 2, modules / 2));
    let original = std::fs::read_to_string(&edited).unwrap_or_default();
    let needle = "parts.push(r.id.to_string()); }";
    let (mut warm, mut after_edit) = (Vec::new(), Vec::new());
    for run in 0..runs {
        let text = if run % 2 == 0 {
            original.replace(
                needle,
                &format!("parts.push(r.id.to_string()); let _edit = {run}; }}"),
            )
        } else {
            original.clone()
        };
        write(&edited, &text);
        after_edit.push(check(&root).0);
        warm.push(check(&root).0);
    }
    println!("warm, nothing changed: {}", spread(warm));
    println!("after a one-file edit: {}", spread(after_edit));

    // The last edited state, warm and then cold: the same output.
    write(
        &edited,
        &original.replace(needle, "parts.push(r.id.to_string()); let _edit = 0; }"),
    );
    let (_, warm_output) = check(&root);
    let _ = std::fs::remove_dir_all(root.join("target/privflow"));
    let (_, cold_output) = check(&root);
    write(&edited, &original);
    if warm_output != cold_output {
        eprintln!("an edited warm run's output differs from a cold run's");
        std::process::exit(1);
    }
    println!("an edited warm run's output is byte for byte a cold run's");
}
