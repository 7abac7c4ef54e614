//! `cargo privflow check`: load → index → flow analysis → verdicts → render.

use crate::ExitCode;
use crate::cli::{CheckArgs, CheckFormat};
use crate::render::{github, human, json, sarif};

pub fn run(args: &CheckArgs) -> ExitCode {
    // A baseline that cannot be used stops the check before any work (exit 2).
    let baseline = match args.baseline.as_deref().map(crate::baseline::read) {
        Some(Ok(baseline)) => Some(baseline),
        Some(Err(error)) => {
            eprintln!(
                "error: {}
  help: {}",
                error.message, error.help
            );
            return ExitCode::Error;
        }
        None => None,
    };
    let (_, mut checked) = match super::analyse(&args.selection) {
        Ok(analysed) => analysed,
        Err(code) => return code,
    };
    if let Some(baseline) = &baseline {
        baseline.compare(&mut checked.output);
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
    let code = if checked.has_violations() {
        ExitCode::Violations
    } else {
        super::partial_failure(&checked, &args.selection).unwrap_or(ExitCode::Clean)
    };
    super::leave_to_exit(checked);
    code
}
