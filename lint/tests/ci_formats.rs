//! `--format sarif` and `--format github`: the shape CI tools read, and SARIF
//! fingerprints that survive unrelated lines moving.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn check(manifest: &Path, format: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-privflow"))
        .args(["check", "--format", format, "--manifest-path"])
        .arg(manifest)
        .output()
        .unwrap_or_else(|error| unreachable!("cannot run cargo-privflow: {error}"));
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/example")
}

fn sarif(manifest: &Path) -> serde_json::Value {
    serde_json::from_str(&check(manifest, "sarif"))
        .unwrap_or_else(|error| unreachable!("not JSON: {error}"))
}

#[test]
fn sarif_has_rules_results_code_flows_and_properties() {
    let document = sarif(&example().join("Cargo.toml"));
    assert_eq!(document["version"], "2.1.0");
    let run = &document["runs"][0];
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        rules.len(),
        cargo_privflow::rules::RULES.len(),
        "one rule per rule code"
    );
    assert!(rules.iter().all(|rule| {
        rule["help"]["text"]
            .as_str()
            .is_some_and(|text| text.contains("## How to fix it"))
    }));
    let results = run["results"].as_array().cloned().unwrap_or_default();
    assert_eq!(results.len(), 1, "one result per violation: {results:#?}");
    let result = &results[0];
    assert_eq!(result["ruleId"], "flow-not-allowed");
    assert_eq!(
        rules[result["ruleIndex"].as_u64().unwrap_or(99) as usize]["id"],
        "flow-not-allowed"
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        40
    );
    assert_eq!(result["properties"]["category"], "contact.email");
    assert_eq!(result["properties"]["sink"], "logs");
    let steps = result["codeFlows"][0]["threadFlows"][0]["locations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(steps.len() >= 2, "the trace from tag to sink: {steps:#?}");
    assert_eq!(
        steps[0]["location"]["physicalLocation"]["region"]["startLine"], 11,
        "starts at the tag"
    );
}

#[test]
fn sarif_fingerprints_survive_inserted_lines() {
    let (copy, source) = common::copy_example("fingerprint-example");
    let before = sarif(&copy.join("Cargo.toml"));
    std::fs::write(
        copy.join("src/lib.rs"),
        format!("// a new header line\n// and another\n\n{source}"),
    )
    .unwrap_or_else(|error| unreachable!("{error}"));
    let after = sarif(&copy.join("Cargo.toml"));
    let result =
        |document: &serde_json::Value, key: &str| document["runs"][0]["results"][0][key].clone();
    let line = |document: &serde_json::Value| {
        result(document, "locations")[0]["physicalLocation"]["region"]["startLine"].clone()
    };
    assert_ne!(line(&before), line(&after), "the violation moved");
    assert_eq!(
        result(&before, "partialFingerprints"),
        result(&after, "partialFingerprints")
    );
}

#[test]
fn github_annotates_each_violation_and_summarises() {
    let text = check(&example().join("Cargo.toml"), "github");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(lines[0].starts_with("::error file=src/lib.rs,line=40,col=5,title=privflow flow-not-allowed%3A contact.email -> logs::"));
    assert!(
        lines[0].contains("%0Atagged at src/lib.rs:11:7"),
        "multi-line messages are escaped: {}",
        lines[0]
    );
    assert!(lines[1].starts_with("::notice title=privflow::3 flows, 1 violations"));
}

/// Validated against the OASIS SARIF 2.1.0 schema (a copy of `shared/schemas/` kept in
/// `lint/tests/schemas/`) with the `jsonschema` Python package.
#[test]
fn sarif_validates_against_the_schema() {
    let schema =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json");
    let document = Path::new(env!("CARGO_TARGET_TMPDIR")).join("reference.sarif");
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/axodesk/Cargo.toml");
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-privflow"))
        .args([
            "check",
            "--workspace",
            "--format",
            "sarif",
            "--manifest-path",
        ])
        .arg(&reference)
        .output()
        .unwrap_or_else(|error| unreachable!("{error}"));
    std::fs::write(&document, &output.stdout).unwrap_or_else(|error| unreachable!("{error}"));
    let python = common::python_with(&["jsonschema==4.23.0"]);
    let script = "import json,sys,jsonschema\nschema=json.load(open(sys.argv[1]))\ndoc=json.load(open(sys.argv[2]))\njsonschema.validate(doc, schema, cls=jsonschema.Draft4Validator)\nprint('valid', len(doc['runs'][0]['results']))";
    let (ok, text) = common::run(
        Command::new(python)
            .args(["-c", script])
            .arg(&schema)
            .arg(&document),
    );
    assert!(ok, "the SARIF output does not validate:\n{text}");
    assert_eq!(text.trim(), "valid 15", "{text}");
}
