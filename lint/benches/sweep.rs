//! The registry sweep: `check` on every crate source in the local cargo registry cache,
//! against the time syn alone takes to parse the same files.
//!
//! ```sh
//! cargo bench -p cargo-privflow --bench sweep                 # every crate in the cache
//! cargo bench -p cargo-privflow --bench sweep -- --sample 12  # a bounded sample (CI)
//! cargo bench -p cargo-privflow --bench sweep -- DIR...       # these crate directories
//! ```
//!
//! Each crate runs in a child process (this program with `--one DIR`), so a crash is
//! seen as one: a signal or an exit code other than 0, 1 or 2. The child finds the
//! crate's targets with `cargo metadata` (untimed: cargo's own cost, the same for any
//! tool), then measures, in CPU time summed over all its threads:
//!
//! - **parse**: reading and parsing every file of the crates' module trees with syn,
//!   nothing else (the floor: any tool that reads Rust pays it);
//! - **check**: what `check --format json` does after `cargo metadata`: read, parse,
//!   lower, index, flow analysis, verdicts and the JSON document. The policy (the
//!   built-in pack) is loaded once before, like `cargo metadata`: it does not depend
//!   on the crate.
//!
//! It prints a line per crate (files, lines, parse, check, ratio, peak memory, exit
//! code), the ten worst ratios, and the totals. With `--sample`, or when crates are
//! named, it fails (exit 1) on a crash, a ratio over 10 or a check over 2 s. Parse
//! times under 10 ms count as 10 ms in a ratio (tiny crates measure noise otherwise).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cargo_privflow::load::{Selection, load_targets, targets};
use cargo_privflow::{index, pipeline, render};

/// A crate whose child runs longer than this is killed and counted as a failure.
const TIMEOUT: Duration = Duration::from_secs(120);
const MAX_RATIO: f64 = 10.0;
const MAX_CHECK_SECONDS: f64 = 2.0;
/// A crate whose parse alone takes most of `MAX_CHECK_SECONDS` (windows-sys 0.48:
/// half a million generated lines, 1.7 s to parse) may take this many times its parse:
/// no front end that reads every file can check it in 2 s, and what the gate is for is
/// the analysis on top of the parse.
const PARSE_BOUND_RATIO: f64 = 1.5;
/// Parse times below this count as this much in a ratio: a crate of one small file
/// parses in well under a millisecond, and a ratio against that measures fixed costs
/// and counter noise (a 276-line crate read 0.000 s of parse and 198× once). The gate
/// then says: a tiny crate's check takes at most `MAX_RATIO` × 10 ms.
const PARSE_FLOOR_SECONDS: f64 = 0.010;

