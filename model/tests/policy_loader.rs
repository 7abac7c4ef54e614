//! The policy loader: merge and override over a base, glob semantics through
//! `Policy::decide`, and every kind of error with its line, column and rendering.

use privflow_model::policy::{Decision, Effect, SinkKind};
use privflow_model::{Policy, PolicyErrors};

fn load(text: &str) -> Policy {
    match Policy::from_toml("privflow.toml", text) {
        Ok(policy) => policy,
        Err(errors) => unreachable!("expected a valid policy, got:\n{}", errors.one_line_each()),
    }
}

fn errors(text: &str) -> PolicyErrors {
    match Policy::from_toml("privflow.toml", text) {
        Ok(_) => unreachable!("expected errors for:\n{text}"),
        Err(errors) => errors,
    }
}

/// Renders like the CLI does, without colours, for snapshots.
fn render(errors: &PolicyErrors) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100);
    let mut out = String::new();
    for error in &errors.errors {
        let _ = handler.render_report(&mut out, error);
        out.push('\n');
    }
    out
}

const SMALL_BASE: &str = r#"
extends = "none"

[subjects.end_customer]
description = "people in a workspace"

[categories."contact.email"]
description = "email"
subjects = ["end_customer"]

[categories."contact.phone"]
description = "phone"

[categories."sensitive.health"]
description = "health"

[purposes.support]
description = "support"

[purposes.customer_features]
description = "features"

[purposes."customer_features.ai"]
description = "AI features"

[sinks."ai.openai"]
vendor = "OpenAI"
kind = "ai_provider"
functions = ["app::llm::complete"]

[sinks.logs]
kind = "logs"
macros = ["tracing::info"]

[[rules]]
id = "ai"
allow = ["contact.*"]
to = ["ai.*"]
purposes = ["customer_features"]

[[rules]]
deny = ["sensitive.*"]
to = ["*"]
"#;

#[test]
fn extends_none_starts_empty() {
    let policy = load(SMALL_BASE);
    assert_eq!(policy.extends, None);
    assert_eq!(policy.categories.len(), 3);
    assert_eq!(policy.sinks["ai.openai"].kind, SinkKind::AiProvider);
    assert!(
        !policy.sinks["ai.openai"].disclosed,
        "new sinks default to undisclosed"
    );
    assert_eq!(policy.rules.len(), 2);
    assert_eq!(policy.rules[1].effect, Effect::Deny);
}

#[test]
fn rules_decide_with_globs_and_nested_purposes() {
    let policy = load(SMALL_BASE);
    assert!(
        policy
            .decide("contact.email", "ai.openai", &["customer_features.ai"])
            .is_allowed()
    );
    assert_eq!(
        policy.decide("contact.email", "ai.openai", &["support"]),
        Decision::NotAllowed
    );
    assert_eq!(
        policy.decide("contact.email", "ai.openai", &[]),
        Decision::NotAllowed
    );
    assert_eq!(
        policy.decide("contact.email", "logs", &["customer_features"]),
        Decision::NotAllowed
    );
    assert!(matches!(
        policy.decide("sensitive.health", "ai.openai", &["customer_features"]),
        Decision::Denied(rule) if rule.effect == Effect::Deny
    ));
    assert!(policy.ever_allowed("contact.phone", "ai.openai"));
    assert!(!policy.ever_allowed("contact.phone", "logs"));
    assert!(!policy.ever_allowed("sensitive.health", "ai.openai"));
}

#[test]
fn sink_functions_and_macros_are_looked_up() {
    let policy = load(SMALL_BASE);
    assert_eq!(
        policy
            .sink_for_function("app::llm::complete")
            .map(|s| s.id.as_str()),
        Some("ai.openai")
    );
    assert_eq!(
        policy
            .sink_for_macro("tracing::info")
            .map(|s| s.id.as_str()),
        Some("logs")
    );
    assert!(policy.sink_for_function("app::llm::other").is_none());
}

#[test]
fn user_file_merges_over_the_builtin_pack() {
    let pack = Policy::builtin().unwrap_or_else(|e| unreachable!("{}", e.one_line_each()));
    let merged = load(
        r#"
[categories."contact.loyalty_tier"]
description = "Loyalty tier synced from the commerce backend"
subjects = ["end_customer"]

[sinks."ai.openai"]
region = "EU"
functions = ["my_crate::llm::complete"]

[sinks."ai.local"]
kind = "ai_provider"
vendor = "In-house"

[[rules]]
allow = ["contact.loyalty_tier"]
to = ["ai.local"]
"#,
    );
    assert_eq!(merged.extends.as_deref(), Some("axodesk"));
    assert_eq!(merged.categories.len(), pack.categories.len() + 1);
    let openai = &merged.sinks["ai.openai"];
    assert_eq!(
        openai.region.as_deref(),
        Some("EU"),
        "a given scalar overrides"
    );
    assert_eq!(
        openai.vendor, pack.sinks["ai.openai"].vendor,
        "an absent key keeps the pack's value"
    );
    assert!(
        openai
            .functions
            .contains(&"my_crate::llm::complete".to_owned()),
        "functions are appended"
    );
    assert!(openai.disclosed, "the pack's disclosure stays");
    assert!(!merged.sinks["ai.local"].disclosed);
    assert_eq!(merged.rules.len(), pack.rules.len() + 1);
    assert!(
        merged
            .decide("contact.loyalty_tier", "ai.local", &[])
            .is_allowed()
    );
}

