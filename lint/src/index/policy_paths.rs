//! Paths in `privflow.toml` (`[types."…"]`, sink `functions`) resolved like code
//! (SPEC §6 "Policy paths"): a definition path or any `pub use` re-export path names the
//! same item. A path into a workspace crate that names nothing, a field the type does
//! not have, or a first segment that is neither a workspace crate nor a dependency is a
//! policy error at its line, with the closest path that does name something.

use foldhash::HashMap;
use std::collections::BTreeSet;

use privflow_model::policy::{Origin, TypeTag};
use privflow_model::suggest::Suggestions;
use privflow_model::{Policy, PolicyError};

use super::{Def, FnId, Index, TypeId};

/// Crates a path may start with besides workspace crates and declared dependencies.
const ALWAYS_THERE: &[&str] = &["std", "core", "alloc"];

/// What the policy's paths name in the workspace.
#[derive(Default)]
pub struct PolicyTargets {
    /// Each tagged workspace type, with every entry that tags it.
    pub types: Vec<(TypeId, TypeTag)>,
    /// Entries that tag a type of a dependency (`serenity::model::channel::Message`):
    /// its source is not read, so its fields are taken as written.
    pub outside_types: Vec<TypeTag>,
    /// Workspace functions (and trait method declarations) that are sinks, by sink id.
    pub sink_functions: HashMap<FnId, String>,
    pub errors: Vec<PolicyError>,
}

/// Where a path's first segment points.
enum Root {
    Workspace(usize),
    /// A dependency or std: its items cannot be checked here.
    Outside,
    Unknown,
}

pub fn resolve(
    index: &Index,
    policy: &Policy,
    dependencies: Option<&BTreeSet<String>>,
) -> PolicyTargets {
    let mut targets = PolicyTargets::default();
    let mut nameable: Option<Vec<(String, Def)>> = None;
    // Each unknown path is compared with every nameable one: bounded, as in the policy.
    let mut suggestions = Suggestions::default();
    let root_of = |path: &str| -> Root {
        let first = path.split("::").next().unwrap_or_default();
        match index.crate_by_name(first) {
            Some(krate) => Root::Workspace(krate),
            None if ALWAYS_THERE.contains(&first) => Root::Outside,
            None => match dependencies {
                Some(known) if !known.contains(first) => Root::Unknown,
                _ => Root::Outside,
            },
        }
    };
    for tag in policy.types.values() {
        if tag.origin.is_builtin_pack() {
            continue;
        }
        match root_of(&tag.path) {
            Root::Outside => targets.outside_types.push(tag.clone()),
            Root::Unknown => {
                targets.errors.push(unknown_crate(
                    &mut suggestions,
                    index,
                    policy,
                    &tag.path,
                    &tag.origin,
                    dependencies,
                ));
                continue;
            }
            Root::Workspace(krate) => match resolve_in(index, krate, &tag.path) {
                Some(Def::Type(id)) => {
                    for field in tag.fields.keys() {
                        let fields = &index.types[id].def.fields;
                        if fields.iter().any(|known| known.name == *field) {
                            continue;
                        }
                        let origin = tag.field_origins.get(field).unwrap_or(&tag.origin);
                        let names = fields.iter().map(|known| known.name.as_str());
                        targets.errors.push(policy.error_at(
                            origin,
                            format!("`{}` has no field `{field}`", tag.path),
                            "no such field",
                            Some(suggestion(&mut suggestions, field, names, "its fields")),
                        ));
                    }
                    targets.types.push((id, tag.clone()));
                }
                _ => {
                    let candidates = nameable.get_or_insert_with(|| nameable_paths(index));
                    let types = candidates
                        .iter()
                        .filter(|(_, def)| matches!(def, Def::Type(_)))
                        .map(|(path, _)| path.as_str());
                    targets.errors.push(policy.error_at(
                        &tag.origin,
                        format!("`{}` names no type of the workspace", tag.path),
                        "no such type",
                        Some(suggestion(
                            &mut suggestions,
                            &tag.path,
                            types,
                            "the type's path as the code names it",
                        )),
                    ));
                }
            },
        }
    }
    for sink in policy.sinks.values() {
        for function in &sink.functions {
            let Some(origin) = sink.function_origins.get(function) else {
                continue;
            };
            if origin.is_builtin_pack() {
                // The pack names outside crates a workspace may not use.
                continue;
            }
            match root_of(function) {
                Root::Outside => {}
                Root::Unknown => targets.errors.push(unknown_crate(
                    &mut suggestions,
                    index,
                    policy,
                    function,
                    origin,
                    dependencies,
                )),
                Root::Workspace(krate) => match resolve_in(index, krate, function) {
                    Some(Def::Fn(id)) => {
                        targets.sink_functions.insert(id, sink.id.clone());
                    }
                    _ => {
                        let candidates = nameable.get_or_insert_with(|| nameable_paths(index));
                        let functions = candidates
                            .iter()
                            .filter(|(_, def)| matches!(def, Def::Fn(_)))
                            .map(|(path, _)| path.as_str());
                        targets.errors.push(policy.error_at(
                            origin,
                            format!("`{function}` names no function of the workspace"),
                            "no such function",
                            Some(suggestion(
                            &mut suggestions,
                                function,
                                functions,
                                "the function's path as the code names it (`crate::module::function` or `crate::Type::method`)",
                            )),
                        ));
                    }
                },
            }
        }
    }
    targets
}

