//! The development set (`tests/real/`): real applications, tagged only in their
//! `privflow.toml`, scored against truth tables written by reading their code. The
//! sources are not vendored: with `PRIVFLOW_REAL_SOURCES=DIR` (checkouts at `DIR/<app>`
//! at each truth table's commit) every application is checked and scored, and the score
//! may not fall below the floor its truth table records; without it, only the tables
//! themselves are checked.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use toml_span::value::Value;

/// (file, line, category, sink)
type Flow = (String, u64, String, String);

struct Truth {
    app: String,
    commit: String,
    root: String,
    flows: BTreeSet<Flow>,
    quiet: BTreeSet<(String, u64)>,
    floor: (f64, f64),
    /// The AI flows the sink catalog alone must find (`[[without_sinks]]`), and the
    /// recall floor of that run.
    without_sinks: BTreeSet<Flow>,
    without_sinks_floor: f64,
}

fn apps_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/real")
}

fn text(value: &Value<'_>, pointer: &str) -> String {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn number(value: &Value<'_>, pointer: &str) -> Option<f64> {
    let found = value.pointer(pointer)?;
    found
        .as_float()
        .or_else(|| found.as_integer().map(|integer| integer as f64))
}

fn entries<'a>(value: &'a Value<'a>, key: &str) -> Vec<&'a Value<'a>> {
    value
        .as_table()
        .and_then(|table| table.get(key))
        .and_then(Value::as_array)
        .map(|array| array.iter().collect())
        .unwrap_or_default()
}

fn flows_in(value: &Value<'_>, key: &str) -> BTreeSet<Flow> {
    entries(value, key)
        .into_iter()
        .map(|flow| {
            (
                text(flow, "/file"),
                flow.pointer("/line")
                    .and_then(Value::as_integer)
                    .unwrap_or_default() as u64,
                text(flow, "/category"),
                text(flow, "/sink"),
            )
        })
        .collect()
}

fn truth_tables() -> Vec<Truth> {
    let mut tables = Vec::new();
    let Ok(dirs) = std::fs::read_dir(apps_dir()) else {
        return tables;
    };
    let mut dirs: Vec<PathBuf> = dirs.flatten().map(|entry| entry.path()).collect();
    dirs.sort();
    for dir in dirs
        .into_iter()
        .filter(|dir| dir.join("truth.toml").is_file())
    {
        let app = dir
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let source = std::fs::read_to_string(dir.join("truth.toml")).unwrap_or_default();
        let value = toml_span::parse(&source)
            .unwrap_or_else(|error| unreachable!("{app}/truth.toml does not parse: {error:?}"));
        let flows = flows_in(&value, "flow");
        let quiet = entries(&value, "quiet")
            .into_iter()
            .map(|entry| {
                (
                    text(entry, "/file"),
                    entry
                        .pointer("/line")
                        .and_then(Value::as_integer)
                        .unwrap_or_default() as u64,
                )
            })
            .collect();
        tables.push(Truth {
            commit: text(&value, "/source/commit"),
            root: text(&value, "/source/root"),
            floor: (
                number(&value, "/floor/recall").unwrap_or(0.0),
                number(&value, "/floor/precision").unwrap_or(0.0),
            ),
            without_sinks: flows_in(&value, "without_sinks"),
            without_sinks_floor: number(&value, "/floor/without_sinks_recall").unwrap_or(0.0),
            app,
            flows,
            quiet,
        });
    }
    tables
}

#[test]
fn truth_tables_are_well_formed() {
    let tables = truth_tables();
    assert!(
        tables.len() >= 3,
        "the development set has at least three applications"
    );
    for truth in &tables {
        assert_eq!(
            truth.commit.len(),
            40,
            "{}: [source] commit is a full hash",
            truth.app
        );
        assert!(apps_dir().join(&truth.app).join("privflow.toml").is_file());
        for (file, line, category, sink) in &truth.flows {
            assert!(
                !file.is_empty() && *line > 0 && !category.is_empty() && !sink.is_empty(),
                "{}: a [[flow]] lacks file, line, category or sink",
                truth.app
            );
        }
        for (file, line, category, sink) in &truth.without_sinks {
            assert!(
                !file.is_empty() && *line > 0 && !category.is_empty() && sink.starts_with("ai."),
                "{}: a [[without_sinks]] lacks file, line or category, or is no AI flow",
                truth.app
            );
        }
        for (file, line) in &truth.quiet {
            assert!(
                !file.is_empty() && *line > 0,
                "{}: a [[quiet]] lacks file or line",
                truth.app
            );
        }
    }
}

