//! `cargo privflow export fides`: Fides `system` and `dataset` manifests (YAML) from the
//! code, through the pack's fideslang mappings — so a team that keeps its data map in
//! Fides gets it from the code. YAML is written by hand: every string double-quoted.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use privflow_model::Policy;

use crate::index::Index;
use crate::render::CheckOutput;

/// Fides keys: letters, digits, `_`, `-`, `.` (anything else becomes `_`).
fn key(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A YAML double-quoted scalar. Escaped: quotes, backslashes, and everything YAML
/// reads as a line break (U+0085, U+2028, U+2029 too) or will not accept in a document
/// (controls, U+FFFE, U+FFFF), so text from the analysed code cannot end the line.
fn quoted(text: &str) -> String {
    format!("\"{}\"", escaped(text))
}

fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control()
                || matches!(c, '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}') =>
            {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

fn list(items: &BTreeSet<String>) -> String {
    let quoted: Vec<String> = items.iter().map(|item| quoted(item)).collect();
    format!("[{}]", quoted.join(", "))
}

/// What flows under one data use: fideslang categories, subjects, and privflow sinks.
#[derive(Default)]
struct Declaration {
    categories: BTreeSet<String>,
    subjects: BTreeSet<String>,
    sinks: BTreeSet<String>,
}

/// The fideslang key of a privflow category: its own mapping, else its nearest mapped
/// parent (`contact.email.work` → `contact.email`'s), else `user`, fideslang's root for
/// data about a person, so that a category the user defined is exported, not dropped.
/// The second value says whether the category had a mapping of its own.
fn category(policy: &Policy, id: &str) -> (String, bool) {
    let own = |id: &str| {
        policy
            .categories
            .get(id)
            .and_then(|definition| definition.fides.clone())
    };
    if let Some(fides) = own(id) {
        return (fides, true);
    }
    let mut parent = id;
    while let Some((prefix, _)) = parent.rsplit_once('.') {
        parent = prefix;
        if let Some(fides) = own(parent) {
            return (fides, false);
        }
    }
    ("user".to_owned(), false)
}

/// Field names as the data has them: `r#type` is the field `type`.
fn field_name(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

pub fn render(index: &Index, policy: &Policy, output: &CheckOutput, system: &str) -> String {
    let system_key = key(system);
    let dataset_key = format!("{system_key}_data");
    // Privacy declarations: one per data use, with the categories that flow under it.
    let mut declarations: BTreeMap<String, Declaration> = BTreeMap::new();
    for flow in output
        .flows
        .iter()
        .filter(|flow| flow.verdict != "violation")
    {
        let purposes: Vec<&str> = flow
            .purpose
            .as_deref()
            .map(|purpose| purpose.split(',').collect())
            .unwrap_or_default();
        let uses: BTreeSet<String> = purposes
            .iter()
            .filter_map(|purpose| {
                policy
                    .purposes
                    .get(*purpose)
                    .and_then(|definition| definition.fides.clone())
            })
            .collect();
        let uses = if uses.is_empty() {
            BTreeSet::from(["essential.service".to_owned()])
        } else {
            uses
        };
        let (fides_category, _) = category(policy, &flow.category);
        let subjects: BTreeSet<String> = policy
            .categories
            .get(&flow.category)
            .into_iter()
            .flat_map(|definition| &definition.subjects)
            .filter_map(|subject| {
                policy
                    .subjects
                    .get(subject)
                    .and_then(|definition| definition.fides.clone())
            })
            .collect();
        for data_use in uses {
            let entry = declarations.entry(data_use).or_default();
            entry.categories.insert(fides_category.clone());
            entry.subjects.extend(subjects.iter().cloned());
            entry.sinks.insert(flow.sink.clone());
        }
    }
    // What the analysis covered rides along as YAML comments: Fides ignores them, a
    // reviewer of the manifest sees that it may be incomplete.
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# privflow: {}",
        output.coverage.describe(output.files_analyzed)
    );
    for error in &output.errors {
        // A comment ends at a line break: the message is escaped as a quoted scalar is.
        let _ = writeln!(
            out,
            "# problem: {}:{}:{}: {}",
            escaped(&error.file),
            error.line,
            error.column,
            escaped(&error.message)
        );
    }
    out.push_str("system:\n");
    let _ = writeln!(out, "  - fides_key: {}", quoted(&system_key));
    let _ = writeln!(out, "    name: {}", quoted(system));
    let _ = writeln!(
        out,
        "    description: {}",
        quoted("Generated by cargo privflow export fides from the tagged source")
    );
    let _ = writeln!(out, "    system_type: {}", quoted("Service"));
    let _ = writeln!(out, "    dataset_references: [{}]", quoted(&dataset_key));
    out.push_str("    privacy_declarations:\n");
    for (data_use, declaration) in &declarations {
        let (categories, subjects) = (&declaration.categories, &declaration.subjects);
        let sinks: Vec<&str> = declaration.sinks.iter().map(String::as_str).collect();
        let _ = writeln!(
            out,
            "      - name: {}",
            quoted(&format!("{data_use} via {}", sinks.join(", ")))
        );
        let _ = writeln!(out, "        data_use: {}", quoted(data_use));
        let _ = writeln!(out, "        data_categories: {}", list(categories));
        let _ = writeln!(out, "        data_subjects: {}", list(subjects));
        let _ = writeln!(
            out,
            "        dataset_references: [{}]",
            quoted(&dataset_key)
        );
    }
    if declarations.is_empty() {
        out.truncate(out.len() - "    privacy_declarations:\n".len());
        out.push_str("    privacy_declarations: []\n");
    }
    out.push_str("dataset:\n");
    let _ = writeln!(out, "  - fides_key: {}", quoted(&dataset_key));
    let _ = writeln!(out, "    name: {}", quoted(&format!("{system} data")));
    out.push_str("    collections:\n");
    let mut any_collection = false;
    for info in &index.types {
        let fields: Vec<(&str, BTreeSet<String>, Vec<&str>)> = info
            .def
            .fields
            .iter()
            .filter_map(|field| {
                let tag = field.tag.as_ref()?;
                let mut categories = BTreeSet::new();
                let mut unmapped = Vec::new();
                for id in &tag.categories {
                    let (fides, mapped) = category(policy, id);
                    categories.insert(fides);
                    if !mapped {
                        unmapped.push(id.as_str());
                    }
                }
                (!categories.is_empty()).then(|| (field_name(&field.name), categories, unmapped))
            })
            .collect();
        if fields.is_empty() {
            continue;
        }
        any_collection = true;
        let _ = writeln!(out, "      - name: {}", quoted(&key(&info.path)));
        out.push_str("        fields:\n");
        for (name, categories, unmapped) in fields {
            let _ = writeln!(out, "          - name: {}", quoted(name));
            if !unmapped.is_empty() {
                let _ = writeln!(
                    out,
                    "            description: {}",
                    quoted(&format!(
                        "privflow categories without a fideslang mapping of their own: {}",
                        unmapped.join(", ")
                    ))
                );
            }
            let _ = writeln!(out, "            data_categories: {}", list(&categories));
        }
    }
    if !any_collection {
        out.truncate(out.len() - "    collections:\n".len());
        out.push_str("    collections: []\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::quoted;

    #[test]
    fn nothing_in_a_quoted_scalar_breaks_the_line() {
        assert_eq!(
            quoted("a\"b\\c\nd\u{85}e\u{2028}f\u{7}"),
            "\"a\\\"b\\\\c\\nd\\u0085e\\u2028f\\u0007\""
        );
    }
}
