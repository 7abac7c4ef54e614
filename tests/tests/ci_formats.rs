//! `--format sarif` and `--format github`: the shape CI tools read, and SARIF
//! fingerprints that survive unrelated lines moving.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn check(manifest: &Path, format: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-privflow-e2e"))
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
    assert!(lines[0].starts_with("::error file=fixtures/example/src/lib.rs,line=40,col=5,title=privflow flow-not-allowed%3A contact.email -> logs::"));
    assert!(
        lines[0].contains("%0Atagged at fixtures/example/src/lib.rs:11:7"),
        "multi-line messages are escaped: {}",
        lines[0]
    );
    assert!(lines[1].starts_with("::notice title=privflow::3 flows, 1 violations"));
}

/// Validated against the OASIS SARIF 2.1.0 schema (a copy of `shared/schemas/` kept in
/// `tests/tests/schemas/`) with the `jsonschema` Python package.
#[test]
fn sarif_validates_against_the_schema() {
    let schema =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/sarif-schema-2.1.0.json");
    let document = Path::new(env!("CARGO_TARGET_TMPDIR")).join("reference.sarif");
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/axodesk/Cargo.toml");
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-privflow-e2e"))
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

/// `check --baseline FILE` gates on new violations only: the example's one violation,
/// in its own baseline, is known (exit 0); a new one in another function fails the
/// check (exit 1) while the known one stays listed; one removed is listed as fixed.
#[test]
fn a_baseline_gates_on_new_violations_only() {
    let (copy, source) = common::copy_example("baseline-example");
    let manifest = copy.join("Cargo.toml");
    let baseline = copy.join("baseline.json");
    let written = Command::new(env!("CARGO_BIN_EXE_cargo-privflow-e2e"))
        .args(["check", "--format", "json", "--output"])
        .arg(&baseline)
        .arg("--manifest-path")
        .arg(&manifest)
        .output()
        .unwrap_or_else(|error| unreachable!("{error}"));
    assert_eq!(
        written.status.code(),
        Some(1),
        "the example has a violation"
    );
    let with_baseline = |extra: &[&std::ffi::OsStr]| {
        let mut args: Vec<&std::ffi::OsStr> = vec!["--baseline".as_ref(), baseline.as_os_str()];
        args.extend_from_slice(extra);
        let output = common::check_output(&manifest, &args);
        let document: serde_json::Value =
            serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null);
        (output.status.code(), document)
    };

    let (code, document) = with_baseline(&[]);
    assert_eq!(code, Some(0), "{document:#}");
    assert_eq!(document["violations"], 1, "still listed");
    assert_eq!(document["baseline"]["new_violations"], 0);
    assert_eq!(document["baseline"]["known_violations"], 1);
    let marks: Vec<&serde_json::Value> = document["flows"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|flow| flow["verdict"] == "violation")
        .map(|flow| &flow["baseline"])
        .collect();
    assert_eq!(marks, ["known"]);
    // In a pull request, the known one is a warning and the summary counts new ones.
    let github = Command::new(env!("CARGO_BIN_EXE_cargo-privflow-e2e"))
        .args(["check", "--format", "github", "--baseline"])
        .arg(&baseline)
        .arg("--manifest-path")
        .arg(&manifest)
        .output()
        .unwrap_or_else(|error| unreachable!("{error}"));
    let text = String::from_utf8_lossy(&github.stdout);
    assert_eq!(github.status.code(), Some(0), "{text}");
    // (The copy is a folder of this repository's target directory: placed from its top.)
    assert!(
        text.starts_with("::warning file=") && text.contains("src/lib.rs,line=40"),
        "{text}"
    );
    assert!(
        text.contains("0 new violations (1 known, 0 fixed)"),
        "{text}"
    );

    let added = format!(
        "{source}\npub fn audit(contact: &Contact) {{\n    eprintln!(\"audit {{}}\", contact.phone);\n}}\n"
    );
    std::fs::write(copy.join("src/lib.rs"), &added).unwrap_or_else(|error| unreachable!("{error}"));
    let (code, document) = with_baseline(&[]);
    assert_eq!(code, Some(1), "a new violation fails the check");
    assert_eq!(document["baseline"]["new_violations"], 1);
    assert_eq!(document["baseline"]["known_violations"], 1);

    let removed = source.replace("println!(\"notifying {}\", contact.email);", "");
    assert_ne!(removed, source);
    std::fs::write(copy.join("src/lib.rs"), &removed)
        .unwrap_or_else(|error| unreachable!("{error}"));
    let (code, document) = with_baseline(&[]);
    assert_eq!(code, Some(0));
    assert_eq!(
        document["baseline"]["fixed"][0]["category"],
        "contact.email"
    );
    assert_eq!(document["baseline"]["fixed"][0]["sink"], "logs");
}

/// A baseline that is not a check result stops the check with its place and a help line.
#[test]
fn a_broken_baseline_is_an_error_with_its_place() {
    let (copy, _) = common::copy_example("baseline-broken");
    let baseline = copy.join("baseline.json");
    std::fs::write(
        &baseline,
        "{\n  \"schema\": \"privflow.check/1\",\n  \"flows\": [,]\n}\n",
    )
    .unwrap_or_else(|error| unreachable!("{error}"));
    let output = common::check_output(
        &copy.join("Cargo.toml"),
        &["--baseline".as_ref(), baseline.as_os_str()],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("baseline.json:3:"), "{stderr}");
    assert!(
        stderr.contains("help: pass a result written by"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

/// A workspace in a folder of a git repository (`fixtures/example` in this one): SARIF
/// URIs and GitHub annotations are relative to the repository's top level, as code
/// scanning and pull-request annotations need, and the SARIF names no path of the
/// machine that ran the check. The JSON document keeps workspace-relative paths.
#[test]
fn ci_formats_place_files_from_the_top_of_the_repository() {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    assert!(
        repository.join(".git").exists(),
        "the tests run in a clone of the repository"
    );
    let document = sarif(&example().join("Cargo.toml"));
    let text = document.to_string();
    assert!(!text.contains("file://"), "no absolute base: {text}");
    let result = &document["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "fixtures/example/src/lib.rs"
    );
    let steps = result["codeFlows"][0]["threadFlows"][0]["locations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(steps.iter().all(|step| {
        step["location"]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .is_some_and(|uri| uri.starts_with("fixtures/example/"))
    }));
    let annotations = check(&example().join("Cargo.toml"), "github");
    assert!(
        annotations.contains("::error file=fixtures/example/src/lib.rs,line=40"),
        "{annotations}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&check(&example().join("Cargo.toml"), "json")).unwrap_or_default();
    let files = common::flow_files(&json);
    assert!(
        !files.is_empty() && files.iter().all(|file| file.starts_with("src/")),
        "the JSON keeps workspace paths: {files:?}"
    );
}
