//! Reading `privflow.toml` (and the built-in pack, which is written in the same
//! grammar): parse with spans, read every table collecting every problem, merge over
//! the extended pack, then validate every reference against the merged taxonomy.
//!
//! Merge semantics: a definition whose id is new is added; one whose id exists has
//! the keys it gives replace the existing values, except a sink's `functions` and
//! `macros`, which are appended. Rules and exceptions are appended; a rule with the
//! `id` of an existing rule replaces it.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;

use toml_span::value::{Table, Value, ValueInner};

use super::diag::SourceFile;
use super::{
    BUILTIN_PACK, CategoryDef, Date, Effect, Exception, GroupDef, Origin, Policy, PolicyError,
    PolicyErrors, PurposeDef, Role, Rule, SinkDef, SinkKind, SubjectDef, TypeTag,
};
use crate::glob::{FlowPattern, IdGlob};
use crate::suggest;

pub(crate) const PACK_FILE_NAME: &str = "<built-in pack axodesk>";
pub(crate) const CATALOG_FILE_NAME: &str = "<built-in sink catalog>";

pub(super) fn load_pack() -> Result<Policy, PolicyErrors> {
    let mut policy = Policy::default();
    for (name, text) in [
        (PACK_FILE_NAME, super::AXODESK_PACK_TOML),
        (CATALOG_FILE_NAME, super::SINK_CATALOG_TOML),
    ] {
        let source = SourceFile::new(name, text);
        let mut reader = Reader::new(&source);
        let file = reader.read_file(false);
        reader.merge_and_validate(&mut policy, file);
        policy = reader.finish(policy)?;
    }
    Ok(policy)
}

pub(super) fn load_user(name: &str, text: &str) -> Result<Policy, PolicyErrors> {
    let source = SourceFile::new(name, text);
    let mut reader = Reader::new(&source);
    let file = reader.read_file(true);
    let mut policy = match file.as_ref().and_then(|file| file.extends.as_ref()) {
        Some(extends) if extends.value == "none" => Policy::default(),
        _ => load_pack()?,
    };
    policy.extends = match file.as_ref().and_then(|file| file.extends.as_ref()) {
        Some(extends) if extends.value == "none" => None,
        _ => Some(BUILTIN_PACK.to_owned()),
    };
    reader.merge_and_validate(&mut policy, file);
    reader.finish(policy)
}

#[derive(Debug, Clone)]
struct Located<T> {
    value: T,
    span: Range<usize>,
}

type Text = Located<String>;

/// What one file says, before merging.
#[derive(Default)]
struct PolicyFile {
    extends: Option<Text>,
    groups: Vec<GroupPatch>,
    categories: Vec<CategoryPatch>,
    purposes: Vec<PurposePatch>,
    subjects: Vec<SubjectPatch>,
    sinks: Vec<SinkPatch>,
    types: Vec<TypePatch>,
    rules: Vec<RulePatch>,
    exceptions: Vec<Exception>,
    catalog: Vec<CatalogEntryPatch>,
    hosts: Vec<(Text, Text)>,
}

/// A `[[catalog]]` table, read.
struct CatalogEntryPatch {
    krate: Text,
    /// `None` when it did not parse (reported); the entry is then dropped, after its
    /// sink id is checked like the others.
    versions: Option<semver::VersionReq>,
    sink: Text,
    methods: Vec<String>,
    functions: Vec<String>,
    macros: Vec<String>,
    installed_by: Vec<String>,
}

struct GroupPatch {
    id: Text,
    description: Option<String>,
    policy_heading: Option<String>,
}

struct CategoryPatch {
    id: Text,
    description: Option<String>,
    role: Option<Role>,
    subjects: Option<Vec<Text>>,
    fides: Option<String>,
    policy_terms: Option<Vec<String>>,
}

struct PurposePatch {
    id: Text,
    description: Option<String>,
    fides: Option<String>,
    policy_terms: Option<Vec<String>>,
}

struct SubjectPatch {
    id: Text,
    description: Option<String>,
    fides: Option<String>,
}

struct SinkPatch {
    id: Text,
    description: Option<String>,
    vendor: Option<String>,
    kind: Option<SinkKind>,
    /// `kind` was written, valid or not (an invalid one is reported once, as invalid).
    kind_written: bool,
    region: Option<String>,
    disclosed: Option<bool>,
    functions: Vec<Text>,
    macros: Vec<String>,
    policy_terms: Option<Vec<String>>,
}

struct TypePatch {
    path: Text,
    categories: Vec<Text>,
    fields: BTreeMap<String, Vec<Text>>,
    field_spans: BTreeMap<String, Range<usize>>,
}

