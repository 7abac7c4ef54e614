//! Loading: module trees as rustc builds them, parse errors that do not stop the rest.

use std::path::Path;

use cargo_privflow::load::{self, Selection, TargetKind};

fn fixture() -> Selection {
    Selection {
        manifest_path: Some(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/load/Cargo.toml"),
        ),
        packages: Vec::new(),
        workspace: true,
    }
}

/// Each file's crate and module path, as `crate::a::b file`.
fn tree(selection: &Selection) -> (Vec<String>, Vec<String>) {
    let workspace = load::load(selection, |ast, context| {
        (
            ast.items.len(),
            context.module_path.join("::"),
            context.crate_name.to_owned(),
        )
    })
    .unwrap_or_else(|error| unreachable!("{error}"));
    let files = workspace
        .files
        .iter()
        .map(|file| {
            let (_, module, krate) = &file.lowered;
            format!("{krate}::{module} {}", file.relative)
        })
        .collect();
    let errors = workspace
        .errors
        .iter()
        .map(|error| {
            format!(
                "{}:{}:{} {}",
                error.file, error.line, error.column, error.message
            )
        })
        .collect();
    (files, errors)
}

#[test]
fn module_trees_follow_mod_path_and_inline_modules() {
    let (files, _) = tree(&fixture());
    // Sorted by crate, then path: deterministic whatever order the workers finish in.
    let expected = [
        "load_app::api::handlers crates/app/src/api/handlers.rs",
        "load_app::api crates/app/src/api/mod.rs",
        "load_app::placed::child crates/app/src/custom/child.rs",
        "load_app::placed crates/app/src/custom/place.rs",
        "load_app::inline::nested_file crates/app/src/inline/nested_file.rs",
        "load_app:: crates/app/src/lib.rs",
        "load_app:: crates/app/src/main.rs",
        "load_other:: crates/other/src/lib.rs",
        "load_other::platform crates/other/src/platform/unix.rs",
    ];
    assert_eq!(files, expected);
}

#[test]
fn bad_files_are_errors_with_positions_and_the_rest_still_loads() {
    let (files, errors) = tree(&fixture());
    assert!(
        files.len() >= 8,
        "the rest of the workspace is loaded: {files:#?}"
    );
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(
        errors[0].starts_with("crates/app/src/broken.rs:3:"),
        "{}",
        errors[0]
    );
    assert!(errors[0].contains("cannot parse"), "{}", errors[0]);
    assert!(
        errors[1].starts_with("crates/app/src/lib.rs:3:5 file not found for module `missing`"),
        "{}",
        errors[1]
    );
    assert!(
        errors[2]
            .starts_with("crates/app/src/lib.rs:13:5 module `escape` is outside the workspace"),
        "{}",
        errors[2]
    );
}

#[test]
fn packages_are_selected_as_cargo_does() {
    let mut selection = fixture();
    selection.workspace = false;
    selection.packages = vec!["load-other".into()];
    let workspace =
        load::load(&selection, |_, _| ()).unwrap_or_else(|error| unreachable!("{error}"));
    assert_eq!(workspace.crates.len(), 1);
    assert_eq!(workspace.crates[0].name, "load_other");
    assert_eq!(workspace.crates[0].kind, TargetKind::Lib);

    selection.packages = vec!["nope".into()];
    assert!(load::load(&selection, |_, _| ()).is_err());
}
