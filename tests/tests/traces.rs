//! Traces (SPEC §6): every function boundary crossed (passed to, returned from, written
//! back through `&mut` or a receiver), every static written and read with its name,
//! every macro expansion and every outside call, in order. Checked on flows of
//! `fixtures/flows`, step by step (line and note).

mod common;

use std::path::Path;

fn flows() -> Vec<serde_json::Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/flows");
    let document = common::check_json(&root.join("Cargo.toml"), &[]);
    document["flows"].as_array().cloned().unwrap_or_default()
}

/// The trace of the flow of `category` to `sink` at `file:line`, as (line, note).
fn trace(
    flows: &[serde_json::Value],
    file: &str,
    line: u64,
    category: &str,
    sink: &str,
) -> Vec<(u64, String)> {
    let flow = flows
        .iter()
        .find(|flow| {
            flow["file"].as_str().is_some_and(|f| f.ends_with(file))
                && flow["line"] == line
                && flow["category"] == category
                && flow["sink"] == sink
        })
        .unwrap_or_else(|| unreachable!("no flow {category} -> {sink} at {file}:{line}"));
    flow["trace"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|step| {
            (
                step["line"].as_u64().unwrap_or_default(),
                step["note"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// A flow (file suffix, line, category, sink) and its expected (line, note) steps.
type Case = (
    (&'static str, u64, &'static str, &'static str),
    Vec<(u64, &'static str)>,
);

fn steps(expected: &[(u64, &str)]) -> Vec<(u64, String)> {
    expected
        .iter()
        .map(|(line, note)| (*line, (*note).to_owned()))
        .collect()
}

#[test]
fn traces_name_every_boundary_static_macro_and_outside_call() {
    let flows = flows();
    let cases: Vec<Case> = vec![
        // A static written in one function and read in another, each with its name.
        (
            ("statics.rs", 21, "contact.email", "logs"),
            vec![
                (14, "stored by `.push()`"),
                (14, "stored in static `flows_app::statics::RECENT_EMAILS`"),
                (20, "read from static `flows_app::statics::RECENT_EMAILS`"),
                (21, "formatted by `println!`"),
            ],
        ),
        // A helper stores its parameter in a static: the caller's call stores it.
        (
            ("statics.rs", 62, "contact.phone", "ai.openai"),
            vec![
                (55, "passed to `flows_app::statics::store_note`"),
                (55, "stored in static `flows_app::statics::LAST_NOTE`"),
                (62, "read from static `flows_app::statics::LAST_NOTE`"),
                (62, "passed to `flows_sinks::openai::complete`"),
            ],
        ),
        (
            ("interprocedural.rs", 13, "contact.email", "logs"),
            vec![
                (13, "returned from `flows_app::interprocedural::email_of`"),
                (13, "formatted by `println!`"),
            ],
        ),
        // A sink inside a helper: the caller's argument, then the sink.
        (
            ("interprocedural.rs", 46, "contact.phone", "logs"),
            vec![
                (51, "passed to `flows_app::interprocedural::log_line`"),
                (46, "formatted by `info!`"),
            ],
        ),
        (
            ("mut_ref.rs", 15, "contact.email", "logs"),
            vec![
                (8, "stored by `.push_str()`"),
                (
                    14,
                    "written back through `&mut` by `flows_app::mut_ref::fill_email`",
                ),
                (15, "formatted by `println!`"),
            ],
        ),
        (
            ("mut_ref.rs", 95, "conversation.message", "ai.openai"),
            vec![
                (
                    94,
                    "written back to the receiver by `flows_app::mut_ref::Draft::append`",
                ),
                (95, "passed to `flows_sinks::openai::complete`"),
            ],
        ),
        // A sink inside a workspace macro, reported at the invocation.
        (
            ("macro_rules.rs", 29, "contact.name", "logs"),
            vec![
                (29, "formatted by `info!`"),
                (29, "inside `audit!` (crates/app/src/macro_rules.rs:6)"),
            ],
        ),
        (
            ("error_conversion.rs", 98, "contact.email", "logs"),
            vec![
                (92, "through outside call `serde_json::from_str`"),
                (98, "formatted by `println!`"),
            ],
        ),
    ];
    for ((file, line, category, sink), expected) in cases {
        assert_eq!(
            trace(&flows, file, line, category, sink),
            steps(&expected),
            "the trace of {category} -> {sink} at {file}:{line}"
        );
    }
}
