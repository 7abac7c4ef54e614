//! Policy-file diagnostics: each problem with its file, line, column and a help line;
//! all of a file's problems at once.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

/// The text of one policy file, shared by all its diagnostics.
#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    pub name: Arc<str>,
    pub text: Arc<str>,
    /// Byte offset of each line's start: every rule and table asks for its line, so a
    /// scan from the top each time would be quadratic in the file's size.
    line_starts: Arc<[usize]>,
}

impl SourceFile {
    pub fn new(name: &str, text: &str) -> Self {
        // Line breaks as miette counts them: `\n`, `\r\n`, and a lone `\r`.
        let bytes = text.as_bytes();
        let line_starts = std::iter::once(0)
            .chain(bytes.iter().enumerate().filter_map(|(offset, byte)| {
                let lone_return = *byte == b'\r' && bytes.get(offset + 1) != Some(&b'\n');
                (*byte == b'\n' || lone_return).then_some(offset + 1)
            }))
            .collect();
        let text: Arc<str> = Arc::from(text);
        Self {
            name: Arc::from(name),
            text,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        // The number of line starts at or before the offset is its 1-based line.
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let line_start = self
            .line_starts
            .get(line.wrapping_sub(1))
            .copied()
            .unwrap_or(0);
        let column = self
            .text
            .get(line_start..offset)
            .unwrap_or_default()
            .chars()
            .count()
            + 1;
        (saturating_u32(line.max(1)), saturating_u32(column))
    }
}

/// The snippet around a span read through the line index (miette's own reader scans from
/// the top of the text for every diagnostic: quadratic when a large file has many).
impl SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let end = match span.offset().checked_add(span.len()) {
            Some(end) if end <= self.text.len() => end,
            _ => return Err(MietteError::OutOfBounds),
        };
        let line_of = |offset: usize| {
            self.line_starts
                .partition_point(|&start| start <= offset)
                .saturating_sub(1)
        };
        // One line more than asked on each side: miette trims the window to exactly the
        // context it wants, and a window that may be too large is always right.
        let first = line_of(span.offset()).saturating_sub(context_lines_before + 1);
        let last = line_of(end) + context_lines_after + 1;
        let window_start = self.line_starts.get(first).copied().unwrap_or(0);
        let window_end = self
            .line_starts
            .get(last + 1)
            .copied()
            .unwrap_or(self.text.len());
        let window = self
            .text
            .as_bytes()
            .get(window_start..window_end)
            .ok_or(MietteError::OutOfBounds)?;
        let local = SourceSpan::new((span.offset() - window_start).into(), span.len());
        let contents = window.read_span(&local, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            contents.data(),
            SourceSpan::new(
                (contents.span().offset() + window_start).into(),
                contents.span().len(),
            ),
            contents.line() + first,
            contents.column(),
            // miette counts the newlines from the top of the text to the snippet's end.
            contents.line_count() + first,
        )))
    }
}

fn saturating_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// One problem in a policy file.
#[derive(Clone, thiserror::Error)]
#[error("{message}")]
pub struct PolicyError {
    pub file: Arc<str>,
    /// 1-based; 0 when the problem is not in the file's text (it could not be read).
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub label: String,
    pub help: Option<String>,
    span: SourceSpan,
    code: Option<SourceFile>,
}

impl PolicyError {
    pub(crate) fn at(
        source: &SourceFile,
        span: std::ops::Range<usize>,
        message: String,
        label: &str,
        help: Option<String>,
    ) -> Self {
        let (line, column) = source.line_column(span.start);
        Self {
            file: source.name.clone(),
            line,
            column,
            message,
            label: label.to_owned(),
            help,
            span: SourceSpan::from(span.start..span.end.max(span.start)),
            code: Some(source.clone()),
        }
    }

    /// At a place whose text is not at hand: file, line and column only.
    pub(crate) fn detached(origin: &super::Origin, message: String, help: Option<String>) -> Self {
        Self {
            file: origin.file.clone(),
            line: origin.line,
            column: origin.column,
            message,
            label: String::new(),
            help,
            span: SourceSpan::from(0..0),
            code: None,
        }
    }

