//! `--format human`: one block per violation (the sink call, the tag it came from, the
//! steps between), then a summary line and the coverage line.

use std::fmt::Write as _;

use super::CheckOutput;

pub fn render(output: &CheckOutput) -> String {
    let mut out = String::new();
    for error in &output.errors {
        let _ = writeln!(
            out,
            "error: {}:{}:{}: {}",
            error.file, error.line, error.column, error.message
        );
        if let Some(help) = &error.help {
            let _ = writeln!(out, "  help: {help}");
        }
    }
    for flow in output
        .flows
        .iter()
        .filter(|flow| flow.verdict == "violation")
    {
        let _ = writeln!(out, "violation[{}]: {}", flow.rule, flow.message);
        let _ = writeln!(
            out,
            "  --> {}:{}:{}  (sink call)",
            flow.file, flow.line, flow.column
        );
        let _ = writeln!(
            out,
            "  tagged here: {}:{}:{}",
            flow.source.file, flow.source.line, flow.source.column
        );
        for step in &flow.trace {
            let _ = writeln!(
                out,
                "  via {}:{}:{}: {}",
                step.file, step.line, step.column, step.note
            );
        }
        if let Some(purpose) = &flow.purpose {
            let _ = writeln!(out, "  running under: {purpose}");
        }
        let _ = writeln!(out, "  help: `cargo privflow explain {}`", flow.rule);
        out.push('\n');
    }
    let allowed = output
        .flows
        .iter()
        .filter(|flow| flow.verdict == "allowed")
        .count();
    let excepted = output
        .flows
        .iter()
        .filter(|flow| flow.verdict == "excepted")
        .count();
    let _ = writeln!(
        out,
        "{} flows: {} violations, {allowed} allowed, {excepted} excepted; {} files analysed",
        output.flows.len(),
        output.violations,
        output.files_analyzed
    );
    let coverage = &output.coverage;
    let _ = writeln!(
        out,
        "coverage: {} calls, {} not described by any model; {} macro calls not understood; {} files skipped",
        coverage.calls,
        coverage.calls_unresolved,
        coverage.macros_not_understood,
        coverage.files_skipped
    );
    out
}
