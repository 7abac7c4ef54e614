//! The fixtures' `// expect:` markers, checked both ways against `check --format json`:
//! every expected flow is reported (recall), and nothing is reported where no flow is
//! marked (precision). A marker sits on the line of the sink's name:
//! `// expect: contact.email -> logs (violation); contact.name -> logs`, or
//! `// expect: none`.
//!
//! Gaps the analysis does not close yet are listed, one per line, in the fixture's
//! `KNOWN_GAPS` file (`missed file:line category -> sink` or `extra file:line category
//! -> sink`); the test fails on any mismatch not listed, and on any listed gap that is
//! gone, so the list stays true.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Flow {
    file: String,
    line: u64,
    category: String,
    sink: String,
}

impl std::fmt::Display for Flow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{} {} -> {}",
            self.file, self.line, self.category, self.sink
        )
    }
}

struct Expectations {
    flows: BTreeSet<Flow>,
    verdicts: Vec<(Flow, String)>,
    quiet_lines: usize,
}

fn expectations(root: &Path) -> Expectations {
    let files = common::rust_files(root);
    let mut expected = Expectations {
        flows: BTreeSet::new(),
        verdicts: Vec::new(),
        quiet_lines: 0,
    };
    for path in files {
        let relative = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .components()
            .map(|part| part.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        for (index, line) in text.lines().enumerate() {
            let Some((_, marker)) = line.split_once("// expect:") else {
                continue;
            };
            let marker = marker.trim();
            if marker == "none" {
                expected.quiet_lines += 1;
                continue;
            }
            for entry in marker.split(';') {
                let (flow_text, verdict) = match entry.split_once('(') {
                    Some((flow_text, rest)) => (
                        flow_text,
                        Some(rest.trim_end().trim_end_matches(')').trim().to_owned()),
                    ),
                    None => (entry, None),
                };
                let Some((category, sink)) = flow_text.split_once("->") else {
                    unreachable!("{relative}:{}: malformed marker `{entry}`", index + 1);
                };
                let flow = Flow {
                    file: relative.clone(),
                    line: index as u64 + 1,
                    category: category.trim().to_owned(),
                    sink: sink.trim().to_owned(),
                };
                if let Some(verdict) = verdict {
                    expected.verdicts.push((flow.clone(), verdict));
                }
                expected.flows.insert(flow);
            }
        }
    }
    expected
}

fn reported(root: &Path) -> (BTreeSet<Flow>, Vec<(Flow, String)>, serde_json::Value) {
    let document = common::check_json(&root.join("Cargo.toml"), &[]);
    let mut flows = BTreeSet::new();
    let mut verdicts = Vec::new();
    for flow in document["flows"].as_array().into_iter().flatten() {
        let found = Flow {
            file: flow["file"].as_str().unwrap_or_default().to_owned(),
            line: flow["line"].as_u64().unwrap_or_default(),
            category: flow["category"].as_str().unwrap_or_default().to_owned(),
            sink: flow["sink"].as_str().unwrap_or_default().to_owned(),
        };
        verdicts.push((
            found.clone(),
            flow["verdict"].as_str().unwrap_or_default().to_owned(),
        ));
        flows.insert(found);
    }
    (flows, verdicts, document)
}

fn known_gaps(root: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(root.join("KNOWN_GAPS"))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(ToOwned::to_owned)
        .collect()
}

fn check_fixture(name: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(name);
    let expected = expectations(&root);
    let (found, verdicts, document) = reported(&root);
    let missed: Vec<&Flow> = expected.flows.difference(&found).collect();
    let extra: Vec<&Flow> = found.difference(&expected.flows).collect();
    let true_positives = expected.flows.len() - missed.len();
    let recall = true_positives as f64 / expected.flows.len().max(1) as f64;
    let precision = true_positives as f64 / found.len().max(1) as f64;
    eprintln!(
        "{name}: {} expected flows, {} reported, {} quiet markers; recall {recall:.3}, precision {precision:.3}; coverage {}",
        expected.flows.len(),
        found.len(),
        expected.quiet_lines,
        document["coverage"]
    );
    let mut mismatches: BTreeSet<String> =
        missed.iter().map(|flow| format!("missed {flow}")).collect();
    mismatches.extend(extra.iter().map(|flow| format!("extra {flow}")));
    for (flow, verdict) in &expected.verdicts {
        if let Some((_, actual)) = verdicts.iter().find(|(found, _)| found == flow)
            && actual != verdict
        {
            mismatches.insert(format!("verdict {flow} {actual} (expected {verdict})"));
        }
    }
    let gaps = known_gaps(&root);
    let new: Vec<&String> = mismatches.difference(&gaps).collect();
    let closed: Vec<&String> = gaps.difference(&mismatches).collect();
    assert!(
        new.is_empty() && closed.is_empty(),
        "{name}: mismatches not in KNOWN_GAPS:\n  {}\nKNOWN_GAPS entries that no longer happen (remove them):\n  {}",
        new.iter()
            .map(|line| line.as_str())
            .collect::<Vec<_>>()
            .join("\n  "),
        closed
            .iter()
            .map(|line| line.as_str())
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

#[test]
fn example_markers_hold() {
    check_fixture("example");
}

#[test]
fn flow_pattern_markers_hold() {
    check_fixture("flows");
}

/// A held-out corpus: written from the contract alone, without reading the analyser.
#[test]
fn service_markers_hold() {
    check_fixture("service");
}

#[test]
fn reference_workspace_markers_hold() {
    check_fixture("axodesk");
}

/// Shapes from real applications (`fixtures/repros/README.md`), tags only in privflow.toml.
#[test]
fn real_shape_markers_hold() {
    check_fixture("repros/real-shapes");
}

/// Outside SDKs (async-openai, lettre) as their READMEs use them, with no sink declared:
/// the sink catalog alone finds their calls (issue 10).
#[test]
fn sdk_catalog_markers_hold() {
    check_fixture("sdks");
}

/// An Anthropic client (clust), in a fixture package of its own (its pins cannot resolve
/// beside async-openai).
#[test]
fn sdk_catalog_anthropic_markers_hold() {
    check_fixture("sdks-anthropic");
}
