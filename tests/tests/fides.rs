//! `cargo privflow export fides`, validated by the `fideslang` Python package: the
//! manifests parse as Fides resources, and every data category, use and subject they name
//! is in fideslang's default taxonomy. The package is installed by the test itself into a
//! virtualenv under `target/` (PyPI is reachable where the tests run).

mod common;

use std::path::Path;
use std::process::Command;

use common::{python_with, run};

const FIDESLANG: &str = "fideslang==3.1.4";

const VALIDATE: &str = r#"
import sys
from fideslang.manifests import ingest_manifests
from fideslang.parse import load_manifests_into_taxonomy
from fideslang.default_taxonomy import DEFAULT_TAXONOMY

taxonomy = load_manifests_into_taxonomy(ingest_manifests(sys.argv[1]))
known = {
    "category": {c.fides_key for c in DEFAULT_TAXONOMY.data_category},
    "use": {u.fides_key for u in DEFAULT_TAXONOMY.data_use},
    "subject": {s.fides_key for s in DEFAULT_TAXONOMY.data_subject},
}
problems = []
for system in taxonomy.system:
    for declaration in system.privacy_declarations:
        problems += [f"unknown data use {declaration.data_use}"] if declaration.data_use not in known["use"] else []
        problems += [f"unknown category {c}" for c in declaration.data_categories if c not in known["category"]]
        problems += [f"unknown subject {s}" for s in declaration.data_subjects if s not in known["subject"]]
fields = 0
for dataset in taxonomy.dataset:
    for collection in dataset.collections:
        for field in collection.fields:
            fields += 1
            problems += [f"unknown category {c}" for c in (field.data_categories or []) if c not in known["category"]]
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"ok: {len(taxonomy.system)} system, {len(taxonomy.dataset)} dataset, {fields} fields")
"#;

#[test]
fn the_fides_export_of_the_reference_workspace_validates() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/axodesk/Cargo.toml");
    let output = Path::new(env!("CARGO_TARGET_TMPDIR")).join("axodesk-fides.yml");
    let (ok, text) = run(Command::new(env!("CARGO_BIN_EXE_cargo-privflow-e2e"))
        .args(["privflow", "export", "fides", "--workspace", "--output"])
        .arg(&output)
        .arg("--manifest-path")
        .arg(&manifest));
    assert!(ok, "export failed:\n{text}");
    let yaml = std::fs::read_to_string(&output).unwrap_or_default();
    assert!(
        yaml.contains("privacy_declarations:") && yaml.contains("collections:"),
        "{yaml}"
    );
    let (ok, text) = run(Command::new(python_with(&[FIDESLANG]))
        .args(["-c", VALIDATE])
        .arg(&output));
    assert!(ok, "fideslang rejects the export:\n{text}");
    assert!(text.starts_with("ok: 1 system, 1 dataset"), "{text}");
}
