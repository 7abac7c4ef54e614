//! The one parser of privflow's attributes.
//!
//! The proc macros call it on their input, the linter on the attributes it reads from
//! source, so both accept exactly the same syntax and report the same errors:
//!
//! - `#[data("contact.email", purposes = ["support"], subject = "..", retention = "..")]`,
//!   `#[data(nested)]` (fields only)
//! - `#[privflow::sink("ai.openai")]`, `#[privflow::sink("channel.sms", args = ["body"])]`
//! - `#[privflow::purpose("customer_features.ai")]`
//! - `#[privflow::declassify]`, `#[privflow::declassify(to = "contact.pseudonymous_id")]`
//! - `#[privflow::allow("contact.email -> channel.email", reason = "...")]`
//!
//! Parsing checks shape (keys, duplicates, literal kinds); [`validate`] then checks
//! every id against a policy.

mod raw;
pub mod validate;

use proc_macro2::{Span, TokenStream};

use crate::glob::FlowPattern;
use crate::suggest;
use raw::{Entry, SeenKeys, Value};

/// A value and where it was written.
#[derive(Debug, Clone)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// One problem in an attribute, at a token.
#[derive(Debug, Clone)]
pub struct AttrError {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

impl AttrError {
    pub fn new(span: Span, message: impl Into<String>, help: impl Into<String>) -> Self {
        Self {
            span,
            message: message.into(),
            help: Some(help.into()),
        }
    }

    /// As a `syn::Error`, the help on a second line (rustc prints it under the message).
    pub fn to_syn(&self) -> syn::Error {
        let message = match &self.help {
            Some(help) => format!("{}\n\nhelp: {help}", self.message),
            None => self.message.clone(),
        };
        syn::Error::new(self.span, message)
    }
}

/// Combines errors into one `syn::Error` so that the user sees all of them at once.
pub fn combine(errors: &[AttrError]) -> Option<syn::Error> {
    let mut iter = errors.iter().map(AttrError::to_syn);
    let mut combined = iter.next()?;
    for error in iter {
        combined.combine(error);
    }
    Some(combined)
}

/// The privflow attributes, by the name users write after `privflow::`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrKind {
    Data,
    Sink,
    Purpose,
    Declassify,
    Allow,
}

impl AttrKind {
    pub const ALL: [AttrKind; 5] = [
        Self::Data,
        Self::Sink,
        Self::Purpose,
        Self::Declassify,
        Self::Allow,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Data => "data",
            Self::Sink => "sink",
            Self::Purpose => "purpose",
            Self::Declassify => "declassify",
            Self::Allow => "allow",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// The privflow attribute an attribute path names: `privflow::sink`, a bare `sink`
    /// (after `use privflow::sink`), or `data` (the derive's helper). A bare `allow` is
    /// rustc's lint attribute, so privflow's is recognised only as `privflow::allow`.
    pub fn from_path<S: AsRef<str>>(segments: &[S]) -> Option<Self> {
        match segments {
            [name] => match Self::from_name(name.as_ref())? {
                Self::Allow => None,
                kind => Some(kind),
            },
            [krate, name] if krate.as_ref() == "privflow" => {
                Self::from_name(name.as_ref()).filter(|kind| *kind != Self::Data)
            }
            _ => None,
        }
    }
}

/// `#[data(...)]` on a container, variant or field.
#[derive(Debug, Clone, Default)]
pub struct DataArgs {
    pub categories: Vec<Spanned<String>>,
    pub purposes: Option<Vec<Spanned<String>>>,
    pub subject: Option<Spanned<String>>,
    pub retention: Option<Spanned<String>>,
    /// `nested`: the field's type is itself `Classified`.
    pub nested: Option<Span>,
}

#[derive(Debug, Clone)]
pub struct SinkArgs {
    pub sink: Spanned<String>,
    /// The parameters that are checked; `None`: all of them, `self` included.
    pub args: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Clone)]
pub struct PurposeArgs {
    pub purposes: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Default)]
