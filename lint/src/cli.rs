//! The command line (SPEC §3). `cargo privflow check` runs `cargo-privflow privflow
//! check`; the extra `privflow` word is dropped so both spellings parse alike.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "cargo-privflow",
    bin_name = "cargo privflow",
    version,
    about = "Follow tagged personal data to the sinks it reaches, and check every flow against the policy"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Analyse the workspace and report every flow of tagged data into a sink
    Check(CheckArgs),
    /// Write the data-category report for reviewers
    Report(ReportArgs),
    /// Export the data map for other tools
    #[command(subcommand)]
    Export(ExportCommand),
    /// Write a commented starter privflow.toml in the current directory
    Init(InitArgs),
    /// Explain a rule code (`flow-not-allowed`), or list what the policy knows
    /// (`categories`, `purposes`, `sinks`, `pack`)
    Explain(ExplainArgs),
}

/// Which packages to analyse, as cargo selects them.
#[derive(Debug, Args, Clone, Default)]
pub struct Selection {
    /// Path to Cargo.toml of the workspace or package
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Package(s) to analyse
    #[arg(short = 'p', long = "package", value_name = "SPEC")]
    pub packages: Vec<String>,
    /// Analyse every workspace member
    #[arg(long)]
    pub workspace: bool,
    /// The policy file (default: privflow.toml at the workspace root, else the built-in pack)
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Do not fail (exit 2) when some files could not be analysed; they are still
    /// listed in the output's errors and coverage
    #[arg(long)]
    pub allow_partial: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub selection: Selection,
    #[arg(long, value_enum, default_value = "human")]
    pub format: CheckFormat,
    /// Write the output to FILE instead of stdout
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// A previous `--format json` result: every finding is listed, but only violations
    /// not in it fail the check (and fixed ones are listed)
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Md,
    Html,
    Json,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub selection: Selection,
    #[arg(long, value_enum, default_value = "md")]
    pub format: ReportFormat,
    /// A directory, or a file
    #[arg(long, value_name = "DIR|FILE")]
    pub output: Option<PathBuf>,
    /// A previous JSON report: show what changed against it
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Link every location to the code: {rev}, {path} (from the top of the git
    /// repository) and {line} are filled in, e.g.
    /// https://github.com/ORG/REPO/blob/{rev}/{path}#L{line}. Defaults to the repository of
    /// a GitHub Actions run (GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_SHA)
    #[arg(long, value_name = "TEMPLATE")]
    pub source_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Fides system and dataset manifests (YAML)
    Fides(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub selection: Selection,
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write (default: ./privflow.toml)
    #[arg(long, value_name = "FILE", default_value = "privflow.toml")]
    pub output: PathBuf,
    /// Overwrite an existing file
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule code, or one of: categories, purposes, sinks, pack
    pub topic: String,
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

/// Parses the OS arguments, dropping the `privflow` that cargo passes when the tool
/// runs as `cargo privflow`.
pub fn parse(mut args: Vec<OsString>) -> Result<Cli, clap::Error> {
    if args.get(1).is_some_and(|word| word == "privflow") {
        args.remove(1);
    }
    Cli::try_parse_from(args)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    #[test]
    fn cargo_and_direct_invocations_parse_alike() {
        let direct = parse(argv(&[
            "cargo-privflow",
            "check",
            "--format",
            "json",
            "-p",
            "app",
        ]));
        let via_cargo = parse(argv(&[
            "cargo-privflow",
            "privflow",
            "check",
            "--format",
            "json",
            "-p",
            "app",
        ]));
        let (Ok(direct), Ok(via_cargo)) = (direct, via_cargo) else {
            unreachable!("both spellings must parse");
        };
        assert_eq!(format!("{direct:?}"), format!("{via_cargo:?}"));
        let Command::Check(check) = direct.command else {
            unreachable!("check parses as check");
        };
        assert_eq!(check.format, CheckFormat::Json);
        assert_eq!(check.selection.packages, ["app"]);
    }

    #[test]
    fn unknown_flags_are_errors() {
        assert!(parse(argv(&["cargo-privflow", "check", "--frmat", "json"])).is_err());
        assert!(parse(argv(&["cargo-privflow", "check", "--format", "xml"])).is_err());
    }
}
