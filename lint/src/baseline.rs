//! `check --baseline FILE`: a team adopting privflow on a codebase with known findings
//! gates CI on new ones only. FILE is an earlier `check --format json` result (the
//! target branch's, in CI). Every finding is still listed; a violation whose
//! fingerprint the baseline has is `known`, the others `new`, and only new ones count
//! for the exit code and the summary. What the baseline had and the run no longer
//! finds is listed as fixed.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::render::{BaselineMark, CheckOutput};

/// A baseline's violations, as read from its JSON.
pub struct Baseline {
    file: String,
    violations: Vec<Recorded>,
}

/// A violation of the baseline (only the fields a fixed one is listed with).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Recorded {
    pub fingerprint: String,
    pub category: String,
    pub sink: String,
    pub file: String,
    pub line: u32,
}

/// What `check --format json` says of the comparison.
#[derive(Debug, Clone, Serialize)]
pub struct BaselineOut {
    pub file: String,
    /// Violations not in the baseline: these alone fail the check.
    pub new_violations: usize,
    pub known_violations: usize,
    /// Violations of the baseline this run does not find.
    pub fixed: Vec<Recorded>,
}

/// Why a baseline cannot be used: a message with its place, and what to do.
#[derive(Debug)]
pub struct BaselineError {
    pub message: String,
    pub help: &'static str,
}

#[derive(Deserialize)]
struct Document {
    schema: String,
    flows: Vec<Flow>,
}

#[derive(Deserialize)]
struct Flow {
    verdict: String,
    fingerprint: Option<String>,
    category: String,
    sink: String,
    file: String,
    line: u32,
}

const HELP: &str = "pass a result written by `cargo privflow check --format json --output FILE`";

/// Reads an earlier `check --format json` result.
pub fn read(path: &Path) -> Result<Baseline, BaselineError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|error| BaselineError {
        message: format!("cannot read the baseline {shown}: {error}"),
        help: HELP,
    })?;
    let document: Document = serde_json::from_str(&text).map_err(|error| BaselineError {
        message: format!(
            "{shown}:{}:{}: not a privflow check result: {error}",
            error.line(),
            error.column()
        ),
        help: HELP,
    })?;
    if document.schema != "privflow.check/1" {
        return Err(BaselineError {
            message: format!(
                "{shown}: schema `{}` is not a check result (`privflow.check/1`)",
                document.schema
            ),
            help: HELP,
        });
    }
    let mut violations = Vec::new();
    for flow in document
        .flows
        .into_iter()
        .filter(|flow| flow.verdict == "violation")
    {
        let Some(fingerprint) = flow.fingerprint else {
            return Err(BaselineError {
                message: format!(
                    "{shown}: the violation at {}:{} has no fingerprint (written by an older privflow)",
                    flow.file, flow.line
                ),
                help: "write the baseline again with this version of privflow",
            });
        };
        violations.push(Recorded {
            fingerprint,
            category: flow.category,
            sink: flow.sink,
            file: flow.file,
            line: flow.line,
        });
    }
    Ok(Baseline {
        file: shown,
        violations,
    })
}

impl Baseline {
    /// Marks each violation of `output` new or known, and lists the fixed ones. A
    /// fingerprint may stand for several violations (two sites in one function): as
    /// many of the run's as the baseline had are known, the rest new, in the output's
    /// (sorted) order.
    pub fn compare(&self, output: &mut CheckOutput) {
        let mut remaining: BTreeMap<&str, Vec<&Recorded>> = BTreeMap::new();
        for recorded in &self.violations {
            remaining
                .entry(recorded.fingerprint.as_str())
                .or_default()
                .push(recorded);
        }
        let (mut new_violations, mut known_violations) = (0, 0);
        for flow in output
            .flows
            .iter_mut()
            .filter(|flow| flow.verdict == "violation")
        {
            let known = remaining
                .get_mut(flow.fingerprint.as_str())
                .and_then(Vec::pop)
                .is_some();
            if known {
                known_violations += 1;
                flow.baseline = Some(BaselineMark::Known);
            } else {
                new_violations += 1;
                flow.baseline = Some(BaselineMark::New);
            }
        }
        let mut fixed: Vec<Recorded> = remaining
            .into_values()
            .flatten()
            .map(|recorded| (*recorded).clone())
            .collect();
        fixed.sort();
        output.baseline = Some(BaselineOut {
            file: self.file.clone(),
            new_violations,
            known_violations,
            fixed,
        });
    }
}
