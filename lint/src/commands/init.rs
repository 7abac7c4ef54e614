//! `cargo privflow init`: a commented starter privflow.toml that loads as it is.

use privflow_model::policy::Date;

use crate::ExitCode;
use crate::cli::InitArgs;

/// The starter policy. `{EXPIRES}` becomes a date a year from today, so the example
/// exception is live, not already expired.
const STARTER: &str = r#"# privflow policy — read by `cargo privflow check` and by the privflow macros at build time.
# Reference: docs/policy.md. Every key is optional.

# Start from the built-in AxoDesk pack (categories, purposes, sinks and rules derived from
# the published privacy policy). `cargo privflow explain pack` prints it.
# Use "none" to start from an empty policy.
extends = "axodesk"

# Extra categories, next to the pack's (`cargo privflow explain categories`).
[categories."contact.loyalty_tier"]
description = "Loyalty tier synced from the commerce backend"
role = "processor"
subjects = ["end_customer"]

# Sinks: your own wrappers around a provider count as reaching it, without an attribute.
# Paths start with the crate name as `use` writes it (underscores), never `crate::`.
# For a pack sink, `functions` and `macros` are added to the pack's.
[sinks."ai.openai"]
functions = ["my_crate::llm::complete"]

# Tag types you cannot annotate (third-party or generated code), field by field.
[types."my_crate::models::WebhookPayload".fields]
from = "contact.phone"
text = "conversation.message"

# Rules: a flow of category C into sink S is allowed when an `allow` rule matches and no
# `deny` rule does. `*` alone matches everything; `contact.*` matches every contact category.
# `purposes` limits a rule to code running under those purposes (and their sub-purposes).
[[rules]]
allow = ["contact.loyalty_tier"]
to = ["logs"]
purposes = ["support"]
reason = "Support request logs may show the loyalty tier (not contact details)"

# Accepted exceptions: a flow the rules forbid, accepted in some files until a date.
# An expired exception turns back into a violation (`exception-expired`).
[[exceptions]]
flow = "contact.email -> vendor.monitoring"
path = "crates/alerts/src/**"
reason = "Incident alerts name the affected contact until alert routing uses pseudonyms"
expires = "{EXPIRES}"
"#;

/// The starter text with its exception expiring a year after `today`.
pub fn starter(today: Date) -> String {
    STARTER.replace("{EXPIRES}", &today.a_year_later().to_string())
}

pub fn run(args: &InitArgs) -> ExitCode {
    if args.output.exists() && !args.force {
        eprintln!(
            "error: {} already exists\n  help: pass --force to overwrite it",
            args.output.display()
        );
        return ExitCode::Error;
    }
    match std::fs::write(&args.output, starter(Date::today())) {
        Ok(()) => {
            eprintln!("wrote {}", args.output.display());
            ExitCode::Clean
        }
        Err(error) => {
            eprintln!("error: cannot write {}: {error}", args.output.display());
            ExitCode::Error
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use privflow_model::Policy;

    #[test]
    fn the_starter_loads_and_shows_each_kind_of_entry() {
        let today = Date::parse("2026-11-29").unwrap_or_else(|| unreachable!());
        let text = starter(today);
        let policy = Policy::from_toml("privflow.toml", &text).unwrap_or_else(|errors| {
            unreachable!("the starter must load:\n{}", errors.one_line_each())
        });
        assert_eq!(policy.extends.as_deref(), Some("axodesk"));
        assert!(policy.categories.contains_key("contact.loyalty_tier"));
        assert!(
            policy.sinks["ai.openai"]
                .functions
                .contains(&"my_crate::llm::complete".to_owned())
        );
        assert!(
            policy
                .types
                .contains_key("my_crate::models::WebhookPayload")
        );
        assert!(
            policy
                .decide(
                    "contact.loyalty_tier",
                    "channel.email",
                    &["customer_features.campaigns"]
                )
                .is_allowed()
        );
        assert_eq!(policy.exceptions.len(), 1);
        assert_eq!(policy.exceptions[0].expires.to_string(), "2027-11-29");
        assert!(
            policy.exceptions[0].expires > today,
            "the example exception must not start expired"
        );
    }
}