#[test]
fn a_rule_with_a_pack_rule_id_replaces_it() {
    let pack = Policy::builtin().unwrap_or_else(|e| unreachable!("{}", e.one_line_each()));
    let Some(rule) = pack.rules.iter().find(|rule| rule.id.is_some()) else {
        unreachable!("the pack's rules have ids");
    };
    let id = rule.id.clone().unwrap_or_default();
    let merged = load(&format!(
        "[[rules]]\nid = \"{id}\"\nallow = [\"contact.email\"]\nto = [\"logs\"]\n"
    ));
    assert_eq!(merged.rules.len(), pack.rules.len());
    let replaced = merged
        .rules
        .iter()
        .find(|rule| rule.id.as_deref() == Some(id.as_str()));
    assert_eq!(replaced.map(|rule| rule.effect), Some(Effect::Allow));
    assert_eq!(
        replaced.map(|rule| rule.origin.file.to_string()).as_deref(),
        Some("privflow.toml")
    );
}

#[test]
fn exceptions_match_flow_and_path() {
    let policy = load(&format!(
        "{SMALL_BASE}\n[[exceptions]]\nflow = \"contact.* -> ai.openai\"\npath = \"crates/sync/src/**\"\nreason = \"DPA\"\nexpires = \"2027-06-30\"\n"
    ));
    assert!(
        policy
            .exception_for("contact.email", "ai.openai", "crates/sync/src/lib.rs")
            .is_some()
    );
    assert!(
        policy
            .exception_for("contact.email", "ai.openai", "crates/app/src/lib.rs")
            .is_none()
    );
    assert!(
        policy
            .exception_for("contact.email", "logs", "crates/sync/src/lib.rs")
            .is_none()
    );
    assert_eq!(policy.exceptions[0].expires.to_string(), "2027-06-30");
}

/// One file with one problem of each kind: every one is reported, in file order,
/// each at its own line and column.
const BROKEN: &str = r#"extends = "axodesk"
sinkz = 1

[categories."contact.loyalty"]
descripton = "typo in a key"
role = "owner"
subjects = ["end_custmer"]

[categories."Bad Id"]
description = "not an id"

[sinks."ai.local"]
vendor = "In-house"

[sinks."ai.openai"]
disclosed = "yes"
functions = ["crate::llm::complete"]

[types."my_crate::Payload".fields]
from = "contact.phon"

[[rules]]
allow = ["contact.emial"]
to = ["ai.opnai"]
purposes = ["customer_features.a"]

[[rules]]
allow = ["nothing.*"]
deny = ["contact.*"]
to = ["*"]

[[rules]]
allow = ["contact*"]

[[exceptions]]
flow = "contact.email to integration.shopify"
reason = "no arrow"
expires = "2027-06-30"

[[exceptions]]
flow = "contact.email -> integration.shopify"
expires = "2027-02-30"
"#;

#[test]
fn every_problem_is_reported_with_its_line_and_column() {
    let errors = errors(BROKEN);
    let found: Vec<(u32, u32, &str)> = errors
        .errors
        .iter()
        .map(|error| (error.line, error.column, error.message.as_str()))
        .collect();
    let expected: &[(u32, u32, &str)] = &[
        (2, 1, "unknown top-level key `sinkz`"),
        (5, 1, "unknown category key `descripton`"),
        (6, 9, "`owner` is not a valid `role`"),
        (7, 14, "unknown subject `end_custmer`"),
        (9, 14, "`Bad Id` is not a valid id"),
        (12, 9, "new sink `ai.local` has no `kind`"),
        (16, 14, "expected true or false, found string"),
        (17, 15, "`crate::llm::complete` is not a path"),
        (20, 9, "unknown category `contact.phon`"),
        (23, 11, "`contact.emial` matches no category"),
        (24, 8, "`ai.opnai` matches no sink"),
        (25, 14, "`customer_features.a` matches no purpose"),
        (29, 8, "a rule has either `allow` or `deny`, not both"),
        (32, 1, "a rule needs `to = [...]`"),
        (33, 11, "malformed pattern `contact*`"),
        (36, 9, "malformed flow"),
        (40, 1, "missing key `reason`"),
        (42, 12, "`2027-02-30` is not a date"),
    ];
    assert_eq!(
        found.len(),
        expected.len(),
        "one error per problem, no cascades:\n{found:#?}"
    );
    let ok = expected.iter().all(|(line, column, text)| {
        found
            .iter()
            .any(|(l, c, message)| l == line && c == column && message.starts_with(text))
    });
    assert!(
        ok,
        "expected (line, column, message) not all found in:\n{found:#?}"
    );
    insta::assert_snapshot!("broken_policy", render(&errors));
}

