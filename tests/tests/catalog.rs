//! The sink catalog (issue 10, docs/sinks.md): which entries apply, by the version a
//! package requires, and how a `privflow.toml` turns one off, adds one, or gets one
//! wrong. The markers of `fixtures/sdks` cover the entries themselves.

mod common;

use std::path::{Path, PathBuf};

/// A one-package workspace in directory `name` with these `[dependencies]` lines, its
/// `privflow.toml` tagging `Reply.to` as an email (then `policy`), and `lib_rs`.
fn workspace(name: &str, package: &str, dependencies: &str, policy: &str, lib_rs: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap_or_else(|error| unreachable!("{error}"));
    let files = [
        (
            "Cargo.toml",
            format!(
                "[package]\nname = \"{package}\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n\
                 [dependencies]\n{dependencies}\n\n[workspace]\n"
            ),
        ),
        (
            "privflow.toml",
            format!(
                "extends = \"axodesk\"\n\n[types.\"{package}::Reply\".fields]\nto = \"contact.email\"\n\n{policy}"
            ),
        ),
        ("src/lib.rs", lib_rs.to_owned()),
    ];
    for (file, text) in files {
        std::fs::write(dir.join(file), text).unwrap_or_else(|error| unreachable!("{error}"));
    }
    dir
}

/// A one-package workspace that sends a tagged field with lettre, requiring `lettre`
/// at `version`, with `policy` appended to its `privflow.toml`.
fn mailer(name: &str, version: &str, policy: &str) -> PathBuf {
    workspace(
        name,
        "mailer",
        &format!("lettre = \"{version}\""),
        policy,
        "use lettre::{Message, SmtpTransport, Transport};\n\n\
         pub struct Reply {\n    pub to: String,\n}\n\n\
         pub fn send(reply: &Reply) -> Result<(), Box<dyn std::error::Error>> {\n    \
         let email = Message::builder().to(reply.to.parse()?).body(String::new())?;\n    \
         let mailer = SmtpTransport::relay(\"smtp.example.com\")?.build();\n    \
         mailer.send(&email)?;\n    Ok(())\n}\n",
    )
}

/// What `explain sinks` prints in `dir`, after asserting that it succeeded.
fn explain_sinks(dir: &Path) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-privflow-e2e"))
        .args(["explain", "sinks"])
        .current_dir(dir)
        .output()
        .unwrap_or_else(|error| unreachable!("cannot run cargo-privflow: {error}"));
    assert_eq!(output.status.code(), Some(0));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The `(category, sink)` of every flow `check` reports.
