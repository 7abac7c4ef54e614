//! Clickable locations: `--source-url TEMPLATE` (or the GitHub Actions run's repository)
//! turns a `file:line` of the report into a link to the code.

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};

/// What a path segment of a URL must not carry as written: the characters that end or
/// restructure a URL, or break the Markdown and HTML it is written into.
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}')
    .add(b'(')
    .add(b')')
    .add(b'\'');

/// The placeholders a template may use.
pub const PLACEHOLDERS: [&str; 3] = ["{rev}", "{path}", "{line}"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// A `{...}` that is not one of [`PLACEHOLDERS`].
    UnknownPlaceholder { placeholder: String, column: usize },
    /// `{rev}` is used, but no commit is known (none read from `.git`, no `GITHUB_SHA`).
    NoRevision,
    /// No `{path}`: every location would link to the same place.
    NoPath,
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownPlaceholder {
                placeholder,
                column,
            } => write!(
                f,
                "unknown placeholder `{placeholder}` at column {column} of --source-url"
            ),
            Self::NoRevision => write!(
                f,
                "--source-url uses {{rev}}, but no commit is known: none could be read from a .git above the workspace (a repository without loose or packed refs, such as a reftable one, is not read), and GITHUB_SHA is not set"
            ),
            Self::NoPath => write!(f, "--source-url has no {{path}}"),
        }
    }
}

/// Where each location of a report links to: a template with `{rev}`, `{path}` (from the
/// top of the git repository) and `{line}` filled in.
#[derive(Debug, Clone, Default)]
pub struct SourceLinks {
    template: Option<String>,
    rev: String,
    /// The workspace's folder in its repository (`fixtures/axodesk/`), before each path.
    prefix: String,
}

impl SourceLinks {
    /// No links: locations stay plain text.
    pub fn none() -> Self {
        Self::default()
    }

    /// Checks `template` and fills in what it needs: `rev` for `{rev}`, `prefix` before
    /// every workspace-relative path.
    pub fn new(
        template: &str,
        rev: Option<String>,
        prefix: Option<String>,
    ) -> Result<Self, TemplateError> {
        Self::check(template)?;
        let rev = match rev {
            Some(rev) => rev,
            None if template.contains("{rev}") => return Err(TemplateError::NoRevision),
            None => String::new(),
        };
        Ok(Self {
            template: Some(template.to_owned()),
            rev,
            prefix: prefix.unwrap_or_default(),
        })
    }

    /// The same links, with paths from the top of the repository: `prefix` is the
    /// workspace's folder in it (known once the workspace is read).
    pub fn in_repository(self, prefix: Option<String>) -> Self {
        Self {
            prefix: prefix.unwrap_or_default(),
            ..self
        }
    }

    /// Whether `template` uses only [`PLACEHOLDERS`], and `{path}`: what can be told
    /// before the workspace is read.
    pub fn check(template: &str) -> Result<(), TemplateError> {
        let mut rest = template;
        let mut offset = 0;
        while let Some(start) = rest.find('{') {
            let tail = &rest[start..];
            let end = tail.find('}').map_or(tail.len(), |end| end + 1);
            let placeholder = &tail[..end];
            if !PLACEHOLDERS.contains(&placeholder) {
                return Err(TemplateError::UnknownPlaceholder {
                    placeholder: placeholder.to_owned(),
                    column: template[..offset + start].chars().count() + 1,
                });
            }
            offset += start + end;
            rest = &tail[end..];
        }
        if template.contains("{path}") {
            Ok(())
        } else {
            Err(TemplateError::NoPath)
        }
    }

    /// The template a GitHub Actions run implies (`GITHUB_SERVER_URL`,
    /// `GITHUB_REPOSITORY`; its `{rev}` is the run's `GITHUB_SHA`), when both are set.
    pub fn github_actions(env: impl Fn(&str) -> Option<String>) -> Option<String> {
        let server = env("GITHUB_SERVER_URL").filter(|value| !value.is_empty())?;
        let repository = env("GITHUB_REPOSITORY").filter(|value| !value.is_empty())?;
        Some(format!(
            "{}/{}/blob/{{rev}}/{{path}}#L{{line}}",
            server.trim_end_matches('/'),
            repository.trim_matches('/')
        ))
    }

    /// The link of `file` (workspace-relative, `/`-separated) at `line`, if links are on.
    pub fn url(&self, file: &str, line: u32) -> Option<String> {
        let template = self.template.as_deref()?;
        let path: Vec<String> = format!("{}{file}", self.prefix)
            .split('/')
            .map(|segment| utf8_percent_encode(segment, PATH_SEGMENT).to_string())
            .collect();
        let rev = utf8_percent_encode(&self.rev, PATH_SEGMENT).to_string();
        Some(
            template
                .replace("{rev}", &rev)
                .replace("{line}", &line.to_string())
                .replace("{path}", &path.join("/")),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::{SourceLinks, TemplateError};

    #[test]
    fn placeholders_are_filled_and_paths_encoded() {
        let links = SourceLinks::new(
            "https://github.com/o/r/blob/{rev}/{path}#L{line}",
            Some("abc123".into()),
            Some("fixtures/axodesk/".into()),
        )
        .unwrap_or_else(|error| unreachable!("{error}"));
        assert_eq!(
            links.url("crates/a b/src/<x>\"#.rs", 7).as_deref(),
            Some(
                "https://github.com/o/r/blob/abc123/fixtures/axodesk/crates/a%20b/src/%3Cx%3E%22%23.rs#L7"
            )
        );
        assert_eq!(SourceLinks::none().url("a.rs", 1), None);
    }

    #[test]
    fn bad_templates_are_refused() {
        assert_eq!(
            SourceLinks::new("https://x/{revision}/{path}", Some("r".into()), None).err(),
            Some(TemplateError::UnknownPlaceholder {
                placeholder: "{revision}".into(),
                column: 11
            })
        );
        assert_eq!(
            SourceLinks::new("https://x/{rev}/{path}", None, None).err(),
            Some(TemplateError::NoRevision)
        );
        assert_eq!(
            SourceLinks::new("https://x/", None, None).err(),
            Some(TemplateError::NoPath)
        );
        assert!(SourceLinks::new("file:///src/{path}", None, None).is_ok());
    }

    #[test]
    fn github_actions_names_the_repository_of_the_run() {
        let env = |name: &str| match name {
            "GITHUB_SERVER_URL" => Some("https://github.com".to_owned()),
            "GITHUB_REPOSITORY" => Some("acme/desk".to_owned()),
            "GITHUB_SHA" => Some("0123abc".to_owned()),
            _ => None,
        };
        assert_eq!(
            SourceLinks::github_actions(env).as_deref(),
            Some("https://github.com/acme/desk/blob/{rev}/{path}#L{line}")
        );
        assert_eq!(SourceLinks::github_actions(|_| None), None);
    }
}
