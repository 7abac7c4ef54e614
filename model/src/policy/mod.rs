//! The policy in force: taxonomy (categories, purposes, subjects), sinks, type tags,
//! rules and exceptions, and the one function that decides a flow.
//!
//! A policy is the built-in pack, or a `privflow.toml` merged over it (see [`load`]).

mod date;
mod diag;
mod load;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use date::Date;
pub use diag::{PolicyError, PolicyErrors};

use crate::glob::{FlowPattern, IdGlob};

/// The file name searched for from a crate's directory upwards.
pub const POLICY_FILE_NAME: &str = "privflow.toml";

/// The built-in pack's name, as `extends` spells it.
pub const BUILTIN_PACK: &str = "axodesk";

/// The built-in pack's source, compiled in and readable by users
/// (`cargo privflow explain pack` prints it).
pub const AXODESK_PACK_TOML: &str = include_str!("../../packs/axodesk.toml");
/// The sink catalog that ships beside the pack (docs/sinks.md).
pub const SINK_CATALOG_TOML: &str = include_str!("../../packs/catalog.toml");

/// Where a definition was written: a file (or the pack) and a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Origin {
    pub file: Arc<str>,
    pub line: u32,
    pub column: u32,
    /// The bytes of the file it covers (for a diagnostic's label).
    #[serde(skip)]
    pub span: std::ops::Range<usize>,
}

impl Origin {
    /// Written in the built-in pack, not in a user's file.
    pub fn is_builtin_pack(&self) -> bool {
        *self.file == *load::PACK_FILE_NAME
    }
}

/// Whose data a category is, in the sense of the privacy policy's section 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Data the operator decides about (website, account, billing, support).
    Controller,
    /// Data processed for a customer (workspace contacts, conversations, ...).
    Processor,
}

impl Role {
    pub const NAMES: &[&str] = &["controller", "processor"];

