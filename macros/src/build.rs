//! Enforcement inside `cargo build`: call [`check_or_fail`] from the package's
//! `build.rs` (with the `build` feature of `privflow` in `[build-dependencies]`). It runs
//! the same analysis as `cargo privflow check` on the package being built, reports each
//! finding as a cargo warning, and fails the build when a flow violates the policy.
//!
//! ```toml
//! [build-dependencies]
//! privflow = { path = "...", features = ["build"] }
//! ```
//! ```ignore
//! fn main() {
//!     privflow::build::check_or_fail();
//! }
//! ```

use std::fmt;
use std::path::PathBuf;
use std::string::String;

/// Why the build-script check did not pass.
#[derive(Debug)]
pub enum BuildError {
    /// Flows that the policy does not allow (or invalid privflow attributes).
    Violations { count: usize },
    /// The policy in force does not load.
    Policy(String),
    /// Not run by cargo (no `CARGO_MANIFEST_DIR` / `CARGO_PKG_NAME`).
    Environment(&'static str),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Violations { count } => write!(
                f,
                "privflow: {count} flow(s) of personal data that the policy does not allow; see the warnings above, or run `cargo privflow check`"
            ),
            BuildError::Policy(problems) => {
                write!(f, "privflow: the policy in force is invalid:\n{problems}")
            }
            BuildError::Environment(variable) => write!(
                f,
                "privflow: {variable} is not set; call this from a build script"
            ),
        }
    }
}

impl std::error::Error for BuildError {}

/// Checks the package being built; each finding is printed as a `cargo:warning=`.
pub fn check() -> Result<(), BuildError> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or(BuildError::Environment("CARGO_MANIFEST_DIR"))?;
    let package =
        std::env::var("CARGO_PKG_NAME").map_err(|_| BuildError::Environment("CARGO_PKG_NAME"))?;
    let report = cargo_privflow::build_script::check_package(&manifest_dir, &package)
        .map_err(BuildError::Policy)?;
    for line in &report.lines {
        std::println!("cargo:warning=privflow: {line}");
    }
    let count = report.violations + report.invalid_attributes;
    if count > 0 {
        return Err(BuildError::Violations { count });
    }
    Ok(())
}

/// [`check`], failing the build script (exit code 1) with the error on stderr.
pub fn check_or_fail() {
    if let Err(error) = check() {
        std::eprintln!("{error}");
        std::process::exit(1);
    }
}
