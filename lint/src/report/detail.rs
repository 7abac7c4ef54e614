//! What a reviewer needs to judge one violation without opening the code: the policy
//! text behind the rule it breaks, and the lines of the sink call and of the tag.

use std::collections::HashMap;
use std::sync::Arc;

use privflow_model::Policy;
use privflow_model::policy::{Decision, Effect, Origin, Rule};
use serde::{Deserialize, Serialize};

use crate::index::Index;
use crate::render::FlowOut;

/// A policy entry a violation is judged by.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PolicyRef {
    /// The rule's id (`axodesk.ai.no-secrets-or-billing`), `exception`, or the sink's id.
    pub name: String,
    /// `allow`, `deny`, `exception` or `sink`.
    pub kind: String,
    /// The privacy-policy section it encodes (`§6`), when the policy says.
    pub section: Option<String>,
    /// Its reason, or the sink's description.
    pub text: Option<String>,
    /// `privflow.toml:12`, or the built-in pack's place.
    pub written_at: String,
}

/// One violation: the flow as `check` reports it, what the policy says, and the code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Violation {
    #[serde(flatten)]
    pub flow: FlowOut,
    /// The policy entry that decided: the deny rule, the allow rule whose purposes did not
    /// match, the expired exception, the undisclosed sink. None when no rule matched.
    #[serde(default)]
    pub decided_by: Option<PolicyRef>,
    /// For a flow no rule allows: the rules that speak about its sink.
    #[serde(default)]
    pub sink_rules: Vec<PolicyRef>,
    /// The line of the sink call, trimmed.
    #[serde(default)]
    pub sink_code: Option<String>,
    /// The tag's line (and the item it is on), trimmed.
    #[serde(default)]
    pub tag_code: Option<String>,
}

fn rule_ref(rule: &Rule, root: &str) -> PolicyRef {
    PolicyRef {
        name: rule.name(),
        kind: match rule.effect {
            Effect::Allow => "allow",
            Effect::Deny => "deny",
        }
        .to_owned(),
        section: rule.source.clone(),
        text: rule.reason.clone(),
        written_at: written_at(&rule.origin, root),
    }
}

/// The source lines of the workspace's files, by workspace-relative path.
pub struct SourceLines<'i> {
    files: HashMap<&'i str, &'i Arc<str>>,
}

impl<'i> SourceLines<'i> {
    pub fn new(index: &'i Index) -> Self {
        Self {
            files: index
                .files
                .iter()
                .map(|file| (file.relative.as_str(), &file.text))
                .collect(),
        }
    }

    /// Line `line` (1-based) of `file`, trimmed; when it is an attribute (a tag), the
    /// lines down to the item it is on (at most [`SNIPPET_LINES`]). None past the end or
    /// when empty.
    pub fn snippet(&self, file: &str, line: u32) -> Option<String> {
        let text = self.files.get(file)?;
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let mut snippet = Vec::new();
        for code in text.lines().skip(index).take(SNIPPET_LINES) {
            let code = code.trim();
            snippet.push(code);
            if !code.starts_with("#[") {
                break;
            }
        }
        let snippet = snippet.join("\n");
        (!snippet.is_empty()).then_some(snippet)
    }
}

/// Lines a snippet shows at most: a tag, the attributes after it, and its item.
const SNIPPET_LINES: usize = 4;

/// Where a policy entry was written, from the workspace root when it is inside it (the
/// report names no folder of the machine that wrote it).
fn written_at(origin: &Origin, root: &str) -> String {
    let file = origin
        .file
        .strip_prefix(root)
        .and_then(|rest| rest.strip_prefix(['/', '\\']))
        .unwrap_or(&origin.file);
    format!("{file}:{}", origin.line)
}

/// `flow` with what the policy says of it and its code; `root` is the workspace's.
pub fn violation(
    policy: &Policy,
    lines: &SourceLines<'_>,
    root: &str,
    flow: &FlowOut,
) -> Violation {
    let purposes: Vec<&str> = flow
        .purpose
        .iter()
        .flat_map(|purposes| purposes.split(','))
        .collect();
    let (category, sink) = (flow.category.as_str(), flow.sink.as_str());
    let sink_definition = policy.sinks.get(sink);
    let decided_by = match flow.rule.as_str() {
        "undisclosed-sink" => sink_definition.map(|definition| PolicyRef {
            name: definition.id.clone(),
            kind: "sink".to_owned(),
            section: None,
            text: Some(definition.description.clone()),
            written_at: written_at(&definition.origin, root),
        }),
        "exception-expired" => policy
            .exception_for(category, sink, &flow.file)
            .map(|exception| PolicyRef {
                name: "exception".to_owned(),
                kind: "exception".to_owned(),
                section: None,
                text: Some(format!(
                    "expired {}: {}",
                    exception.expires, exception.reason
                )),
                written_at: written_at(&exception.origin, root),
            }),
        _ => match policy.decide(category, sink, &purposes) {
            Decision::Denied(rule) | Decision::Allowed(rule) => Some(rule_ref(rule, root)),
            Decision::NotAllowed => None,
        },
    };
    let sink_rules = if decided_by.is_none() {
        policy
            .rules
            .iter()
            .filter(|rule| rule.sinks.iter().any(|glob| glob.matches(sink)))
            .map(|rule| rule_ref(rule, root))
            .collect()
    } else {
        Vec::new()
    };
    Violation {
        decided_by,
        sink_rules,
        sink_code: lines.snippet(&flow.file, flow.line),
        tag_code: lines.snippet(&flow.source.file, flow.source.line),
        flow: flow.clone(),
    }
}