struct RulePatch {
    rule: Rule,
    id: Option<Text>,
    categories: Vec<Text>,
    sinks: Vec<Text>,
    purposes: Vec<Text>,
}

struct Reader<'s> {
    source: &'s SourceFile,
    errors: Vec<PolicyError>,
    /// The two sides of each exception's flow, checked against the merged taxonomy.
    exception_globs: Vec<(Text, GlobKind)>,
    suggestions: suggest::Suggestions,
}

const ROOT_KEYS: &[&str] = &[
    "extends",
    "groups",
    "categories",
    "purposes",
    "subjects",
    "sinks",
    "types",
    "rules",
    "exceptions",
    "catalog",
    "hosts",
];

impl<'s> Reader<'s> {
    fn new(source: &'s SourceFile) -> Self {
        Self {
            source,
            errors: Vec::new(),
            exception_globs: Vec::new(),
            suggestions: suggest::Suggestions::default(),
        }
    }

    fn finish(mut self, policy: Policy) -> Result<Policy, PolicyErrors> {
        if self.errors.is_empty() {
            return Ok(policy);
        }
        self.errors.sort_by_key(|error| (error.line, error.column));
        Err(PolicyErrors {
            errors: self.errors,
        })
    }

    fn error(&mut self, span: Range<usize>, message: String, label: &str, help: Option<String>) {
        self.errors
            .push(PolicyError::at(self.source, span, message, label, help));
    }

    fn origin(&self, span: &Range<usize>) -> Origin {
        let (line, column) = self.source.line_column(span.start);
        Origin {
            file: self.source.name.clone(),
            line,
            column,
            span: span.clone(),
        }
    }

    fn read_file(&mut self, user_file: bool) -> Option<PolicyFile> {
        let text = self.source.text.clone();
        let root = match toml_span::parse(&text) {
            Ok(root) => root,
            Err(error) => {
                // The parser's span may run to the end of the file; the start is the news.
                self.error(
                    error.span.start..error.span.start + 1,
                    format!("invalid TOML: {error}"),
                    "here",
                    Some("fix the TOML syntax; see docs/policy.md for the file's shape".into()),
                );
                return None;
            }
        };
        let table = self.table(&root, "the policy file")?;
        let allowed: &[&str] = if user_file {
            ROOT_KEYS
        } else {
            &ROOT_KEYS[1..]
        };
        self.check_keys(table, allowed, "top-level key");
        let mut file = PolicyFile {
            extends: table.get("extends").and_then(|value| self.string(value)),
            ..PolicyFile::default()
        };
        if let Some(extends) = &file.extends
            && extends.value != BUILTIN_PACK
            && extends.value != "none"
        {
            self.error(
                extends.span.clone(),
                format!("unknown pack `{}`", extends.value),
                "not a built-in pack",
                Some(format!(
                    "use `extends = \"{BUILTIN_PACK}\"` or `extends = \"none\"`"
                )),
            );
        }
        self.each_entry(table, "groups", |reader, id, entry| {
            reader.check_keys(entry, &["description", "policy_heading"], "group key");
            file.groups.push(GroupPatch {
                id,
                description: reader.opt_string(entry, "description"),
                policy_heading: reader.opt_string(entry, "policy_heading"),
            });
        });
        self.each_entry(table, "categories", |reader, id, entry| {
            reader.check_keys(
                entry,
                &["description", "role", "subjects", "fides", "policy_terms"],
                "category key",
            );
            file.categories.push(CategoryPatch {
                id,
                description: reader.opt_string(entry, "description"),
                role: reader.opt_choice(entry, "role", Role::NAMES, Role::parse),
                subjects: entry
                    .get("subjects")
                    .and_then(|value| reader.string_list(value)),
                fides: reader.opt_string(entry, "fides"),
                policy_terms: reader.opt_plain_list(entry, "policy_terms"),
            });
        });
        self.each_entry(table, "purposes", |reader, id, entry| {
            reader.check_keys(
                entry,
                &["description", "fides", "policy_terms"],
                "purpose key",
            );
            file.purposes.push(PurposePatch {
                id,
                description: reader.opt_string(entry, "description"),
                fides: reader.opt_string(entry, "fides"),
                policy_terms: reader.opt_plain_list(entry, "policy_terms"),
            });
        });
        self.each_entry(table, "subjects", |reader, id, entry| {
            reader.check_keys(entry, &["description", "fides"], "subject key");
            file.subjects.push(SubjectPatch {
                id,
                description: reader.opt_string(entry, "description"),
                fides: reader.opt_string(entry, "fides"),
            });
        });
        self.each_entry(table, "sinks", |reader, id, entry| {
            reader.check_keys(
                entry,
                &[
                    "description",
                    "vendor",
                    "kind",
                    "region",
                    "disclosed",
                    "functions",
                    "macros",
                    "policy_terms",
                ],
                "sink key",
            );
            file.sinks.push(SinkPatch {
                id,
                description: reader.opt_string(entry, "description"),
                vendor: reader.opt_string(entry, "vendor"),
                kind: reader.opt_choice(entry, "kind", SinkKind::NAMES, SinkKind::parse),
                kind_written: entry.contains_key("kind"),
                region: reader.opt_string(entry, "region"),
                disclosed: reader.opt_bool(entry, "disclosed"),
                functions: reader.opt_located_paths(entry, "functions"),
                macros: reader.opt_paths(entry, "macros"),
                policy_terms: reader.opt_plain_list(entry, "policy_terms"),
            });
        });
        if let Some(types) = table
            .get("types")
            .and_then(|value| self.table(value, "`types`"))
        {
            for (key, value) in types {
                let path = Located {
                    value: key.name.to_string(),
                    span: key.span.start..key.span.end,
                };
                if let Some(patch) = self.read_type(path, value) {
                    file.types.push(patch);
                }
            }
        }
        file.rules = self.read_array(table, "rules", Self::read_rule);
        self.check_unique_rule_ids(&file.rules);
        file.exceptions = self.read_array(table, "exceptions", Self::read_exception);
        file.hosts = self.read_array(table, "hosts", Self::read_host);
        file.catalog = self.read_array(table, "catalog", Self::read_catalog_entry);
        Some(file)
    }

