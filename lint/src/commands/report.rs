//! `cargo privflow report`: the data-category report for reviewers (SPEC §5), as
//! Markdown or JSON, optionally compared with an earlier JSON report (`--baseline`).
//! It exits 0 once written (gating CI on violations is `check`'s job), or 2 when files
//! could not be analysed, unless `--allow-partial`.

use std::path::{Path, PathBuf};

use privflow_model::policy::Date;

use crate::ExitCode;
use crate::cli::{ReportArgs, ReportFormat};
use crate::report::links::{PLACEHOLDERS, SourceLinks, TemplateError};
use crate::report::{Report, html, markdown};

pub fn run(args: &ReportArgs) -> ExitCode {
    let baseline = match &args.baseline {
        Some(path) => match read_baseline(path) {
            Ok(report) => Some(report),
            Err(message) => {
                eprintln!(
                    "error: {message}\n  help: pass a report written by `cargo privflow report --format json`"
                );
                return ExitCode::Error;
            }
        },
        None => None,
    };
    // Links are made before anything is analysed: a template that cannot work fails at
    // once. JSON has no links; its template is only checked for its syntax.
    let links = match source_links(args) {
        Ok(links) => links,
        Err(error) => {
            template_error(&error);
            return ExitCode::Error;
        }
    };
    let (policy, checked) = match super::analyse(&args.selection) {
        Ok(analysed) => analysed,
        Err(code) => return code,
    };
    let links = links.in_repository(crate::load::repository_prefix(&checked.index.root));
    let mut report = Report::build(&checked.index, &policy, &checked.output, Date::today());
    if let Some(baseline) = &baseline {
        report.compare(baseline);
    }
    let (text, extension) = match args.format {
        ReportFormat::Json => (
            serde_json::to_string_pretty(&report)
                .map(|mut text| {
                    text.push('\n');
                    text
                })
                .map_err(|error| error.to_string()),
            "json",
        ),
        ReportFormat::Html => (
            html::render(&report, &links).map_err(|error| error.to_string()),
            "html",
        ),
        ReportFormat::Md => (Ok(markdown::render(&report, &links)), "md"),
    };
    let text = match text {
        Ok(text) => text,
        Err(error) => {
            eprintln!("error: cannot write the report: {error}");
            return ExitCode::Error;
        }
    };
    match &args.output {
        None => print!("{text}"),
        Some(path) => {
            let target = destination(path, extension);
            match std::fs::write(&target, text) {
                Ok(()) => eprintln!("wrote {}", target.display()),
                Err(error) => {
                    eprintln!("error: cannot write {}: {error}", target.display());
                    return ExitCode::Error;
                }
            }
        }
    }
    let code = super::partial_failure(&checked, &args.selection).unwrap_or(ExitCode::Clean);
    super::leave_to_exit(checked);
    code
}

fn template_error(error: &TemplateError) {
    eprintln!(
        "error: {error}\n  help: a template uses {} (for example https://github.com/ORG/REPO/blob/{{rev}}/{{path}}#L{{line}})",
        PLACEHOLDERS.join(", ")
    );
}

/// Where locations link to: `--source-url`, else the repository of a GitHub Actions
/// run, else nowhere (and nowhere for JSON). `{rev}` is the commit checked out in the
/// repository that holds the workspace (what the line numbers belong to), else
/// `GITHUB_SHA`.
fn source_links(args: &ReportArgs) -> Result<SourceLinks, TemplateError> {
    if let Some(template) = &args.source_url {
        SourceLinks::check(template)?;
    }
    if args.format == ReportFormat::Json {
        return Ok(SourceLinks::none());
    }
    let env = |name: &str| std::env::var(name).ok();
    let Some(template) = args
        .source_url
        .clone()
        .or_else(|| SourceLinks::github_actions(env))
    else {
        return Ok(SourceLinks::none());
    };
    let start = match &args.selection.manifest_path {
        Some(manifest) => std::path::absolute(manifest)
            .ok()
            .and_then(|manifest| manifest.parent().map(Path::to_path_buf)),
        None => std::env::current_dir().ok(),
    };
    let rev = start
        .as_deref()
        .and_then(crate::load::repository_head)
        .or_else(|| env("GITHUB_SHA").filter(|sha| !sha.is_empty()));
    SourceLinks::new(&template, rev, None)
}

/// A directory gets `privflow-report.<ext>` inside; anything else is the file itself.
fn destination(path: &Path, extension: &str) -> PathBuf {
    if path.is_dir() {
        path.join(format!("privflow-report.{extension}"))
    } else {
        path.to_path_buf()
    }
}

fn read_baseline(path: &Path) -> Result<Report, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    serde_json::from_str(&text)
        .map_err(|error| format!("{} is not a privflow JSON report: {error}", path.display()))
}

/// `cargo privflow export fides`: the system and dataset manifests as YAML.
pub fn export_fides(args: &crate::cli::ExportArgs) -> ExitCode {
    let (policy, checked) = match super::analyse(&args.selection) {
        Ok(analysed) => analysed,
        Err(code) => return code,
    };
    let system = checked.index.root.file_name().map_or_else(
        || "workspace".to_owned(),
        |name| name.to_string_lossy().into_owned(),
    );
    let text = crate::report::fides::render(&checked.index, &policy, &checked.output, &system);
    match &args.output {
        None => print!("{text}"),
        Some(path) => {
            if let Err(error) = std::fs::write(path, text) {
                eprintln!("error: cannot write {}: {error}", path.display());
                return ExitCode::Error;
            }
        }
    }
    let code = super::partial_failure(&checked, &args.selection).unwrap_or(ExitCode::Clean);
    super::leave_to_exit(checked);
    code
}