    fn parse(text: &str) -> Option<Self> {
        match text {
            "controller" => Some(Self::Controller),
            "processor" => Some(Self::Processor),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Controller => "controller",
            Self::Processor => "processor",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SinkKind {
    AiProvider,
    Channel,
    Integration,
    Subprocessor,
    Logs,
    Storage,
}

impl SinkKind {
    pub const NAMES: &[&str] = &[
        "ai_provider",
        "channel",
        "integration",
        "subprocessor",
        "logs",
        "storage",
    ];

    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "ai_provider" => Self::AiProvider,
            "channel" => Self::Channel,
            "integration" => Self::Integration,
            "subprocessor" => Self::Subprocessor,
            "logs" => Self::Logs,
            "storage" => Self::Storage,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// A top-level group of categories (`contact` for `contact.email`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct GroupDef {
    pub id: String,
    pub description: String,
    /// The heading of the privacy-policy list the group comes from.
    pub policy_heading: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CategoryDef {
    pub id: String,
    pub description: String,
    pub role: Option<Role>,
    pub subjects: Vec<String>,
    /// The fideslang data category it maps to (`user.contact.email`).
    pub fides: Option<String>,
    /// The phrases of the privacy policy this category encodes.
    pub policy_terms: Vec<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PurposeDef {
    pub id: String,
    pub description: String,
    /// The fideslang data use it maps to (`essential.service`).
    pub fides: Option<String>,
    pub policy_terms: Vec<String>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SubjectDef {
    pub id: String,
    pub description: String,
    pub fides: Option<String>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SinkDef {
    pub id: String,
    pub description: String,
    pub vendor: Option<String>,
    pub kind: SinkKind,
    pub region: Option<String>,
    /// Listed in the published privacy policy or subprocessor notice.
    pub disclosed: bool,
    /// Paths (`crate::module::function`, `crate::Type::method`) that reach the sink
    /// without an attribute.
    pub functions: Vec<String>,
    /// Where each of `functions` was written (the first time).
    pub function_origins: BTreeMap<String, Origin>,
    /// Macro paths (`tracing::info`, `println`) that reach the sink.
    pub macros: Vec<String>,
    pub policy_terms: Vec<String>,
    pub origin: Origin,
}

/// Tags for a type that carries no attribute (third-party or generated code).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TypeTag {
    pub path: String,
    /// Whole-type categories: every value of the type carries them.
    pub categories: Vec<String>,
    /// Field name → categories.
    pub fields: BTreeMap<String, Vec<String>>,
    /// Where each field name was written.
    pub field_origins: BTreeMap<String, Origin>,
    pub origin: Origin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Rule {
    /// Optional stable name; a user rule with the id of a pack rule replaces it.
    pub id: Option<String>,
    pub effect: Effect,
    pub categories: Vec<IdGlob>,
    pub sinks: Vec<IdGlob>,
    /// Empty: the rule applies whatever the flow's purposes.
    pub purposes: Vec<IdGlob>,
    /// The privacy-policy section the rule encodes (`§6`).
    pub source: Option<String>,
    pub reason: Option<String>,
    pub origin: Origin,
}

impl Rule {
    /// Whether the rule speaks about a flow of `category` into `sink` running under
    /// `purposes` (the set of purposes in force at the sink call).
    pub fn applies(&self, category: &str, sink: &str, purposes: &[&str]) -> bool {
        self.categories.iter().any(|glob| glob.matches(category))
            && self.sinks.iter().any(|glob| glob.matches(sink))
            && (self.purposes.is_empty()
                || self
                    .purposes
                    .iter()
                    .any(|glob| purposes.iter().any(|purpose| glob.covers_purpose(purpose))))
    }

    /// A short human name: its id, else where it was written.
    pub fn name(&self) -> String {
        match &self.id {
            Some(id) => id.clone(),
            None => format!("{}:{}", self.origin.file, self.origin.line),
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Exception {
    pub flow: FlowPattern,
    /// Workspace-relative glob of the files where the exception holds; none: everywhere.
    pub path: Option<String>,
    #[serde(skip)]
    path_matcher: Option<globset::GlobMatcher>,
    pub reason: String,
    pub expires: Date,
    pub origin: Origin,
}

impl Exception {
    /// Whether the exception covers a flow of `category` into `sink` at `file`
    /// (relative to the workspace root, `/`-separated). Expiry is the caller's
    /// concern: an expired exception still matches, and is reported as expired.
    pub fn covers(&self, category: &str, sink: &str, file: &str) -> bool {
        self.flow.matches(category, sink)
            && self
                .path_matcher
                .as_ref()
                .is_none_or(|matcher| matcher.is_match(file))
    }
}

/// What the rules say about one flow.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Decision<'p> {
    /// An allow rule matches and no deny rule does.
    Allowed(&'p Rule),
    /// A deny rule matches.
    Denied(&'p Rule),
    /// No rule allows it.
    NotAllowed,
}

impl Decision<'_> {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed(_))
    }
}

/// An outside crate whose calls reach a sink (`[[catalog]]`): methods called on a value
/// the crate made send the receiver and the arguments to `sink`.
#[derive(Debug, Clone)]
pub struct CatalogEntry {
    /// The crate's name as published (`async-openai`).
    pub krate: String,
    /// The crate versions the entry describes.
    pub versions: semver::VersionReq,
    /// The sink its methods reach; for an HTTP client (`sink = "host"`), the sink of the
    /// known host its request was built for ([`HostEntry`]), if any.
    pub sink: String,
    pub methods: Vec<String>,
    /// The crate's functions that reach the sink, by path (`sentry::capture_message`):
    /// every argument reaches it.
    pub functions: Vec<String>,
    /// Macros whose output the crate's installed code sends on to the sink
    /// (`tracing::error` once sentry-tracing's layer is installed): what they log
    /// reaches it.
    pub macros: Vec<String>,
    /// Paths of the functions that install that code (`sentry_tracing::layer`): a
    /// `macros` entry applies only where the workspace calls one of them.
    pub installed_by: Vec<String>,
    pub origin: Origin,
}

/// The `sink` of a catalog entry whose calls go where their request's URL says.
pub const HOST_SINK: &str = "host";

/// A host whose URL in a string constant says where a request goes (`[[hosts]]`):
/// `https://api.openai.com/v1/chat/completions` is a request to OpenAI.
#[derive(Debug, Clone)]
pub struct HostEntry {
    /// `api.openai.com`; its subdomains match too.
    pub host: String,
    pub sink: String,
    pub origin: Origin,
}

impl HostEntry {
    /// Whether `text` holds a URL of this host (`https://api.openai.com/v1`,
    /// `us.i.posthog.com/capture`): the host, or a subdomain of it, right after `://`
    /// or at the start, and followed by the end, a port or a path.
    pub fn in_text(&self, text: &str) -> bool {
        let authority = match text.find("://") {
            Some(at) => &text[at + 3..],
            None => text,
        };
        let host = authority
            .split(['/', ':', '?', '#', '{', ' ', '"'])
            .next()
            .unwrap_or_default();
        host == self.host
            || host
                .strip_suffix(self.host.as_str())
                .is_some_and(|prefix| prefix.ends_with('.'))
    }
}

impl CatalogEntry {
    /// The crate's name as code writes it in paths (`async_openai`).
    pub fn crate_ident(&self) -> String {
        self.krate.replace('-', "_")
    }
}

#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// The pack this policy extends, if any (`axodesk`).
    pub extends: Option<String>,
    pub groups: BTreeMap<String, GroupDef>,
    pub categories: BTreeMap<String, CategoryDef>,
    pub purposes: BTreeMap<String, PurposeDef>,
    pub subjects: BTreeMap<String, SubjectDef>,
    pub sinks: BTreeMap<String, SinkDef>,
    pub types: BTreeMap<String, TypeTag>,
    pub rules: Vec<Rule>,
    pub exceptions: Vec<Exception>,
    /// Outside crates whose calls are sinks, whatever the workspace declares.
    pub catalog: Vec<CatalogEntry>,
    /// Hosts whose URLs say which sink a request goes to.
    pub hosts: Vec<HostEntry>,
    /// The files this policy was read from, pack first (for diagnostics and reports).
    pub files: Vec<Arc<str>>,
    /// Their text, for diagnostics found after loading (a path that names nothing).
    pub(crate) sources: Vec<diag::SourceFile>,
}

impl Policy {
    /// The built-in `axodesk` pack alone.
    pub fn builtin() -> Result<Self, PolicyErrors> {
        load::load_pack()
    }

    /// A policy file's text, merged over the pack it extends. `name` labels
    /// diagnostics (usually the file's path).
    pub fn from_toml(name: &str, text: &str) -> Result<Self, PolicyErrors> {
        load::load_user(name, text)
    }

    /// Reads and merges a `privflow.toml`.
    pub fn load(path: &Path) -> Result<Self, PolicyErrors> {
        let name = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_toml(&name, &text),
            Err(error) => Err(PolicyErrors::io(&name, &error)),
        }
    }

    /// The policy in force for code under `dir`: the nearest `privflow.toml` found
    /// walking up from it, else the built-in pack. Returns the file used, if any.
    pub fn discover(dir: &Path) -> Result<(Self, Option<PathBuf>), PolicyErrors> {
        match find_policy_file(dir) {
            Some(path) => Ok((Self::load(&path)?, Some(path))),
            None => Ok((Self::builtin()?, None)),
        }
    }

    pub fn decide(&self, category: &str, sink: &str, purposes: &[&str]) -> Decision<'_> {
        let applicable = |effect| {
            self.rules
                .iter()
                .find(move |rule| rule.effect == effect && rule.applies(category, sink, purposes))
        };
        if let Some(rule) = applicable(Effect::Deny) {
            return Decision::Denied(rule);
        }
        match applicable(Effect::Allow) {
            Some(rule) => Decision::Allowed(rule),
            None => Decision::NotAllowed,
        }
    }

    /// Whether the policy allows `category` into `sink` under some purpose (or none):
    /// what the build-time check of generic sinks enforces.
    pub fn ever_allowed(&self, category: &str, sink: &str) -> bool {
        std::iter::once(None)
            .chain(self.purposes.keys().map(|purpose| Some(purpose.as_str())))
            .any(|purpose| {
                let purposes: Vec<&str> = purpose.into_iter().collect();
                self.decide(category, sink, &purposes).is_allowed()
            })
    }

    /// The first exception covering a flow at `file` (workspace-relative).
    pub fn exception_for(&self, category: &str, sink: &str, file: &str) -> Option<&Exception> {
        self.exceptions
            .iter()
            .find(|exception| exception.covers(category, sink, file))
    }

    /// The policy's source files, by name and text, in the order they were merged: what
    /// a cache of anything computed with this policy is keyed by.
    pub fn source_texts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.sources
            .iter()
            .map(|source| (&*source.name, &*source.text))
    }

    /// A problem with what the policy says at `origin`, found after loading (by the
    /// analyser, which knows the code): reported like a load error, with the line.
    pub fn error_at(
        &self,
        origin: &Origin,
        message: String,
        label: &str,
        help: Option<String>,
    ) -> PolicyError {
        match self
            .sources
            .iter()
            .find(|source| source.name == origin.file)
        {
            Some(source) => PolicyError::at(source, origin.span.clone(), message, label, help),
            None => PolicyError::detached(origin, message, help),
        }
    }

    /// The sink reached by calling a function at `path` (`my_crate::llm::complete`).
    pub fn sink_for_function(&self, path: &str) -> Option<&SinkDef> {
        self.sinks
            .values()
            .find(|sink| sink.functions.iter().any(|function| function == path))
    }

    /// The sink reached by a macro at `path` (`tracing::info`, `println`).
    /// The sink a URL in `text` names by its host, if it names a known one.
    pub fn sink_for_url(&self, text: &str) -> Option<&str> {
        if !text.contains('.') {
            return None;
        }
        self.hosts
            .iter()
            .find(|entry| entry.in_text(text))
            .map(|entry| entry.sink.as_str())
    }

    pub fn sink_for_macro(&self, path: &str) -> Option<&SinkDef> {
        self.sinks
            .values()
            .find(|sink| sink.macros.iter().any(|mac| mac == path))
    }
}

/// The nearest `privflow.toml` in `dir` or one of its ancestors.
pub fn find_policy_file(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .map(|ancestor| ancestor.join(POLICY_FILE_NAME))
        .find(|candidate| candidate.is_file())
}
