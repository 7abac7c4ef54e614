//! Stage 5, rendering: the result of `check` as plain data (file names resolved,
//! sorted), and one module per output format.

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use serde::{Deserialize, Serialize};

use crate::flow::Coverage;
use crate::index::{Index, Location};
use crate::verdict::{Finding, Verdict};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TraceStep {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FlowOut {
    pub category: String,
    pub sink: String,
    pub purpose: Option<String>,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub verdict: String,
    pub rule: String,
    pub message: String,
    pub source: Place,
    pub trace: Vec<TraceStep>,
    /// The function around the sink call (`crate::module::Type::method`): what CI
    /// fingerprints hold on to, so that unrelated line moves keep them stable.
    #[serde(skip)]
    pub function: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrorOut {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CoverageOut {
    pub calls: usize,
    pub calls_unresolved: usize,
    pub macros_not_understood: usize,
    pub files_skipped: usize,
}

/// Everything `check` found, in SPEC §3's shape.
#[derive(Debug, Clone, Serialize)]
pub struct CheckOutput {
    pub schema: &'static str,
    pub root: String,
    pub flows: Vec<FlowOut>,
    pub violations: usize,
    pub files_analyzed: usize,
    pub coverage: CoverageOut,
    pub errors: Vec<ErrorOut>,
}

pub fn place(index: &Index, location: Location) -> Place {
    Place {
        file: index
            .files
            .get(location.file)
            .map(|file| file.relative.clone())
            .unwrap_or_default(),
        line: location.pos.line,
        column: location.pos.column,
    }
}

impl CheckOutput {
    pub fn new(
        index: &Index,
        findings: &[Finding],
        coverage: Coverage,
        mut errors: Vec<ErrorOut>,
    ) -> Self {
        let mut flows: Vec<FlowOut> = findings
            .iter()
            .map(|finding| {
                let site = place(index, finding.flow.site);
                FlowOut {
                    category: finding.flow.category.to_string(),
                    sink: finding.flow.sink.to_string(),
                    purpose: (!finding.flow.purposes.is_empty())
                        .then(|| finding.flow.purposes.join(",")),
                    file: site.file,
                    line: site.line,
                    column: site.column,
                    verdict: finding.verdict.as_str().to_owned(),
                    rule: finding.rule.clone(),
                    message: finding.message.clone(),
                    source: place(index, finding.flow.source),
                    function: index
                        .functions
                        .get(finding.flow.function)
                        .map(|function| function.path.clone())
                        .unwrap_or_default(),
                    trace: finding
                        .flow
                        .trace
                        .iter()
                        .map(|step| {
                            let at = place(index, step.location);
                            TraceStep {
                                file: at.file,
                                line: at.line,
                                column: at.column,
                                note: step.note.to_string(),
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        flows.sort_by(|a, b| {
            (&a.file, a.line, a.column, &a.category, &a.sink).cmp(&(
                &b.file,
                b.line,
                b.column,
                &b.category,
                &b.sink,
            ))
        });
        errors.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        let files_skipped = errors
            .iter()
            .filter(|error| error.message.starts_with("cannot"))
            .count();
        CheckOutput {
            schema: "privflow.check/1",
            root: index.root.display().to_string(),
            violations: findings
                .iter()
                .filter(|finding| finding.verdict == Verdict::Violation)
                .count(),
            flows,
            files_analyzed: index.source_files,
            coverage: CoverageOut {
                calls: coverage.calls,
                calls_unresolved: coverage.calls_unresolved,
                macros_not_understood: coverage.macros_not_understood,
                files_skipped,
            },
            errors,
        }
    }
}
