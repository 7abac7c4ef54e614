//! Hostile and broken input, end to end: what a run that could not analyse everything
//! says in every output, and strings from code or policy that try to become markup.

mod common;

use common::{package, privflow_in as privflow};

/// A tagged field named with a raw identifier, a category the user defined (with no
/// fideslang mapping), a sink and an exception whose strings are markup, and a file that
/// does not parse.
const LIB: &str = r#"mod broken;

#[derive(privflow::Classified)]
pub struct Customer {
    #[data("loyalty.tier")]
    pub r#type: String,
    #[data("contact.email")]
    pub email: String,
}

pub fn emit(_line: String) {}

pub fn note(customer: &Customer) {
    emit(customer.r#type.clone());
    log::info!("{}", customer.email);
}
"#;

const POLICY: &str = r#"[categories."loyalty.tier"]
description = "<img src=x onerror=alert(1)> tier"

[sinks.markup_sink]
kind = "logs"
description = "<script>alert(2)</script>"
vendor = "<img src=x onerror=alert(3)>"
functions = ["{crate}::emit"]

[[exceptions]]
flow = "contact.email -> logs"
reason = "<img src=x onerror=alert(4)> [click](javascript:alert(5))"
expires = "2099-01-01"
"#;

/// The workspace as package `hostile_<name>` (each test its own directory).
fn workspace(name: &str) -> std::path::PathBuf {
    let name = format!("hostile_{name}");
    let policy = POLICY.replace("{crate}", &name);
    package(
        &name,
        &[
            ("src/lib.rs", LIB.as_bytes()),
            ("src/broken.rs", b"pub fn broken( {\n"),
            ("privflow.toml", policy.as_bytes()),
        ],
    )
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn every_report_and_export_names_the_file_not_analysed_and_fails_without_allow_partial() {
    let dir = workspace("partial");
    let runs: [&[&str]; 4] = [
        &["report", "--format", "md"],
        &["report", "--format", "html"],
        &["report", "--format", "json"],
        &["export", "fides"],
    ];
    for args in runs {
        let strict = privflow(args, &dir);
        assert_eq!(
            strict.status.code(),
            Some(2),
            "{args:?} with a file skipped"
        );
        let text = stdout(&strict);
        assert!(
            text.contains("src/broken.rs") && text.contains("never closed"),
            "{args:?} names the file not analysed and why:\n{text}"
        );
        assert!(
            String::from_utf8_lossy(&strict.stderr).contains("--allow-partial"),
            "{args:?} says how to accept a partial analysis"
        );
        let mut partial_args = args.to_vec();
        partial_args.push("--allow-partial");
        let partial = privflow(&partial_args, &dir);
        assert_eq!(partial.status.code(), Some(0), "{args:?} --allow-partial");
        assert_eq!(stdout(&partial), text, "the same output either way");
    }
    let json = stdout(&privflow(&["report", "--format", "json"], &dir));
    let report: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
    assert_eq!(report["errors"][0]["file"], "src/broken.rs");
    assert_eq!(report["errors"][0]["line"], 1);
    assert_eq!(report["coverage"]["files_skipped"], 1);
    assert_eq!(report["files_analyzed"], 1);
    let markdown = stdout(&privflow(&["report"], &dir));
    assert!(
        markdown.contains("1 files analysed, 1 not analysed"),
        "{markdown}"
    );
}

#[test]
fn markup_in_code_and_policy_strings_stays_text_in_the_reports() {
    let dir = workspace("markup");
    let markdown = stdout(&privflow(&["report", "--allow-partial"], &dir));
    assert!(markdown.contains("onerror=alert(3)"), "the vendor is shown");
    assert!(markdown.contains("onerror=alert(4)"), "the reason is shown");
    for raw in ["<img", "<script", "[click](javascript:"] {
        assert!(
            !markdown.contains(raw),
            "raw {raw} in the Markdown:\n{markdown}"
        );
    }
    let html = stdout(&privflow(
        &["report", "--format", "html", "--allow-partial"],
        &dir,
    ));
    assert!(html.contains("onerror=alert(3)"), "the vendor is shown");
    for raw in ["<img", "<script>alert"] {
        assert!(!html.contains(raw), "raw {raw} in the HTML");
    }
}

#[test]
fn the_fides_export_names_raw_fields_plainly_and_keeps_user_categories() {
    let dir = workspace("fides");
    let yaml = stdout(&privflow(&["export", "fides", "--allow-partial"], &dir));
    assert!(!yaml.contains("r#type"), "{yaml}");
    let manifest: serde_json::Value =
        serde_saphyr::from_str(&yaml).unwrap_or_else(|error| unreachable!("{error}\n{yaml}"));
    let field = manifest["dataset"][0]["collections"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|collection| collection["fields"].as_array().into_iter().flatten())
        .find(|field| field["name"] == "type")
        .unwrap_or_else(|| unreachable!("no field `type`:\n{yaml}"));
    assert!(
        field["data_categories"] == serde_json::json!(["user"])
            && field["description"]
                .as_str()
                .is_some_and(|description| description.contains("loyalty.tier")),
        "the field of the user's category is exported, mapped to `user`, and says so:\n{yaml}"
    );
    assert!(yaml.starts_with("# privflow: 1 files analysed, 1 not analysed"));
    assert!(yaml.contains("# problem: src/broken.rs:1:"));
}

/// A workspace pinned to a toolchain this machine does not have is analysed anyway, and
/// nothing is installed: the layout `cargo metadata --no-deps` reads does not depend on
/// the toolchain. Run as the binary itself (no `$CARGO` handed down), from inside the
/// workspace, where rustup's proxy reads the pin.
#[test]
fn a_pinned_toolchain_that_is_not_installed_does_not_stop_the_check() {
    const PINNED: &str = "1.61.0";
    let dir = package(
        "pinned",
        &[
            (
                "rust-toolchain.toml",
                format!("[toolchain]\nchannel = \"{PINNED}\"\n").as_bytes(),
            ),
            ("src/lib.rs", LIB.replace("mod broken;", "").as_bytes()),
        ],
    );
    // The shape arises only where rustup reads the pin: there, plain cargo fails.
    let plain = std::process::Command::new("cargo")
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(&dir)
        .env_remove("RUSTUP_TOOLCHAIN")
        .env("RUSTUP_AUTO_INSTALL", "0")
        .output();
    let pinned_fails = plain.is_ok_and(|plain| {
        !plain.status.success() && String::from_utf8_lossy(&plain.stderr).contains("not installed")
    });
    if !pinned_fails {
        eprintln!("cargo here does not read rust-toolchain.toml (no rustup): nothing to test");
        return;
    }
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-privflow-e2e"))
        .args(["privflow", "check", "--format", "json"])
        .current_dir(&dir)
        .env_remove("CARGO")
        .env_remove("RUSTUP_TOOLCHAIN")
        .output()
        .unwrap_or_else(|error| unreachable!("cannot run cargo-privflow: {error}"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "a violation, found:\n{stderr}"
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    assert_eq!(json["files_analyzed"], 1);
    let rustup_home = std::env::var_os("RUSTUP_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| std::path::Path::new(&home).join(".rustup"))
        });
    if let Some(toolchains) = rustup_home.map(|home| home.join("toolchains")) {
        let installed = std::fs::read_dir(&toolchains)
            .into_iter()
            .flatten()
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().starts_with(PINNED));
        assert!(!installed, "the pinned toolchain was installed");
    }
}

/// The analysed code never runs: a build script and a proc macro that would each write
/// a marker file are read, not built, by `check`, `report` and `export`, and neither
/// the `rustc` nor the `rustc-wrapper` the workspace's `.cargo/config.toml` names is
/// started. Nothing needs the network or a registry: offline, with an empty cargo home,
/// without a lock file (none is written) and then with one (read for the versions in
/// use: a catalogued HTTP client's call is found only through it).
#[test]
fn the_analysed_code_never_runs_and_no_network_or_registry_is_needed() {
    let dir = common::scratch("never-run");
    let marker = |name: &str| dir.join(name);
    let markers = [
        "build-script-ran",
        "proc-macro-ran",
        "rustc-ran",
        "wrapper-ran",
    ];
    let write_marker = |name: &str| {
        format!(
            "let _ = std::fs::write({:?}, \"ran\");",
            marker(name).display().to_string()
        )
    };
    let script = |name: &str| {
        format!(
            "#!/bin/sh\ntouch '{}'\nexec \"$@\"\n",
            marker(name).display()
        )
    };
    let source = LIB.replace("mod broken;", "").replace(
        "pub fn note",
        "#[marker::mark]\npub fn ask(customer: &Customer) {\n    let _ = reqwest::Client::new().post(\"https://api.openai.com/v1/chat/completions\").body(customer.email.clone()).send();\n}\n\npub fn note",
    );
    let files = [
        (
            "Cargo.toml",
            "[package]\nname = \"never_run\"\nversion = \"0.0.0\"\nedition = \"2021\"\nbuild = \"build.rs\"\n\n[dependencies]\nmarker = { path = \"marker\" }\nreqwest = \"0\"\n\n[workspace]\nmembers = [\"marker\"]\n".to_owned(),
        ),
        ("build.rs", format!("fn main() {{ {} }}\n", write_marker("build-script-ran"))),
        (
            "marker/Cargo.toml",
            "[package]\nname = \"marker\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[lib]\nproc-macro = true\n".to_owned(),
        ),
        (
            "marker/src/lib.rs",
            format!(
                "use proc_macro::TokenStream;\n\n#[proc_macro_attribute]\npub fn mark(_: TokenStream, item: TokenStream) -> TokenStream {{\n    {}\n    item\n}}\n",
                write_marker("proc-macro-ran")
            ),
        ),
        ("src/lib.rs", source),
        ("rustc.sh", script("rustc-ran").replace("exec \"$@\"", "exec rustc \"$@\"")),
        ("wrapper.sh", script("wrapper-ran")),
        (
            ".cargo/config.toml",
            format!(
                "[build]\nrustc = \"{}\"\nrustc-wrapper = \"{}\"\n",
                dir.join("rustc.sh").display(),
                dir.join("wrapper.sh").display()
            ),
        ),
    ];
    common::write_files(&dir, &files);
    #[cfg(unix)]
    for script in ["rustc.sh", "wrapper.sh"] {
        use std::os::unix::fs::PermissionsExt;
        let made =
            std::fs::set_permissions(dir.join(script), std::fs::Permissions::from_mode(0o755));
        assert!(made.is_ok());
    }
    let empty_cargo_home = common::scratch("never-run-cargo-home");
    let runs: [&[&str]; 4] = [
        &["check", "--workspace", "--format", "json"],
        &["report", "--workspace", "--format", "json"],
        &["report", "--workspace", "--format", "html"],
        &["export", "fides", "--workspace"],
    ];
    let lock = "version = 4\n\n[[package]]\nname = \"reqwest\"\nversion = \"0.12.4\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
    for with_lock in [false, true] {
        if with_lock {
            std::fs::write(dir.join("Cargo.lock"), lock)
                .unwrap_or_else(|error| unreachable!("{error}"));
        }
        for args in runs {
            let output = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-privflow-e2e"))
                .arg("privflow")
                .args(args)
                .current_dir(&dir)
                .env("CARGO_NET_OFFLINE", "true")
                .env("CARGO_HOME", &empty_cargo_home)
                .output()
                .unwrap_or_else(|error| unreachable!("cannot run cargo-privflow: {error}"));
            let stdout = String::from_utf8_lossy(&output.stdout);
            assert!(
                matches!(output.status.code(), Some(0 | 1)),
                "{args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            assert!(
                stdout.contains("loyalty.tier") || stdout.contains("\"type\""),
                "{args:?} analysed the workspace:\n{stdout}"
            );
            if args[0] == "check" {
                assert_eq!(
                    stdout.contains("ai.openai"),
                    with_lock,
                    "the catalogued client counts only at the locked version"
                );
            }
            for name in markers {
                assert!(!marker(name).exists(), "{args:?} ran what writes {name}");
            }
        }
        if !with_lock {
            assert!(!dir.join("Cargo.lock").exists(), "no lock file was written");
        }
    }
    assert_eq!(
        std::fs::read_to_string(dir.join("Cargo.lock")).unwrap_or_default(),
        lock,
        "the lock file is left as it is"
    );
    let built: Vec<String> = std::fs::read_dir(dir.join("target"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        built,
        ["privflow"],
        "nothing was built: the target directory holds only privflow's cache"
    );
}

/// `check --format json` in `dir`: exit code, the JSON (or null), and stderr.
fn check_in(dir: &std::path::Path, extra: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let mut args = vec!["check", "--workspace", "--format", "json"];
    args.extend_from_slice(extra);
    let output = privflow(&args, dir);
    (
        output.status.code(),
        serde_json::from_slice(&output.stdout).unwrap_or_default(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The flows of a check's JSON as `category -> sink (verdict)`.
fn flows(json: &serde_json::Value) -> Vec<String> {
    json["flows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|flow| {
            format!(
                "{} -> {} ({})",
                flow["category"].as_str().unwrap_or_default(),
                flow["sink"].as_str().unwrap_or_default(),
                flow["verdict"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

/// Empty files and an empty crate are analysed (nothing to find); a generated file of
/// 50,000 lines is analysed whole, its last function's flow found.
#[test]
fn empty_files_and_a_50k_line_file_are_analysed() {
    let dir = package(
        "empty_files",
        &[("src/lib.rs", b"mod empty;\n"), ("src/empty.rs", b"")],
    );
    let (code, json, stderr) = check_in(&dir, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(json["files_analyzed"], 2);
    assert_eq!(json["errors"], serde_json::json!([]));

    let mut big = String::from(
        "pub struct Contact {\n    #[data(\"contact.email\")]\n    pub email: String,\n}\n",
    );
    let functions = 10_000;
    for index in 0..functions {
        let next = index + 1;
        big.push_str(&format!(
            "pub fn step_{index}(contact: &Contact) -> usize {{\n    let n = contact.email.len() + {index};\n    if n > 1_000_000 {{ return 0; }}\n    step_{next}(contact)\n}}\n"
        ));
    }
    big.push_str(&format!(
        "pub fn step_{functions}(contact: &Contact) -> usize {{\n    println!(\"{{}}\", contact.email);\n    0\n}}\n"
    ));
    assert!(big.lines().count() >= 50_000);
    let dir = package("big_file", &[("src/lib.rs", big.as_bytes())]);
    let (code, json, stderr) = check_in(&dir, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(flows(&json), ["contact.email -> logs (violation)"]);
    assert_eq!(json["flows"][0]["line"], 50_006);
}

/// A missing, a broken and an unreadable-as-a-package `Cargo.toml`: exit 2 with one
/// clear error and a help line, never a panic.
#[test]
fn missing_or_broken_manifests_are_one_error_each() {
    // Outside the project: a directory under target/ would find the project's manifest.
    let dir = std::env::temp_dir().join(format!("privflow-no-manifest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|error| unreachable!("{error}"));
    let (code, _, stderr) = check_in(&dir, &[]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("Cargo.toml") && stderr.contains("help:"),
        "{stderr}"
    );

    let dir = package("broken_manifest", &[("src/lib.rs", b"pub fn f() {}\n")]);
    std::fs::write(dir.join("Cargo.toml"), "[package\nname = \"x\"\n")
        .unwrap_or_else(|error| unreachable!("{error}"));
    let (code, _, stderr) = check_in(&dir, &[]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("Cargo.toml") && stderr.contains("help:") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

/// A virtual manifest analyses its members; a member it excludes is not analysed.
#[test]
fn virtual_manifests_and_excluded_members() {
    let member = |name: &str| {
        format!("[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\n")
    };
    let dir = common::scratch("virtual-workspace");
    let files = [
        (
            "Cargo.toml".to_owned(),
            "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"crates/skipped\"]\n".to_owned(),
        ),
        ("crates/kept/Cargo.toml".to_owned(), member("kept")),
        (
            "crates/kept/src/lib.rs".to_owned(),
            LIB.replace("mod broken;", ""),
        ),
        (
            "crates/skipped/Cargo.toml".to_owned(),
            member("skipped") + "[workspace]\n",
        ),
        (
            "crates/skipped/src/lib.rs".to_owned(),
            LIB.replace("mod broken;", ""),
        ),
    ];
    common::write_files(&dir, &files);
    let (code, json, stderr) = check_in(&dir, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    let files = common::flow_files(&json);
    assert!(!files.is_empty(), "the member is analysed");
    assert!(
        files.iter().all(|file| file.starts_with("crates/kept/")),
        "the excluded member is not: {files:?}"
    );
    assert_eq!(json["files_analyzed"], 1);
}

/// Policy problems end to end: invalid TOML, a wrong value type and an unknown key are
/// each exit 2 with file:line:column and a help line; of two rules for one flow the deny
/// wins; an expired exception excuses nothing and says that it expired.
#[test]
fn bad_policies_conflicting_rules_and_expired_exceptions() {
    let source = LIB.replace("mod broken;", "");
    let cases: [(&str, &str, &str); 3] = [
        ("invalid_toml", "[rules\n", "privflow.toml:1:"),
        (
            "wrong_type",
            "[sinks.logs]\ndisclosed = \"yes\"\n",
            "privflow.toml:2:",
        ),
        (
            "unknown_key",
            "[sinks.logs]\ndisclose = true\n",
            "privflow.toml:2:1",
        ),
    ];
    for (name, policy, place) in cases {
        let dir = package(
            name,
            &[
                ("src/lib.rs", source.as_bytes()),
                ("privflow.toml", policy.as_bytes()),
            ],
        );
        let (code, json, stderr) = check_in(&dir, &[]);
        assert_eq!(code, Some(2), "{name}");
        assert_eq!(json, serde_json::Value::Null, "{name}: nothing on stdout");
        assert!(stderr.contains(place), "{name} at {place}:\n{stderr}");
        assert!(
            stderr.contains("help:"),
            "{name} has a help line:\n{stderr}"
        );
    }
    let policy = r#"
[categories."loyalty.tier"]
description = "tier"

[[rules]]
allow = ["contact.email"]
to = ["logs"]
reason = "allowed"

[[rules]]
deny = ["contact.email"]
to = ["logs"]
reason = "denied"

[[exceptions]]
flow = "loyalty.tier -> logs"
reason = "was fine once"
expires = "2020-01-01"
"#;
    let source = source.replace(
        "emit(customer.r#type.clone());",
        "log::warn!(\"{}\", customer.r#type);",
    );
    let dir = package(
        "rules_and_exceptions",
        &[
            ("src/lib.rs", source.as_bytes()),
            ("privflow.toml", policy.as_bytes()),
        ],
    );
    let (code, json, stderr) = check_in(&dir, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    let found: Vec<(String, String, String)> = json["flows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|flow| {
            (
                flow["category"].as_str().unwrap_or_default().to_owned(),
                flow["rule"].as_str().unwrap_or_default().to_owned(),
                flow["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        found
            .iter()
            .any(|(category, rule, _)| category == "contact.email" && rule == "flow-denied"),
        "deny wins: {found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|(category, _, message)| category == "loyalty.tier"
                && message.contains("expired on 2020-01-01")),
        "the expired exception excuses nothing: {found:#?}"
    );
}

/// The `analysis` fuzz target's first finding: a crate root that holds `use crate::*;`
/// five times (and globs of crates that do not exist) took 4.7 s in a release build,
/// walking the same self-glob again for every repeat. Repeated imports are one import
/// now; the file is analysed, and names still resolve through repeated globs.
#[test]
fn repeated_self_glob_imports_are_one_import() {
    let input = include_bytes!("inputs/repeated-self-globs.rs");
    let dir = package("repeated_globs", &[("src/lib.rs", input)]);
    let (code, json, stderr) = check_in(&dir, &[]);
    assert!(matches!(code, Some(0 | 1)), "{stderr}");
    assert_eq!(json["files_analyzed"], 1);
    let source = "mod inner {\n    pub struct Contact {\n        #[data(\"contact.email\")]\n        pub email: String,\n    }\n}\nuse crate::*;\nuse crate::*;\npub use inner::*;\nuse inner::*;\n\npub fn note(contact: &Contact) {\n    println!(\"{}\", contact.email);\n}\n";
    let dir = package(
        "repeated_globs_resolve",
        &[("src/lib.rs", source.as_bytes())],
    );
    let (code, json, stderr) = check_in(&dir, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(flows(&json), ["contact.email -> logs (violation)"]);
}

/// Found by the `analysis` fuzz target: a recursive macro whose every step repeats a long
/// run of tokens for each token of its input built millions of tokens and ran for
/// minutes. Expansions are bounded now; the call is a macro not understood and the rest
/// of the function is still analysed.
#[test]
fn a_macro_that_grows_at_every_step_is_left_unexpanded() {
    let input = include_bytes!("inputs/growing-macro.rs");
    let dir = package("growing_macro", &[("src/lib.rs", input)]);
    let started = std::time::Instant::now();
    let (code, json, stderr) = check_in(&dir, &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(flows(&json), ["contact.email -> logs (violation)"]);
    assert_eq!(json["coverage"]["macros_not_understood"], 1);
    // Not a timing test: minutes before the bound, well under a second after it.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
}
