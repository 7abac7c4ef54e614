//! Which entries of the sink catalog (`[[catalog]]`, docs/sinks.md) apply to the
//! analysed workspace: those for a crate some package depends on, in a version the entry
//! describes.

use privflow_model::policy::CatalogEntry;
use semver::{Comparator, Op, Version, VersionReq};

use rayon::prelude::*;

use crate::index::free::{Walk, each_expr};
use crate::index::ir::Expr;
use crate::load::CrateTarget;

/// A catalog entry in force, and why.
#[derive(Debug, Clone)]
pub struct ActiveCatalogEntry {
    /// The crate as paths write it (`async_openai`): values it made carry this name.
    pub crate_ident: String,
    /// As published (`async-openai`), for traces.
    pub krate: String,
    pub sink: String,
    pub methods: Vec<String>,
    /// Full paths of the crate's functions that reach the sink.
    pub functions: Vec<String>,
    /// Full paths of macros whose output the crate sends on to the sink.
    pub macros: Vec<String>,
    /// Paths of the functions that install what sends the macros' output on.
    pub installed_by: Vec<String>,
    /// The package and requirement that brought it in (`sdks` needs `^0.28`).
    pub because: String,
}

/// The entries whose crate a selected package depends on, in a version the entry's
/// `versions` covers: the version the dependency graph resolved (`resolved`, from the
/// lock file) when cargo could tell, else the lowest version the requirement allows. An
/// entry for another major version describes another API. A requirement with no lower
/// bound (`*`) and nothing resolved takes the entry.
pub fn active(
    catalog: &[CatalogEntry],
    crates: &[CrateTarget],
    resolved: Option<&[(String, Version)]>,
) -> Vec<ActiveCatalogEntry> {
    catalog
        .iter()
        .filter(|entry| !is_turned_off(entry))
        .filter_map(|entry| {
            let direct = crates.iter().find_map(|target| {
                target
                    .registry_dependencies
                    .iter()
                    .filter(|(name, _)| *name == entry.krate)
                    .find_map(|(_, requirement)| {
                        let version = version_in_use(&entry.krate, requirement, resolved);
                        let covered = match &version {
                            Some(version) => entry.versions.matches(version),
                            None => true,
                        };
                        covered.then(|| {
                            let resolved_to = version
                                .filter(|_| resolved.is_some())
                                .map(|version| format!(", resolved to {version}"))
                                .unwrap_or_default();
                            format!(
                                "`{}` depends on {} `{requirement}`{resolved_to}",
                                target.package, entry.krate
                            )
                        })
                    })
            });
            let because = if entry.macros.is_empty() {
                direct?
            } else {
                direct.or_else(|| macro_entry_candidate(entry, crates, resolved))?
            };
            Some(ActiveCatalogEntry {
                crate_ident: entry.crate_ident(),
                krate: entry.krate.clone(),
                sink: entry.sink.clone(),
                methods: entry.methods.clone(),
                functions: entry.functions.clone(),
                macros: entry.macros.clone(),
                installed_by: entry.installed_by.clone(),
                because,
            })
        })
        .collect()
}

/// Whether a package depends on a registry crate whose published name `matches`.
pub(crate) fn depends_on(crates: &[CrateTarget], matches: impl Fn(&str) -> bool) -> bool {
    crates.iter().any(|target| {
        target
            .registry_dependencies
            .iter()
            .any(|(name, _)| matches(name))
    })
}

/// An entry with no methods, functions or macros: a user's file turned it off.
fn is_turned_off(entry: &CatalogEntry) -> bool {
    entry.methods.is_empty() && entry.functions.is_empty() && entry.macros.is_empty()
}

