//! The CLI's output per format, on small fixtures, as snapshots: what users and CI
//! read must not change by accident.

use std::path::Path;
use std::process::Command;

fn check(fixture: &str, format: &str) -> (Option<i32>, String) {
    check_with(fixture, format, &[])
}

fn check_with(fixture: &str, format: &str, extra: &[&str]) -> (Option<i32>, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(fixture);
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-privflow-e2e"))
        .args([
            "check",
            "--workspace",
            "--format",
            format,
            "--manifest-path",
        ])
        .arg(root.join("Cargo.toml"))
        .args(extra)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|error| unreachable!("cannot run cargo-privflow: {error}"));
    let canonical = root.canonicalize().unwrap_or(root);
    let text =
        String::from_utf8_lossy(&output.stdout).replace(&canonical.display().to_string(), "[root]");
    (output.status.code(), text)
}

#[test]
fn example_human() {
    let (code, text) = check("example", "human");
    assert_eq!(code, Some(1), "the example has a violation");
    insta::assert_snapshot!(text);
}

#[test]
fn example_json() {
    let (code, text) = check("example", "json");
    assert_eq!(code, Some(1));
    insta::assert_snapshot!(text);
}

#[test]
fn unparsable_files_json() {
    let (code, text) = check("load", "json");
    assert_eq!(
        code,
        Some(2),
        "a file never analysed must not pass silently"
    );
    insta::assert_snapshot!(text);
    // Accepted as partial: the same output, exit 0 (no violations).
    let (code, partial) = check_with("load", "json", &["--allow-partial"]);
    assert_eq!(code, Some(0));
    assert_eq!(partial, text);
}
