//! `--format sarif`: SARIF 2.1.0 for code-scanning tools. One rule per rule code (help
//! from `explain`), one result per violation with its trace as a code flow, category and
//! sink as properties, and a fingerprint from the rule, the enclosing function, the
//! category and the sink — stable when unrelated lines move.

use serde_json::{Value, json};

use super::{CheckOutput, FlowOut};
use crate::rules::{RULES, RuleCode};

fn location(file: &str, line: u32, column: u32, message: Option<&str>) -> Value {
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": file, "uriBaseId": "%SRCROOT%" },
            "region": { "startLine": line.max(1), "startColumn": column.max(1) }
        }
    });
    if let Some(message) = message {
        location["message"] = json!({ "text": message });
    }
    location
}

/// Where `%SRCROOT%` is: inside a git repository, its top level, which the tool that
/// reads the file knows (a code-scanning upload is resolved against the checkout), so no
/// path of the machine that ran the check is written; elsewhere, the workspace root.
fn source_root(output: &CheckOutput) -> Value {
    match output.repository_prefix {
        Some(_) => json!({
            "%SRCROOT%": { "description": { "text": "the top level of the git repository" } }
        }),
        None => json!({
            "%SRCROOT%": { "uri": format!("file://{}/", output.root.trim_end_matches('/')) }
        }),
    }
}

fn result(output: &CheckOutput, flow: &FlowOut) -> Value {
    let location = |file: &str, line: u32, column: u32, message: Option<String>| {
        location(
            &output.repository_path(file),
            line,
            column,
            message.as_deref(),
        )
    };
    let rule_index = RuleCode::from_name(&flow.rule)
        .and_then(|code| RULES.iter().position(|doc| doc.code == code));
    let mut steps: Vec<Value> = vec![location(
        &flow.source.file,
        flow.source.line,
        flow.source.column,
        Some(format!("{} tagged here", flow.category)),
    )];
    steps.extend(
        flow.trace
            .iter()
            .map(|step| location(&step.file, step.line, step.column, Some(step.note.clone()))),
    );
    steps.push(location(
        &flow.file,
        flow.line,
        flow.column,
        Some(format!("reaches {} here", flow.sink)),
    ));
    let mut result = json!({
        "ruleId": flow.rule,
        "level": "error",
        "message": { "text": flow.message },
        "locations": [location(&flow.file, flow.line, flow.column, None)],
        "codeFlows": [{
            "threadFlows": [{
                "locations": steps.into_iter().map(|step| json!({ "location": step })).collect::<Vec<_>>()
            }]
        }],
        "partialFingerprints": { "privflowFlow/v1": flow.fingerprint },
        "properties": {
            "category": flow.category,
            "sink": flow.sink,
            "purpose": flow.purpose,
        }
    });
    if let Some(index) = rule_index {
        result["ruleIndex"] = json!(index);
    }
    result
}

pub fn render(output: &CheckOutput) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|doc| {
            json!({
                "id": doc.name,
                "shortDescription": { "text": doc.summary },
                "fullDescription": { "text": doc.what },
                "help": { "text": doc.explain() },
                "defaultConfiguration": { "level": "error" }
            })
        })
        .collect();
    let results: Vec<Value> = output
        .flows
        .iter()
        .filter(|flow| flow.verdict == "violation")
        .map(|flow| result(output, flow))
        .collect();
    let document = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "privflow",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://example.invalid/privflow",
                    "rules": rules
                }
            },
            "originalUriBaseIds": source_root(output),
            "results": results
        }]
    });
    match serde_json::to_string_pretty(&document) {
        Ok(mut text) => {
            text.push('\n');
            text
        }
        Err(error) => format!("{{\"error\": \"{error}\"}}\n"),
    }
}
