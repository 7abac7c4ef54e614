//! `cargo privflow report`: the reference workspace's report as snapshots (Markdown and
//! JSON), and `--baseline` naming what a change added.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn privflow(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-privflow"))
        .args(args)
        .output()
        .unwrap_or_else(|error| unreachable!("cannot run cargo-privflow: {error}"));
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(name)
}

fn report(manifest: &Path, format: &str) -> String {
    let manifest = manifest.display().to_string();
    let (code, text) = privflow(&[
        "report",
        "--workspace",
        "--format",
        format,
        "--manifest-path",
        &manifest,
    ]);
    assert_eq!(code, Some(0), "a written report exits 0");
    let root = manifest
        .trim_end_matches("Cargo.toml")
        .trim_end_matches('/');
    let canonical = Path::new(root)
        .canonicalize()
        .map(|path| path.display().to_string())
        .unwrap_or_default();
    text.replace(&canonical, "[root]")
}

#[test]
fn reference_workspace_markdown() {
    let text = report(&fixture("axodesk").join("Cargo.toml"), "md");
    assert!(text.contains("```mermaid"), "a diagram of the data map");
    assert!(text.contains("Sinks reached but not disclosed: `ai.deepseek`"));
    assert!(
        text.contains("**expired**"),
        "the expired exception is flagged"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn reference_workspace_json() {
    let text = report(&fixture("axodesk").join("Cargo.toml"), "json");
    let document: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|error| unreachable!("{error}"));
    assert_eq!(document["schema"], "privflow.report/1");
    assert_eq!(document["violations"].as_array().map(Vec::len), Some(15));
    insta::assert_snapshot!(text);
}

#[test]
fn baseline_names_the_flow_a_change_adds() {
    let (copy, source) = common::copy_example("baseline-example");
    let manifest_path = copy.join("Cargo.toml").display().to_string();
    let baseline = copy.join("baseline.json");
    let (code, before) = privflow(&[
        "report",
        "--format",
        "json",
        "--manifest-path",
        &manifest_path,
    ]);
    assert_eq!(code, Some(0));
    std::fs::write(&baseline, before).unwrap_or_else(|error| unreachable!("{error}"));
    let changed = format!(
        "{source}\npub fn leak(contact: &Contact) {{\n    tracing_free_log(&contact.phone);\n}}\n\n#[privflow::sink(\"logs\")]\npub fn tracing_free_log(line: &str) {{}}\n"
    );
    std::fs::write(copy.join("src/lib.rs"), changed)
        .unwrap_or_else(|error| unreachable!("{error}"));
    let baseline_path = baseline.display().to_string();
    let (code, text) = privflow(&[
        "report",
        "--baseline",
        &baseline_path,
        "--manifest-path",
        &manifest_path,
    ]);
    assert_eq!(code, Some(0));
    let changes = text.split("## What changed").nth(1).unwrap_or_default();
    assert!(
        changes.contains("`contact.phone -> logs @ src/lib.rs`"),
        "the new flow is named in the change section:\n{text}"
    );
    let new_flows = changes
        .split("**Removed flows**")
        .next()
        .unwrap_or_default();
    assert!(
        !new_flows.contains("contact.email -> logs"),
        "an existing flow is not new:\n{changes}"
    );
}

#[test]
fn html_is_self_contained_and_escapes_hostile_strings() {
    let (copy, _) = common::copy_example("hostile-example");
    std::fs::write(
        copy.join("privflow.toml"),
        "[sinks.logs]\nvendor = \"<img src=x onerror=alert(1)>\"\n\n[[exceptions]]\nflow = \"contact.email -> logs\"\nreason = \"<script>alert('reason')</script>\"\nexpires = \"2099-01-01\"\n",
    )
    .unwrap_or_else(|error| unreachable!("{error}"));
    let manifest_path = copy.join("Cargo.toml").display().to_string();
    let (code, html) = privflow(&[
        "report",
        "--format",
        "html",
        "--manifest-path",
        &manifest_path,
    ]);
    assert_eq!(code, Some(0));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        !html.contains("<script>alert"),
        "policy strings are escaped"
    );
    assert!(!html.contains("<img src=x"), "policy strings are escaped");
    assert!(html.contains("&lt;script&gt;alert(&#39;reason&#39;)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("<svg"), "the data map is inline SVG");
    let external: Vec<&str> = html
        .match_indices("http:")
        .chain(html.match_indices("https:"))
        .chain(html.match_indices("//cdn"))
        .map(|(at, _)| &html[at..(at + 40).min(html.len())])
        .filter(|url| !url.starts_with("http://www.w3.org/2000/svg"))
        .collect();
    assert!(external.is_empty(), "no network requests: {external:?}");
}