/// Why a macro entry may apply with no package depending on its crate (sentry-tracing,
/// reached through sentry's `tracing` feature as `sentry::integrations::tracing`): the
/// resolved graph has it in a version the entry describes, or no version of it is known
/// here. No package may require a version the entry does not describe. Whether it
/// applies is then decided by the workspace calling one of its `installed_by` paths
/// ([`super::Index::keep_installed`]); methods and functions are called by paths that
/// need a direct dependency.
fn macro_entry_candidate(
    entry: &CatalogEntry,
    crates: &[CrateTarget],
    resolved: Option<&[(String, Version)]>,
) -> Option<String> {
    if depends_on(crates, |name| name == entry.krate) {
        return None;
    }
    // An installer can only be called through a dependency of the workspace: the crate
    // itself or one that re-exports it (`sentry::integrations::tracing::layer`).
    let reachable = entry.installed_by.iter().any(|path| {
        let first = path.split("::").next().unwrap_or_default();
        depends_on(crates, |name| name.replace('-', "_") == first)
    });
    if !reachable {
        return None;
    }
    let mut in_graph = resolved
        .unwrap_or_default()
        .iter()
        .filter(|(name, _)| *name == entry.krate)
        .map(|(_, version)| version)
        .peekable();
    if in_graph.peek().is_none() {
        return Some(format!("no version of {} is known here", entry.krate));
    }
    let version = in_graph
        .filter(|version| entry.versions.matches(version))
        .max()?;
    Some(format!(
        "the dependency graph has {} {version}",
        entry.krate
    ))
}

/// The version of `krate` a dependency with `requirement` uses: the highest resolved one
/// it allows, else the lowest it allows.
fn version_in_use(
    krate: &str,
    requirement: &VersionReq,
    resolved: Option<&[(String, Version)]>,
) -> Option<Version> {
    let from_graph = resolved.and_then(|packages| {
        packages
            .iter()
            .filter(|(name, version)| name == krate && requirement.matches(version))
            .map(|(_, version)| version.clone())
            .max()
    });
    from_graph.or_else(|| requirement.comparators.iter().find_map(lowest))
}

impl super::Index {
    /// Whether a catalog entry in force is for the crate that paths name `krate`.
    pub fn is_catalogued(&self, krate: &str) -> bool {
        self.catalog.iter().any(|entry| entry.crate_ident == krate)
    }

    /// The entry in force whose methods include `method` on values `krate` made.
    pub fn catalogued_method(&self, krate: &str, method: &str) -> Option<&ActiveCatalogEntry> {
        self.catalog.iter().find(|entry| {
            entry.crate_ident == krate && entry.methods.iter().any(|name| name == method)
        })
    }

    /// Drops the `macros` entries whose `installed_by` functions no workspace function
    /// calls (an app with sentry-tracing in its graph that never installs the layer
    /// sends nothing to Sentry through it), and says where the others are installed.
    pub(super) fn keep_installed(&mut self) {
        let candidates: Vec<usize> = (0..self.catalog.len())
            .filter(|at| !self.catalog[*at].installed_by.is_empty())
            .collect();
        if candidates.is_empty() {
            return;
        }
        // Only calls whose last segment an installer's path ends with are resolved.
        let last_segments: std::collections::BTreeSet<&str> = candidates
            .iter()
            .flat_map(|at| &self.catalog[*at].installed_by)
            .filter_map(|path| path.rsplit("::").next())
            .collect();
        // (catalog entry, where), in function order (the collected order): the first
        // one wins, so the reason given is the same on every run.
        let found: Vec<(usize, String)> = self
            .functions
            .par_iter()
            .flat_map_iter(|function| {
                let mut found = Vec::new();
                if let Some(body) = function.def.block() {
                    each_expr(Walk::Block(body), |expr| {
                        let Expr::Call { callee, pos, .. } = expr else {
                            return;
                        };
                        let Expr::Path { path, .. } = &**callee else {
                            return;
                        };
                        if !path
                            .segments
                            .last()
                            .is_some_and(|last| last_segments.contains(last.as_str()))
                        {
                            return;
                        }
                        let Some(super::Def::External(resolved)) = self.resolve_path(
                            function.crate_index,
                            &function.module,
                            &path.segments,
                        ) else {
                            return;
                        };
                        let called = resolved.join("::");
                        for at in &candidates {
                            if self.catalog[*at].installed_by.contains(&called) {
                                let site = format!(
                                    "installed by `{called}` at {}:{}",
                                    self.files[function.file].relative, pos.line
                                );
                                found.push((*at, site));
                            }
                        }
                    });
                }
                found
            })
            .collect();
        let mut sites: Vec<Option<String>> = vec![None; self.catalog.len()];
        for (at, site) in found {
            sites[at].get_or_insert(site);
        }
        let mut index = 0;
        self.catalog.retain_mut(|entry| {
            let site = sites[index].take();
            index += 1;
            if entry.installed_by.is_empty() {
                return true;
            }
            match site {
                Some(site) => {
                    entry.because = format!("{}; {site}", entry.because);
                    true
                }
                // Only what the installed code sends depends on the installation: an
                // entry's methods and functions stay.
                None if !entry.methods.is_empty() || !entry.functions.is_empty() => {
                    entry.macros.clear();
                    true
                }
                None => false,
            }
        });
    }

