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
    /// Stable under unrelated edits (rule, function, category, sink): what `check
    /// --baseline` and SARIF's `partialFingerprints` match findings by.
    #[serde(default)]
    pub fingerprint: String,
    /// With `--baseline`, for a violation: `new`, or `known` (in the baseline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineMark>,
}

/// Whether a violation was in the baseline `check --baseline` compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BaselineMark {
    New,
    Known,
}

/// FNV-1a, 64 bits: a fingerprint must not change with the compiler's hasher.
fn fnv1a(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

fn fingerprint(rule: &str, function: &str, category: &str, sink: &str) -> String {
    fnv1a(&format!("{rule}|{function}|{category}|{sink}"))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ErrorOut {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CoverageOut {
    pub calls: usize,
    pub calls_unresolved: usize,
    pub macros_not_understood: usize,
    pub files_skipped: usize,
}

impl CoverageOut {
    /// One line on how complete an analysis of `files_analyzed` files was, for the
    /// reports and exports.
    pub fn describe(&self, files_analyzed: usize) -> String {
        format!(
            "{files_analyzed} files analysed, {} not analysed · {} of {} calls resolved · {} macro calls not understood",
            self.files_skipped,
            self.calls - self.calls_unresolved.min(self.calls),
            self.calls,
            self.macros_not_understood
        )
    }
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
    /// With `--baseline`: what is new against it, and what it had that is gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<crate::baseline::BaselineOut>,
    /// Where the workspace sits in its git repository
    /// ([`crate::load::repository_prefix`]): SARIF and GitHub annotations place files
    /// from the repository's top level. Not part of the JSON document.
    #[serde(skip)]
    pub repository_prefix: Option<String>,
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
    /// `file` (relative to the workspace) as CI places it: from the top of the git
    /// repository that holds the workspace, when there is one.
    pub fn repository_path(&self, file: &str) -> String {
        format!(
            "{}{file}",
            self.repository_prefix.as_deref().unwrap_or_default()
        )
    }

    /// "3 violations", or against a baseline "1 new violations (2 known, 1 fixed)".
    pub fn violations_summary(&self) -> String {
        match &self.baseline {
            Some(baseline) => format!(
                "{} new violations ({} known, {} fixed)",
                baseline.new_violations,
                baseline.known_violations,
                baseline.fixed.len()
            ),
            None => format!("{} violations", self.violations),
        }
    }

    pub fn new(
        index: &Index,
        findings: &[Finding],
        coverage: Coverage,
        mut errors: Vec<ErrorOut>,
        files_skipped: usize,
    ) -> Self {
        let mut flows: Vec<FlowOut> = findings
            .iter()
            .map(|finding| {
                let site = place(index, finding.flow.site);
                let function = index
                    .functions
                    .get(finding.flow.function)
                    .map(|function| function.path.clone())
                    .unwrap_or_default();
                FlowOut {
                    fingerprint: fingerprint(
                        &finding.rule,
                        &function,
                        &finding.flow.category,
                        &finding.flow.sink,
                    ),
                    baseline: None,
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
                    function,
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
            baseline: None,
            repository_prefix: None,
        }
    }
}
