//! `--format github`: GitHub Actions workflow commands, one `::error` per violation (a
//! `::warning` for one the `--baseline` already had), so the pull request shows each at
//! its sink call; then the summary as a notice.

use std::fmt::Write as _;

use super::{BaselineMark, CheckOutput};

/// Workflow-command data and properties escape `%`, CR, LF (and `:`/`,` in properties).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(output: &CheckOutput) -> String {
    let mut out = String::new();
    for error in &output.errors {
        let _ = writeln!(
            out,
            "::error file={},line={},col={},title={}::{}",
            escape_property(&output.repository_path(&error.file)),
            error.line.max(1),
            error.column.max(1),
            escape_property("privflow: cannot analyse"),
            escape_data(&error.message)
        );
    }
    for flow in output
        .flows
        .iter()
        .filter(|flow| flow.verdict == "violation")
    {
        let mut message = flow.message.clone();
        let _ = write!(
            message,
            "\ntagged at {}:{}:{}",
            output.repository_path(&flow.source.file),
            flow.source.line,
            flow.source.column
        );
        for step in &flow.trace {
            let _ = write!(
                message,
                "\n{}:{}:{}: {}",
                output.repository_path(&step.file),
                step.line,
                step.column,
                step.note
            );
        }
        let level = match flow.baseline {
            Some(BaselineMark::Known) => "warning",
            _ => "error",
        };
        let _ = writeln!(
            out,
            "::{level} file={},line={},col={},title={}::{}",
            escape_property(&output.repository_path(&flow.file)),
            flow.line,
            flow.column,
            escape_property(&format!(
                "privflow {}: {} -> {}",
                flow.rule, flow.category, flow.sink
            )),
            escape_data(&message)
        );
    }
    let violations = output.violations_summary();
    let _ = writeln!(
        out,
        "::notice title=privflow::{} flows, {violations}; {} calls, {} not described by any model",
        output.flows.len(),
        output.coverage.calls,
        output.coverage.calls_unresolved
    );
    out
}