pub struct DeclassifyArgs {
    /// What the result still carries; empty: nothing.
    pub to: Vec<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct AllowArgs {
    pub flow: Spanned<FlowPattern>,
    pub reason: Spanned<String>,
}

/// Reports an unknown key with the closest known one.
fn unknown_key(key: &syn::Ident, attr: &str, known: &[&str], errors: &mut Vec<AttrError>) {
    let name = key.to_string();
    let help = match suggest::closest(&name, known.iter().copied()) {
        Some(close) => format!("did you mean `{close}`?"),
        None if known.is_empty() => format!("`{attr}` takes no keys"),
        None => format!("`{attr}` takes: {}", known.join(", ")),
    };
    errors.push(AttrError::new(
        key.span(),
        format!("unknown key `{name}` in `{attr}`"),
        help,
    ));
}

fn no_duplicates(items: &[Spanned<String>], noun: &str, errors: &mut Vec<AttrError>) {
    for (index, item) in items.iter().enumerate() {
        if items[..index]
            .iter()
            .any(|earlier| earlier.value == item.value)
        {
            errors.push(AttrError::new(
                item.span,
                format!("duplicate {noun} `{}`", item.value),
                "list each one once",
            ));
        }
    }
}

fn single(value: Value, key: &str, errors: &mut Vec<AttrError>) -> Option<Spanned<String>> {
    match value {
        Value::Text(text) => Some(text),
        Value::List { span, .. } => {
            errors.push(AttrError::new(
                span,
                format!("`{key}` takes one string, not a list"),
                format!("write `{key} = \"...\"`"),
            ));
            None
        }
    }
}

fn finish<T>(value: T, errors: Vec<AttrError>) -> Result<T, Vec<AttrError>> {
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(errors)
    }
}

fn parse_entries(tokens: TokenStream) -> Result<Vec<Entry>, Vec<AttrError>> {
    raw::entries(tokens).map_err(|error| vec![error])
}

pub fn parse_data(tokens: TokenStream) -> Result<DataArgs, Vec<AttrError>> {
    const KEYS: &[&str] = &["purposes", "subject", "retention", "nested"];
    let whole = raw::span_of(&tokens);
    let mut errors = Vec::new();
    let mut args = DataArgs::default();
    let mut seen = SeenKeys::default();
    let entries = parse_entries(tokens)?;
    if entries.is_empty() {
        errors.push(AttrError::new(
            whole,
            "`data` needs at least one category or key",
            "write `#[data(\"contact.email\")]`, or remove the attribute",
        ));
    }
    for entry in entries {
        match entry {
            Entry::Positional(category) => args.categories.push(category),
            Entry::Flag(flag) if flag == "nested" => {
                if seen.first_time(&flag, &mut errors) {
                    args.nested = Some(flag.span());
                }
            }
            Entry::Flag(flag) if KEYS.contains(&flag.to_string().as_str()) => {
                let example = if flag == "purposes" {
                    "[\"...\"]"
                } else {
                    "\"...\""
                };
                errors.push(AttrError::new(
                    flag.span(),
                    format!("`{flag}` needs a value"),
                    format!("write `{flag} = {example}`"),
                ));
            }
            Entry::Flag(flag) => unknown_key(&flag, "data", KEYS, &mut errors),
            Entry::Key { key, value } => {
                let name = key.to_string();
                if !KEYS.contains(&name.as_str()) || name == "nested" {
                    unknown_key(&key, "data", KEYS, &mut errors);
                    continue;
                }
                if !seen.first_time(&key, &mut errors) {
                    continue;
                }
                match name.as_str() {
                    "purposes" => args.purposes = Some(value.into_list()),
                    "subject" => args.subject = single(value, "subject", &mut errors),
                    _ => args.retention = single(value, "retention", &mut errors),
                }
            }
        }
    }
    no_duplicates(&args.categories, "category", &mut errors);
    if let Some(purposes) = &args.purposes {
        no_duplicates(purposes, "purpose", &mut errors);
    }
    finish(args, errors)
}

/// The positional ids of an attribute that takes one (`sink`) or several (`purpose`).
fn positional_ids(
    entries: Vec<Entry>,
    attr: &str,
    keys: &[&str],
    errors: &mut Vec<AttrError>,
) -> (Vec<Spanned<String>>, Vec<(syn::Ident, Value)>) {
    let mut ids = Vec::new();
    let mut pairs = Vec::new();
    let mut seen = SeenKeys::default();
    for entry in entries {
        match entry {
            Entry::Positional(id) => ids.push(id),
            Entry::Flag(flag) => unknown_key(&flag, attr, keys, errors),
            Entry::Key { key, value } => {
                if !keys.contains(&key.to_string().as_str()) {
                    unknown_key(&key, attr, keys, errors);
                } else if seen.first_time(&key, errors) {
                    pairs.push((key, value));
                }
            }
        }
    }
    (ids, pairs)
}

