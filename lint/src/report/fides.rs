//! `cargo privflow export fides`: Fides `system` and `dataset` manifests (YAML) from the
//! code, through the pack's fideslang mappings — so a team that keeps its data map in
//! Fides gets it from the code. The manifests are plain structs serialised by
//! `serde-saphyr`, with every string quoted: text from the analysed code (quotes, line
//! breaks, `: `, `#`, `yes`, `1_000`) stays one string to a YAML 1.1 reader such as
//! Fides's PyYAML as much as to a YAML 1.2 one.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use privflow_model::Policy;
use serde::Serialize;

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

/// Text made safe for a YAML comment, which nothing can escape: a backslash, and every
/// character YAML reads as a line break (U+0085, U+2028, U+2029 too) or will not accept in
/// a document (controls, U+FFFE, U+FFFF), is written as an escape sequence, so text from
/// the analysed code cannot end the comment line.
fn comment_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
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

/// The document: one system and the dataset it references, in Fides's manifest shape.
#[derive(Serialize)]
struct Manifest<'a> {
    system: Vec<System<'a>>,
    dataset: Vec<Dataset>,
}

#[derive(Serialize)]
struct System<'a> {
    fides_key: String,
    name: &'a str,
    description: &'static str,
    system_type: &'static str,
    dataset_references: Vec<String>,
    privacy_declarations: Vec<PrivacyDeclaration>,
}

#[derive(Serialize)]
struct PrivacyDeclaration {
    name: String,
    data_use: String,
    data_categories: BTreeSet<String>,
    data_subjects: BTreeSet<String>,
    dataset_references: Vec<String>,
}

#[derive(Serialize)]
struct Dataset {
    fides_key: String,
    name: String,
    collections: Vec<Collection>,
}

#[derive(Serialize)]
struct Collection {
    name: String,
    fields: Vec<Field>,
}

#[derive(Serialize)]
struct Field {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    data_categories: BTreeSet<String>,
}