    /// The entries in force that send on what the macro at `path` logs.
    pub fn catalogued_macro<'a>(
        &'a self,
        path: &'a str,
    ) -> impl Iterator<Item = &'a ActiveCatalogEntry> + 'a {
        self.catalog
            .iter()
            .filter(move |entry| entry.macros.iter().any(|known| known == path))
    }

    /// The entry in force that lists the function at `path`.
    pub fn catalogued_function(&self, path: &str) -> Option<&ActiveCatalogEntry> {
        self.catalog
            .iter()
            .find(|entry| entry.functions.iter().any(|function| function == path))
    }
}

/// Why an entry is not in force here: no package depends on its crate, or those that
/// do require versions the entry does not describe.
pub fn why_inactive(
    entry: &CatalogEntry,
    crates: &[CrateTarget],
    resolved: Option<&[(String, Version)]>,
) -> String {
    if is_turned_off(entry) {
        return "turned off (no methods, functions or macros)".to_owned();
    }
    let requirements: Vec<String> = crates
        .iter()
        .flat_map(|target| {
            target
                .registry_dependencies
                .iter()
                .filter(|(name, _)| *name == entry.krate)
                .map(move |(_, requirement)| {
                    match version_in_use(&entry.krate, requirement, resolved)
                        .filter(|_| resolved.is_some())
                    {
                        Some(version) => format!(
                            "`{}` needs `{requirement}`, resolved to {version}",
                            target.package
                        ),
                        None => format!("`{}` needs `{requirement}`", target.package),
                    }
                })
        })
        .collect();
    if requirements.is_empty() && !entry.installed_by.is_empty() {
        format!(
            "no package depends on {} or on a crate that installs it ({})",
            entry.krate,
            entry.installed_by.join(", ")
        )
    } else if requirements.is_empty() {
        format!("no package depends on {}", entry.krate)
    } else {
        format!("{}, outside `{}`", requirements.join(", "), entry.versions)
    }
}

#[cfg(test)]
fn covers(versions: &VersionReq, requirement: &VersionReq) -> bool {
    match version_in_use("any", requirement, None) {
        Some(lowest) => versions.matches(&lowest),
        None => true,
    }
}

