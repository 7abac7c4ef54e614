//! `cargo privflow`: follows tagged personal data through a cargo workspace and checks
//! every flow into a sink against the policy.
//!
//! Stages, one way: load (workspace, policy) → parse → index → flow analysis →
//! verdicts → render. Commands in [`commands`] wire the stages together.

/// The global allocator of the `cargo-privflow` binary, chosen here once so that the
/// benchmarks measure the program as shipped.
pub use mimalloc::MiMalloc as Allocator;

pub mod baseline;
pub mod build_script;
pub mod cache;
pub mod cli;
pub mod commands;
pub mod exit;
pub mod flow;
pub mod index;
pub mod load;
pub mod pipeline;
pub mod progress;
pub mod render;
pub mod report;
pub mod rules;
pub mod stack;
pub mod verdict;

use std::ffi::OsString;

pub use exit::ExitCode;

/// Runs the command line `args` (as the OS gave it, program name first) and returns
/// the exit code. Logs and diagnostics go to stderr, results to stdout.
pub fn run(args: Vec<OsString>) -> ExitCode {
    match stack::with_large_stack(|| run_here(args)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::Error
        }
    }
}

/// [`run`] on the calling thread, whatever its stack.
fn run_here(args: Vec<OsString>) -> ExitCode {
    let cli = match cli::parse(args) {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() {
                ExitCode::Error
            } else {
                ExitCode::Clean
            };
            let _ = error.print();
            return code;
        }
    };
    commands::run(cli)
}