#[test]
fn invalid_toml_is_one_error_at_its_position() {
    let errors = errors("[sinks.\"ai.openai\"\nkind = \"ai_provider\"\n");
    assert_eq!(errors.errors.len(), 1);
    let error = &errors.errors[0];
    assert_eq!((error.line, error.column), (1, 19));
    assert!(
        error.message.starts_with("invalid TOML"),
        "{}",
        error.message
    );
    insta::assert_snapshot!("invalid_toml", render(&errors));
}

#[test]
fn unknown_pack_is_an_error_with_help() {
    let errors = errors("extends = \"acme\"\n");
    assert_eq!(errors.errors[0].message, "unknown pack `acme`");
    assert_eq!(
        (errors.errors[0].line, errors.errors[0].column),
        (1, 12),
        "inside the quotes"
    );
    assert!(
        errors.errors[0]
            .help
            .as_deref()
            .is_some_and(|help| help.contains("axodesk"))
    );
}

#[test]
fn one_line_form_names_file_line_and_column() {
    let errors = errors("extends = \"none\"\n[sinks.x]\nkind = \"ai\"\n");
    assert_eq!(
        errors.one_line_each(),
        "privflow.toml:3:9: `ai` is not a valid `kind` (help: use one of: ai_provider, channel, integration, subprocessor, logs, storage)"
    );
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    let errors = Policy::load(std::path::Path::new("/nonexistent/privflow.toml"))
        .err()
        .unwrap_or_else(|| unreachable!("a missing file must not load"));
    assert!(
        errors.errors[0]
            .message
            .starts_with("cannot read the policy file")
    );
}

#[test]
fn a_rule_id_names_one_rule_per_file() {
    let errors = errors(&format!(
        "{SMALL_BASE}\n[[rules]]\nid = \"ai\"\ndeny = [\"contact.*\"]\nto = [\"logs\"]\n"
    ));
    assert_eq!(errors.errors.len(), 1);
    assert_eq!(errors.errors[0].message, "duplicate rule id `ai`");
}

/// The sink catalog's hosts: a URL names its host right after `://` (or at the start),
/// subdomains included, and nothing else in the text counts.
#[test]
fn urls_name_their_host() {
    let policy = Policy::builtin().unwrap_or_else(|errors| unreachable!("{errors:?}"));
    let sink = |text: &str| policy.sink_for_url(text);
    assert_eq!(
        sink("https://api.openai.com/v1/chat/completions"),
        Some("ai.openai")
    );
    assert_eq!(sink("api.openai.com/v1"), Some("ai.openai"));
    assert_eq!(sink("https://api.openai.com:443/v1"), Some("ai.openai"));
    assert_eq!(
        sink("https://generativelanguage.googleapis.com/v1beta/models/{}:countTokens"),
        Some("ai.gemini")
    );
    assert_eq!(
        sink("https://us.i.posthog.com/capture/"),
        Some("vendor.analytics")
    );
    assert_eq!(sink("https://notposthog.com/capture/"), None);
    assert_eq!(sink("https://api.openai.com.example.net/"), None);
    assert_eq!(sink("see https://example.com/?next=api.openai.com"), None);
    assert_eq!(sink("Summarize this ticket"), None);
}

/// A `privflow.toml` adds hosts and replaces the catalog's (by host).
#[test]
fn a_policy_adds_and_replaces_hosts() {
    let text = "extends = \"axodesk\"\n\n[[hosts]]\nhost = \"llm.internal.example\"\nsink = \"ai.openai\"\n\n[[hosts]]\nhost = \"api.openai.com\"\nsink = \"ai.mistral\"\n";
    let policy = Policy::from_toml("privflow.toml", text)
        .unwrap_or_else(|errors| unreachable!("{errors:?}"));
    assert_eq!(
        policy.sink_for_url("http://llm.internal.example/v1"),
        Some("ai.openai")
    );
    assert_eq!(
        policy.sink_for_url("https://api.openai.com/v1"),
        Some("ai.mistral")
    );
}
