//! What reviewers read: the data-category report (SPEC §5), built from the analysis as
//! plain data, then rendered as JSON, Markdown or HTML.

pub mod detail;
pub mod fides;
pub mod html;
pub mod links;
pub mod markdown;
pub mod matrix;
mod unclassified;

use std::collections::{BTreeMap, BTreeSet};

use privflow_model::Policy;
use privflow_model::policy::Date;
use serde::{Deserialize, Serialize};

use crate::index::Index;
use crate::render::{CheckOutput, CoverageOut, ErrorOut};
pub use detail::Violation;

/// Days before an exception's expiry from which the report warns about it.
const EXPIRY_WARNING_DAYS: i64 = 30;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct InventoryEntry {
    /// `crate::module::Type` or `crate::module::Type::field`.
    pub item: String,
    pub category: String,
    pub subject: Option<String>,
    pub purposes: Vec<String>,
    pub retention: Option<String>,
    pub role: Option<String>,
    pub file: String,
    pub line: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct MapEntry {
    pub category: String,
    pub sink: String,
    pub vendor: Option<String>,
    pub kind: String,
    pub region: Option<String>,
    pub purposes: Vec<String>,
    /// `allowed`, `violation`, `excepted` counts by verdict.
    pub verdicts: BTreeMap<String, usize>,
    /// `file:line` of each sink call.
    pub locations: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExceptionEntry {
    pub flow: String,
    pub path: Option<String>,
    pub reason: String,
    pub expires: String,
    /// `live`, `expiring` (within 30 days) or `expired`.
    pub status: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Drift {
    /// Sinks reached in code but not disclosed in the published policy.
    pub undisclosed_sinks_reached: Vec<String>,
    /// Disclosed sinks no code reaches.
    pub disclosed_sinks_never_reached: Vec<String>,
    /// Policy categories no code tags.
    pub categories_never_tagged: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnclassifiedField {
    pub item: String,
    pub file: String,
    pub line: u32,
    /// The `#[data("...")]` it probably wants.
    pub suggestion: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Changes {
    pub new_flows: Vec<String>,
    pub removed_flows: Vec<String>,
    pub new_sinks: Vec<String>,
    pub removed_sinks: Vec<String>,
    pub new_vendors: Vec<String>,
    pub new_categories: Vec<String>,
    pub removed_categories: Vec<String>,
    pub new_exceptions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub root: String,
    pub inventory: Vec<InventoryEntry>,
    pub data_map: Vec<MapEntry>,
    /// Each violation with the policy entry behind it and its lines of code.
    pub violations: Vec<Violation>,
    pub exceptions: Vec<ExceptionEntry>,
    pub drift: Drift,
    pub unclassified: Vec<UnclassifiedField>,
    /// What the analysis covered, and the files it could not analyse (in `errors`): a
    /// report must not read as complete when it is not.
    #[serde(default)]
    pub files_analyzed: usize,
    #[serde(default)]
    pub coverage: CoverageOut,
    #[serde(default)]
    pub errors: Vec<ErrorOut>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Changes>,
}

impl MapEntry {
    /// Each sink call's file and line (from `locations`).
    pub fn places(&self) -> impl Iterator<Item = (&str, u32)> {
        self.locations.iter().map(|location| {
            location
                .rsplit_once(':')
                .map_or((location.as_str(), 0), |(file, line)| {
                    (file, line.parse().unwrap_or(0))
                })
        })
    }
}

/// `category -> sink @ file`: how a flow is named across two reports.
fn flow_key(entry: &MapEntry) -> Vec<String> {
    entry
        .places()
        .map(|(file, _)| format!("{} -> {} @ {file}", entry.category, entry.sink))
        .collect()
}

impl Report {
    pub fn build(index: &Index, policy: &Policy, output: &CheckOutput, today: Date) -> Report {
        let inventory = inventory(index, policy);
        let lines = detail::SourceLines::new(index);
        let places = detail::Places {
            root: &index.root,
            top: crate::load::repository_top(&index.root),
        };
        let mut map: BTreeMap<(String, String), MapEntry> = BTreeMap::new();
        for flow in &output.flows {
            let sink = policy.sinks.get(&flow.sink);
            let entry = map
                .entry((flow.category.clone(), flow.sink.clone()))
                .or_insert_with(|| MapEntry {
                    category: flow.category.clone(),
                    sink: flow.sink.clone(),
                    vendor: sink.and_then(|sink| sink.vendor.clone()),
                    kind: sink.map_or("unknown", |sink| sink.kind.as_str()).to_owned(),
                    region: sink.and_then(|sink| sink.region.clone()),
                    purposes: Vec::new(),
                    verdicts: BTreeMap::new(),
                    locations: Vec::new(),
                });
            for purpose in flow.purpose.iter().flat_map(|purposes| purposes.split(',')) {
                if !entry.purposes.iter().any(|known| known == purpose) {
                    entry.purposes.push(purpose.to_owned());
                }
            }
            *entry.verdicts.entry(flow.verdict.to_owned()).or_default() += 1;
            entry.locations.push(format!("{}:{}", flow.file, flow.line));
        }
        let reached: BTreeSet<&String> = output.flows.iter().map(|flow| &flow.sink).collect();
        let tagged: BTreeSet<&String> = inventory.iter().map(|entry| &entry.category).collect();
        let drift = Drift {
            undisclosed_sinks_reached: reached
                .iter()
                .filter(|sink| {
                    policy
                        .sinks
                        .get(**sink)
                        .is_none_or(|definition| !definition.disclosed)
                })
                .map(|sink| (*sink).clone())
                .collect(),
            disclosed_sinks_never_reached: policy
                .sinks
                .values()
                .filter(|sink| sink.disclosed && !reached.contains(&sink.id))
                .map(|sink| sink.id.clone())
                .collect(),
            categories_never_tagged: policy
                .categories
                .keys()
                .filter(|category| !tagged.contains(category))
                .cloned()
                .collect(),
        };
        let exceptions = policy
            .exceptions
            .iter()
            .map(|exception| {
                let days_left = exception.expires.unix_days() - today.unix_days();
                let status = if days_left < 0 {
                    "expired"
                } else if days_left <= EXPIRY_WARNING_DAYS {
                    "expiring"
                } else {
                    "live"
                };
                ExceptionEntry {
                    flow: exception.flow.to_string(),
                    path: exception.path.clone(),
                    reason: exception.reason.clone(),
                    expires: exception.expires.to_string(),
                    status: status.to_owned(),
                }
            })
            .collect();
        Report {
            schema: "privflow.report/1".to_owned(),
            root: output.root.clone(),
            inventory,
            data_map: map.into_values().collect(),
            violations: output
                .flows
                .iter()
                .filter(|flow| flow.verdict == "violation")
                .map(|flow| detail::violation(policy, &lines, &places, flow))
                .collect(),
            exceptions,
            drift,
            unclassified: unclassified::fields(index),
            files_analyzed: output.files_analyzed,
            coverage: output.coverage.clone(),
            errors: output.errors.clone(),
            changes: None,
        }
    }

    /// One line on how complete the analysis was, for every rendering of the report.
    pub fn coverage_line(&self) -> String {
        self.coverage.describe(self.files_analyzed)
    }

    /// What changed against an earlier report: flows, sinks, vendors, categories, exceptions.
    pub fn compare(&mut self, baseline: &Report) {
        fn diff(now: &BTreeSet<String>, before: &BTreeSet<String>) -> (Vec<String>, Vec<String>) {
            (
                now.difference(before).cloned().collect(),
                before.difference(now).cloned().collect(),
            )
        }
        let flows = |report: &Report| -> BTreeSet<String> {
            report.data_map.iter().flat_map(flow_key).collect()
        };
        let sinks = |report: &Report| -> BTreeSet<String> {
            report
                .data_map
                .iter()
                .map(|entry| entry.sink.clone())
                .collect()
        };
        let vendors = |report: &Report| -> BTreeSet<String> {
            report
                .data_map
                .iter()
                .filter_map(|entry| entry.vendor.clone())
                .collect()
        };
        let categories = |report: &Report| -> BTreeSet<String> {
            report
                .data_map
                .iter()
                .map(|entry| entry.category.clone())
                .collect()
        };
        let exceptions = |report: &Report| -> BTreeSet<String> {
            report
                .exceptions
                .iter()
                .map(|exception| exception.flow.clone())
                .collect()
        };
        let (new_flows, removed_flows) = diff(&flows(self), &flows(baseline));
        let (new_sinks, removed_sinks) = diff(&sinks(self), &sinks(baseline));
        let (new_vendors, _) = diff(&vendors(self), &vendors(baseline));
        let (new_categories, removed_categories) = diff(&categories(self), &categories(baseline));
        let (new_exceptions, _) = diff(&exceptions(self), &exceptions(baseline));
        self.changes = Some(Changes {
            new_flows,
            removed_flows,
            new_sinks,
            removed_sinks,
            new_vendors,
            new_categories,
            removed_categories,
            new_exceptions,
        });
    }
}

fn inventory(index: &Index, policy: &Policy) -> Vec<InventoryEntry> {
    let mut entries = Vec::new();
    for info in &index.types {
        let file = index
            .files
            .get(info.file)
            .map(|file| file.relative.clone())
            .unwrap_or_default();
        let container = info.def.tag.as_ref();
        let mut add = |item: String, tag: &crate::index::ir::DataTag| {
            for category in &tag.categories {
                entries.push(InventoryEntry {
                    item: item.clone(),
                    category: category.clone(),
                    subject: tag
                        .subject
                        .clone()
                        .or_else(|| container.and_then(|tag| tag.subject.clone())),
                    purposes: tag
                        .purposes
                        .clone()
                        .or_else(|| container.and_then(|tag| tag.purposes.clone()))
                        .unwrap_or_default(),
                    retention: tag
                        .retention
                        .clone()
                        .or_else(|| container.and_then(|tag| tag.retention.clone())),
                    role: policy
                        .categories
                        .get(category)
                        .and_then(|definition| definition.role)
                        .map(|role| role.as_str().to_owned()),
                    file: file.clone(),
                    line: tag.pos.line,
                });
            }
        };
        if let Some(tag) = container {
            add(info.path.clone(), tag);
        }
        for variant in &info.def.variants {
            if let Some(tag) = &variant.tag {
                add(format!("{}::{}", info.path, variant.name), tag);
            }
        }
        let fields = info
            .def
            .fields
            .iter()
            .map(|field| (field.name.clone(), field))
            .chain(info.def.variants.iter().flat_map(|variant| {
                variant
                    .fields
                    .iter()
                    .map(move |field| (format!("{}::{}", variant.name, field.name), field))
            }));
        for (name, field) in fields {
            if let Some(tag) = &field.tag {
                add(format!("{}::{name}", info.path), tag);
            }
        }
    }
    entries.sort();
    entries
}

/// Reports built by hand for the renderers' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use std::collections::BTreeMap;

    use super::{MapEntry, Report};

    /// A data-map pair with `flows` flows of one verdict.
    pub fn entry(category: &str, sink: &str, kind: &str, verdict: &str, flows: usize) -> MapEntry {
        MapEntry {
            category: category.into(),
            sink: sink.into(),
            vendor: None,
            kind: kind.into(),
            region: None,
            purposes: Vec::new(),
            verdicts: BTreeMap::from([(verdict.to_owned(), flows)]),
            locations: Vec::new(),
        }
    }

    /// A report of `data_map` and nothing else.
    pub fn report(data_map: Vec<MapEntry>) -> Report {
        let mut report: Report = serde_json::from_str(
            r#"{"schema":"privflow.report/1","root":".","inventory":[],"data_map":[],"violations":[],"exceptions":[],"drift":{"undisclosed_sinks_reached":[],"disclosed_sinks_never_reached":[],"categories_never_tagged":[]},"unclassified":[]}"#,
        )
        .unwrap_or_else(|error| unreachable!("{error}"));
        report.data_map = data_map;
        report
    }
}
