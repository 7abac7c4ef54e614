//! Stage 1, loading: the workspace's packages and targets from `cargo metadata`, then
//! each target's module tree, parsed in parallel. Never builds or runs anything.
//!
//! A file that cannot be read or parsed becomes a [`LoadError`]; everything else is
//! still loaded.
//!
//! syn's trees are not `Send` (and with span locations, line numbers live in the
//! parsing thread), so each file is parsed *and lowered* by the caller's `lower`
//! function inside one worker; only the lowered, `Send` result leaves it.

mod cfg;
mod modules;
pub use cfg::is_configured_out;
pub use modules::items_in_macro;
mod workspace;

use std::path::PathBuf;
use std::sync::Arc;

pub use modules::{Cache, ModuleDecl, NoCache};
pub use workspace::{
    Selection, load, load_cached, load_package, load_targets, repository_head, repository_prefix,
    repository_top, resolved_versions, targets, workspace_root,
};

/// One crate root to analyse: a lib or bin target of a selected package.
#[derive(Debug, Clone)]
pub struct CrateTarget {
    /// As `use` writes it: `my_crate` for package `my-crate`'s library.
    pub name: String,
    pub package: String,
    pub kind: TargetKind,
    pub root: PathBuf,
    /// Other crates that paths may name: the package's declared dependencies (as `use`
    /// writes them) and the workspace's other libraries; `None` when not known (a build
    /// script reads no metadata).
    pub dependencies: Option<Vec<String>>,
    /// The package's dependencies from crates.io or another registry, by published name,
    /// with the version requirement written for each: which sink catalog entries apply.
    pub registry_dependencies: Vec<(String, semver::VersionReq)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    Lib,
    Bin,
}

/// A parsed source file, lowered to `T`, and where it sits in its crate.
pub struct SourceFile<T> {
    /// Absolute path.
    pub path: PathBuf,
    /// Relative to the workspace root, `/`-separated (what reports print).
    pub relative: String,
    /// Index into [`Workspace::crates`].
    pub crate_index: usize,
    /// `["api", "handlers"]` for `crate::api::handlers`.
    pub module_path: Vec<String>,
    pub text: Arc<str>,
    pub lowered: T,
}

/// Where a file sits, as its lowering sees it.
pub struct FileContext<'a> {
    pub relative: &'a str,
    pub crate_name: &'a str,
    pub module_path: &'a [String],
}

/// A file that could not be loaded, with the position of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

pub struct Workspace<T> {
    pub root: PathBuf,
    pub crates: Vec<CrateTarget>,
    pub files: Vec<SourceFile<T>>,
    pub errors: Vec<LoadError>,
    /// The registry packages of the resolved dependency graph, by name and version, when
    /// asked for and cargo could tell offline ([`resolved_versions`]).
    pub resolved: Option<Vec<(String, semver::Version)>>,
    /// Where incremental runs keep what they may reuse (`None`: nothing is kept).
    pub target_directory: Option<PathBuf>,
}

/// What can stop loading altogether (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("cannot read the workspace: {0}")]
    Metadata(String),
    #[error("no package of this workspace is called `{0}`")]
    UnknownPackage(String),
}

impl miette::Diagnostic for WorkspaceError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("privflow::workspace"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(match self {
            WorkspaceError::Metadata(_) => {
                "check --manifest-path, and that `cargo metadata --no-deps` succeeds there"
            }
            WorkspaceError::UnknownPackage(_) => "name a member of this workspace with -p",
        }))
    }
}
