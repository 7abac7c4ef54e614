//! Helpers shared by the tests: scratch workspaces, running the binary, Python validators.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `cargo-privflow` with `args`, run in `cwd`, without colour.
pub fn privflow_in(args: &[&str], cwd: &Path) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-privflow-e2e"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output();
    output.unwrap_or_else(|error| unreachable!("cannot run cargo-privflow: {error}"))
}

/// An empty directory `name` under the test target directory.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|error| unreachable!("{error}"));
    dir
}

/// A one-package workspace `name` in a scratch directory, with these files under it.
pub fn package(name: &str, files: &[(&str, &[u8])]) -> PathBuf {
    let dir = scratch(&format!("cli-{name}"));
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\n[workspace]\n"
    );
    write_files(&dir, &[("Cargo.toml", manifest.as_bytes())]);
    write_files(&dir, files);
    dir
}

/// Writes each `(path, content)` under `dir`, making folders as needed.
pub fn write_files<P: AsRef<Path>, C: AsRef<[u8]>>(dir: &Path, files: &[(P, C)]) {
    for (path, content) in files {
        let path = dir.join(path);
        let made = path.parent().map(std::fs::create_dir_all);
        assert!(matches!(made, Some(Ok(()))));
        std::fs::write(&path, content).unwrap_or_else(|error| unreachable!("{error}"));
    }
}

pub fn run(command: &mut Command) -> (bool, String) {
    let output = command
        .output()
        .unwrap_or_else(|error| unreachable!("cannot run {command:?}: {error}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// A Python virtualenv under `target/` with `packages` installed, made once per set of
/// packages: the tests install what they need (PyPI is reachable where they run).
pub fn python_with(packages: &[&str]) -> PathBuf {
    let name: String = packages
        .join("-")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("venv-{name}"));
    let python = venv.join("bin/python");
    let ready = venv.join(".installed");
    if !ready.is_file() {
        let (ok, text) = run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
        assert!(ok, "cannot create a virtualenv:\n{text}");
        let (ok, text) = run(Command::new(&python)
            .args(["-m", "pip", "install", "--quiet"])
            .args(packages));
        assert!(ok, "cannot install {packages:?}:\n{text}");
        std::fs::write(&ready, packages.join("\n")).unwrap_or_else(|error| unreachable!("{error}"));
    }
    python
}

/// A copy of `fixtures/example` under `target/` named `name`, its path dependency made
/// absolute, for tests that edit it. Returns the copy's root and its `src/lib.rs` text.
pub fn copy_example(name: &str) -> (PathBuf, String) {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/example");
    let copy = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&copy);
    std::fs::create_dir_all(copy.join("src")).unwrap_or_else(|error| unreachable!("{error}"));
    let macros = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../macros")
        .display()
        .to_string();
    let manifest = std::fs::read_to_string(example.join("Cargo.toml"))
        .unwrap_or_default()
        .replace("../../macros", &macros);
    std::fs::write(copy.join("Cargo.toml"), manifest)
        .unwrap_or_else(|error| unreachable!("{error}"));
    let source = std::fs::read_to_string(example.join("src/lib.rs")).unwrap_or_default();
    std::fs::write(copy.join("src/lib.rs"), &source)
        .unwrap_or_else(|error| unreachable!("{error}"));
    (copy, source)
}

/// `check --workspace --format json` on the workspace of `manifest` (with `extra`
/// arguments): the JSON document, after asserting that the run did not fail (exit 0 or
/// 1, violations aside).
pub fn check_json(manifest: &Path, extra: &[&std::ffi::OsStr]) -> serde_json::Value {
    let output = check_output(manifest, extra);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "check failed on {}:\n{}",
        manifest.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| unreachable!("check printed no JSON: {error}"))
}

/// What `check --workspace --format json` on the workspace of `manifest` (with `extra`
/// arguments) printed and how it exited, whatever that was.
pub fn check_output(manifest: &Path, extra: &[&std::ffi::OsStr]) -> std::process::Output {
    check_command(manifest)
        .args(extra)
        .output()
        .unwrap_or_else(|error| unreachable!("cannot run cargo-privflow: {error}"))
}

/// The command `check --workspace --format json` on the workspace of `manifest`, to add
/// to and run.
pub fn check_command(manifest: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-privflow-e2e"));
    command
        .args([
            "check",
            "--workspace",
            "--format",
            "json",
            "--manifest-path",
        ])
        .arg(manifest);
    command
}

/// The file of every flow of a `check --format json` document.
pub fn flow_files(json: &serde_json::Value) -> Vec<&str> {
    json["flows"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|flow| flow["file"].as_str())
        .collect()
}

/// The Rust files under `dir` (not in `target` folders), sorted.
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() && entry.file_name() != "target" {
                walk(&path, out);
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort();
    files
}

/// The Mermaid diagram of a Markdown report (the text of its ```` ```mermaid ```` block),
/// empty when there is none.
pub fn mermaid_diagram(markdown: &str) -> &str {
    markdown
        .split("```mermaid\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .unwrap_or_default()
}
