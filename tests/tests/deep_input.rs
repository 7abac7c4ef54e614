//! Input nested as deep as a generator can make it never crashes the process: each
//! shape is analysed (exit 0 or 1) or refused with a message (exit 2), never aborted by
//! a stack overflow. Speed on such input is measured in the sweep, not here.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A one-file package whose `src/lib.rs` is `source`.
fn package(name: &str, source: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("deep-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap_or_else(|error| unreachable!("{error}"));
    let manifest = format!(
        "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n"
    );
    std::fs::write(dir.join("Cargo.toml"), manifest)
        .unwrap_or_else(|error| unreachable!("{error}"));
    std::fs::write(dir.join("src/lib.rs"), source).unwrap_or_else(|error| unreachable!("{error}"));
    dir
}

fn check(dir: &Path) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-privflow-e2e"))
        .args(["privflow", "check", "--format", "json", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|error| unreachable!("cannot run cargo-privflow: {error}"));
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

fn nested(open: &str, middle: &str, close: &str, depth: usize) -> String {
    format!("{}{middle}{}", open.repeat(depth), close.repeat(depth))
}

#[test]
fn deeply_nested_input_is_analysed_without_a_crash() {
    const DEPTH: usize = 10_000;
    let else_ifs: String = (1..2_000)
        .map(|index| format!("else if a == {index} {{ {index} }} "))
        .collect();
    let cases = [
        (
            "parens",
            format!(
                "pub fn f(a: u32) -> u32 {{ {} }}",
                nested("(", "a", ")", DEPTH)
            ),
        ),
        (
            "sum",
            format!(
                "pub fn f(a: u32) -> u32 {{ {} }}",
                vec!["a"; DEPTH].join(" + ")
            ),
        ),
        (
            "blocks",
            format!(
                "pub fn f(a: u32) -> u32 {{ {} }}",
                nested("{ ", "a", " }", 2_000)
            ),
        ),
        (
            "clones",
            format!(
                "pub fn f(a: String) -> String {{ a{} }}",
                ".clone()".repeat(DEPTH)
            ),
        ),
        (
            "calls",
            format!(
                "pub fn f(a: u32) -> u32 {{ {} }}\nfn g(x: u32) -> u32 {{ x }}",
                nested("g(", "a", ")", DEPTH)
            ),
        ),
        (
            "else_if",
            format!("pub fn f(a: u32) -> u32 {{ if a == 0 {{ 0 }} {else_ifs}else {{ 1 }} }}"),
        ),
        (
            "loops",
            format!(
                "pub fn f(mut a: u32) -> u32 {{ {} a }}",
                nested("loop { ", "a += 1; break;", " }", 2_000)
            ),
        ),
    ];
    for (name, source) in cases {
        let dir = package(name, &source);
        let (code, stdout) = check(&dir);
        assert!(
            matches!(code, Some(0..=2)),
            "{name}: exit {code:?} (a crash or a signal)"
        );
        if code != Some(2) {
            let json: serde_json::Value = serde_json::from_str(&stdout)
                .unwrap_or_else(|error| unreachable!("{name}: not JSON ({error}): {stdout}"));
            assert_eq!(json["files_analyzed"], 1, "{name}: {stdout}");
        }
    }
}

/// A recursive function whose summary names more parameter parts than a summary keeps
/// settles: the fixpoint ends (it once ran forever on this shape, from time 0.3.55).
#[test]
fn a_recursive_summary_with_many_parts_settles() {
    let dir = package(
        "recursive_summary",
        include_str!("shapes/recursive_summary.rs"),
    );
    let (code, stdout) = check(&dir);
    assert_eq!(code, Some(0), "{stdout}");
}