pub fn parse_sink(tokens: TokenStream) -> Result<SinkArgs, Vec<AttrError>> {
    let whole = raw::span_of(&tokens);
    let mut errors = Vec::new();
    let (ids, pairs) = positional_ids(parse_entries(tokens)?, "sink", &["args"], &mut errors);
    let mut ids = ids.into_iter();
    let sink = ids.next();
    for extra in ids {
        errors.push(AttrError::new(
            extra.span,
            "a function reaches one sink",
            "split the function, or declare the second sink on the function it calls",
        ));
    }
    let args = pairs.into_iter().next().map(|(_, value)| value.into_list());
    if let Some(args) = &args {
        no_duplicates(args, "parameter", &mut errors);
        if args.is_empty() {
            errors.push(AttrError::new(
                whole,
                "`args = []` checks no parameter",
                "name the parameters that reach the sink, or drop `args` to check them all",
            ));
        }
    }
    let Some(sink) = sink else {
        errors.push(AttrError::new(
            whole,
            "`sink` needs the sink's id",
            "write `#[privflow::sink(\"ai.openai\")]`",
        ));
        return Err(errors);
    };
    finish(SinkArgs { sink, args }, errors)
}

pub fn parse_purpose(tokens: TokenStream) -> Result<PurposeArgs, Vec<AttrError>> {
    let whole = raw::span_of(&tokens);
    let mut errors = Vec::new();
    let (purposes, _) = positional_ids(parse_entries(tokens)?, "purpose", &[], &mut errors);
    if purposes.is_empty() {
        errors.push(AttrError::new(
            whole,
            "`purpose` needs at least one purpose id",
            "write `#[privflow::purpose(\"customer_features.ai\")]`",
        ));
    }
    no_duplicates(&purposes, "purpose", &mut errors);
    finish(PurposeArgs { purposes }, errors)
}

pub fn parse_declassify(tokens: TokenStream) -> Result<DeclassifyArgs, Vec<AttrError>> {
    let mut errors = Vec::new();
    let (positional, pairs) =
        positional_ids(parse_entries(tokens)?, "declassify", &["to"], &mut errors);
    for id in positional {
        errors.push(AttrError::new(
            id.span,
            "`declassify` takes `to = \"category\"`, not a bare string",
            format!("write `#[privflow::declassify(to = \"{}\")]`", id.value),
        ));
    }
    let to = pairs
        .into_iter()
        .next()
        .map(|(_, value)| value.into_list())
        .unwrap_or_default();
    no_duplicates(&to, "category", &mut errors);
    finish(DeclassifyArgs { to }, errors)
}

pub fn parse_allow(tokens: TokenStream) -> Result<AllowArgs, Vec<AttrError>> {
    let whole = raw::span_of(&tokens);
    let mut errors = Vec::new();
    let (flows, pairs) = positional_ids(parse_entries(tokens)?, "allow", &["reason"], &mut errors);
    let reason = pairs
        .into_iter()
        .next()
        .and_then(|(_, value)| single(value, "reason", &mut errors));
    let mut flows = flows.into_iter();
    let flow = flows.next();
    for extra in flows {
        errors.push(AttrError::new(
            extra.span,
            "one flow per `allow`",
            "add a second `#[privflow::allow(...)]` with its own reason",
        ));
    }
    let flow = match flow {
        Some(flow) => match FlowPattern::parse(&flow.value) {
            Ok(pattern) => Some(Spanned {
                value: pattern,
                span: flow.span,
            }),
            Err(error) => {
                errors.push(AttrError::new(
                    flow.span,
                    format!("malformed flow `{}`: {error}", flow.value),
                    "write `\"category -> sink\"`, e.g. `\"contact.email -> channel.email\"`",
                ));
                None
            }
        },
        None => {
            errors.push(AttrError::new(
                whole,
                "`allow` needs the flow it suppresses",
                "write `#[privflow::allow(\"contact.email -> channel.email\", reason = \"...\")]`",
            ));
            None
        }
    };
    match (flow, reason) {
        (Some(flow), Some(reason)) if reason.value.trim().is_empty() => {
            errors.push(AttrError::new(
                reason.span,
                "the reason is empty",
                "say why this flow is acceptable; reviewers read it in the report",
            ));
            finish(AllowArgs { flow, reason }, errors)
        }
        (Some(flow), Some(reason)) => finish(AllowArgs { flow, reason }, errors),
        (flow, None) => {
            if flow.is_some() {
                errors.push(AttrError::new(
                    whole,
                    "`allow` needs `reason = \"...\"`",
                    "say why this flow is acceptable; reviewers read it in the report",
                ));
            }
            Err(errors)
        }
        (None, Some(_)) => Err(errors),
    }
}
