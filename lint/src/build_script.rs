//! The check as a build script runs it (`privflow::build::check()` behind the `build`
//! feature of the `privflow` crate): the package being built, by its conventional layout,
//! with the policy the macros use (the nearest privflow.toml, else the built-in pack).
//! Findings become `cargo:warning=` lines; the caller fails the build on violations.

use std::path::Path;

use privflow_model::Policy;

use crate::pipeline;

/// What the build-script check found.
pub struct BuildReport {
    pub violations: usize,
    pub invalid_attributes: usize,
    /// One line per finding, `file:line:column: message`.
    pub lines: Vec<String>,
}

/// Checks the package in `manifest_dir` called `package`. Errors are a policy that does
/// not load, as one line per problem.
pub fn check_package(manifest_dir: &Path, package: &str) -> Result<BuildReport, String> {
    crate::stack::with_large_stack(|| check_package_here(manifest_dir, package))?
}

fn check_package_here(manifest_dir: &Path, package: &str) -> Result<BuildReport, String> {
    let (policy, policy_file) =
        Policy::discover(manifest_dir).map_err(|errors| errors.one_line_each())?;
    if let Some(file) = policy_file {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    println!(
        "cargo:rerun-if-changed={}",
        manifest_dir.join("src").display()
    );
    let workspace = crate::load::load_package(manifest_dir, package, |ast, context| {
        crate::index::lower_one(ast, context, &policy)
    });
    let checked = pipeline::check(workspace, &policy).map_err(|errors| errors.one_line_each())?;
    let mut lines: Vec<String> = checked
        .output
        .errors
        .iter()
        .map(|error| {
            format!(
                "{}:{}:{}: {}",
                error.file, error.line, error.column, error.message
            )
        })
        .collect();
    lines.extend(
        checked
            .output
            .flows
            .iter()
            .filter(|flow| flow.verdict == "violation")
            .map(|flow| {
                format!(
                    "{}:{}:{}: {} [{}]",
                    flow.file, flow.line, flow.column, flow.message, flow.rule
                )
            }),
    );
    Ok(BuildReport {
        violations: checked.output.violations,
        invalid_attributes: checked.invalid_attributes,
        lines,
    })
}
