//! Id globs of rules and exceptions (SPEC §2): `*` alone matches every id; a trailing
//! `.*` matches one or more further segments (`contact.*` matches `contact.email`, not
//! `contact`); anything else matches exactly.

use std::fmt;

#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(into = "String", try_from = "String")]
pub struct IdGlob {
    /// The fixed part: `contact` for `contact.*`, empty for `*`.
    prefix: String,
    wildcard: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GlobError {
    #[error("an empty pattern matches nothing")]
    Empty,
    #[error("`*` may only stand alone or as the last segment (`contact.*`)")]
    MisplacedStar,
    #[error("`{0}` is not an id: use lowercase segments of a-z, 0-9 and _ separated by dots")]
    InvalidId(String),
}

impl IdGlob {
    pub fn parse(pattern: &str) -> Result<Self, GlobError> {
        let pattern = pattern.trim();
        if pattern.is_empty() {
            return Err(GlobError::Empty);
        }
        if pattern == "*" {
            return Ok(Self {
                prefix: String::new(),
                wildcard: true,
            });
        }
        let (prefix, wildcard) = match pattern.strip_suffix(".*") {
            Some(prefix) => (prefix, true),
            None => (pattern, false),
        };
        if prefix.contains('*') {
            return Err(GlobError::MisplacedStar);
        }
        if !crate::id::is_valid(prefix) {
            return Err(GlobError::InvalidId(prefix.to_owned()));
        }
        Ok(Self {
            prefix: prefix.to_owned(),
            wildcard,
        })
    }

    pub fn matches(&self, id: &str) -> bool {
        if !self.wildcard {
            return id == self.prefix;
        }
        if self.prefix.is_empty() {
            return true;
        }
        id.strip_prefix(self.prefix.as_str())
            .is_some_and(|rest| rest.len() > 1 && rest.starts_with('.'))
    }

    /// Purposes nest: a rule for `customer_features` also covers flows that run under
    /// `customer_features.ai`.
    pub fn covers_purpose(&self, purpose: &str) -> bool {
        self.matches(purpose) || (!self.wildcard && crate::id::is_within(purpose, &self.prefix))
    }

    pub fn is_exact(&self) -> bool {
        !self.wildcard
    }

    /// Whether some key of `ids` matches (`purpose`: or is covered as a purpose). Every
    /// match starts with the prefix, and such keys are adjacent in a sorted map: one
    /// range, not a scan of the whole map per pattern.
    pub fn matches_any_key<V>(
        &self,
        ids: &std::collections::BTreeMap<String, V>,
        purpose: bool,
    ) -> bool {
        use std::ops::Bound;
        ids.range::<str, _>((Bound::Included(self.prefix.as_str()), Bound::Unbounded))
            .take_while(|(id, _)| id.starts_with(self.prefix.as_str()))
            .any(|(id, _)| {
                if purpose {
                    self.covers_purpose(id)
                } else {
                    self.matches(id)
                }
            })
    }
}

impl fmt::Display for IdGlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.prefix.is_empty(), self.wildcard) {
            (true, _) => f.write_str("*"),
            (false, true) => write!(f, "{}.*", self.prefix),
            (false, false) => f.write_str(&self.prefix),
        }
    }
}

impl From<IdGlob> for String {
    fn from(glob: IdGlob) -> Self {
        glob.to_string()
    }
}

/// Read back as written: through [`IdGlob::parse`], so a stored glob is a valid one.
impl TryFrom<String> for IdGlob {
    type Error = GlobError;

    fn try_from(text: String) -> Result<Self, GlobError> {
        IdGlob::parse(&text)
    }
}

/// `"contact.email -> channel.email"`: the flow patterns of `#[privflow::allow]` and of
/// policy exceptions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct FlowPattern {
    pub category: IdGlob,
    pub sink: IdGlob,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowPatternError {
    #[error("a flow is written `category -> sink`")]
    MissingArrow,
    #[error("the category side: {0}")]
    Category(GlobError),
    #[error("the sink side: {0}")]
    Sink(GlobError),
}

impl FlowPattern {
    pub fn parse(text: &str) -> Result<Self, FlowPatternError> {
        let (category, sink) = text
            .split_once("->")
            .ok_or(FlowPatternError::MissingArrow)?;
        Ok(Self {
            category: IdGlob::parse(category).map_err(FlowPatternError::Category)?,
            sink: IdGlob::parse(sink).map_err(FlowPatternError::Sink)?,
        })
    }

    pub fn matches(&self, category: &str, sink: &str) -> bool {
        self.category.matches(category) && self.sink.matches(sink)
    }
}

impl fmt::Display for FlowPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} -> {}", self.category, self.sink)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(text: &str) -> IdGlob {
        IdGlob::parse(text).unwrap_or_else(|e| unreachable!("{text}: {e}"))
    }

    #[test]
    fn star_alone_matches_everything() {
        assert!(glob("*").matches("contact.email"));
        assert!(glob("*").matches("logs"));
    }

    #[test]
    fn trailing_star_matches_one_or_more_segments() {
        let contact = glob("contact.*");
        assert!(contact.matches("contact.email"));
        assert!(contact.matches("contact.address.street"));
        assert!(!contact.matches("contact"));
        assert!(!contact.matches("contacts.email"));
        assert!(!contact.matches("account.email"));
    }

    #[test]
    fn exact_matches_only_itself() {
        assert!(glob("contact.email").matches("contact.email"));
        assert!(!glob("contact.email").matches("contact.email.work"));
        assert!(!glob("contact").matches("contact.email"));
    }

    #[test]
    fn purposes_nest() {
        assert!(glob("customer_features").covers_purpose("customer_features.ai"));
        assert!(glob("customer_features.*").covers_purpose("customer_features.ai"));
        assert!(!glob("customer_features.ai").covers_purpose("customer_features"));
    }

    #[test]
    fn malformed_globs_are_rejected() {
        assert_eq!(IdGlob::parse(""), Err(GlobError::Empty));
        assert_eq!(IdGlob::parse("contact*"), Err(GlobError::MisplacedStar));
        assert_eq!(IdGlob::parse("*.email"), Err(GlobError::MisplacedStar));
        assert_eq!(IdGlob::parse("contact.*.x"), Err(GlobError::MisplacedStar));
        assert!(matches!(
            IdGlob::parse("Contact.Email"),
            Err(GlobError::InvalidId(_))
        ));
    }

    #[test]
    fn display_round_trips() {
        for text in ["*", "contact.*", "contact.email"] {
            assert_eq!(glob(text).to_string(), text);
        }
    }

    #[test]
    fn flow_patterns() {
        let flow = FlowPattern::parse("contact.* -> channel.email")
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert!(flow.matches("contact.email", "channel.email"));
        assert!(!flow.matches("contact.email", "channel.sms"));
        assert_eq!(
            FlowPattern::parse("contact.email"),
            Err(FlowPatternError::MissingArrow)
        );
    }
}