fn flows(dir: &Path) -> Vec<(String, String)> {
    let document = common::check_json(&dir.join("Cargo.toml"), &[]);
    document["flows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|flow| {
            (
                flow["category"].as_str().unwrap_or_default().to_owned(),
                flow["sink"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn email_flow() -> Vec<(String, String)> {
    vec![("contact.email".to_owned(), "channel.email".to_owned())]
}

#[test]
fn an_entry_applies_to_the_versions_it_describes() {
    assert_eq!(
        flows(&mailer("catalog-lettre-11", "0.11", "")),
        email_flow()
    );
    assert_eq!(
        flows(&mailer("catalog-lettre-10", "=0.10.4", "")),
        email_flow()
    );
    // lettre 0.9 had another API; the entry does not describe it.
    assert!(flows(&mailer("catalog-lettre-9", "0.9", "")).is_empty());
}

#[test]
fn a_policy_turns_an_entry_off_or_adds_one() {
    let off = "[[catalog]]\ncrate = \"lettre\"\nversions = \"0.11\"\nsink = \"channel.email\"\nmethods = []\n";
    assert!(flows(&mailer("catalog-off", "0.11", off)).is_empty());
    // Another sink for the same crate is an entry of its own; lettre 0.9 too.
    let added = "[[catalog]]\ncrate = \"lettre\"\nversions = \"0.9\"\nsink = \"vendor.support\"\nmethods = [\"send\"]\n";
    assert_eq!(
        flows(&mailer("catalog-added", "0.9", added)),
        vec![("contact.email".to_owned(), "vendor.support".to_owned())]
    );
}

#[test]
fn a_bad_entry_is_an_error_at_its_line() {
    let bad = "[[catalog]]\ncrate = \"lettre\"\nversions = \"zero point eleven\"\nsink = \"channel.mail\"\nmethods = [\"send\"]\n";
    let dir = mailer("catalog-bad", "0.11", bad);
    let output = common::check_output(&dir.join("Cargo.toml"), &[]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("privflow.toml:8:13") && stderr.contains("not a version requirement"),
        "{stderr}"
    );
    // Every mistake of the entry is reported, not only the first.
    assert!(
        stderr.contains("privflow.toml:9:9") && stderr.contains("unknown sink `channel.mail`"),
        "{stderr}"
    );
}

/// `explain sinks` says which entries are in force for the workspace here, and why.
#[test]
fn explain_sinks_says_which_entries_apply_and_why() {
    let current = explain_sinks(&mailer("catalog-explain-11", "0.11", ""));
    // Without a lock file the requirement decides (a lock file adds "resolved to").
    assert!(
        current.contains("  active    lettre `>=0.10, <0.12` -> channel.email: send, send_raw (`mailer` depends on lettre `^0.11`)"),
        "{current}"
    );
    assert!(
        current.contains("  inactive  async-openai")
            && current.contains("(no package depends on async-openai)"),
        "{current}"
    );
    let old = explain_sinks(&mailer("catalog-explain-9", "0.9", ""));
    assert!(
        old.contains("  inactive  lettre `>=0.10, <0.12` -> channel.email: send, send_raw (`mailer` needs `^0.9`, outside `>=0.10, <0.12`)"),
        "{old}"
    );
    assert!(
        old.contains("api.openai.com") && old.contains("ai.openai"),
        "{old}"
    );
}

/// The fixture's SDKs resolve from the registry to real versions, and the catalog's
/// entries describe the versions they resolve to (cargo resolves and downloads the
/// manifests; nothing is built).
#[test]
fn the_fixture_sdks_resolve_to_versions_the_catalog_describes() {
    let (copy, metadata, checked) = resolve_fixture("sdks");
    assert_eq!(
        checked,
        [
            "async-openai",
            "aws-sdk-s3",
            "cohere-rust",
            "gemini-rust",
            "hyper",
            "hyper-util",
            "lettre",
            "mistralai-client",
            "ollama-rs",
            "posthog-rs",
            "reqwest",
            "segment",
            "sentry",
            "sentry-log",
            "sentry-tracing",
            "serenity",
            "slack-morphism",
            "surf",
            "teloxide"
        ]
    );
    assert_eq!(resolve_fixture("sdks-anthropic").2, ["clust"]);

    // Resolving wrote the copy's lock file: now privflow reads the versions in use from
    // it (offline, changing nothing) and says so.
    let lettre = metadata
        .packages
        .iter()
        .find(|package| package.name.as_str() == "lettre")
        .unwrap_or_else(|| unreachable!("lettre resolved"));
    let listing = explain_sinks(&copy);
    let expected = format!(
        "(`sdks` depends on lettre `^0.11`, resolved to {})",
        lettre.version
    );
    assert!(listing.contains(&expected), "{expected}\n{listing}");
}

/// Resolves a fixture package's dependencies from the registry (a copy, so the fixture
/// keeps no lock file) and checks that each catalogued crate resolves to a version its
/// entry describes. Returns the copy, the metadata and the crates checked, sorted.
fn resolve_fixture(name: &str) -> (PathBuf, cargo_metadata::Metadata, Vec<String>) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(name);
    let copy = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("catalog-{name}-resolved"));
    let _ = std::fs::remove_dir_all(&copy);
    std::fs::create_dir_all(copy.join("src")).unwrap_or_else(|error| unreachable!("{error}"));
    for file in ["Cargo.toml", "src/lib.rs"] {
        std::fs::copy(fixture.join(file), copy.join(file))
            .unwrap_or_else(|error| unreachable!("{file}: {error}"));
    }
    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(copy.join("Cargo.toml"))
        .exec()
        .unwrap_or_else(|error| unreachable!("cargo metadata: {error}"));
    let policy =
        privflow_model::Policy::builtin().unwrap_or_else(|error| unreachable!("{error:?}"));
    let root = metadata
        .root_package()
        .unwrap_or_else(|| unreachable!("the fixture is a package"));
    let mut checked = Vec::new();
    for dependency in &root.dependencies {
        let Some(entry) = policy
            .catalog
            .iter()
            .find(|entry| entry.krate == dependency.name)
        else {
            continue;
        };
        let resolved = metadata
            .packages
            .iter()
            .filter(|package| package.name.as_str() == dependency.name)
            .find(|package| dependency.req.matches(&package.version))
            .unwrap_or_else(|| unreachable!("{} did not resolve", dependency.name));
        assert!(
            entry.versions.matches(&resolved.version),
            "{} resolves to {}, which the catalog's `{}` does not describe",
            dependency.name,
            resolved.version,
            entry.versions
        );
        checked.push(dependency.name.clone());
    }
    checked.sort();
    (copy, metadata, checked)
}

/// sentry-tracing's entry applies where the workspace installs the layer: the same
/// `tracing::error!` reaches Sentry in one package and only the logs in the other, with
/// the layer reached through sentry's `tracing` feature (no direct dependency).
#[test]
fn the_sentry_layer_forwards_events_only_once_installed() {
    let dependencies = "sentry = { version = \"0.34\", features = [\"tracing\"] }\n\
                        tracing = \"0.1\"\ntracing-subscriber = \"0.3\"";
    let body = "pub struct Reply {\n    pub to: String,\n}\n\n\
                pub fn bounced(reply: &Reply) {\n    \
                tracing::error!(to = %reply.to, \"reply bounced\");\n}\n";
    let install = "pub fn init() {\n    use tracing_subscriber::prelude::*;\n    \
                   tracing_subscriber::registry()\n        \
                   .with(sentry::integrations::tracing::layer())\n        .init();\n}\n";
    let installed = workspace(
        "sentry-installed",
        "tracer",
        dependencies,
        "",
        &format!("{body}\n{install}"),
    );
    let logs = ("contact.email".to_owned(), "logs".to_owned());
    let sentry = ("contact.email".to_owned(), "vendor.monitoring".to_owned());
    assert_eq!(flows(&installed), [logs.clone(), sentry]);
    let listing = explain_sinks(&installed);
    assert!(listing.contains("if installed sentry-tracing"), "{listing}");

    let not_installed = workspace("sentry-not-installed", "tracer", dependencies, "", body);
    assert_eq!(flows(&not_installed), [logs]);
}

/// An entry that lists both calls and installed macros keeps its calls where nothing
/// installs it: only what the installed code sends depends on the installation.
#[test]
fn an_uninstalled_entry_keeps_its_methods() {
    let policy = "[[catalog]]\ncrate = \"lettre\"\nversions = \">=0.10, <0.12\"\n\
                  sink = \"channel.email\"\nmethods = [\"send\"]\n\
                  macros = [\"tracing::warn\"]\ninstalled_by = [\"lettre::install_relay\"]\n";
    let dir = mailer("catalog-uninstalled", "0.11", policy);
    assert_eq!(flows(&dir), email_flow());
}
