//! An edit to privflow.toml changes what the macros accept on the next build, without
//! touching the source: cargo tracks the policy file as an input of the crate.

use std::path::{Path, PathBuf};
use std::process::Command;

const WITH_CATEGORY: &str = r#"
extends = "axodesk"

[categories."contact.loyalty_tier"]
description = "Loyalty tier synced from the commerce backend"
subjects = ["end_customer"]
"#;

const WITHOUT_CATEGORY: &str = "extends = \"axodesk\"\n";

const LIB_RS: &str = r#"
#[derive(privflow::Classified)]
pub struct Customer {
    #[data("contact.loyalty_tier")]
    pub tier: String,
}

#[privflow::sink("logs")]
pub fn log_line(line: &str) -> usize {
    line.len()
}
"#;

fn write(path: &Path, text: &str) {
    if let Err(error) = std::fs::write(path, text) {
        unreachable!("cannot write {}: {error}", path.display());
    }
}

/// A one-crate workspace that depends on this privflow by path.
fn probe_crate() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("policy-edit-probe");
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(error) = std::fs::create_dir_all(dir.join("src")) {
        unreachable!("cannot create {}: {error}", dir.display());
    }
    let privflow = env!("CARGO_MANIFEST_DIR").replace('\\', "/");
    write(
        &dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"policy-edit-probe\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n\
             [dependencies]\nprivflow = {{ path = \"{privflow}\" }}\n\n[workspace]\n"
        ),
    );
    write(&dir.join("src/lib.rs"), LIB_RS);
    dir
}

/// `cargo check` of the probe: success, and stderr.
fn check(dir: &Path) -> (bool, String) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("policy-edit-target");
    let output = Command::new(cargo)
        .arg("check")
        .arg("--quiet")
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("PRIVFLOW_POLICY")
        .output();
    match output {
        Ok(output) => (
            output.status.success(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        ),
        Err(error) => unreachable!("cannot run cargo: {error}"),
    }
}

/// Policy file mtimes must differ for cargo to see the edit on coarse filesystems.
fn edit(path: &Path, text: &str) {
    std::thread::sleep(std::time::Duration::from_millis(1100));
    write(path, text);
}

#[test]
fn an_edited_policy_changes_what_the_macros_accept() {
    let dir = probe_crate();
    let policy = dir.join("privflow.toml");
    write(&policy, WITH_CATEGORY);

    let (ok, stderr) = check(&dir);
    assert!(
        ok,
        "the category is declared, so the crate must build:\n{stderr}"
    );

    edit(&policy, WITHOUT_CATEGORY);
    let (ok, stderr) = check(&dir);
    assert!(
        !ok,
        "the category was removed from the policy, so the build must fail"
    );
    assert!(
        stderr.contains("unknown data category `contact.loyalty_tier`"),
        "the failure names the category:\n{stderr}"
    );

    edit(
        &policy,
        "extends = \"axodesk\"\n[categories.\"contact.loyalty_tier\"]\nrole = \"owner\"\n",
    );
    let (ok, stderr) = check(&dir);
    assert!(!ok, "an invalid policy fails the build");
    assert!(
        stderr.contains("privflow.toml:3:9: `owner` is not a valid `role`"),
        "the failure points into the policy file:\n{stderr}"
    );
    assert_eq!(
        stderr.matches("is not a valid `role`").count(),
        1,
        "a broken policy is reported once, not once per macro:\n{stderr}"
    );

    edit(&policy, WITH_CATEGORY);
    let (ok, stderr) = check(&dir);
    assert!(
        ok,
        "restoring the policy makes the crate build again:\n{stderr}"
    );
}
