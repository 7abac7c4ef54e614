//! Enforcement inside `cargo build`: a build script calling
//! `privflow::build::check_or_fail()` fails the build on a violation, with the finding
//! in the output, and passes once the flow is fixed.

use std::path::{Path, PathBuf};
use std::process::Command;

const LEAKY: &str = r#"
#[derive(privflow::Classified)]
pub struct Contact {
    pub id: u64,
    #[data("contact.email")]
    pub email: String,
}

pub fn notify(contact: &Contact) {
    println!("notifying {}", contact.email);
}
"#;

fn write(path: &Path, text: &str) {
    if let Err(error) = std::fs::write(path, text) {
        unreachable!("cannot write {}: {error}", path.display());
    }
}

fn probe_crate() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("build-check-probe");
    let _ = std::fs::remove_dir_all(&dir);
    if let Err(error) = std::fs::create_dir_all(dir.join("src")) {
        unreachable!("cannot create {}: {error}", dir.display());
    }
    let privflow = env!("CARGO_MANIFEST_DIR").replace('\\', "/");
    write(
        &dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"build-check-probe\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n\
             [dependencies]\nprivflow = {{ path = \"{privflow}\" }}\n\n\
             [build-dependencies]\nprivflow = {{ path = \"{privflow}\", features = [\"build\"] }}\n\n[workspace]\n"
        ),
    );
    write(
        &dir.join("build.rs"),
        "fn main() {\n    privflow::build::check_or_fail();\n}\n",
    );
    write(&dir.join("src/lib.rs"), LEAKY);
    dir
}

fn build(dir: &Path) -> (bool, String) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("build-check-target");
    let output = Command::new(cargo)
        .arg("build")
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("PRIVFLOW_POLICY")
        .output()
        .unwrap_or_else(|error| unreachable!("cannot run cargo: {error}"));
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_build_fails_on_a_violation_and_passes_once_fixed() {
    let dir = probe_crate();
    let (ok, stderr) = build(&dir);
    assert!(!ok, "contact data in logs must fail the build:\n{stderr}");
    assert!(
        stderr.contains("src/lib.rs:10:5: contact.email reaches logs, which the policy does not allow [flow-not-allowed]"),
        "the violation is a cargo warning with its location:\n{stderr}"
    );
    assert!(
        stderr.contains("flow(s) of personal data that the policy does not allow"),
        "the build fails with privflow's error:\n{stderr}"
    );

    std::thread::sleep(std::time::Duration::from_millis(1100));
    write(
        &dir.join("src/lib.rs"),
        &LEAKY.replace("contact.email);", "contact.id);"),
    );
    let (ok, stderr) = build(&dir);
    assert!(ok, "without the flow the build passes:\n{stderr}");
}
