//! `fixtures/repros/policy-paths`: policy paths resolve like code (definition paths and
//! `pub use` re-exports name the same item), and a path that names nothing is an error
//! at its line with a did-you-mean (SPEC §6 "Policy paths").

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

fn fixture() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/repros/policy-paths")
}

fn check_with_policy(policy: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-privflow-e2e"))
        .args(["check", "--format", "json", "--manifest-path"])
        .arg(fixture().join("Cargo.toml"))
        .arg("--policy")
        .arg(policy)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|error| unreachable!("cannot run cargo-privflow: {error}"))
}

fn check_with(policy: &str) -> Output {
    check_with_policy(&fixture().join("policies").join(policy))
}

fn flows(output: &Output) -> BTreeSet<(u64, String, String)> {
    let document: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| unreachable!("check printed no JSON: {error}"));
    document["flows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|flow| {
            (
                flow["line"].as_u64().unwrap_or_default(),
                flow["category"].as_str().unwrap_or_default().to_owned(),
                flow["sink"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn the_two_flows() -> BTreeSet<(u64, String, String)> {
    [
        (8, "account.email".to_owned(), "logs".to_owned()),
        (9, "account.email".to_owned(), "channel.email".to_owned()),
    ]
    .into_iter()
    .collect()
}

#[test]
fn definition_paths_find_both_flows() {
    let output = check_with("definition-paths.toml");
    assert!(matches!(output.status.code(), Some(0 | 1)));
    assert_eq!(flows(&output), the_two_flows());
}

#[test]
fn reexport_paths_find_the_same_flows() {
    let output = check_with("reexport-paths.toml");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(flows(&output), the_two_flows());
}

#[test]
fn paths_that_name_nothing_are_errors_at_their_lines() {
    let output = check_with("names-nothing.toml");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        output.stdout.is_empty(),
        "no report when the policy is wrong"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    for (at, suggestion) in [
        (
            "names-nothing.toml:4:",
            "did you mean `policy_paths::mail::send_email`?",
        ),
        (
            "names-nothing.toml:6:",
            "did you mean `policy_paths::models::User`?",
        ),
        ("names-nothing.toml:10:", "did you mean `email`?"),
    ] {
        assert!(stderr.contains(at), "no error at {at}:\n{stderr}");
        assert!(stderr.contains(suggestion), "no `{suggestion}`:\n{stderr}");
    }
}

/// A first segment that is neither a workspace crate nor a dependency.
#[test]
fn an_unknown_crate_is_an_error() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("policy-paths-unknown-crate");
    let _ = std::fs::create_dir_all(&dir);
    let policy = dir.join("unknown-crate.toml");
    let written = std::fs::write(
        &policy,
        "[types.\"polcy_paths::models::User\".fields]\nemail = \"account.email\"\n",
    );
    assert!(written.is_ok());
    let output = check_with_policy(&policy);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown-crate.toml:1:"), "{stderr}");
    assert!(stderr.contains("did you mean `policy_paths`?"), "{stderr}");
}
