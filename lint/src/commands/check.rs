//! `cargo privflow check`. The flow analysis is issue 3's work; until it lands, check
//! validates the policy in force, loads and parses the workspace (reporting files that
//! do not parse), and then says plainly that no flow was analysed (exit 2).

use crate::ExitCode;
use crate::cli::CheckArgs;
use crate::load::{self, Selection};

pub fn run(args: &CheckArgs) -> ExitCode {
    let selection = Selection {
        manifest_path: args.selection.manifest_path.clone(),
        packages: args.selection.packages.clone(),
        workspace: args.selection.workspace,
    };
    let workspace = match load::load(&selection, |ast, _| ast.items.len()) {
        Ok(workspace) => workspace,
        Err(error) => {
            super::print_diagnostic(&error);
            return ExitCode::Error;
        }
    };
    let loaded = super::policy_in_force(args.selection.policy.as_deref(), &workspace.root);
    if let Err(errors) = loaded {
        super::print_diagnostic(&errors);
        return ExitCode::Error;
    }
    for error in &workspace.errors {
        eprintln!(
            "error: {}:{}:{}: {}",
            error.file, error.line, error.column, error.message
        );
    }
    eprintln!(
        "loaded {} files of {} crates ({} could not be loaded)",
        workspace.files.len(),
        workspace.crates.len(),
        workspace.errors.len()
    );
    eprintln!("error: the policy is valid, but flow analysis is not implemented yet");
    ExitCode::Error
}
