//! Incremental runs: each file's lowering is cached under the target directory, keyed
//! by its text, its place and the policy. A warm run gives what a cold run gives, byte
//! for byte; after a one-file edit only that file gets a new entry; a policy change
//! makes new entries for every file.

mod common;

use std::path::Path;

/// A copy of `fixtures/flows` (without any target directory) in a scratch directory.
fn copy_of_flows(name: &str) -> std::path::PathBuf {
    fn copy(from: &Path, to: &Path) {
        let made = std::fs::create_dir_all(to);
        assert!(made.is_ok());
        for entry in std::fs::read_dir(from).into_iter().flatten().flatten() {
            let path = entry.path();
            if entry.file_name() == "target" {
                continue;
            }
            if path.is_dir() {
                copy(&path, &to.join(entry.file_name()));
            } else {
                let copied = std::fs::copy(&path, to.join(entry.file_name()));
                assert!(copied.is_ok());
            }
        }
    }
    // The fixture's manifests name `../../macros` and `../../../webframe`: the copy
    // keeps that layout, with the macros crate linked in place.
    let root = common::scratch(name);
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    copy(&fixtures.join("flows"), &root.join("fixtures/flows"));
    copy(&fixtures.join("webframe"), &root.join("fixtures/webframe"));
    let macros = Path::new(env!("CARGO_MANIFEST_DIR")).join("../macros");
    #[cfg(unix)]
    assert!(std::os::unix::fs::symlink(&macros, root.join("macros")).is_ok());
    root.join("fixtures/flows")
}

fn check(dir: &Path) -> Vec<u8> {
    let output = common::check_output(&dir.join("Cargo.toml"), &[]);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn entries(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("target/privflow/files"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "bin"))
        .count()
}

/// Each entry's path and modification time.
fn stamps(dir: &Path) -> Vec<(std::path::PathBuf, std::time::SystemTime)> {
    let mut stamps: Vec<_> = std::fs::read_dir(dir.join("target/privflow/files"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| Some((entry.path(), entry.metadata().ok()?.modified().ok()?)))
        .collect();
    stamps.sort();
    stamps
}

#[cfg(unix)]
#[test]
fn warm_runs_give_what_cold_runs_give_and_reparse_only_what_changed() {
    let dir = copy_of_flows("incremental-flows");
    let cold = check(&dir);
    let files = serde_json::from_slice::<serde_json::Value>(&cold)
        .ok()
        .and_then(|json| json["files_analyzed"].as_u64())
        .unwrap_or_default();
    assert!(files > 10, "the fixture has many files: {files}");
    assert_eq!(entries(&dir), files as usize, "one entry per file");

    let before = stamps(&dir);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let warm = check(&dir);
    assert!(warm == cold, "a warm run gives what the cold run gave");
    assert_eq!(entries(&dir), files as usize, "and adds no entry");
    assert!(
        stamps(&dir) == before,
        "it reads the entries, and rewrites none"
    );

    // An entry altered in the target directory (which the analysed workspace controls)
    // is not read: its seal does not match, so the file is parsed and the entry remade.
    let (altered, _) = before.first().cloned().unwrap_or_else(|| unreachable!());
    let mut bytes = std::fs::read(&altered).unwrap_or_default();
    if let Some(byte) = bytes.last_mut() {
        *byte ^= 1;
    }
    assert!(std::fs::write(&altered, &bytes).is_ok());
    let after_tampering = check(&dir);
    assert!(after_tampering == cold, "an altered entry changes nothing");
    assert!(
        std::fs::read(&altered).unwrap_or_default() != bytes,
        "the altered entry was replaced"
    );

    // One file edited: a new flow at its end.
    let edited = dir.join("crates/app/src/basics.rs");
    let mut text = std::fs::read_to_string(&edited).unwrap_or_default();
    text.push_str(
        "\npub fn incremental_edit(contact: &flows_model::Contact) {\n    println!(\"{}\", contact.email);\n}\n",
    );
    assert!(std::fs::write(&edited, &text).is_ok());
    let warm_after_edit = check(&dir);
    assert_eq!(
        entries(&dir),
        files as usize + 1,
        "only the edited file was parsed again"
    );
    let _ = std::fs::remove_dir_all(dir.join("target"));
    let cold_after_edit = check(&dir);
    assert!(
        warm_after_edit == cold_after_edit,
        "after an edit, a warm run gives what a cold run gives"
    );
    assert!(warm_after_edit != cold, "and the edit shows");
    let json: serde_json::Value = serde_json::from_slice(&warm_after_edit).unwrap_or_default();
    let new_flow = json["flows"].as_array().into_iter().flatten().any(|flow| {
        flow["file"] == "crates/app/src/basics.rs"
            && flow["category"] == "contact.email"
            && flow["sink"] == "logs"
            && flow["line"].as_u64() == Some(text.lines().count() as u64 - 1)
    });
    assert!(new_flow, "the new flow is reported");

    // The policy is part of the key: a change to it lowers every file again.
    let policy = dir.join("privflow.toml");
    let mut policy_text = std::fs::read_to_string(&policy).unwrap_or_default();
    policy_text.push_str("\n# an edit\n");
    assert!(std::fs::write(&policy, policy_text).is_ok());
    let after_policy_edit = check(&dir);
    assert_eq!(entries(&dir), 2 * files as usize);
    assert!(after_policy_edit == cold_after_edit);
}
