//! The rule codes: the one table of what `check` can report. A code is never reused or
//! renamed; each documents itself here, and `cargo privflow explain CODE`, the SARIF
//! rule help and the docs all come from this text.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RuleCode {
    FlowNotAllowed,
    FlowDenied,
    PurposeMismatch,
    ExceptionExpired,
    UndisclosedSink,
    InvalidAttribute,
}

pub struct RuleDoc {
    pub code: RuleCode,
    pub name: &'static str,
    pub summary: &'static str,
    pub what: &'static str,
    pub why: &'static str,
    pub example: &'static str,
    pub fix: &'static str,
}

pub const RULES: &[RuleDoc] = &[
    RuleDoc {
        code: RuleCode::FlowNotAllowed,
        name: "flow-not-allowed",
        summary: "tagged data reaches a sink that no policy rule allows",
        what: "Reports a flow of a data category into a sink when no `allow` rule of the policy \
               matches the category, the sink and the purposes the code runs under.",
        why: "The published privacy policy lists who receives which data and why. A flow no rule \
              allows is a disclosure the policy does not describe.",
        example: "#[privflow::sink(\"logs\")] fn log_line(line: &str) {}\n\
                  fn on_signup(contact: &Contact) {\n    log_line(&contact.email); // contact.email -> logs\n}",
        fix: "Send less (pass an id or a declassified value), run the code under a purpose a rule \
              allows, or add an `allow` rule to privflow.toml if the policy really permits it.",
    },
    RuleDoc {
        code: RuleCode::FlowDenied,
        name: "flow-denied",
        summary: "tagged data reaches a sink that a policy rule denies",
        what: "Reports a flow matched by a `deny` rule. A deny wins over every allow.",
        why: "Deny rules encode what the privacy policy rules out, such as sensitive data \
              anywhere (§11) or credentials and sessions to AI providers (§6).",
        example: "#[privflow::sink(\"ai.openai\")] fn complete(prompt: &str) {}\n\
                  complete(&session.token); // account.session -> ai.openai",
        fix: "Remove the flow. A deny rule is not meant to be excepted; if the policy changed, \
              change the rule (override it by its id in privflow.toml).",
    },
    RuleDoc {
        code: RuleCode::PurposeMismatch,
        name: "purpose-mismatch",
        summary: "data is used under a purpose its field does not declare",
        what: "Reports a flow of a field tagged `#[data(\"..\", purposes = [..])]` that runs \
               under none of the listed purposes.",
        why: "Purpose limitation: data collected for support should not feed campaigns.",
        example: "#[data(\"contact.email\", purposes = [\"support\"])] email: String\n\
                  #[privflow::purpose(\"customer_features.campaigns\")] fn blast(c: &Contact) { send(&c.email) }",
        fix: "Run the code under a declared purpose, or widen the field's `purposes` if the \
              privacy notice covers the new use.",
    },
    RuleDoc {
        code: RuleCode::ExceptionExpired,
        name: "exception-expired",
        summary: "a flow is covered only by a policy exception that has expired",
        what: "Reports a flow that an `[[exceptions]]` entry would accept, had its `expires` date \
               not passed.",
        why: "Exceptions are temporary by design; an expired one must be renewed on purpose or \
              the flow removed.",
        example: "[[exceptions]]\nflow = \"contact.email -> integration.shopify\"\nexpires = \"2025-01-31\"",
        fix: "Remove the flow, or renew the exception with a new date and reason.",
    },
    RuleDoc {
        code: RuleCode::UndisclosedSink,
        name: "undisclosed-sink",
        summary: "tagged data reaches a sink the privacy policy does not disclose",
        what: "Reports a flow into a sink whose policy entry has `disclosed = false`, whatever the \
               rules say.",
        why: "Sending personal data to a recipient the published policy does not name is drift \
              between the code and the policy.",
        example: "[sinks.\"ai.deepseek\"]\nkind = \"ai_provider\"   # disclosed defaults to false",
        fix: "Stop sending the data, or update the published policy and mark the sink \
              `disclosed = true`.",
    },
    RuleDoc {
        code: RuleCode::InvalidAttribute,
        name: "invalid-attribute",
        summary: "a privflow attribute the analysis cannot accept",
        what: "Reports an attribute that does not parse or names an id the policy does not know; \
               the build reports the same through the macros.",
        why: "A tag that does not resolve protects nothing.",
        example: "#[data(\"contact.emial\")] email: String",
        fix: "Correct the id (the message suggests the closest one) or declare it in privflow.toml.",
    },
];

impl RuleCode {
    pub fn doc(self) -> &'static RuleDoc {
        let index = RULES.iter().position(|doc| doc.code == self).unwrap_or(0);
        &RULES[index]
    }

    pub fn name(self) -> &'static str {
        self.doc().name
    }

    pub fn from_name(name: &str) -> Option<Self> {
        RULES
            .iter()
            .find(|doc| doc.name == name)
            .map(|doc| doc.code)
    }
}

impl RuleDoc {
    /// The text of `cargo privflow explain`.
    pub fn explain(&self) -> String {
        format!(
            "{name}: {summary}\n\n## What it does\n{what}\n\n## Why it matters\n{why}\n\n## Example\n{example}\n\n## How to fix it\n{fix}\n",
            name = self.name,
            summary = self.summary,
            what = self.what,
            why = self.why,
            example = self.example,
            fix = self.fix,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_documented() {
        let mut names: Vec<&str> = RULES.iter().map(|doc| doc.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), RULES.len(), "a rule name is used twice");
        for doc in RULES {
            assert!(
                doc.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{}",
                doc.name
            );
            assert_eq!(RuleCode::from_name(doc.name), Some(doc.code));
            assert_eq!(doc.code.name(), doc.name, "table order and codes disagree");
            assert!(!doc.what.is_empty() && !doc.why.is_empty() && !doc.fix.is_empty());
        }
        insta::assert_snapshot!(names.join("\n"));
    }
}