    /// `privflow.toml:3:7: unknown key `sinkz`` plus its help: the one-line form that
    /// compile errors and logs use.
    pub fn one_line(&self) -> String {
        let mut text = format!(
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        );
        if let Some(help) = &self.help {
            text.push_str(" (help: ");
            text.push_str(help);
            text.push(')');
        }
        text
    }
}

impl fmt::Debug for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.one_line())
    }
}

impl Diagnostic for PolicyError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("privflow::policy"))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.code.as_ref().map(|code| code as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.code.as_ref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(self.label.clone()),
            self.span,
        ))))
    }
}

/// Every problem found in a policy, in file order.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", self.summary())]
pub struct PolicyErrors {
    pub errors: Vec<PolicyError>,
}

impl PolicyErrors {
    pub(crate) fn io(name: &str, error: &std::io::Error) -> Self {
        Self {
            errors: vec![PolicyError {
                file: Arc::from(name),
                line: 0,
                column: 0,
                message: format!("cannot read the policy file: {error}"),
                label: String::new(),
                help: Some(
                    "check the path given with --policy, or remove it to use the built-in pack"
                        .into(),
                ),
                span: SourceSpan::from(0..0),
                code: None,
            }],
        }
    }

    fn summary(&self) -> String {
        match self.errors.as_slice() {
            [only] => only.one_line(),
            errors => {
                let file = errors.first().map_or("privflow.toml", |error| &error.file);
                format!("{file}: {} problems in the policy", errors.len())
            }
        }
    }

    /// All problems in the one-line form, one per line.
    pub fn one_line_each(&self) -> String {
        self.errors
            .iter()
            .map(PolicyError::one_line)
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Diagnostic for PolicyErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("privflow::policy"))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(
            self.errors.iter().map(|error| error as &dyn Diagnostic),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::SourceFile;

    #[test]
    fn snippets_read_through_the_index_match_miettes_own() {
        for text in [
            "a = 1\n\n[sinks.x]\nkind = \"é\"\nfunctions = [\"a::b\"]\nlast",
            "a = 1\r\nb = 2\rc = 3\r\n\r\nend\n",
        ] {
            same_snippets(text);
        }
    }

    fn same_snippets(text: &str) {
        use miette::{SourceCode, SourceSpan};
        let file = SourceFile::new("p.toml", text);
        for start in 0..=text.len() {
            for len in [0, 1, 5, 12] {
                if !text.is_char_boundary(start) || start + len > text.len() {
                    continue;
                }
                for context in [0, 1, 3] {
                    let span = SourceSpan::new(start.into(), len);
                    let ours = file.read_span(&span, context, context);
                    let theirs = text.read_span(&span, context, context);
                    let (Ok(ours), Ok(theirs)) = (ours, theirs) else {
                        unreachable!("span {start}+{len} in bounds");
                    };
                    assert_eq!(ours.data(), theirs.data(), "{start}+{len} ±{context}");
                    assert_eq!(ours.span(), theirs.span());
                    assert_eq!(
                        (ours.line(), ours.column(), ours.line_count()),
                        (theirs.line(), theirs.column(), theirs.line_count()),
                        "{start}+{len} ±{context}"
                    );
                }
            }
        }
    }

    #[test]
    fn line_and_column_of_offsets() {
        let file = SourceFile::new("p.toml", "ab\néx\n\nz");
        assert_eq!(file.line_column(0), (1, 1));
        assert_eq!(file.line_column(2), (1, 3), "the newline ends line 1");
        assert_eq!(file.line_column(3), (2, 1));
        assert_eq!(file.line_column(5), (2, 2), "columns count characters");
        assert_eq!(file.line_column(7), (3, 1));
        assert_eq!(file.line_column(8), (4, 1));
        assert_eq!(file.line_column(99), (4, 2), "past the end: the end");
    }
}