    /// Every `[[key]]` table of the file, each read with `read` (which reports its own
    /// problems and gives `None` for an entry it drops).
    fn read_array<T>(
        &mut self,
        table: &Table<'_>,
        key: &str,
        mut read: impl FnMut(&mut Self, &Value<'_>) -> Option<T>,
    ) -> Vec<T> {
        let Some(values) = table
            .get(key)
            .and_then(|value| self.array(value, &format!("`{key}`")))
        else {
            return Vec::new();
        };
        values
            .iter()
            .filter_map(|value| read(self, value))
            .collect()
    }

    fn read_host(&mut self, value: &Value<'_>) -> Option<(Text, Text)> {
        let entry = self.table(value, "a host entry")?;
        self.check_keys(entry, &["host", "sink"], "host key");
        let span = value.span.start..value.span.end;
        let host = self.required_string(entry, "host", &span);
        let sink = self.required_string(entry, "sink", &span);
        Some((host?, sink?))
    }

    fn read_catalog_entry(&mut self, value: &Value<'_>) -> Option<CatalogEntryPatch> {
        let entry = self.table(value, "a catalog entry")?;
        self.check_keys(
            entry,
            &[
                "crate",
                "versions",
                "sink",
                "methods",
                "functions",
                "macros",
                "installed_by",
            ],
            "catalog key",
        );
        let span = value.span.start..value.span.end;
        let krate = self.required_string(entry, "crate", &span);
        let versions = self.required_string(entry, "versions", &span);
        let sink = self.required_string(entry, "sink", &span);
        let methods = self.opt_plain_list(entry, "methods").unwrap_or_default();
        let functions = self.opt_paths(entry, "functions");
        let macros = self.opt_paths(entry, "macros");
        let installed_by = self.opt_paths(entry, "installed_by");
        let versions = versions.and_then(|versions| {
            semver::VersionReq::parse(&versions.value)
                .map_err(|error| {
                    self.error(
                        versions.span.clone(),
                        format!("`{}` is not a version requirement: {error}", versions.value),
                        "versions",
                        Some("write it as Cargo.toml does, e.g. `>=0.10, <1` or `0.11`".into()),
                    );
                })
                .ok()
        });
        Some(CatalogEntryPatch {
            krate: krate?,
            versions,
            sink: sink?,
            methods,
            functions,
            macros,
            installed_by,
        })
    }

    /// Calls `read` for every `[section."id"]` table, after checking the id's syntax.
    fn each_entry(
        &mut self,
        root: &Table<'_>,
        section: &str,
        mut read: impl FnMut(&mut Self, Text, &Table<'_>),
    ) {
        let Some(value) = root.get(section) else {
            return;
        };
        let Some(entries) = self.table(value, &format!("`{section}`")) else {
            return;
        };
        for (key, entry) in entries {
            let id = Located {
                value: key.name.to_string(),
                span: key.span.start..key.span.end,
            };
            if !crate::id::is_valid(&id.value) {
                self.error(
                    id.span.clone(),
                    format!("`{}` is not a valid id", id.value),
                    "invalid id",
                    Some("ids are lowercase segments of a-z, 0-9 and _ separated by dots, e.g. `contact.email`".into()),
                );
                continue;
            }
            if let Some(entry) = self.table(entry, &format!("[{section}.\"{}\"]", id.value)) {
                read(self, id, entry);
            }
        }
    }

    fn read_type(&mut self, path: Text, value: &Value<'_>) -> Option<TypePatch> {
        let entry = self.table(value, &format!("[types.\"{}\"]", path.value))?;
        self.check_keys(entry, &["categories", "fields"], "type key");
        if path.value.starts_with("crate::") || !path.value.contains("::") {
            self.error(
                path.span.clone(),
                format!("`{}` is not a crate-qualified path", path.value),
                "path",
                Some("start with the crate name as `use` writes it: `my_crate::models::WebhookPayload`".into()),
            );
        }
        let categories = entry
            .get("categories")
            .and_then(|value| self.string_list(value))
            .unwrap_or_default();
        let mut fields = BTreeMap::new();
        let mut field_spans = BTreeMap::new();
        if let Some(table) = entry
            .get("fields")
            .and_then(|value| self.table(value, "`fields`"))
        {
            for (field, value) in table {
                if let Some(list) = self.string_list(value) {
                    fields.insert(field.name.to_string(), list);
                    field_spans.insert(field.name.to_string(), field.span.start..field.span.end);
                }
            }
        }
        Some(TypePatch {
            path,
            categories,
            fields,
            field_spans,
        })
    }

    fn read_rule(&mut self, value: &Value<'_>) -> Option<RulePatch> {
        let entry = self.table(value, "a rule")?;
        self.check_keys(
            entry,
            &["id", "allow", "deny", "to", "purposes", "source", "reason"],
            "rule key",
        );
        let span = value.span.start..value.span.end;
        let (effect, categories) = match (entry.get("allow"), entry.get("deny")) {
            (Some(list), None) => (Effect::Allow, self.string_list(list)?),
            (None, Some(list)) => (Effect::Deny, self.string_list(list)?),
            (Some(_), Some(deny)) => {
                self.error(
                    deny.span.start..deny.span.end,
                    "a rule has either `allow` or `deny`, not both".into(),
                    "second effect",
                    Some("split it into two [[rules]] entries".into()),
                );
                return None;
            }
            (None, None) => {
                self.error(
                    span,
                    "a rule needs `allow = [...]` or `deny = [...]`".into(),
                    "this rule",
                    Some("name the categories the rule allows or denies".into()),
                );
                return None;
            }
        };
        let sinks = entry.get("to").and_then(|list| self.string_list(list));
        if !entry.contains_key("to") {
            self.error(
                span.clone(),
                "a rule needs `to = [...]`, the sinks it speaks about".into(),
                "this rule",
                Some("use `to = [\"*\"]` for every sink".into()),
            );
        }
        let purposes = entry
            .get("purposes")
            .and_then(|list| self.string_list(list))
            .unwrap_or_default();
        let origin = self.origin(&span);
        let id = entry.get("id").and_then(|value| self.string(value));
        let category_globs = self.globs(&categories);
        let purpose_globs = self.globs(&purposes);
        let sinks = sinks?;
        let rule = Rule {
            id: id.as_ref().map(|id| id.value.clone()),
            effect,
            categories: category_globs,
            sinks: self.globs(&sinks),
            purposes: purpose_globs,
            source: self.opt_string(entry, "source"),
            reason: self.opt_string(entry, "reason"),
            origin,
        };
        Some(RulePatch {
            rule,
            id,
            categories,
            sinks,
            purposes,
        })
    }

    /// Within one file a rule id names one rule; across files it replaces (see above).
    fn check_unique_rule_ids(&mut self, rules: &[RulePatch]) {
        let mut seen = HashSet::new();
        for patch in rules {
            let Some(id) = &patch.id else { continue };
            if !seen.insert(id.value.as_str()) {
                self.error(
                    id.span.clone(),
                    format!("duplicate rule id `{}`", id.value),
                    "second use",
                    Some("give each rule its own id; an id that repeats a pack rule's replaces that rule".into()),
                );
            }
        }
    }

    fn read_exception(&mut self, value: &Value<'_>) -> Option<Exception> {
        let entry = self.table(value, "an exception")?;
        self.check_keys(
            entry,
            &["flow", "path", "reason", "expires"],
            "exception key",
        );
        let span = value.span.start..value.span.end;
        let flow = self.required_string(entry, "flow", &span)?;
        let reason = self.required_string(entry, "reason", &span);
        let expires = self.required_string(entry, "expires", &span);
        let path = entry.get("path").and_then(|value| self.string(value));
        let flow_pattern = match FlowPattern::parse(&flow.value) {
            Ok(pattern) => pattern,
            Err(error) => {
                self.error(
                    flow.span,
                    format!("malformed flow `{}`: {error}", flow.value),
                    "flow",
                    Some(
                        "write `category -> sink`, e.g. `contact.email -> integration.shopify`"
                            .into(),
                    ),
                );
                return None;
            }
        };
        let path_matcher = match &path {
            Some(path) => match globset::Glob::new(&path.value) {
                Ok(glob) => Some(glob.compile_matcher()),
                Err(error) => {
                    self.error(
                        path.span.clone(),
                        format!("malformed path glob: {}", error.kind()),
                        "path",
                        Some("use a workspace-relative glob such as `crates/sync/src/**`".into()),
                    );
                    return None;
                }
            },
            None => None,
        };
        let expires = expires?;
        let Some(date) = Date::parse(&expires.value) else {
            self.error(
                expires.span,
                format!("`{}` is not a date", expires.value),
                "expiry",
                Some("write the expiry as YYYY-MM-DD, e.g. `2027-06-30`".into()),
            );
            return None;
        };
        let exception = Exception {
            flow: flow_pattern,
            path: path.map(|path| path.value),
            path_matcher,
            reason: reason?.value,
            expires: date,
            origin: self.origin(&span),
        };
        let side = |glob: &IdGlob| Located {
            value: glob.to_string(),
            span: flow.span.clone(),
        };
        self.exception_globs
            .push((side(&exception.flow.category), GlobKind::Category));
        self.exception_globs
            .push((side(&exception.flow.sink), GlobKind::Sink));
        Some(exception)
    }

    // ---- value readers: each reports its own problem and returns None ----

    fn table<'v, 'de>(&mut self, value: &'v Value<'de>, what: &str) -> Option<&'v Table<'de>> {
        match value.as_ref() {
            ValueInner::Table(table) => Some(table),
            other => {
                self.wrong_type(value, other, &format!("{what} to be a table"));
                None
            }
        }
    }

    fn array<'v, 'de>(&mut self, value: &'v Value<'de>, what: &str) -> Option<&'v [Value<'de>]> {
        match value.as_ref() {
            ValueInner::Array(array) => Some(array),
            other => {
                self.wrong_type(
                    value,
                    other,
                    &format!("{what} to be an array of tables ([[...]])"),
                );
                None
            }
        }
    }

    fn string(&mut self, value: &Value<'_>) -> Option<Text> {
        match value.as_ref() {
            ValueInner::String(text) => Some(Located {
                value: text.to_string(),
                span: value.span.start..value.span.end,
            }),
            other => {
                self.wrong_type(value, other, "a string");
                None
            }
        }
    }

    /// A string or an array of strings.
    fn string_list(&mut self, value: &Value<'_>) -> Option<Vec<Text>> {
        match value.as_ref() {
            ValueInner::String(_) => self.string(value).map(|text| vec![text]),
            ValueInner::Array(items) => {
                let items: Vec<Text> = items.iter().filter_map(|item| self.string(item)).collect();
                Some(items)
            }
            other => {
                self.wrong_type(value, other, "a string or an array of strings");
                None
            }
        }
    }

    fn wrong_type(&mut self, value: &Value<'_>, found: &ValueInner<'_>, expected: &str) {
        self.error(
            value.span.start..value.span.end,
            format!("expected {expected}, found {}", found.type_str()),
            "wrong type",
            Some("see docs/policy.md for the type of each key".into()),
        );
    }

    fn opt_string(&mut self, entry: &Table<'_>, key: &str) -> Option<String> {
        entry
            .get(key)
            .and_then(|value| self.string(value))
            .map(|text| text.value)
    }

    fn required_string(
        &mut self,
        entry: &Table<'_>,
        key: &str,
        span: &Range<usize>,
    ) -> Option<Text> {
        match entry.get(key) {
            Some(value) => self.string(value),
            None => {
                self.error(
                    span.clone(),
                    format!("missing key `{key}`"),
                    "in this table",
                    Some(format!("add `{key} = \"...\"`")),
                );
                None
            }
        }
    }

    fn opt_bool(&mut self, entry: &Table<'_>, key: &str) -> Option<bool> {
        let value = entry.get(key)?;
        match value.as_ref() {
            ValueInner::Boolean(flag) => Some(*flag),
            other => {
                self.wrong_type(value, other, "true or false");
                None
            }
        }
    }

    fn opt_plain_list(&mut self, entry: &Table<'_>, key: &str) -> Option<Vec<String>> {
        let list = self.string_list(entry.get(key)?)?;
        Some(list.into_iter().map(|text| text.value).collect())
    }

    /// Function and macro paths: `crate::module::item`, never starting with `crate::`.
    fn opt_paths(&mut self, entry: &Table<'_>, key: &str) -> Vec<String> {
        self.opt_located_paths(entry, key)
            .into_iter()
            .map(|text| text.value)
            .collect()
    }

    fn opt_located_paths(&mut self, entry: &Table<'_>, key: &str) -> Vec<Text> {
        let Some(list) = entry.get(key).and_then(|value| self.string_list(value)) else {
            return Vec::new();
        };
        for path in &list {
            let bad_segment = path.value.split("::").any(|segment| {
                segment.is_empty() || !segment.chars().all(|c| c.is_alphanumeric() || c == '_')
            });
            if path.value.starts_with("crate::") || bad_segment {
                self.error(
                    path.span.clone(),
                    format!("`{}` is not a path", path.value),
                    "path",
                    Some("write it as `use` would, starting with the crate name: `my_crate::llm::complete`".into()),
                );
            }
        }
        list
    }

    fn opt_choice<T>(
        &mut self,
        entry: &Table<'_>,
        key: &str,
        names: &[&str],
        parse: fn(&str) -> Option<T>,
    ) -> Option<T> {
        let text = entry.get(key).and_then(|value| self.string(value))?;
        let parsed = parse(&text.value);
        if parsed.is_none() {
            self.error(
                text.span,
                format!("`{}` is not a valid `{key}`", text.value),
                "unknown value",
                Some(format!("use one of: {}", names.join(", "))),
            );
        }
        parsed
    }

    fn check_keys(&mut self, table: &Table<'_>, allowed: &[&str], what: &str) {
        for key in table.keys() {
            if allowed.contains(&key.name.as_ref()) {
                continue;
            }
            let help = match suggest::closest(&key.name, allowed.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!("expected one of: {}", allowed.join(", ")),
            };
            self.error(
                key.span.start..key.span.end,
                format!("unknown {what} `{}`", key.name),
                "unknown key",
                Some(help),
            );
        }
    }

    fn globs(&mut self, texts: &[Text]) -> Vec<IdGlob> {
        texts
            .iter()
            .filter_map(|text| match IdGlob::parse(&text.value) {
                Ok(glob) => Some(glob),
                Err(error) => {
                    self.error(
                        text.span.clone(),
                        format!("malformed pattern `{}`: {error}", text.value),
                        "pattern",
                        Some("write an id (`contact.email`), a group (`contact.*`) or `*`".into()),
                    );
                    None
                }
            })
            .collect()
    }

    // ---- merge and validate ----

    fn merge_and_validate(&mut self, policy: &mut Policy, file: Option<PolicyFile>) {
        let Some(file) = file else { return };
        policy.files.push(self.source.name.clone());
        policy.sources.push(self.source.clone());
        let mut references = References::collect(&file);
        references.globs.append(&mut self.exception_globs);
        self.merge(policy, file);
        self.validate(policy, &references);
    }

    fn merge(&mut self, policy: &mut Policy, file: PolicyFile) {
        // A later file's entry for the same host replaces the earlier one.
        let hosts: Vec<super::HostEntry> = file
            .hosts
            .into_iter()
            .map(|(host, sink)| super::HostEntry {
                origin: self.origin(&host.span),
                host: host.value,
                sink: sink.value,
            })
            .collect();
        replace_or_push(&mut policy.hosts, hosts, |entry| Some(entry.host.clone()));
        // A later file's entry for the same crate and sink replaces the earlier one.
        let mut catalog = Vec::new();
        for patch in file.catalog {
            let Some(versions) = patch.versions else {
                continue;
            };
            catalog.push(super::CatalogEntry {
                krate: patch.krate.value,
                versions,
                origin: self.origin(&patch.sink.span),
                sink: patch.sink.value,
                methods: patch.methods,
                functions: patch.functions,
                macros: patch.macros,
                installed_by: patch.installed_by,
            });
        }
        replace_or_push(&mut policy.catalog, catalog, |entry| {
            Some((entry.krate.clone(), entry.sink.clone()))
        });
        for patch in file.groups {
            let group = policy
                .groups
                .entry(patch.id.value.clone())
                .or_insert_with(|| GroupDef {
                    id: patch.id.value.clone(),
                    description: String::new(),
                    policy_heading: None,
                });
            set(&mut group.description, patch.description);
            group.policy_heading = patch.policy_heading.or(group.policy_heading.take());
        }
        for patch in file.categories {
            let origin = self.origin(&patch.id.span);
            let category = policy
                .categories
                .entry(patch.id.value.clone())
                .or_insert_with(|| CategoryDef {
                    id: patch.id.value.clone(),
                    description: String::new(),
                    role: None,
                    subjects: Vec::new(),
                    fides: None,
                    policy_terms: Vec::new(),
                    origin,
                });
            set(&mut category.description, patch.description);
            category.role = patch.role.or(category.role);
            if let Some(subjects) = patch.subjects {
                category.subjects = subjects.into_iter().map(|subject| subject.value).collect();
            }
            category.fides = patch.fides.or(category.fides.take());
            set(&mut category.policy_terms, patch.policy_terms);
        }
        for patch in file.purposes {
            let origin = self.origin(&patch.id.span);
            let purpose = policy
                .purposes
                .entry(patch.id.value.clone())
                .or_insert_with(|| PurposeDef {
                    id: patch.id.value.clone(),
                    description: String::new(),
                    fides: None,
                    policy_terms: Vec::new(),
                    origin,
                });
            set(&mut purpose.description, patch.description);
            purpose.fides = patch.fides.or(purpose.fides.take());
            set(&mut purpose.policy_terms, patch.policy_terms);
        }
        for patch in file.subjects {
            let subject = policy
                .subjects
                .entry(patch.id.value.clone())
                .or_insert_with(|| SubjectDef {
                    id: patch.id.value.clone(),
                    description: String::new(),
                    fides: None,
                });
            set(&mut subject.description, patch.description);
            subject.fides = patch.fides.or(subject.fides.take());
        }
        for patch in file.sinks {
            self.merge_sink(policy, patch);
        }
        for patch in file.types {
            let origin = self.origin(&patch.path.span);
            let field_origins = patch
                .field_spans
                .iter()
                .map(|(field, span)| (field.clone(), self.origin(span)))
                .collect();
            policy.types.insert(
                patch.path.value.clone(),
                TypeTag {
                    path: patch.path.value,
                    categories: patch
                        .categories
                        .into_iter()
                        .map(|text| text.value)
                        .collect(),
                    fields: patch
                        .fields
                        .into_iter()
                        .map(|(field, list)| {
                            (field, list.into_iter().map(|text| text.value).collect())
                        })
                        .collect(),
                    field_origins,
                    origin,
                },
            );
        }
        let rules = file.rules.into_iter().map(|patch| patch.rule);
        replace_or_push(&mut policy.rules, rules, |rule| rule.id.clone());
        policy.exceptions.extend(file.exceptions);
    }

    fn merge_sink(&mut self, policy: &mut Policy, patch: SinkPatch) {
        if let Some(sink) = policy.sinks.get_mut(&patch.id.value) {
            set(&mut sink.description, patch.description);
            sink.vendor = patch.vendor.or(sink.vendor.take());
            sink.kind = patch.kind.unwrap_or(sink.kind);
            sink.region = patch.region.or(sink.region.take());
            sink.disclosed = patch.disclosed.unwrap_or(sink.disclosed);
            for function in patch.functions {
                let origin = self.origin(&function.span);
                sink.function_origins
                    .entry(function.value.clone())
                    .or_insert(origin);
                append_unique(&mut sink.functions, vec![function.value]);
            }
            append_unique(&mut sink.macros, patch.macros);
            set(&mut sink.policy_terms, patch.policy_terms);
            return;
        }
        let Some(kind) = patch.kind else {
            if patch.kind_written {
                return;
            }
            self.error(
                patch.id.span.clone(),
                format!("new sink `{}` has no `kind`", patch.id.value),
                "new sink",
                Some(format!(
                    "add `kind = \"...\"`, one of: {}",
                    SinkKind::NAMES.join(", ")
                )),
            );
            return;
        };
        let origin = self.origin(&patch.id.span);
        let mut functions = Vec::new();
        let mut function_origins = BTreeMap::new();
        for function in patch.functions {
            function_origins
                .entry(function.value.clone())
                .or_insert_with(|| self.origin(&function.span));
            append_unique(&mut functions, vec![function.value]);
        }
        policy.sinks.insert(
            patch.id.value.clone(),
            SinkDef {
                id: patch.id.value,
                description: patch.description.unwrap_or_default(),
                vendor: patch.vendor,
                kind,
                region: patch.region,
                disclosed: patch.disclosed.unwrap_or(false),
                functions,
                function_origins,
                macros: patch.macros,
                policy_terms: patch.policy_terms.unwrap_or_default(),
                origin,
            },
        );
    }

    fn validate(&mut self, policy: &Policy, references: &References) {
        for subject in &references.subjects {
            self.known(subject, &policy.subjects, "subject", "subjects");
        }
        for category in &references.categories {
            self.known(category, &policy.categories, "category", "categories");
        }
        for sink in &references.sinks {
            self.known(sink, &policy.sinks, "sink", "sinks");
        }
        for (text, kind) in &references.globs {
            let Ok(glob) = IdGlob::parse(&text.value) else {
                continue;
            };
            let matches_any = match kind {
                GlobKind::Category => glob.matches_any_key(&policy.categories, false),
                GlobKind::Sink => glob.matches_any_key(&policy.sinks, false),
                GlobKind::Purpose => glob.matches_any_key(&policy.purposes, true),
            };
            if !matches_any {
                let table = kind.table();
                let noun = kind.noun();
                let help = if glob.is_exact() {
                    self.suggestions
                        .did_you_mean(&text.value, kind.ids(policy), table)
                } else {
                    format!(
                        "no declared {noun} lies under `{}`; declare one under [{table}]",
                        text.value
                    )
                };
                self.error(
                    text.span.clone(),
                    format!("`{}` matches no {noun}", text.value),
                    &format!("unknown {noun}"),
                    Some(help),
                );
            }
        }
    }

    fn known<V>(&mut self, text: &Text, ids: &BTreeMap<String, V>, noun: &str, table: &str) {
        if ids.contains_key(&text.value) {
            return;
        }
        let help =
            self.suggestions
                .did_you_mean(&text.value, ids.keys().map(String::as_str), table);
        self.error(
            text.span.clone(),
            format!("unknown {noun} `{}`", text.value),
            &format!("unknown {noun}"),
            Some(help),
        );
    }
}

#[derive(Clone, Copy)]
enum GlobKind {
    Category,
    Sink,
    Purpose,
}

impl GlobKind {
    fn noun(self) -> &'static str {
        match self {
            Self::Category => "category",
            Self::Sink => "sink",
            Self::Purpose => "purpose",
        }
    }

