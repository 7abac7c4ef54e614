//! The binary end to end: argument handling, exit codes, `init`, `explain`, and a bad
//! policy reported with its location.

mod common;

use std::path::Path;
use std::process::Command;

use common::{package, privflow_in as privflow, scratch};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn init_writes_a_policy_that_loads_and_refuses_to_overwrite() {
    let dir = scratch("cli-init");
    let first = privflow(&["privflow", "init"], &dir);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let written = std::fs::read_to_string(dir.join("privflow.toml")).unwrap_or_default();
    assert!(written.contains("extends = \"axodesk\""));
    assert!(privflow_model::Policy::load(&dir.join("privflow.toml")).is_ok());

    let again = privflow(&["init"], &dir);
    assert_eq!(
        again.status.code(),
        Some(2),
        "init must not overwrite silently"
    );
    assert!(text(&again.stderr).contains("--force"));
    assert_eq!(privflow(&["init", "--force"], &dir).status.code(), Some(0));
}

#[test]
fn explain_prints_rule_docs_and_listings() {
    let dir = scratch("cli-explain");
    let rule = privflow(&["explain", "flow-not-allowed"], &dir);
    assert_eq!(rule.status.code(), Some(0));
    assert!(text(&rule.stdout).contains("## Why it matters"));

    let sinks = privflow(&["privflow", "explain", "sinks"], &dir);
    assert_eq!(sinks.status.code(), Some(0));
    assert!(text(&sinks.stdout).contains("ai.openai"));

    let unknown = privflow(&["explain", "flow-not-alowed"], &dir);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("help:"));
}

#[test]
fn a_bad_policy_is_exit_2_with_file_line_column_and_help() {
    let dir = scratch("cli-bad-policy");
    std::fs::write(
        dir.join("privflow.toml"),
        "extends = \"axodesk\"\n[sinks.\"ai.openai\"]\nkind = \"llm\"\n",
    )
    .unwrap_or_else(|error| unreachable!("{error}"));
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"x\"\nversion = \"0.0.0\"\n[workspace]\n",
    )
    .unwrap_or_else(|error| unreachable!("{error}"));
    std::fs::create_dir_all(dir.join("src")).unwrap_or_else(|error| unreachable!("{error}"));
    std::fs::write(dir.join("src/lib.rs"), "pub fn f() {}\n")
        .unwrap_or_else(|error| unreachable!("{error}"));
    let output = privflow(&["check", "--manifest-path", "Cargo.toml"], &dir);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("privflow.toml:3:9"),
        "location missing:\n{stderr}"
    );
    assert_eq!(
        stderr.matches("`llm` is not a valid `kind`").count(),
        1,
        "each problem is printed once:\n{stderr}"
    );
    assert!(stderr.contains("help: use one of"), "{stderr}");
    assert!(output.stdout.is_empty(), "errors go to stderr only");
}

#[test]
fn bad_arguments_are_exit_2() {
    let dir = scratch("cli-args");
    assert_eq!(
        privflow(&["check", "--format", "xml"], &dir).status.code(),
        Some(2)
    );
    assert_eq!(privflow(&["frobnicate"], &dir).status.code(), Some(2));
    assert_eq!(privflow(&["--help"], &dir).status.code(), Some(0));
}

/// The fixpoint runs independent call-graph components in parallel and merges them in
/// a fixed order: every output (check's JSON, SARIF and GitHub formats, the reports,
/// the Fides export) is the same byte for byte run again, and with 2 or 8 threads.
#[test]
fn output_does_not_depend_on_the_number_of_threads() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/service");
    let run = |args: &[&str], threads: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_cargo-privflow-e2e"))
            .arg("privflow")
            .args(args)
            .arg("--workspace")
            .current_dir(&root)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap_or_else(|error| unreachable!("cannot run cargo-privflow: {error}"));
        output.stdout
    };
    let outputs: [&[&str]; 7] = [
        &["check", "--format", "json"],
        &["check", "--format", "sarif"],
        &["check", "--format", "github"],
        &["report", "--format", "md"],
        &["report", "--format", "html"],
        &["report", "--format", "json"],
        &["export", "fides"],
    ];
    for args in outputs {
        let first = run(args, "1");
        assert!(
            first.len() > 1000,
            "{args:?} printed little: {}",
            text(&first)
        );
        for threads in ["1", "2", "8"] {
            assert!(
                first == run(args, threads),
                "{args:?} differs between 1 thread and {threads}"
            );
        }
    }
}

/// Every workspace macro call that does not expand is a coverage gap, counted (issue 9):
/// an expansion that does not parse, and a call no rule matches.
#[test]
fn macros_that_do_not_expand_are_counted() {
    let dir = scratch("cli-macros-not-expanded");
    let files = [
        (
            "Cargo.toml",
            "[package]\nname = \"expansions\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n",
        ),
        (
            "src/lib.rs",
            "macro_rules! broken { ($e:expr) => { $e + + }; }\n\
             macro_rules! one { ($e:expr) => { $e }; }\n\
             pub fn f(x: u32) -> u32 { broken!(x) + one!(x, x) + one!(x) }\n",
        ),
    ];
    for (path, text) in files {
        let path = dir.join(path);
        let made = path.parent().map(std::fs::create_dir_all);
        assert!(matches!(made, Some(Ok(()))));
        assert!(std::fs::write(&path, text).is_ok());
    }
    let output = privflow(&["check", "--format", "json"], &dir);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| unreachable!("no JSON: {error}"));
    assert_eq!(
        document["coverage"]["macros_not_understood"], 2,
        "{document}"
    );
}

