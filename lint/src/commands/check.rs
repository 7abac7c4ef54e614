//! `cargo privflow check`. Until the analyser lands (issue 3) it validates the policy
//! in force and says plainly that no flow was analysed.

use privflow_model::Policy;

use crate::ExitCode;
use crate::cli::CheckArgs;

pub fn run(args: &CheckArgs) -> ExitCode {
    let root = args
        .selection
        .manifest_path
        .as_deref()
        .and_then(|path| path.parent())
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(|| std::env::current_dir().unwrap_or_default());
    let loaded = match &args.selection.policy {
        Some(path) => Policy::load(path),
        None => Policy::discover(&root).map(|(policy, _)| policy),
    };
    if let Err(errors) = loaded {
        super::print_diagnostic(&errors);
        return ExitCode::Error;
    }
    eprintln!("error: the policy is valid, but flow analysis is not implemented yet");
    ExitCode::Error
}