/// What a child measured, as it prints it: `SWEEP files lines parse_ns check_ns peak_kib exit`.
struct Measured {
    files: usize,
    lines: usize,
    parse: f64,
    check: f64,
    peak_mib: f64,
    exit: i32,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, dir, ..] = args.as_slice()
        && flag == "--one"
    {
        std::process::exit(one(Path::new(dir)));
    }
    let mut sample: Option<usize> = None;
    let mut named: Vec<PathBuf> = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        match arg.as_str() {
            "--sample" => sample = iter.next().and_then(|n| n.parse().ok()),
            "--bench" => {}
            other if !other.starts_with('-') => named.push(PathBuf::from(other)),
            _ => {}
        }
    }
    let gate = sample.is_some() || !named.is_empty();
    let mut crates = if named.is_empty() {
        registry_crates()
    } else {
        named
    };
    if let Some(n) = sample {
        crates = spread(crates, n);
    }
    if crates.is_empty() {
        eprintln!(
            "sweep: no crate sources found (the registry cache is empty until a build fetches crates)"
        );
        std::process::exit(if gate { 1 } else { 0 });
    }
    let Ok(me) = std::env::current_exe() else {
        eprintln!("sweep: cannot find this program's path");
        std::process::exit(2);
    };
    println!(
        "{:<40} {:>6} {:>8} {:>9} {:>9} {:>7} {:>8} {:>5}",
        "crate", "files", "lines", "parse s", "check s", "ratio", "peak MiB", "exit"
    );
    let mut rows: Vec<(String, Result<Measured, String>)> = Vec::new();
    for dir in &crates {
        let name = dir
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let result = run_child(&me, dir);
        match &result {
            Ok(m) => println!(
                "{:<40} {:>6} {:>8} {:>9.3} {:>9.3} {:>7.1} {:>8.0} {:>5}",
                name,
                m.files,
                m.lines,
                m.parse,
                m.check,
                ratio(m),
                m.peak_mib,
                m.exit
            ),
            Err(problem) => println!("{name:<40} FAILED: {problem}"),
        }
        rows.push((name, result));
    }
    let measured: Vec<(&String, &Measured)> = rows
        .iter()
        .filter_map(|(name, result)| result.as_ref().ok().map(|m| (name, m)))
        .collect();
    let mut worst = measured.clone();
    worst.sort_by(|a, b| ratio(b.1).total_cmp(&ratio(a.1)));
    println!("\nten worst ratios (check CPU / parse CPU):");
    for (name, m) in worst.iter().take(10) {
        println!(
            "  {name:<40} {:>7.1}  ({:.3} s / {:.3} s, {} lines)",
            ratio(m),
            m.check,
            m.parse,
            m.lines
        );
    }
    let parse: f64 = measured.iter().map(|(_, m)| m.parse).sum();
    let check: f64 = measured.iter().map(|(_, m)| m.check).sum();
    let lines: usize = measured.iter().map(|(_, m)| m.lines).sum();
    let slowest = measured
        .iter()
        .map(|(_, m)| m.check)
        .fold(0.0_f64, f64::max);
    let failures: Vec<String> = rows
        .iter()
        .filter_map(|(name, result)| match result {
            Err(problem) => Some(format!("{name}: {problem}")),
            Ok(m) if ratio(m) > MAX_RATIO => Some(format!("{name}: ratio {:.1}", ratio(m))),
            Ok(m) if m.check > check_limit(m) => Some(format!("{name}: check {:.2} s", m.check)),
            Ok(_) => None,
        })
        .collect();
    println!(
        "\n{} crates, {lines} lines: parse {parse:.2} s, check {check:.2} s, total ratio {:.2}; slowest check {slowest:.2} s; {} over the limits (crash, ratio > {MAX_RATIO}, check > {MAX_CHECK_SECONDS} s or {PARSE_BOUND_RATIO}x a longer parse)",
        rows.len(),
        if parse > 0.0 { check / parse } else { 0.0 },
        failures.len()
    );
    for failure in &failures {
        println!("  {failure}");
    }
    if gate && !failures.is_empty() {
        std::process::exit(1);
    }
}

/// The most a crate's check may take: 2 s, or more for a crate that takes long to parse.
fn check_limit(m: &Measured) -> f64 {
    MAX_CHECK_SECONDS.max(PARSE_BOUND_RATIO * m.parse)
}

fn ratio(m: &Measured) -> f64 {
    m.check / m.parse.max(PARSE_FLOOR_SECONDS)
}

/// Every unpacked crate in `$CARGO_HOME/registry/src/*/`, by name.
fn registry_crates() -> Vec<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    let Some(home) = home else {
        return Vec::new();
    };
    let mut crates = Vec::new();
    for registry in common::read_dir(&home.join("registry/src")) {
        for krate in common::read_dir(&registry) {
            if krate.join("Cargo.toml").is_file() {
                crates.push(krate);
            }
        }
    }
    crates.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    crates.dedup_by(|a, b| a.file_name() == b.file_name());
    crates
}

