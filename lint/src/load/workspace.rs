//! Packages and targets from `cargo metadata --no-deps`: no build, no build scripts,
//! no network, no lockfile needed.

use std::path::{Path, PathBuf};

use cargo_metadata::{MetadataCommand, TargetKind as CargoTargetKind};

use super::modules::{Cache, NoCache};
use super::{CrateTarget, FileContext, TargetKind, Workspace, WorkspaceError, modules};

/// Which packages to load, as cargo selects them: `-p` names, else `--workspace`, else
/// the package at `--manifest-path` (the whole workspace for a virtual manifest).
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub manifest_path: Option<PathBuf>,
    pub packages: Vec<String>,
    pub workspace: bool,
}

/// `cargo metadata --no-deps` for `manifest` (else the one cargo finds from here): the
/// layout only, so cargo runs nothing else (with dependencies it would query rustc).
///
/// It never installs a toolchain (`RUSTUP_AUTO_INSTALL=0`), and a toolchain the
/// workspace pins but this machine lacks does not stop it: the layout does not depend on
/// the toolchain, so when the pinned one cannot run and cargo was not handed to us
/// (`$CARGO`, set when run as `cargo privflow`), it asks again from the filesystem root,
/// where rustup picks the default toolchain.
fn metadata(manifest: Option<&Path>) -> Result<cargo_metadata::Metadata, WorkspaceError> {
    let command = |dir: Option<&Path>, manifest: Option<&Path>| {
        let mut command = MetadataCommand::new();
        command
            .no_deps()
            .env("RUSTUP_AUTO_INSTALL", "0")
            .env("RUST_BACKTRACE", "0");
        if let Some(manifest) = manifest {
            command.manifest_path(manifest);
        }
        if let Some(dir) = dir {
            command.current_dir(dir);
        }
        command
    };
    let first = command(None, manifest).exec();
    let error = match first {
        Ok(metadata) => return Ok(metadata),
        Err(error) => error,
    };
    let message = error.to_string();
    let toolchain_missing = message.contains("toolchain") && message.contains("not installed");
    if toolchain_missing && std::env::var_os("CARGO").is_none() {
        let manifest = match manifest {
            Some(path) => std::path::absolute(path).ok(),
            None => nearest_manifest(),
        };
        if let Some(manifest) = manifest
            && let Ok(metadata) = command(Some(Path::new("/")), Some(&manifest)).exec()
        {
            return Ok(metadata);
        }
    }
    Err(WorkspaceError::Metadata(message))
}

/// The `Cargo.toml` cargo would use from the current directory: the nearest one at or
/// above it.
fn nearest_manifest() -> Option<PathBuf> {
    let here = std::env::current_dir().ok()?;
    here.ancestors()
        .map(|dir| dir.join("Cargo.toml"))
        .find(|manifest| manifest.is_file())
}

/// The workspace root of the selection, without loading anything else.
pub fn workspace_root(selection: &Selection) -> Result<PathBuf, WorkspaceError> {
    metadata(selection.manifest_path.as_deref())
        .map(|metadata| metadata.workspace_root.into_std_path_buf())
}

/// The registry packages of the workspace's resolved dependency graph, by name and
/// version, read from its `Cargo.lock`. Read, not asked of cargo: `cargo metadata` with
/// dependencies queries rustc, through any `build.rustc` or `rustc-wrapper` the
/// workspace's `.cargo/config.toml` names, and the analysed code's own programs must
/// never run. `None` without a lock file (or one that is not TOML).
pub fn resolved_versions(root: &Path) -> Option<Vec<(String, semver::Version)>> {
    let text = std::fs::read_to_string(root.join("Cargo.lock")).ok()?;
    let lock = toml_span::parse(&text).ok()?;
    let packages = lock.pointer("/package")?.as_array()?;
    Some(
        packages
            .iter()
            .filter_map(|package| {
                let field = |key: &str| package.pointer(&format!("/{key}"))?.as_str();
                let from_registry = field("source").is_some_and(|source| {
                    source.starts_with("registry+") || source.starts_with("sparse+")
                });
                let version = semver::Version::parse(field("version")?).ok()?;
                let name = field("name")?.to_owned();
                from_registry.then_some((name, version))
            })
            .collect(),
    )
}

