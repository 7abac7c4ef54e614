//! One module per subcommand.

mod check;
mod explain;
pub mod init;

use crate::ExitCode;
use crate::cli::{Cli, Command};

pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Report(_) | Command::Export(_) => {
            eprintln!("error: this command is not implemented yet (see the open issues)");
            ExitCode::Error
        }
    }
}

/// Prints a diagnostic to stderr, rendered by miette (colour only on a terminal).
pub(crate) fn print_diagnostic(diagnostic: &dyn miette::Diagnostic) {
    let handler = miette::GraphicalReportHandler::new();
    let mut out = String::new();
    if handler.render_report(&mut out, diagnostic).is_ok() {
        eprintln!("{out}");
    } else {
        eprintln!("error: {diagnostic}");
    }
}

/// The policy in force: `--policy FILE` when given, else the nearest privflow.toml at or
/// above `dir`, else the built-in pack.
pub(crate) fn policy_in_force(
    explicit: Option<&std::path::Path>,
    dir: &std::path::Path,
) -> Result<privflow_model::Policy, privflow_model::PolicyErrors> {
    match explicit {
        Some(path) => privflow_model::Policy::load(path),
        None => privflow_model::Policy::discover(dir).map(|(policy, _)| policy),
    }
}