/// The lowest version a comparator allows, where it has one (`^0.28` → 0.28.0).
fn lowest(comparator: &Comparator) -> Option<Version> {
    match comparator.op {
        Op::Exact | Op::Greater | Op::GreaterEq | Op::Tilde | Op::Caret | Op::Wildcard => {
            Some(Version::new(
                comparator.major,
                comparator.minor.unwrap_or(0),
                comparator.patch.unwrap_or(0),
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requirement(text: &str) -> VersionReq {
        VersionReq::parse(text).unwrap_or_else(|error| unreachable!("{text}: {error}"))
    }

    #[test]
    fn an_entry_covers_the_versions_it_names() {
        let entry = requirement(">=0.10, <0.12");
        assert!(covers(&entry, &requirement("0.11")));
        assert!(covers(&entry, &requirement("^0.10.2")));
        assert!(covers(&entry, &requirement("=0.11.4")));
        assert!(!covers(&entry, &requirement("0.12")));
        assert!(!covers(&entry, &requirement("0.9")));
        assert!(covers(&entry, &requirement("*")));
        assert!(!covers(&requirement(">=0.10, <1"), &requirement("1.2")));
    }

    fn entry(krate: &str, macros: &[&str], methods: &[&str]) -> CatalogEntry {
        CatalogEntry {
            krate: krate.to_owned(),
            versions: requirement(">=0.22, <1"),
            sink: "vendor.monitoring".to_owned(),
            methods: methods.iter().map(|name| (*name).to_owned()).collect(),
            functions: Vec::new(),
            macros: macros.iter().map(|name| (*name).to_owned()).collect(),
            installed_by: Vec::new(),
            origin: privflow_model::policy::Origin {
                file: std::sync::Arc::from("catalog.toml"),
                line: 1,
                column: 1,
                span: 0..0,
            },
        }
    }

    /// A library package `app` depending on `dependencies` at `0.34`.
    fn app(dependencies: &[&str]) -> Vec<CrateTarget> {
        vec![CrateTarget {
            name: "app".to_owned(),
            package: "app".to_owned(),
            kind: crate::load::TargetKind::Lib,
            root: std::path::PathBuf::from("src/lib.rs"),
            dependencies: None,
            registry_dependencies: dependencies
                .iter()
                .map(|name| ((*name).to_owned(), requirement("0.34")))
                .collect(),
        }]
    }

    #[test]
    fn a_macro_entry_is_a_candidate_through_a_crate_that_installs_it() {
        let mut layer = entry("sentry-tracing", &["tracing::error"], &[]);
        layer.installed_by = vec!["sentry::integrations::tracing::layer".to_owned()];
        let client = entry("sentry-core", &[], &["capture"]);
        let graph = [
            ("sentry-tracing".to_owned(), Version::new(0, 34, 0)),
            ("sentry-core".to_owned(), Version::new(0, 34, 0)),
        ];
        let catalog = [layer.clone(), client];
        // `app` depends on sentry only: the macro entry is a candidate through it (the
        // index then looks for the installing call), the method entry is not (its calls
        // would need a direct dependency).
        let active = active(&catalog, &app(&["sentry"]), Some(&graph));
        assert_eq!(active.len(), 1);
        assert_eq!(active[0].krate, "sentry-tracing");
        assert_eq!(
            active[0].because,
            "the dependency graph has sentry-tracing 0.34.0"
        );
        // Nothing known of its version: still a candidate.
        let unknown = super::active(std::slice::from_ref(&layer), &app(&["sentry"]), None);
        assert_eq!(
            unknown[0].because,
            "no version of sentry-tracing is known here"
        );
        // A version the entry does not describe: not in force.
        let old = [("sentry-tracing".to_owned(), Version::new(0, 21, 0))];
        assert!(
            super::active(std::slice::from_ref(&layer), &app(&["sentry"]), Some(&old)).is_empty()
        );
        // No dependency that could install it: not in force, and said why.
        assert!(super::active(std::slice::from_ref(&layer), &app(&["tokio"]), None).is_empty());
        assert_eq!(
            why_inactive(&layer, &app(&["tokio"]), None),
            "no package depends on sentry-tracing or on a crate that installs it \
             (sentry::integrations::tracing::layer)"
        );
    }

    #[test]
    fn a_resolved_version_decides_over_the_requirement() {
        let resolved = [
            ("lettre".to_owned(), Version::new(0, 11, 23)),
            ("lettre".to_owned(), Version::new(0, 9, 6)),
            ("other".to_owned(), Version::new(0, 12, 0)),
        ];
        // `>=0.9` allows both resolved versions; the highest is the one in use.
        assert_eq!(
            version_in_use("lettre", &requirement(">=0.9"), Some(&resolved)),
            Some(Version::new(0, 11, 23))
        );
        assert_eq!(
            version_in_use("lettre", &requirement("0.9"), Some(&resolved)),
            Some(Version::new(0, 9, 6))
        );
        // Nothing resolved for the crate: the requirement's lowest version.
        assert_eq!(
            version_in_use("lettre", &requirement("0.10"), Some(&[])),
            Some(Version::new(0, 10, 0))
        );
    }
}
