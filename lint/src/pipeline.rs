//! The whole check on a loaded workspace: index → flow → verdicts → output data. Shared
//! by `cargo privflow check` and the build-script integration (`privflow::build`).

use privflow_model::policy::Date;
use privflow_model::{Policy, PolicyErrors};

use crate::index::{Index, Lowered};
use crate::load::Workspace;
use crate::render::{CheckOutput, ErrorOut};
use crate::{flow, verdict};

pub struct Checked {
    pub index: Index,
    pub output: CheckOutput,
    /// Attributes the shared grammar rejected (the build rejects them too).
    pub invalid_attributes: usize,
    /// Files that could not be read or parsed, or modules not found: never analysed.
    pub files_not_analysed: usize,
}

impl Checked {
    /// Exit code 1 territory: a violation (a new one, given a baseline) or an invalid
    /// attribute.
    pub fn has_violations(&self) -> bool {
        let violations = match &self.output.baseline {
            Some(baseline) => baseline.new_violations,
            None => self.output.violations,
        };
        violations > 0 || self.invalid_attributes > 0
    }
}

/// The check, or the policy's paths that name nothing in this workspace (exit 2: a tag
/// that matches nothing is lost data).
pub fn check(workspace: Workspace<Lowered>, policy: &Policy) -> Result<Checked, PolicyErrors> {
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
    let files_not_analysed = errors.len();
    let mut index = Index::build(workspace, policy);
    if !index.policy_errors.is_empty() {
        let mut errors = std::mem::take(&mut index.policy_errors);
        errors.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        return Err(PolicyErrors { errors });
    }
    errors.extend(index.problems.iter().map(|(file, problem)| ErrorOut {
        file: index.files[*file].relative.clone(),
        line: problem.pos.line,
        column: problem.pos.column,
        message: format!("invalid-attribute: {}", problem.message),
        help: problem.help.clone(),
    }));
    let result = flow::analyze(&index, policy);
    let findings = verdict::judge(&index, policy, result.flows, Date::today());
    let output = CheckOutput::new(
        &index,
        &findings,
        result.coverage,
        errors,
        files_not_analysed,
    );
    Ok(Checked {
        invalid_attributes: index.problems.len(),
        files_not_analysed,
        index,
        output,
    })
}
