//! A generated corpus for speed and memory: `cargo bench -p cargo-privflow --bench corpus`
//! (or with `-- CRATES MODULES FUNCTIONS`). Writes a synthetic tagged workspace under
//! `target/bench-corpus`, runs the whole check pipeline on it in-process, and prints the
//! time of each stage and the peak memory. Never part of the tests: timings belong here.

mod common;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use cargo_privflow::index::Index;
use cargo_privflow::load::Selection;
use cargo_privflow::{flow, verdict};

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    if let Err(error) = std::fs::write(path, text) {
        eprintln!("cannot write {}: {error}", path.display());
        std::process::exit(2);
    }
}

/// One module: a tagged type, helpers that pass it around, sinks, closures, a trait.
fn module(crate_index: usize, module_index: usize, functions: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "use crate::sinks::*;\n");
    let _ = writeln!(
        out,
        "#[derive(Clone, Debug, privflow::Classified)]\npub struct Record{module_index} {{\n    pub id: u64,\n    #[data(\"contact.email\")]\n    pub email: String,\n    #[data(\"contact.name\")]\n    pub name: String,\n    #[data(\"conversation.message\")]\n    pub body: String,\n}}\n"
    );
    let _ = writeln!(
        out,
        "pub trait Handler{module_index} {{ fn handle(&self, text: &str) -> String; }}\npub struct Upper{module_index};\nimpl Handler{module_index} for Upper{module_index} {{ fn handle(&self, text: &str) -> String {{ text.to_uppercase() }} }}\n"
    );
    for function in 0..functions {
        let next = (function + 1) % functions;
        let _ = writeln!(
            out,
            "pub fn step_{function}(r: &Record{module_index}, n: u64) -> String {{
    let mut parts: Vec<String> = Vec::new();
    if n % 3 == 0 {{ parts.push(r.name.clone()); }} else {{ parts.push(r.id.to_string()); }}
    let joined = parts.iter().map(|p| p.trim().to_owned()).collect::<Vec<_>>().join(\",\");
    let handler = Upper{module_index};
    let shouted = handler.handle(&joined);
    if n > 1000 {{ return step_{next}(r, n / 2); }}
    match n % 4 {{
        0 => log_line(&format!(\"{{}} {{}}\", shouted, r.id)),
        1 => ai_complete(&r.body),
        2 => println!(\"{{}}\", r.email),
        _ => {{}}
    }}
    format!(\"{{shouted}}-{crate_index}\")
}}\n"
        );
    }
    out
}

fn generate(root: &Path, crates: usize, modules: usize, functions: usize) -> usize {
    let _ = std::fs::remove_dir_all(root);
    let members: Vec<String> = (0..crates)
        .map(|index| format!("\"crates/c{index}\""))
        .collect();
    write(
        &root.join("Cargo.toml"),
        &format!(
            "[workspace]\nmembers = [{}]\nresolver = \"3\"\n",
            members.join(", ")
        ),
    );
    let mut lines = 0;
    for crate_index in 0..crates {
        let dir = root.join(format!("crates/c{crate_index}"));
        write(
            &dir.join("Cargo.toml"),
            &format!(
                "[package]\nname = \"c{crate_index}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n"
            ),
        );
        let mut lib = String::from(
            "pub mod sinks {\n    #[privflow::sink(\"logs\")]\n    pub fn log_line(line: &str) {}\n    #[privflow::sink(\"ai.openai\")]\n    pub fn ai_complete(prompt: &str) {}\n}\n",
        );
        for module_index in 0..modules {
            let _ = writeln!(lib, "pub mod m{module_index};");
            let text = module(crate_index, module_index, functions);
            lines += text.lines().count();
            write(&dir.join(format!("src/m{module_index}.rs")), &text);
        }
        lines += lib.lines().count();
        write(&dir.join("src/lib.rs"), &lib);
    }
    lines
}

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
    let lines = generate(&root, crates, modules, functions);
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
