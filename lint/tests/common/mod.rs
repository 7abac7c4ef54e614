//! Helpers shared by the tests that run Python validators.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

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
