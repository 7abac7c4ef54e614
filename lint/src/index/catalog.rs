//! Which entries of the sink catalog (`[[catalog]]`, docs/sinks.md) apply to the
//! analysed workspace: those for a crate some package depends on, in a version the entry
//! describes.

use privflow_model::policy::CatalogEntry;
use semver::{Comparator, Op, Version, VersionReq};

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
        .filter(|entry| !entry.methods.is_empty() || !entry.functions.is_empty())
        .filter_map(|entry| {
            let because = crates.iter().find_map(|target| {
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
            })?;
            Some(ActiveCatalogEntry {
                crate_ident: entry.crate_ident(),
                krate: entry.krate.clone(),
                sink: entry.sink.clone(),
                methods: entry.methods.clone(),
                functions: entry.functions.clone(),
                because,
            })
        })
        .collect()
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
    if entry.methods.is_empty() && entry.functions.is_empty() {
        return "turned off (no methods or functions)".to_owned();
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
    if requirements.is_empty() {
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