/// The manifest as YAML: block style, every string quoted (single quotes, double quotes
/// with escapes where the string has a quote, a line break or a control), no block scalars.
fn to_yaml(manifest: &Manifest<'_>) -> Result<String, serde_saphyr::ser::Error> {
    let mut options = serde_saphyr::SerializerOptions::default();
    options.quote_all = true;
    options.prefer_block_scalars = false;
    serde_saphyr::to_string_with_options(manifest, options)
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
    let privacy_declarations = declarations
        .into_iter()
        .map(|(data_use, declaration)| {
            let sinks: Vec<&str> = declaration.sinks.iter().map(String::as_str).collect();
            PrivacyDeclaration {
                name: format!("{data_use} via {}", sinks.join(", ")),
                data_use,
                data_categories: declaration.categories,
                data_subjects: declaration.subjects,
                dataset_references: vec![dataset_key.clone()],
            }
        })
        .collect();
    let collections = index
        .types
        .iter()
        .filter_map(|info| {
            let fields: Vec<Field> = info
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
                    (!categories.is_empty()).then(|| Field {
                        name: field_name(&field.name).to_owned(),
                        description: (!unmapped.is_empty()).then(|| {
                            format!(
                                "privflow categories without a fideslang mapping of their own: {}",
                                unmapped.join(", ")
                            )
                        }),
                        data_categories: categories,
                    })
                })
                .collect();
            (!fields.is_empty()).then(|| Collection {
                name: key(&info.path),
                fields,
            })
        })
        .collect();
    let manifest = Manifest {
        system: vec![System {
            fides_key: system_key,
            name: system,
            description: "Generated by cargo privflow export fides from the tagged source",
            system_type: "Service",
            dataset_references: vec![dataset_key.clone()],
            privacy_declarations,
        }],
        dataset: vec![Dataset {
            fides_key: dataset_key,
            name: format!("{system} data"),
            collections,
        }],
    };
    // What the analysis covered rides along as YAML comments: Fides ignores them, a
    // reviewer of the manifest sees that it may be incomplete.
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# privflow: {}",
        output.coverage.describe(output.files_analyzed)
    );
    for error in &output.errors {
        let _ = writeln!(
            out,
            "# problem: {}:{}:{}: {}",
            comment_text(&error.file),
            error.line,
            error.column,
            comment_text(&error.message)
        );
    }
    match to_yaml(&manifest) {
        Ok(yaml) => out.push_str(&yaml),
        // Plain structs of strings do not fail to serialise; were it to happen, the text
        // says so and holds no manifest, which Fides rejects.
        Err(error) => {
            let _ = writeln!(
                out,
                "# privflow: the manifest could not be written: {}",
                comment_text(&error.to_string())
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings from analysed code and policy files that YAML could read as something
    /// else: structure, comments, anchors, tags, other types (YAML 1.1's too), or a line
    /// break inside a scalar.
    const HOSTILE: &[&str] = &[
        "plain",
        "",
        " ",
        " leading and trailing ",
        "a\"b'c",
        "back\\slash \\n",
        "line\nbreak",
        "trailing newline\n",
        "cr\rlf",
        "tab\tx",
        "nel\u{85}x",
        "line separator\u{2028}x",
        "paragraph separator\u{2029}x",
        "bell\u{7} nul\0 esc\u{1b} del\u{7f} c1\u{9b}",
        "bom\u{feff}",
        "\u{fffe}\u{ffff}",
        "key: value",
        "key:",
        "# comment",
        "text #comment",
        "- dash",
        "-",
        "* star",
        "*alias",
        "&anchor",
        "!tag",
        "!!str",
        "|",
        ">",
        "%YAML 1.2",
        "@at",
        "`tick",
        "'",
        "\"",
        "? key",
        "---",
        "...",
        "{a: b}",
        "[a, b]",
        "a, b",
        "<<",
        "=",
        "yes",
        "No",
        "ON",
        "off",
        "y",
        "n",
        "true",
        "False",
        "null",
        "Null",
        "~",
        "123",
        "-1",
        "+1",
        "0x1F",
        "0o17",
        "0b101",
        "0777",
        "1_000",
        "1e3",
        ".5",
        ".inf",
        "-.Inf",
        ".NaN",
        "12:30:00",
        "2027-06-30",
        "2027-06-30T12:00:00Z",
        "é ü 中 😀",
    ];

    /// The lines of `yaml` with a value that is neither quoted nor `[]` (a key alone
    /// opens a block).
    fn unquoted(yaml: &str) -> Vec<&str> {
        yaml.lines()
            .filter(|line| {
                let item = line.trim_start();
                let item = item.strip_prefix("- ").unwrap_or(item);
                let value = match item.split_once(':') {
                    Some((key, value))
                        if !key.is_empty()
                            && key.chars().all(|c| c.is_ascii_lowercase() || c == '_') =>
                    {
                        value.trim_start()
                    }
                    _ => item,
                };
                !(value.is_empty()
                    || value == "[]"
                    || value.starts_with('\'')
                    || value.starts_with('"'))
            })
            .collect()
    }

    /// A manifest with every hostile string in every kind of place, written, then read
    /// back with the same crate into an untyped value: the same document, every string
    /// the same string. A string written unquoted or unescaped would come back as another
    /// type (`yes`, `null`, `0x1F`), cut at a `#` or a line break, or break the document;
    /// YAML 1.1's dates and sexagesimals, which the reader takes for strings, are caught by
    /// the check that every value is quoted.
    #[test]
    fn hostile_strings_read_back_as_the_same_strings() {
        let set = |text: &str| BTreeSet::from([text.to_owned(), "user".to_owned()]);
        let manifest = Manifest {
            system: HOSTILE
                .iter()
                .map(|text| System {
                    fides_key: (*text).to_owned(),
                    name: text,
                    description: "Generated by cargo privflow export fides",
                    system_type: "Service",
                    dataset_references: vec![(*text).to_owned()],
                    privacy_declarations: vec![PrivacyDeclaration {
                        name: (*text).to_owned(),
                        data_use: (*text).to_owned(),
                        data_categories: set(text),
                        data_subjects: BTreeSet::new(),
                        dataset_references: vec![(*text).to_owned()],
                    }],
                })
                .collect(),
            dataset: HOSTILE
                .iter()
                .map(|text| Dataset {
                    fides_key: (*text).to_owned(),
                    name: (*text).to_owned(),
                    collections: vec![Collection {
                        name: (*text).to_owned(),
                        fields: vec![Field {
                            name: (*text).to_owned(),
                            description: Some((*text).to_owned()),
                            data_categories: set(text),
                        }],
                    }],
                })
                .collect(),
        };
        let yaml = to_yaml(&manifest).unwrap_or_else(|error| unreachable!("{error}"));
        let back: serde_json::Value =
            serde_saphyr::from_str(&yaml).unwrap_or_else(|error| unreachable!("{error}\n{yaml}"));
        let expected = serde_json::to_value(&manifest).unwrap_or_else(|e| unreachable!("{e}"));
        for (index, text) in HOSTILE.iter().enumerate() {
            for part in ["system", "dataset"] {
                assert_eq!(
                    back[part][index], expected[part][index],
                    "{text:?} in the {part}:\n{yaml}"
                );
            }
        }
        assert_eq!(back, expected, "{yaml}");
        assert_eq!(unquoted(&yaml), Vec::<&str>::new(), "{yaml}");
    }

    /// Every string is quoted, as YAML 1.1 readers (Fides's PyYAML) need for `yes`, `on`,
    /// `1_000` or `2027-06-30` to stay strings; empty lists are `[]`.
    #[test]
    fn every_string_is_quoted() {
        let manifest = Manifest {
            system: vec![System {
                fides_key: "on".to_owned(),
                name: "yes",
                description: "a\nb",
                system_type: "Service",
                dataset_references: vec!["1_000".to_owned()],
                privacy_declarations: Vec::new(),
            }],
            dataset: Vec::new(),
        };
        let yaml = to_yaml(&manifest).unwrap_or_else(|error| unreachable!("{error}"));
        assert_eq!(
            yaml,
            "system:\n\
             - fides_key: 'on'\n  \
               name: 'yes'\n  \
               description: \"a\\nb\"\n  \
               system_type: 'Service'\n  \
               dataset_references:\n  \
               - '1_000'\n  \
               privacy_declarations: []\n\
             dataset: []\n"
        );
    }

    #[test]
    fn nothing_in_a_comment_breaks_the_line() {
        assert_eq!(
            comment_text("a\"b\\c\nd\u{85}e\u{2028}f\u{7}"),
            "a\"b\\\\c\\nd\\u0085e\\u2028f\\u0007"
        );
    }
}
