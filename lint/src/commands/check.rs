//! `cargo privflow check`: load → index → flow analysis → verdicts → render.

use crate::ExitCode;
use crate::cli::{CheckArgs, CheckFormat};
use crate::load::{self, Selection};
use crate::pipeline;
use crate::render::{github, human, json, sarif};

pub fn run(args: &CheckArgs) -> ExitCode {
    let selection = Selection {
        manifest_path: args.selection.manifest_path.clone(),
        packages: args.selection.packages.clone(),
        workspace: args.selection.workspace,
    };
    // The policy is found from the workspace root, so read the metadata first.
    let root = match load::workspace_root(&selection) {
        Ok(root) => root,
        Err(error) => {
            super::print_diagnostic(&error);
            return ExitCode::Error;
        }
    };
    let policy = match super::policy_in_force(args.selection.policy.as_deref(), &root) {
        Ok(policy) => policy,
        Err(errors) => {
            super::print_diagnostic(&errors);
            return ExitCode::Error;
        }
    };
    let workspace = match crate::index::load_lowered(&selection, &policy) {
        Ok(workspace) => workspace,
        Err(error) => {
            super::print_diagnostic(&error);
            return ExitCode::Error;
        }
    };
    let checked = pipeline::check(workspace, &policy);
    if !checked.converged {
        eprintln!(
            "warning: the flow analysis did not settle within its pass limit; results may be incomplete"
        );
    }
    let (index, output) = (&checked.index, &checked.output);
    let text = match args.format {
        CheckFormat::Json => json::render(output),
        CheckFormat::Human => {
            use std::io::IsTerminal;
            let color = args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none();
            let sources = |relative: &str| {
                index
                    .files
                    .iter()
                    .find(|file| file.relative == relative)
                    .map(|file| file.text.clone())
            };
            human::render(output, &sources, color)
        }
        CheckFormat::Sarif => sarif::render(output),
        CheckFormat::Github => github::render(output),
    };
    match &args.output {
        Some(path) => {
            if let Err(error) = std::fs::write(path, &text) {
                eprintln!("error: cannot write {}: {error}", path.display());
                return ExitCode::Error;
            }
        }
        None => print!("{text}"),
    }
    if checked.has_violations() {
        ExitCode::Violations
    } else {
        ExitCode::Clean
    }
}