fn reported(checkout: &Path, policy: &Path) -> BTreeSet<Flow> {
    let document = common::check_json(
        &checkout.join("Cargo.toml"),
        &["--policy".as_ref(), policy.as_os_str()],
    );
    document["flows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|flow| {
            (
                flow["file"].as_str().unwrap_or_default().to_owned(),
                flow["line"].as_u64().unwrap_or_default(),
                flow["category"].as_str().unwrap_or_default().to_owned(),
                flow["sink"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The flows the truth has and the run missed, and those it reported beyond the truth.
fn print_differences(
    expected: &BTreeSet<Flow>,
    found: &BTreeSet<Flow>,
    quiet: &BTreeSet<(String, u64)>,
) {
    for flow in expected.difference(found) {
        eprintln!("  missed {}:{} {} -> {}", flow.0, flow.1, flow.2, flow.3);
    }
    for flow in found.difference(expected) {
        let on_quiet = quiet.contains(&(flow.0.clone(), flow.1));
        let mark = if on_quiet { " (a quiet line)" } else { "" };
        eprintln!(
            "  extra {}:{} {} -> {}{mark}",
            flow.0, flow.1, flow.2, flow.3
        );
    }
}

#[test]
fn development_set_scores_hold() {
    let Some(sources) = std::env::var_os("PRIVFLOW_REAL_SOURCES") else {
        eprintln!("PRIVFLOW_REAL_SOURCES is not set: the development set is not scored");
        return;
    };
    let mut below = Vec::new();
    for truth in truth_tables() {
        let checkout = Path::new(&sources).join(&truth.app).join(&truth.root);
        if !checkout.join("Cargo.toml").is_file() {
            eprintln!(
                "{}: no checkout at {}, skipped",
                truth.app,
                checkout.display()
            );
            continue;
        }
        let found = reported(
            &checkout,
            &apps_dir().join(&truth.app).join("privflow.toml"),
        );
        let right = found.intersection(&truth.flows).count();
        let recall = right as f64 / truth.flows.len().max(1) as f64;
        let precision = if found.is_empty() {
            1.0
        } else {
            right as f64 / found.len() as f64
        };
        eprintln!(
            "{}: {} flows in the truth, {} reported, {right} right; recall {recall:.2}, precision {precision:.2}",
            truth.app,
            truth.flows.len(),
            found.len()
        );
        print_differences(&truth.flows, &found, &truth.quiet);
        if recall < truth.floor.0 || precision < truth.floor.1 {
            below.push(format!(
                "{}: recall {recall:.2} / precision {precision:.2} under the floor {:.2} / {:.2}",
                truth.app, truth.floor.0, truth.floor.1
            ));
        }
    }
    assert!(below.is_empty(), "{}", below.join("\n"));
}

/// `privflow.toml` with its `[sinks."id"]` tables removed: each runs from its header to
/// the next table header.
fn without_sink_tables(policy: &str) -> String {
    let mut kept = String::new();
    let mut in_sinks = false;
    for line in policy.lines() {
        if line.starts_with('[') {
            in_sinks = line.starts_with("[sinks.");
        }
        if !in_sinks {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
}

#[test]
fn sink_tables_are_removed_whole() {
    let policy = "extends = \"axodesk\"\n[sinks.\"ai.openai\"]\nfunctions = [\n  \"a::b\",\n]\n\n[types.\"a::T\".fields]\nx = [\"contact.email\"]\n";
    assert_eq!(
        without_sink_tables(policy),
        "extends = \"axodesk\"\n[types.\"a::T\".fields]\nx = [\"contact.email\"]\n"
    );
}

/// Issue 10's acceptance: with the declared AI sinks removed from an application's
/// policy, the sink catalog alone finds its AI flows where the requests are sent.
#[test]
fn catalog_alone_finds_the_ai_flows() {
    let Some(sources) = std::env::var_os("PRIVFLOW_REAL_SOURCES") else {
        eprintln!("PRIVFLOW_REAL_SOURCES is not set: the catalog-only runs are not scored");
        return;
    };
    let mut below = Vec::new();
    for truth in truth_tables()
        .into_iter()
        .filter(|truth| !truth.without_sinks.is_empty())
    {
        let checkout = Path::new(&sources).join(&truth.app).join(&truth.root);
        if !checkout.join("Cargo.toml").is_file() {
            eprintln!("{}: no checkout, skipped", truth.app);
            continue;
        }
        let declared = std::fs::read_to_string(apps_dir().join(&truth.app).join("privflow.toml"))
            .unwrap_or_default();
        let stripped = without_sink_tables(&declared);
        assert_ne!(
            stripped, declared,
            "{}: the policy declares no sink",
            truth.app
        );
        let policy = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("{}-without-sinks.toml", truth.app));
        std::fs::write(&policy, stripped).unwrap_or_else(|error| unreachable!("{error}"));
        let found: BTreeSet<Flow> = reported(&checkout, &policy)
            .into_iter()
            .filter(|flow| flow.3.starts_with("ai."))
            .collect();
        let right = found.intersection(&truth.without_sinks).count();
        let recall = right as f64 / truth.without_sinks.len() as f64;
        let declared_ai = truth
            .flows
            .iter()
            .filter(|flow| flow.3.starts_with("ai."))
            .count();
        eprintln!(
            "{}: without declared sinks, {} AI flows expected ({declared_ai} in the declared run's truth), {} reported, {right} right; recall {recall:.2}",
            truth.app,
            truth.without_sinks.len(),
            found.len()
        );
        print_differences(&truth.without_sinks, &found, &truth.quiet);
        if recall < truth.without_sinks_floor || right < found.len() {
            below.push(format!(
                "{}: without declared sinks recall {recall:.2} (floor {:.2}), {} extra",
                truth.app,
                truth.without_sinks_floor,
                found.len() - right
            ));
        }
    }
    assert!(below.is_empty(), "{}", below.join("\n"));
}