fn resolve_in(index: &Index, krate: usize, path: &str) -> Option<Def> {
    let segments: Vec<String> = std::iter::once("crate")
        .chain(path.split("::").skip(1))
        .map(str::to_owned)
        .collect();
    index.resolve_through_aliases(krate, &[], &segments)
}

fn unknown_crate(
    suggestions: &mut Suggestions,
    index: &Index,
    policy: &Policy,
    path: &str,
    origin: &Origin,
    dependencies: Option<&BTreeSet<String>>,
) -> PolicyError {
    let first = path.split("::").next().unwrap_or_default();
    let crates = index
        .crate_names
        .iter()
        .map(String::as_str)
        .chain(dependencies.into_iter().flatten().map(String::as_str));
    policy.error_at(
        origin,
        format!("`{first}` is neither a crate of the workspace nor a dependency"),
        "unknown crate",
        Some(suggestion(
            suggestions,
            first,
            crates,
            "the crate name as `use` writes it",
        )),
    )
}

fn suggestion<'a>(
    suggestions: &mut Suggestions,
    unknown: &str,
    candidates: impl Iterator<Item = &'a str>,
    otherwise: &str,
) -> String {
    match suggestions.closest(unknown, candidates) {
        Some(candidate) => format!("did you mean `{candidate}`?"),
        None => format!("write {otherwise}"),
    }
}

/// Every path by which code outside a module can name a type or function: definition
/// paths, `pub use` re-exports, and methods under each type path (for suggestions).
fn nameable_paths(index: &Index) -> Vec<(String, Def)> {
    let mut paths = Vec::new();
    for (&krate, modules) in &index.scopes {
        let crate_name = &index.crate_names[krate];
        for (module, scope) in modules {
            let prefix: Vec<&str> = std::iter::once(crate_name.as_str())
                .chain(module.iter().map(String::as_str))
                .collect();
            let named = scope
                .items
                .iter()
                .filter_map(|(name, defs)| Some((name.clone(), defs.first()?.clone())))
                .chain(
                    scope
                        .imports
                        .iter()
                        .filter(|import| !import.glob)
                        .filter_map(|import| {
                            let def = index.resolve_path(
                                krate,
                                module,
                                std::slice::from_ref(&import.alias),
                            )?;
                            Some((import.alias.clone(), def))
                        }),
                );
            for (name, def) in named {
                let path = format!("{}::{name}", prefix.join("::"));
                if let Def::Type(id) = def {
                    for ((ty, method), ids) in &index.methods {
                        if let (true, Some(&method_id)) = (*ty == id, ids.first()) {
                            paths.push((format!("{path}::{method}"), Def::Fn(method_id)));
                        }
                    }
                }
                if matches!(def, Def::Type(_) | Def::Fn(_)) {
                    paths.push((path, def));
                }
            }
        }
    }
    paths.sort_by(|a, b| a.0.cmp(&b.0));
    paths.dedup_by(|a, b| a.0 == b.0);
    paths
}