/// An attribute with no arguments has no tokens to point at: its problem is reported at
/// the attribute, not at the start of the file.
#[test]
fn a_bare_attribute_is_reported_where_it_is() {
    let dir = package(
        "bare",
        &[(
            "src/lib.rs",
            b"pub struct A;\n\n\n#[privflow::sink]\npub fn send(_body: &str) {}\n",
        )],
    );
    let output = privflow(&["check", "--format", "json"], &dir);
    let document: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| unreachable!("no JSON: {error}"));
    let error = &document["errors"][0];
    assert_eq!(error["file"], "src/lib.rs", "{document}");
    assert_eq!(error["line"], 4, "{document}");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|message| message.contains("`sink` needs the sink's id")),
        "{document}"
    );
}

/// A file that is not UTF-8 is reported at its first bad byte, the rest is analysed, and
/// the check exits 2 (a file never analysed must not pass silently) unless
/// `--allow-partial` is given.
#[test]
fn a_file_that_is_not_utf8_is_reported_where_it_stops_being_text() {
    let dir = package(
        "bytes",
        &[
            ("src/lib.rs", b"mod bad;\npub fn good() {}\n"),
            ("src/bad.rs", b"pub fn f() {}\n// \xff\xfe\n"),
        ],
    );
    let output = privflow(&["check", "--format", "json"], &dir);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| unreachable!("no JSON: {error}"));
    let error = &document["errors"][0];
    assert_eq!(
        (&error["file"], &error["line"], &error["column"]),
        (&"src/bad.rs".into(), &2.into(), &4.into()),
        "{document}"
    );
    assert_eq!(document["files_analyzed"], 1, "the rest is analysed");
    let partial = privflow(&["check", "--format", "json", "--allow-partial"], &dir);
    assert_eq!(partial.status.code(), Some(0));
}

/// A module directory that links to itself is loaded once, and the loop is reported at
/// the `mod` item, not walked until a path is too long.
#[cfg(unix)]
#[test]
fn a_module_loop_through_a_symbolic_link_is_reported_once() {
    let dir = package(
        "looping",
        &[
            ("src/lib.rs", b"pub mod a;\n"),
            ("src/a/mod.rs", b"pub mod a;\npub fn f() {}\n"),
        ],
    );
    std::os::unix::fs::symlink(".", dir.join("src/a/a"))
        .unwrap_or_else(|error| unreachable!("{error}"));
    let output = privflow(&["check", "--format", "json"], &dir);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let document: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| unreachable!("no JSON: {error}"));
    assert_eq!(document["files_analyzed"], 2, "{document}");
    let errors = document["errors"].as_array().cloned().unwrap_or_default();
    assert_eq!(errors.len(), 1, "{document}");
    assert_eq!(errors[0]["file"], "src/a/mod.rs");
    assert_eq!(errors[0]["line"], 1);
    assert!(
        errors[0]["message"]
            .as_str()
            .is_some_and(|message| message.contains("loop")),
        "{document}"
    );
}

/// Progress goes to stderr on a terminal (here a pseudo-terminal from `script`), never
/// into the results on stdout, and not at all when stderr is not a terminal.
/// `PRIVFLOW_PROGRESS_AFTER_MS=0` shows it at once instead of after a second.
#[test]
fn progress_shows_on_a_terminal_only_and_never_on_stdout() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/axodesk/Cargo.toml");
    let dir = scratch("cli-progress");
    let results = dir.join("results.json");
    let command = format!(
        "'{}' privflow check --workspace --format json --manifest-path '{}' > '{}'",
        env!("CARGO_BIN_EXE_cargo-privflow-e2e"),
        manifest.display(),
        results.display()
    );
    let terminal = Command::new("script")
        .args(["-qfec", &command, "/dev/null"])
        .env("PRIVFLOW_PROGRESS_AFTER_MS", "0")
        .output()
        .unwrap_or_else(|error| unreachable!("cannot run script(1): {error}"));
    let shown = text(&terminal.stdout);
    assert!(
        shown.contains("analysing functions"),
        "progress on the terminal:\n{shown}"
    );
    let stdout = std::fs::read_to_string(&results).unwrap_or_default();
    assert!(
        serde_json::from_str::<serde_json::Value>(&stdout).is_ok() && !stdout.contains("analysing"),
        "stdout holds the JSON alone"
    );
    let piped = common::check_command(&manifest)
        .env("PRIVFLOW_PROGRESS_AFTER_MS", "0")
        .output()
        .unwrap_or_else(|error| unreachable!("cannot run cargo-privflow: {error}"));
    assert!(
        !text(&piped.stderr).contains("analysing"),
        "no progress when stderr is not a terminal"
    );
    assert_eq!(text(&piped.stdout), stdout, "the same results either way");
}
