//! The second pass over parsed attributes: every id must be one the policy declares.

use super::{AllowArgs, AttrError, DataArgs, DeclassifyArgs, PurposeArgs, SinkArgs, Spanned};
use crate::policy::Policy;
use crate::suggest;

fn known<V>(
    id: &Spanned<String>,
    table: &std::collections::BTreeMap<String, V>,
    noun: &str,
    section: &str,
    errors: &mut Vec<AttrError>,
) {
    if table.contains_key(&id.value) {
        return;
    }
    errors.push(AttrError::new(
        id.span,
        format!("unknown {noun} `{}`", id.value),
        suggest::did_you_mean(&id.value, table.keys().map(String::as_str), section),
    ));
}

fn known_categories(ids: &[Spanned<String>], policy: &Policy, errors: &mut Vec<AttrError>) {
    for category in ids {
        known(
            category,
            &policy.categories,
            "data category",
            "categories",
            errors,
        );
    }
}

fn known_purposes(ids: &[Spanned<String>], policy: &Policy, errors: &mut Vec<AttrError>) {
    for purpose in ids {
        known(purpose, &policy.purposes, "purpose", "purposes", errors);
    }
}

pub fn data(args: &DataArgs, policy: &Policy) -> Vec<AttrError> {
    let mut errors = Vec::new();
    known_categories(&args.categories, policy, &mut errors);
    known_purposes(
        args.purposes.as_deref().unwrap_or_default(),
        policy,
        &mut errors,
    );
    if let Some(subject) = &args.subject {
        known(
            subject,
            &policy.subjects,
            "data subject",
            "subjects",
            &mut errors,
        );
    }
    errors
}

pub fn sink(args: &SinkArgs, policy: &Policy) -> Vec<AttrError> {
    let mut errors = Vec::new();
    known(&args.sink, &policy.sinks, "sink", "sinks", &mut errors);
    errors
}

pub fn purpose(args: &PurposeArgs, policy: &Policy) -> Vec<AttrError> {
    let mut errors = Vec::new();
    known_purposes(&args.purposes, policy, &mut errors);
    errors
}

pub fn declassify(args: &DeclassifyArgs, policy: &Policy) -> Vec<AttrError> {
    let mut errors = Vec::new();
    known_categories(&args.to, policy, &mut errors);
    errors
}

pub fn allow(args: &AllowArgs, policy: &Policy) -> Vec<AttrError> {
    let mut errors = Vec::new();
    let flow = &args.flow;
    let sides = [
        (
            &flow.value.category,
            policy.categories.keys().collect::<Vec<_>>(),
            "data category",
            "categories",
        ),
        (
            &flow.value.sink,
            policy.sinks.keys().collect(),
            "sink",
            "sinks",
        ),
    ];
    for (glob, ids, noun, section) in sides {
        if ids.iter().any(|id| glob.matches(id)) {
            continue;
        }
        let help = if glob.is_exact() {
            suggest::did_you_mean(&glob.to_string(), ids.iter().map(|id| id.as_str()), section)
        } else {
            format!("no {noun} lies under `{glob}`")
        };
        errors.push(AttrError::new(
            flow.span,
            format!("`{glob}` matches no {noun}"),
            help,
        ));
    }
    errors
}

/// Categories among `ids` that the policy never lets into `sink`, under any purpose:
/// what a generic sink refuses at compile time.
pub fn forbidden_categories<'p>(policy: &'p Policy, sink: &str) -> Vec<&'p str> {
    policy
        .categories
        .keys()
        .filter(|category| !policy.ever_allowed(category, sink))
        .map(String::as_str)
        .collect()
}
