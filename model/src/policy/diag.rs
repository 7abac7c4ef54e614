//! Policy-file diagnostics: each problem with its file, line, column and a help line;
//! all of a file's problems at once.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode, SourceSpan};

/// The text of one policy file, shared by all its diagnostics.
#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    pub name: Arc<str>,
    pub text: Arc<str>,
    code: Arc<NamedSource<Arc<str>>>,
}

impl SourceFile {
    pub fn new(name: &str, text: &str) -> Self {
        let text: Arc<str> = Arc::from(text);
        Self {
            name: Arc::from(name),
            code: Arc::new(NamedSource::new(name, text.clone())),
            text,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
        let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
        (saturating_u32(line), saturating_u32(column))
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
    code: Option<Arc<NamedSource<Arc<str>>>>,
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
            code: Some(source.code.clone()),
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
        self.code.as_deref().map(|code| code as &dyn SourceCode)
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