/// `n` crates spread evenly over the sorted list: the same sample for the same cache.
fn spread(crates: Vec<PathBuf>, n: usize) -> Vec<PathBuf> {
    if n == 0 || crates.len() <= n {
        return crates;
    }
    let step = crates.len() as f64 / n as f64;
    (0..n)
        .filter_map(|index| crates.get((index as f64 * step) as usize).cloned())
        .collect()
}

fn run_child(me: &Path, dir: &Path) -> Result<Measured, String> {
    let mut child = Command::new(me)
        .arg("--one")
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot start: {error}"))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("killed after {} s", TIMEOUT.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(error) => return Err(format!("cannot wait: {error}")),
        }
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        use std::io::Read as _;
        let _ = pipe.read_to_string(&mut stderr);
    }
    let Some(code) = status.code() else {
        return Err(format!("crashed ({status}): {}", last_line(&stderr)));
    };
    let line = stderr
        .lines()
        .find_map(|line| line.strip_prefix("SWEEP "))
        .ok_or_else(|| format!("exit {code} without a measurement: {}", last_line(&stderr)))?;
    let numbers: Vec<f64> = line
        .split_whitespace()
        .filter_map(|field| field.parse().ok())
        .collect();
    let [files, lines, parse_ns, check_ns, peak_kib, exit] = numbers.as_slice() else {
        return Err(format!("unreadable measurement: {line}"));
    };
    if !matches!(*exit as i32, 0..=2) || code != 0 {
        return Err(format!("check exit {exit}, process exit {code}"));
    }
    Ok(Measured {
        files: *files as usize,
        lines: *lines as usize,
        parse: parse_ns / 1e9,
        check: check_ns / 1e9,
        peak_mib: peak_kib / 1024.0,
        exit: *exit as i32,
    })
}

fn last_line(text: &str) -> &str {
    text.lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or("")
}

/// The child: measures one crate and prints `SWEEP ...` on stderr.
fn one(dir: &Path) -> i32 {
    // The same stacks as the command itself: deep input must not crash here either.
    match cargo_privflow::stack::with_large_stack(|| measure(dir)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("{error}");
            2
        }
    }
}

fn measure(dir: &Path) -> i32 {
    let selection = Selection {
        manifest_path: Some(dir.join("Cargo.toml")),
        packages: Vec::new(),
        workspace: true,
    };
    let Ok(policy) = privflow_model::Policy::builtin() else {
        eprintln!("the built-in pack does not load");
        return 2;
    };
    let (root, crates) = match targets(&selection) {
        Ok(found) => found,
        Err(error) => {
            // Not a crate cargo can read here (a missing path dependency, say):
            // check would stop the same way, with exit 2, before parsing anything.
            eprintln!("{error}");
            eprintln!("SWEEP 0 0 0 0 {} 2", common::peak_rss_kib());
            return 0;
        }
    };
    let cpu = common::cpu_ns();
    let parsed = load_targets(&root, crates.clone(), |ast, _| ast.items.len());
    let parse_ns = common::cpu_ns().saturating_sub(cpu);
    let files = parsed.files.len();
    let lines: usize = parsed
        .files
        .iter()
        .map(|file| file.text.lines().count())
        .sum();
    drop(parsed);

    let cpu = common::cpu_ns();
    let workspace = load_targets(&root, crates, |ast, context| {
        index::lower_one(ast, context, &policy)
    });
    let checked = match pipeline::check(workspace, &policy) {
        Ok(checked) => checked,
        Err(errors) => {
            // The built-in pack names no workspace path; check would exit 2 here.
            eprintln!("{}", errors.one_line_each());
            return 2;
        }
    };
    let text = render::json::render(&checked.output);
    let check_ns = common::cpu_ns().saturating_sub(cpu);
    let exit = if !checked.output.errors.is_empty() {
        2
    } else if checked.has_violations() {
        1
    } else {
        0
    };
    drop(text);
    eprintln!(
        "SWEEP {files} {lines} {parse_ns} {check_ns} {} {exit}",
        common::peak_rss_kib()
    );
    0
}
