//! `cargo privflow check`: load → index → flow analysis → verdicts → render.

use privflow_model::policy::Date;

use crate::ExitCode;
use crate::cli::{CheckArgs, CheckFormat};
use crate::index::Index;
use crate::load::{self, Selection};
use crate::render::{CheckOutput, ErrorOut, human, json};
use crate::{flow, verdict};

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
    let mut errors: Vec<ErrorOut> = workspace
        .errors
        .iter()
        .map(|error| ErrorOut {
            file: error.file.clone(),
            line: u32::try_from(error.line).unwrap_or(u32::MAX),
            column: u32::try_from(error.column).unwrap_or(u32::MAX),
            message: error.message.clone(),
            help: None,
        })
        .collect();
    let index = Index::build(workspace, &policy);
    errors.extend(index.problems.iter().map(|(file, problem)| ErrorOut {
        file: index.files[*file].relative.clone(),
        line: problem.pos.line,
        column: problem.pos.column,
        message: format!("invalid-attribute: {}", problem.message),
        help: problem.help.clone(),
    }));
    let result = flow::analyze(&index, &policy);
    if !result.converged {
        eprintln!(
            "warning: the flow analysis did not settle within its pass limit; results may be incomplete"
        );
    }
    let findings = verdict::judge(&index, &policy, result.flows, Date::today());
    let invalid_attributes = index.problems.len();
    let output = CheckOutput::new(&index, &findings, result.coverage, errors);
    let text = match args.format {
        CheckFormat::Json => json::render(&output),
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
            human::render(&output, &sources, color)
        }
        CheckFormat::Sarif | CheckFormat::Github => {
            eprintln!("error: --format sarif and github are not implemented yet (issue 5)");
            return ExitCode::Error;
        }
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
    if output.violations > 0 || invalid_attributes > 0 {
        ExitCode::Violations
    } else {
        ExitCode::Clean
    }
}
