//! `--format human`: each violation as a miette diagnostic — the sink call as the
//! primary label, the steps between in the same file as secondary labels, and the tag
//! that gave the category as a related "tagged here" diagnostic — then a summary line
//! and the coverage line.

use std::fmt::{self, Write as _};
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, Severity,
    SourceCode,
};

use super::{CheckOutput, FlowOut};

/// The text of a workspace file, by its workspace-relative path.
pub type Sources<'a> = &'a dyn Fn(&str) -> Option<Arc<str>>;

pub fn render(output: &CheckOutput, sources: Sources<'_>, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
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
        let report = Violation::new(flow, sources);
        if handler.render_report(&mut out, &report).is_err() {
            let _ = writeln!(out, "violation[{}]: {}", flow.rule, flow.message);
        }
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
    let violations = output.violations_summary();
    let _ = writeln!(
        out,
        "{} flows: {violations}, {allowed} allowed, {excepted} excepted; {} files analysed",
        output.flows.len(),
        output.files_analyzed
    );
    if let Some(baseline) = &output.baseline {
        for fixed in &baseline.fixed {
            let _ = writeln!(
                out,
                "fixed: {} -> {} at {}:{} (in the baseline, not found now)",
                fixed.category, fixed.sink, fixed.file, fixed.line
            );
        }
    }
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

/// Byte range of the token at 1-based `line`/`column` (in characters).
fn token_span(text: &str, line: u32, column: u32) -> (usize, usize) {
    let mut offset = 0;
    for (index, content) in text.split_inclusive('\n').enumerate() {
        if index + 1 == line as usize {
            let start = content
                .char_indices()
                .nth(column.saturating_sub(1) as usize)
                .map_or(content.len(), |(byte, _)| byte);
            let length = content[start..]
                .char_indices()
                .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
                .map_or(content.len() - start, |(byte, _)| byte)
                .max(1);
            return (
                offset + start,
                length.min(content.len().saturating_sub(start)).max(1),
            );
        }
        offset += content.len();
    }
    (text.len().saturating_sub(1), 0)
}

struct Violation {
    message: String,
    code: String,
    help: String,
    source: Option<NamedSource<Arc<str>>>,
    labels: Vec<LabeledSpan>,
    related: Vec<TaggedHere>,
}

impl Violation {
    fn new(flow: &FlowOut, sources: Sources<'_>) -> Self {
        let text = sources(&flow.file);
        let mut labels = Vec::new();
        if let Some(text) = &text {
            let (start, length) = token_span(text, flow.line, flow.column);
            labels.push(LabeledSpan::new_primary_with_span(
                Some(format!("{} reaches {} here", flow.category, flow.sink)),
                (start, length),
            ));
            for step in flow
                .trace
                .iter()
                .filter(|step| step.file == flow.file && step.line != flow.line)
            {
                let (start, length) = token_span(text, step.line, step.column);
                labels.push(LabeledSpan::new_with_span(
                    Some(step.note.clone()),
                    (start, length),
                ));
            }
        }
        let related = vec![TaggedHere::new(flow, sources)];
        let purpose = flow
            .purpose
            .as_deref()
            .map_or("no declared purpose".to_owned(), |purpose| {
                format!("purpose {purpose}")
            });
        Violation {
            message: flow.message.clone(),
            code: format!("privflow::{}", flow.rule),
            help: format!(
                "running under {purpose}; `cargo privflow explain {}` says how to fix it",
                flow.rule
            ),
            source: text.map(|text| NamedSource::new(&flow.file, text)),
            labels,
            related,
        }
    }
}

impl fmt::Debug for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Violation {}

impl Diagnostic for Violation {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|source| source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(
            self.related
                .iter()
                .map(|related| related as &dyn Diagnostic),
        ))
    }
}

/// The tag that gave the flow its category.
struct TaggedHere {
    message: String,
    source: Option<NamedSource<Arc<str>>>,
    label: Option<LabeledSpan>,
}

impl TaggedHere {
    fn new(flow: &FlowOut, sources: Sources<'_>) -> Self {
        let text = sources(&flow.source.file);
        let label = text.as_ref().map(|text| {
            let (start, length) = token_span(text, flow.source.line, flow.source.column);
            LabeledSpan::new_with_span(
                Some(format!("tagged {} here", flow.category)),
                (start, length),
            )
        });
        TaggedHere {
            message: format!("{} comes from this tag", flow.category),
            source: text.map(|text| NamedSource::new(&flow.source.file, text)),
            label,
        }
    }
}

impl fmt::Debug for TaggedHere {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for TaggedHere {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TaggedHere {}

impl Diagnostic for TaggedHere {
    fn severity(&self) -> Option<Severity> {
        Some(Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|source| source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = self.label.clone()?;
        Some(Box::new(std::iter::once(label)))
    }
}