    fn table(self) -> &'static str {
        match self {
            Self::Category => "categories",
            Self::Sink => "sinks",
            Self::Purpose => "purposes",
        }
    }

    /// The declared ids of this kind.
    fn ids(self, policy: &Policy) -> Box<dyn ExactSizeIterator<Item = &str> + '_> {
        match self {
            Self::Category => Box::new(policy.categories.keys().map(String::as_str)),
            Self::Sink => Box::new(policy.sinks.keys().map(String::as_str)),
            Self::Purpose => Box::new(policy.purposes.keys().map(String::as_str)),
        }
    }
}

/// Every id a file refers to, with its span, checked after the merge so that a file
/// may refer to what it declares itself.
#[derive(Default)]
struct References {
    subjects: Vec<Text>,
    categories: Vec<Text>,
    sinks: Vec<Text>,
    globs: Vec<(Text, GlobKind)>,
}

impl References {
    fn collect(file: &PolicyFile) -> Self {
        let mut references = Self::default();
        references.sinks.extend(
            file.catalog
                .iter()
                .map(|entry| entry.sink.clone())
                .filter(|sink| sink.value != super::HOST_SINK),
        );
        references
            .sinks
            .extend(file.hosts.iter().map(|(_, sink)| sink.clone()));
        for category in &file.categories {
            references
                .subjects
                .extend(category.subjects.iter().flatten().cloned());
        }
        for tag in &file.types {
            references.categories.extend(tag.categories.iter().cloned());
            references
                .categories
                .extend(tag.fields.values().flatten().cloned());
        }
        for rule in &file.rules {
            for (texts, kind) in [
                (&rule.categories, GlobKind::Category),
                (&rule.sinks, GlobKind::Sink),
                (&rule.purposes, GlobKind::Purpose),
            ] {
                references
                    .globs
                    .extend(texts.iter().map(|text| (text.clone(), kind)));
            }
        }
        references
    }
}

fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}

fn append_unique(list: &mut Vec<String>, more: Vec<String>) {
    for item in more {
        if !list.contains(&item) {
            list.push(item);
        }
    }
}

/// Merges `items` into `list`: an item whose key an earlier one has replaces it, the
/// rest are appended (an item without a key is always appended). The positions are
/// indexed: a search of the list per item would be quadratic in large policies.
fn replace_or_push<T, K: std::hash::Hash + Eq>(
    list: &mut Vec<T>,
    items: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> Option<K>,
) {
    let mut positions: HashMap<K, usize> = list
        .iter()
        .enumerate()
        .filter_map(|(index, item)| Some((key(item)?, index)))
        .collect();
    for item in items {
        match key(&item) {
            Some(item_key) => match positions.get(&item_key) {
                Some(&index) => list[index] = item,
                None => {
                    positions.insert(item_key, list.len());
                    list.push(item);
                }
            },
            None => list.push(item),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::replace_or_push;

    #[test]
    fn later_entries_replace_by_key_and_unkeyed_ones_append() {
        let mut list = vec![(Some("a"), 1), (None, 2), (Some("b"), 3)];
        replace_or_push(
            &mut list,
            [(Some("b"), 4), (None, 5), (Some("c"), 6), (Some("c"), 7)],
            |entry| entry.0,
        );
        assert_eq!(
            list,
            [
                (Some("a"), 1),
                (None, 2),
                (Some("b"), 4),
                (None, 5),
                (Some("c"), 7)
            ]
        );
    }
}
