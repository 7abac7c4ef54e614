//! What a reviewer needs to judge one violation without opening the code: the policy
//! text behind the rule it breaks, and the lines of the sink call and of the tag.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
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

fn rule_ref(rule: &Rule, places: &Places<'_>) -> PolicyRef {
    PolicyRef {
        name: rule.name(),
        kind: match rule.effect {
            Effect::Allow => "allow",
            Effect::Deny => "deny",
        }
        .to_owned(),
        section: rule.source.clone(),
        text: rule.reason.clone(),
        written_at: places.written_at(&rule.origin),
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

    /// Line `line` (1-based) of `file`, trimmed; when it starts an attribute (a tag),
    /// the lines down to the item it is on: the attribute's own lines however rustfmt
    /// wrapped it, further attributes and comments, and the item's first line (at most
    /// [`SNIPPET_LINES`]). None past the end or when empty.
    pub fn snippet(&self, file: &str, line: u32) -> Option<String> {
        let text = self.files.get(file)?;
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let mut snippet = Vec::new();
        // Brackets open before a line: above zero, the line continues an attribute.
        let mut depth: usize = 0;
        for code in text.lines().skip(index).take(SNIPPET_LINES) {
            let code = code.trim();
            snippet.push(code);
            let item = depth == 0 && !code.starts_with("#[") && !code.starts_with("//");
            if item {
                break;
            }
            for byte in code.bytes() {
                match byte {
                    b'[' | b'(' | b'{' => depth += 1,
                    b']' | b')' | b'}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
        }
        let snippet = snippet.join("\n");
        (!snippet.is_empty()).then_some(snippet)
    }
}

/// Lines a snippet shows at most: a tag wrapped over lines, the attributes and comments
/// after it, and its item.
const SNIPPET_LINES: usize = 8;

/// Where the files a report names sit: the workspace root and the top of its git
/// repository, if any.
pub struct Places<'p> {
    pub root: &'p Path,
    pub top: Option<&'p Path>,
}

impl Places<'_> {
    /// Where a policy entry was written, as the report's other paths are, from the
    /// workspace root (`../privflow.toml` for one above it in the same repository), else
    /// by file name alone: the report names no folder of the machine that wrote it (the
    /// policy may be given as a path relative to wherever the command ran).
    fn written_at(&self, origin: &Origin) -> String {
        if origin.is_builtin_pack() {
            return format!("{}:{}", origin.file, origin.line);
        }
        let path = std::path::absolute(Path::new(&*origin.file))
            .unwrap_or_else(|_| PathBuf::from(&*origin.file));
        let name = |path: &Path| -> Vec<String> {
            path.components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect()
        };
        let shown = if let Ok(inside) = path.strip_prefix(self.root) {
            name(inside)
        } else if let Some((top, inside)) = self
            .top
            .and_then(|top| Some((top, path.strip_prefix(top).ok()?)))
        {
            let depth = self
                .root
                .strip_prefix(top)
                .map_or(0, |below| below.components().count());
            let mut parts = vec!["..".to_owned(); depth];
            parts.extend(name(inside));
            parts
        } else {
            path.file_name()
                .map(|file| vec![file.to_string_lossy().into_owned()])
                .unwrap_or_default()
        };
        format!("{}:{}", shown.join("/"), origin.line)
    }
}

/// `flow` with what the policy says of it and its code.
pub fn violation(
    policy: &Policy,
    lines: &SourceLines<'_>,
    places: &Places<'_>,
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
            written_at: places.written_at(&definition.origin),
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
                written_at: places.written_at(&exception.origin),
            }),
        _ => match policy.decide(category, sink, &purposes) {
            Decision::Denied(rule) | Decision::Allowed(rule) => Some(rule_ref(rule, places)),
            Decision::NotAllowed => None,
        },
    };
    let sink_rules = if decided_by.is_none() {
        policy
            .rules
            .iter()
            .filter(|rule| rule.sinks.iter().any(|glob| glob.matches(sink)))
            .map(|rule| rule_ref(rule, places))
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

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::Path;
    use std::sync::Arc;

    use privflow_model::policy::Origin;

    use super::{Places, SourceLines};

    #[test]
    fn a_wrapped_tag_is_shown_down_to_its_field() {
        let text: Arc<str> = Arc::from(
            "struct C {\n    #[data(\n        \"contact.phone\",\n        purposes = [\"support\"]\n    )]\n    /// The number.\n    #[serde(default)]\n    phone: String,\n    other: u8,\n}\n",
        );
        let lines = SourceLines {
            files: HashMap::from([("src/lib.rs", &text)]),
        };
        assert_eq!(
            lines.snippet("src/lib.rs", 2).as_deref(),
            Some(
                "#[data(\n\"contact.phone\",\npurposes = [\"support\"]\n)]\n/// The number.\n#[serde(default)]\nphone: String,"
            )
        );
        assert_eq!(
            lines.snippet("src/lib.rs", 9).as_deref(),
            Some("other: u8,")
        );
        assert_eq!(lines.snippet("src/lib.rs", 99), None);
    }

    #[test]
    fn policy_places_name_no_folder_of_the_machine() {
        let origin = |file: &str| Origin {
            file: Arc::from(file),
            line: 9,
            column: 1,
            span: 0..0,
        };
        let places = Places {
            root: Path::new("/repo/services/api"),
            top: Some(Path::new("/repo")),
        };
        assert_eq!(
            places.written_at(&origin("/repo/privflow.toml")),
            "../../privflow.toml:9"
        );
        assert_eq!(
            places.written_at(&origin("/repo/services/api/privflow.toml")),
            "privflow.toml:9"
        );
        assert_eq!(places.written_at(&origin("/elsewhere/p.toml")), "p.toml:9");
        let alone = Places {
            root: Path::new("/ws"),
            top: None,
        };
        assert_eq!(
            alone.written_at(&origin("/ws/privflow.toml")),
            "privflow.toml:9"
        );
    }
}
