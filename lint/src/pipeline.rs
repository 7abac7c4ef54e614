//! The whole check on a loaded workspace: index → flow → verdicts → output data. Shared
//! by `cargo privflow check` and the build-script integration (`privflow::build`).

use privflow_model::policy::Date;
use privflow_model::{Policy, PolicyErrors};

use crate::cache::flow::FlowCache;
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
    let mut files_not_analysed = errors.len();
    crate::progress::stage("indexing", crate::progress::Measure::Nothing);
    // What the flow analysis may reuse from the previous run, and where it keeps it.
    let flow_cache = workspace.target_directory.as_deref().map(|dir| {
        (
            FlowCache::new(dir, policy, &workspace),
            crate::cache::flow::shape(&workspace),
        )
    });
    // The previous run's analyses are read while the index is built.
    let (mut index, read) = rayon::join(
        || Index::build(workspace, policy),
        || {
            flow_cache
                .as_ref()
                .and_then(|(cache, shape)| cache.read(*shape))
        },
    );
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
    let (result, incremental) = match &flow_cache {
        Some(_) => {
            let mut incremental = FlowCache::previous(read, &index);
            let result = flow::analyze(&index, policy, Some(&mut incremental));
            (result, Some(incremental))
        }
        None => (flow::analyze(&index, policy, None), None),
    };
    let undecoded = crate::cache::encoded::not_decoded();
    if let (Some((cache, shape)), Some(incremental)) = (&flow_cache, incremental) {
        if undecoded == 0 {
            cache.save(*shape, &index, incremental);
        } else {
            // What was analysed from an empty body must not be kept as its analysis.
            cache.forget();
        }
    }
    if undecoded > 0 {
        // Never silent: those functions were analysed as empty.
        errors.push(ErrorOut {
            file: "target/privflow".to_owned(),
            line: 0,
            column: 0,
            message: format!(
                "{undecoded} function bod(ies) or summar(ies) read back from privflow's cache under the target directory did not decode and were taken as empty"
            ),
            help: Some("delete the target directory's privflow folder and run again".to_owned()),
        });
        files_not_analysed += 1;
    }
    crate::progress::stage("judging flows", crate::progress::Measure::Nothing);
    let findings = verdict::judge(&index, policy, result.flows, Date::today());
    let mut output = CheckOutput::new(
        &index,
        &findings,
        result.coverage,
        errors,
        files_not_analysed,
    );
    // Where CI places files: from the top of the git repository that holds the workspace.
    output.repository_prefix = crate::load::repository_prefix(&index.root);
    Ok(Checked {
        invalid_attributes: index.problems.len(),
        files_not_analysed,
        index,
        output,
    })
}

/// The whole check on one source text held in memory, as the root of a library crate
/// `fuzz` with no dependencies: parse, lower, index, flow analysis, verdicts, output
/// data. For the fuzz targets (no files, no `cargo metadata`); `None` when the text
/// does not parse. Runs on the large stack, as the command line does.
pub fn check_text(text: &str, policy: &Policy) -> Option<Checked> {
    let run = || {
        let ast = syn::parse_file(text).ok()?;
        let context = crate::load::FileContext {
            relative: "src/lib.rs",
            crate_name: "fuzz",
            module_path: &[],
        };
        let lowered = crate::index::lower_one(&ast, &context, policy);
        let workspace = Workspace {
            root: std::path::PathBuf::from("/fuzz"),
            crates: vec![crate::load::CrateTarget {
                name: "fuzz".to_owned(),
                package: "fuzz".to_owned(),
                kind: crate::load::TargetKind::Lib,
                root: std::path::PathBuf::from("/fuzz/src/lib.rs"),
                dependencies: Some(Vec::new()),
                registry_dependencies: Vec::new(),
            }],
            files: vec![crate::load::SourceFile {
                path: std::path::PathBuf::from("/fuzz/src/lib.rs"),
                relative: "src/lib.rs".to_owned(),
                crate_index: 0,
                module_path: Vec::new(),
                text: std::sync::Arc::from(text),
                lowered,
            }],
            errors: Vec::new(),
            resolved: None,
            target_directory: None,
        };
        check(workspace, policy).ok()
    };
    crate::stack::with_large_stack(run).ok().flatten()
}

#[cfg(test)]
mod tests {
    use super::check_text;

    #[test]
    fn one_text_in_memory_is_checked_whole() {
        let policy = privflow_model::Policy::builtin().unwrap_or_else(|_| unreachable!());
        let text = r#"
            pub struct Contact {
                #[data("contact.email")]
                pub email: String,
            }
            pub fn note(contact: &Contact) {
                println!("{}", contact.email);
            }
        "#;
        let checked = check_text(text, &policy);
        let flows: Vec<(String, String)> = checked
            .iter()
            .flat_map(|checked| &checked.output.flows)
            .map(|flow| (flow.category.clone(), flow.sink.clone()))
            .collect();
        assert_eq!(flows, [("contact.email".to_owned(), "logs".to_owned())]);
        assert!(check_text("fn (", &policy).is_none(), "no parse, no output");
    }
}
