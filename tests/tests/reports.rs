//! `cargo privflow report`: the reference workspace's report as snapshots (Markdown and
//! JSON), the data map's matrix and diagram, violations in detail, links to the code
//! (`--source-url` and GitHub Actions), and `--baseline` naming what a change added.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The variables of a GitHub Actions run that turn links on by default.
const ACTIONS: [&str; 3] = ["GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"];

/// cargo-privflow with `env` set and no other GitHub Actions variable (the tests may run
/// inside a run): exit code, stdout, stderr.
fn privflow_env(args: &[&str], env: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-privflow-e2e"));
    command.args(args);
    for name in ACTIONS {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    let output = command
        .output()
        .unwrap_or_else(|error| unreachable!("cannot run cargo-privflow: {error}"));
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn privflow(args: &[&str]) -> (Option<i32>, String) {
    let (code, stdout, _) = privflow_env(args, &[]);
    (code, stdout)
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
    let diagram = common::mermaid_diagram(&text);
    let edges = diagram.lines().filter(|line| line.contains("-->")).count();
    assert!(
        (1..=30).contains(&edges),
        "the diagram stays legible: {edges} edges"
    );
    assert!(
        text.contains("| category | ai_provider | channel |"),
        "the matrix has a column per sink kind"
    );
    assert!(
        text.contains("| `account.session` | 🔴 `ai.mistral` 1 |"),
        "a category's cell names the sink and marks its violation"
    );
    assert!(
        text.contains("### 1. `account.session` → `ai.mistral` (flow-denied)"),
        "violations are numbered entries"
    );
    assert!(
        text.contains("- **Policy:** deny `axodesk.ai.no-secrets-or-billing` (privacy policy §6)"),
        "a violation cites the rule and the policy section"
    );
    assert!(
        text.contains("  1. `crates/app/src/ai/agent.rs:34` returned from"),
        "the trace is numbered steps"
    );
    assert!(
        !text.contains("](<"),
        "no links without --source-url or GitHub Actions"
    );
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
        .split("\n## ")
        .next()
        .unwrap_or_default()
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
    assert!(html.contains("&#60;script&#62;alert(&#39;reason&#39;)&#60;/script&#62;"));
    assert!(html.contains("&#60;img src=x onerror=alert(1)&#62;"));
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

/// The `{rev}` a report fills in: the commit checked out (asked of git here, read from
/// `.git` by privflow) when the tests run in a clone, else the `GITHUB_SHA` given.
fn expected_rev(github_sha: &str) -> String {
    let top = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    if !top.join(".git").exists() {
        return github_sha.to_owned();
    }
    let output = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(&top)
        .output()
        .unwrap_or_else(|error| unreachable!("cannot run git: {error}"));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

#[test]
fn source_url_links_every_location_from_the_top_of_the_repository() {
    let manifest = fixture("axodesk").join("Cargo.toml").display().to_string();
    let repository_top = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../.git")
        .exists();
    let path = if repository_top {
        "fixtures/axodesk/crates/app/src/ai/agent.rs"
    } else {
        "crates/app/src/ai/agent.rs"
    };
    let (code, text, stderr) = privflow_env(
        &[
            "report",
            "--workspace",
            "--manifest-path",
            &manifest,
            "--source-url",
            "https://code.example/{path}?at={rev}#L{line}",
        ],
        &[("GITHUB_SHA", "0123abcd")],
    );
    assert_eq!(code, Some(0), "{stderr}");
    let rev = expected_rev("0123abcd");
    let link = format!("(<https://code.example/{path}?at={rev}#L36>)");
    assert!(
        text.contains(&format!(
            "- **Sink call** at [`crates/app/src/ai/agent.rs:36`]{link}"
        )),
        "the sink call links to its line:\n{text}"
    );
    let (_, html, _) = privflow_env(
        &[
            "report",
            "--workspace",
            "--format",
            "html",
            "--manifest-path",
            &manifest,
            "--source-url",
            "https://code.example/{path}?at={rev}#L{line}",
        ],
        &[("GITHUB_SHA", "0123abcd")],
    );
    assert!(
        html.contains(&format!(
            "<a class=\"loc\" href=\"https://code.example/{path}?at={rev}#L36\">"
        )),
        "the HTML links the same place"
    );
}

#[test]
fn github_actions_turns_links_on() {
    let manifest = fixture("axodesk").join("Cargo.toml").display().to_string();
    let (code, text, _) = privflow_env(
        &["report", "--workspace", "--manifest-path", &manifest],
        &[
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_REPOSITORY", "acme/desk"),
            ("GITHUB_SHA", "feedbeef"),
        ],
    );
    assert_eq!(code, Some(0));
    assert!(
        text.contains(&format!(
            "(<https://github.com/acme/desk/blob/{}/",
            expected_rev("feedbeef")
        )),
        "links to the run's commit:\n{text}"
    );
}

#[test]
fn a_bad_source_url_is_one_error_before_any_analysis() {
    let manifest = fixture("axodesk").join("Cargo.toml").display().to_string();
    let (code, stdout, stderr) = privflow_env(
        &[
            "report",
            "--workspace",
            "--manifest-path",
            &manifest,
            "--source-url",
            "https://x/{branch}/{path}",
        ],
        &[],
    );
    assert_eq!(code, Some(2));
    assert!(stdout.is_empty(), "no report: {stdout}");
    assert!(
        stderr.contains("error: unknown placeholder `{branch}` at column 11 of --source-url"),
        "{stderr}"
    );
    assert!(
        stderr.contains("help: a template uses {rev}, {path}, {line}"),
        "{stderr}"
    );
}
