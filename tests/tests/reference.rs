//! The AxoDesk reference workspace (`fixtures/axodesk`): `check` reports exactly the
//! violations listed in its VIOLATIONS.md (file, line, category, sink, rule), and every
//! other flow is allowed or excepted; the main job's output covers enough of the policy.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn root() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/axodesk")
}

/// (file, line, category, sink, rule) rows of the VIOLATIONS.md table, its columns
/// found by their headers.
fn listed() -> BTreeSet<(String, u64, String, String, String)> {
    let text = std::fs::read_to_string(root().join("VIOLATIONS.md")).unwrap_or_default();
    let rows: Vec<Vec<String>> = text
        .lines()
        .filter(|line| line.starts_with('|'))
        .map(|line| {
            line.trim_matches('|')
                .split('|')
                .map(|cell| cell.trim().trim_matches('`').to_owned())
                .collect()
        })
        .collect();
    let Some(header) = rows.first() else {
        return BTreeSet::new();
    };
    let column = |name: &str| header.iter().position(|cell| cell == name);
    let (Some(file), Some(line), Some(category), Some(sink), Some(rule)) = (
        column("file"),
        column("line"),
        column("category"),
        column("sink"),
        column("rule"),
    ) else {
        unreachable!("VIOLATIONS.md needs file, line, category, sink and rule columns: {header:?}");
    };
    rows.iter()
        .filter_map(|row| {
            let number = row.get(line)?.parse::<u64>().ok()?;
            Some((
                row.get(file)?.clone(),
                number,
                row.get(category)?.clone(),
                row.get(sink)?.clone(),
                row.get(rule)?.clone(),
            ))
        })
        .collect()
}

fn check() -> serde_json::Value {
    let output = common::check_output(&root().join("Cargo.toml"), &[]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "the reference workspace has violations"
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| unreachable!("no JSON: {error}"))
}

#[test]
fn check_reports_exactly_the_listed_violations() {
    let expected = listed();
    assert!(
        expected.len() >= 8,
        "VIOLATIONS.md lists at least 8 violations, found {}",
        expected.len()
    );
    let kinds: BTreeSet<&String> = expected.iter().map(|row| &row.4).collect();
    assert!(kinds.len() >= 4, "of at least 4 kinds: {kinds:?}");
    let document = check();
    let flows = document["flows"].as_array().cloned().unwrap_or_default();
    let found: BTreeSet<(String, u64, String, String, String)> = flows
        .iter()
        .filter(|flow| flow["verdict"] == "violation")
        .map(|flow| {
            (
                flow["file"].as_str().unwrap_or_default().to_owned(),
                flow["line"].as_u64().unwrap_or_default(),
                flow["category"].as_str().unwrap_or_default().to_owned(),
                flow["sink"].as_str().unwrap_or_default().to_owned(),
                flow["rule"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let missing: Vec<_> = expected.difference(&found).collect();
    let unexpected: Vec<_> = found.difference(&expected).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "listed but not reported: {missing:#?}\nreported but not listed: {unexpected:#?}"
    );
    assert!(
        document["errors"].as_array().is_some_and(Vec::is_empty),
        "{}",
        document["errors"]
    );
}

#[test]
fn the_main_job_covers_the_policy() {
    let document = check();
    let flows = document["flows"].as_array().cloned().unwrap_or_default();
    let sinks: BTreeSet<&str> = flows
        .iter()
        .filter_map(|flow| flow["sink"].as_str())
        .collect();
    let categories: BTreeSet<&str> = flows
        .iter()
        .filter_map(|flow| flow["category"].as_str())
        .collect();
    let ai: BTreeSet<&&str> = sinks
        .iter()
        .filter(|sink| sink.starts_with("ai."))
        .collect();
    assert!(sinks.len() >= 8, "flows into at least 8 sinks: {sinks:?}");
    assert!(ai.len() >= 3, "at least 3 of them AI providers: {ai:?}");
    assert!(
        categories.len() >= 12,
        "at least 12 categories: {categories:?}"
    );
}

/// The generic-sink check of the macros, in the reference workspace: with the
/// `violate-at-build` feature, `axo-providers` sends a pre-chat form (health data) through
/// a sink generic over `Classified`, and the build refuses it.
#[test]
fn violate_at_build_fails_to_build() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("axodesk-target");
    let build = |features: &[&str]| {
        let output = Command::new(&cargo)
            .args(["build", "-p", "axo-providers"])
            .args(features)
            .current_dir(root())
            .env("CARGO_TARGET_DIR", &target)
            .env_remove("PRIVFLOW_POLICY")
            .output()
            .unwrap_or_else(|error| unreachable!("cannot run cargo: {error}"));
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (ok, stderr) = build(&[]);
    assert!(ok, "the reference workspace builds:\n{stderr}");
    let (ok, stderr) = build(&["--features", "violate-at-build"]);
    assert!(!ok, "the misuse must not build");
    assert!(
        stderr.contains("`PreChatForm` carries `sensitive.health`, which the policy never allows into sink `ai.openai`"),
        "the refusal names the type, the category and the sink:\n{stderr}"
    );
}

/// The reference workspace is real code: it type-checks against the real `privflow`.
#[test]
fn the_reference_workspace_type_checks() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("axodesk-target");
    let output = Command::new(&cargo)
        .args(["check", "--workspace", "--quiet"])
        .current_dir(root())
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("PRIVFLOW_POLICY")
        .output()
        .unwrap_or_else(|error| unreachable!("cannot run cargo: {error}"));
    assert!(
        output.status.success(),
        "cargo check of fixtures/axodesk:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