/// Loads the selected crates, lowering each parsed file with `lower` in the worker
/// that parsed it.
pub fn load<T, F>(selection: &Selection, lower: F) -> Result<Workspace<T>, WorkspaceError>
where
    T: Send,
    F: Fn(&syn::File, &FileContext<'_>) -> T + Sync,
{
    let (root, crates) = targets(selection)?;
    Ok(load_targets(&root, crates, lower))
}

/// [`load`], with the file cache that `cache` makes for the workspace's target
/// directory: unchanged files are not parsed again.
pub fn load_cached<T, F>(
    selection: &Selection,
    lower: F,
    cache: impl FnOnce(&Path) -> Box<dyn Cache<T>>,
) -> Result<Workspace<T>, WorkspaceError>
where
    T: Send,
    F: Fn(&syn::File, &FileContext<'_>) -> T + Sync,
{
    let (root, crates, target_directory) = layout(selection)?;
    let cache = cache(&target_directory);
    let mut workspace = modules::load_crates(&root, crates, &lower, cache.as_ref());
    workspace.target_directory = Some(target_directory);
    Ok(workspace)
}

/// Parses (and lowers) the module trees of crate roots already found by [`targets`].
pub fn load_targets<T, F>(root: &Path, crates: Vec<CrateTarget>, lower: F) -> Workspace<T>
where
    T: Send,
    F: Fn(&syn::File, &FileContext<'_>) -> T + Sync,
{
    modules::load_crates(root, crates, &lower, &NoCache)
}

/// The workspace root and the lib and bin targets of the selected packages, from
/// `cargo metadata --no-deps`.
pub fn targets(selection: &Selection) -> Result<(PathBuf, Vec<CrateTarget>), WorkspaceError> {
    layout(selection).map(|(root, crates, _)| (root, crates))
}

/// [`targets`], and the workspace's target directory.
fn layout(selection: &Selection) -> Result<(PathBuf, Vec<CrateTarget>, PathBuf), WorkspaceError> {
    let metadata = metadata(selection.manifest_path.as_deref())?;
    let root = metadata.workspace_root.clone().into_std_path_buf();
    let members: Vec<&cargo_metadata::Package> = metadata.workspace_packages();
    let selected: Vec<&cargo_metadata::Package> = if !selection.packages.is_empty() {
        let mut chosen = Vec::new();
        for name in &selection.packages {
            match members.iter().find(|package| package.name.as_str() == name) {
                Some(package) => chosen.push(*package),
                None => return Err(WorkspaceError::UnknownPackage(name.clone())),
            }
        }
        chosen
    } else if selection.workspace {
        members
    } else {
        match metadata.root_package() {
            Some(package) => vec![package],
            None => members,
        }
    };
    let member_libraries: Vec<String> = metadata
        .workspace_packages()
        .into_iter()
        .flat_map(|package| &package.targets)
        .filter(|target| target.is_lib() || target.is_proc_macro())
        .map(|target| target.name.replace('-', "_"))
        .collect();
    let mut crates = Vec::new();
    for package in selected {
        let mut dependencies: Vec<String> = package
            .dependencies
            .iter()
            .map(|dependency| {
                dependency
                    .rename
                    .as_deref()
                    .unwrap_or(&dependency.name)
                    .replace('-', "_")
            })
            .chain(member_libraries.iter().cloned())
            .collect();
        dependencies.sort();
        dependencies.dedup();
        let registry_dependencies: Vec<(String, semver::VersionReq)> = package
            .dependencies
            .iter()
            .filter(|dependency| dependency.path.is_none())
            .map(|dependency| (dependency.name.clone(), dependency.req.clone()))
            .collect();
        for target in &package.targets {
            let kind = if target.kind.iter().any(|kind| {
                matches!(
                    kind,
                    CargoTargetKind::Lib
                        | CargoTargetKind::RLib
                        | CargoTargetKind::DyLib
                        | CargoTargetKind::CDyLib
                        | CargoTargetKind::StaticLib
                        | CargoTargetKind::ProcMacro
                )
            }) {
                TargetKind::Lib
            } else if target.kind.contains(&CargoTargetKind::Bin) {
                TargetKind::Bin
            } else {
                continue;
            };
            crates.push(CrateTarget {
                name: target.name.replace('-', "_"),
                package: package.name.to_string(),
                kind,
                root: target.src_path.clone().into_std_path_buf(),
                dependencies: Some(dependencies.clone()),
                registry_dependencies: registry_dependencies.clone(),
            });
        }
    }
    crates.sort_by(|a, b| {
        (&a.package, a.kind == TargetKind::Bin, &a.name).cmp(&(
            &b.package,
            b.kind == TargetKind::Bin,
            &b.name,
        ))
    });
    Ok((root, crates, metadata.target_directory.into_std_path_buf()))
}

/// One package by its conventional layout (`src/lib.rs`, `src/main.rs`), without asking
/// cargo: for build scripts, which must not run cargo while cargo builds.
pub fn load_package<T, F>(manifest_dir: &Path, package: &str, lower: F) -> Workspace<T>
where
    T: Send,
    F: Fn(&syn::File, &FileContext<'_>) -> T + Sync,
{
    let name = package.replace('-', "_");
    let crates = [("lib.rs", TargetKind::Lib), ("main.rs", TargetKind::Bin)]
        .into_iter()
        .map(|(file, kind)| (manifest_dir.join("src").join(file), kind))
        .filter(|(root, _)| root.is_file())
        .map(|(root, kind)| CrateTarget {
            name: name.clone(),
            package: package.to_owned(),
            kind,
            root,
            dependencies: None,
            registry_dependencies: Vec::new(),
        })
        .collect();
    modules::load_crates(manifest_dir, crates, &lower, &NoCache)
}

/// `/`-separated path of `path` relative to `root` (or as given, if outside it).
pub(super) fn relative(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|component| component.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Where `root` sits in the git repository that holds it: the path from the
/// repository's top level to `root`, `/`-separated and ending in `/` (empty at the top
/// level), or `None` when no folder at or above `root` has a `.git` (a folder, or a
/// file in a worktree or submodule). Code scanning and pull-request annotations place
/// files relative to the top level; git itself is not run.
pub fn repository_prefix(root: &Path) -> Option<String> {
    let top = repository_top(root)?;
    let inside = root.strip_prefix(top).ok()?;
    let mut prefix = String::new();
    for part in inside.components() {
        prefix.push_str(&part.as_os_str().to_string_lossy());
        prefix.push('/');
    }
    Some(prefix)
}

/// The top level of the git repository that holds `root`: the nearest folder at or
/// above it with a `.git` (a folder, or a file in a worktree or submodule).
pub fn repository_top(root: &Path) -> Option<&Path> {
    root.ancestors().find(|folder| folder.join(".git").exists())
}

/// The commit checked out in the git repository that holds `root`, read from `HEAD`
/// (a branch's loose ref or `packed-refs`, or a detached commit), without running git:
/// the `{rev}` of report links outside CI.
pub fn repository_head(root: &Path) -> Option<String> {
    let top = repository_top(root)?;
    let dot_git = top.join(".git");
    // A worktree or submodule: `.git` is a file naming the real git folder, whose
    // `commondir` (if any) holds the shared refs.
    let git_dir = if dot_git.is_file() {
        let text = std::fs::read_to_string(&dot_git).ok()?;
        top.join(text.strip_prefix("gitdir:")?.trim())
    } else {
        dot_git
    };
    let common = std::fs::read_to_string(git_dir.join("commondir"))
        .map_or_else(|_| git_dir.clone(), |text| git_dir.join(text.trim()));
    let head = std::fs::read_to_string(git_dir.join("HEAD")).ok()?;
    let head = head.trim();
    let Some(reference) = head.strip_prefix("ref:").map(str::trim) else {
        return is_commit(head).then(|| head.to_owned());
    };
    for dir in [&git_dir, &common] {
        if let Ok(text) = std::fs::read_to_string(dir.join(reference)) {
            let commit = text.trim();
            if is_commit(commit) {
                return Some(commit.to_owned());
            }
        }
    }
    let packed = std::fs::read_to_string(common.join("packed-refs")).ok()?;
    packed.lines().find_map(|line| {
        let (commit, name) = line.split_once(' ')?;
        (name == reference && is_commit(commit)).then(|| commit.to_owned())
    })
}

fn is_commit(text: &str) -> bool {
    matches!(text.len(), 40 | 64) && text.bytes().all(|byte| byte.is_ascii_hexdigit())
}

#[cfg(test)]
mod repository_tests {
    use super::{repository_head, repository_prefix};

    #[test]
    fn the_checked_out_commit_is_read_without_git() {
        let top = std::env::temp_dir().join(format!("privflow-head-{}", std::process::id()));
        let inside = top.join("services");
        let git = top.join(".git");
        assert!(std::fs::create_dir_all(git.join("refs/heads")).is_ok());
        assert!(std::fs::create_dir_all(&inside).is_ok());
        let loose = "1".repeat(40);
        let packed = "2".repeat(40);
        assert!(std::fs::write(git.join("HEAD"), "ref: refs/heads/main\n").is_ok());
        assert!(std::fs::write(git.join("refs/heads/main"), format!("{loose}\n")).is_ok());
        assert_eq!(repository_head(&inside), Some(loose.clone()), "a loose ref");
        assert!(std::fs::remove_file(git.join("refs/heads/main")).is_ok());
        assert!(
            std::fs::write(
                git.join("packed-refs"),
                format!("# pack-refs with: peeled\n{packed} refs/heads/main\n")
            )
            .is_ok()
        );
        assert_eq!(repository_head(&inside), Some(packed), "a packed ref");
        assert!(std::fs::write(git.join("HEAD"), format!("{loose}\n")).is_ok());
        assert_eq!(repository_head(&inside), Some(loose), "a detached HEAD");
        assert!(std::fs::write(git.join("HEAD"), "garbage").is_ok());
        assert_eq!(repository_head(&inside), None);
        let _ = std::fs::remove_dir_all(&top);
    }

    #[test]
    fn a_workspace_is_placed_in_the_repository_that_holds_it() {
        let top = std::env::temp_dir().join(format!("privflow-repo-{}", std::process::id()));
        let inside = top.join("services").join("api");
        assert!(std::fs::create_dir_all(&inside).is_ok());
        assert_eq!(repository_prefix(&inside), None, "no .git: no repository");
        assert!(std::fs::create_dir_all(top.join(".git")).is_ok());
        assert_eq!(repository_prefix(&inside).as_deref(), Some("services/api/"));
        assert_eq!(repository_prefix(&top).as_deref(), Some(""));
        // A worktree or submodule has a `.git` file.
        assert!(std::fs::write(inside.join(".git"), "gitdir: elsewhere").is_ok());
        assert_eq!(repository_prefix(&inside).as_deref(), Some(""));
        let _ = std::fs::remove_dir_all(&top);
    }
}
