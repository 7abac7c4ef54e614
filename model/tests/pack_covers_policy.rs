//! The built-in `axodesk` pack encodes the published privacy policy: these tests read
//! `model/packs/axodesk-privacy-policy.txt` (the policy text the pack was written from,
//! kept beside it) and check that every data item, purpose and recipient it names is in the pack, so that
//! the pack and the policy cannot drift apart unnoticed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;

use privflow_model::policy::{Decision, SinkDef, SinkKind};
use privflow_model::{Policy, id};

/// The policy text the pack encodes, kept in the repository beside the pack.
const VENDORED_POLICY: &str = "packs/axodesk-privacy-policy.txt";
/// The team's current copy, in `shared/` beside the repository when it is there.
const SHARED_POLICY: &str = "shared/axodesk-privacy-policy.txt";

fn pack() -> Policy {
    Policy::builtin()
        .unwrap_or_else(|errors| panic!("the built-in pack does not load:\n{errors:?}"))
}

fn policy_text() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(VENDORED_POLICY);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// When the published policy changes, the pack must be reviewed: a newer shared copy
/// that differs from the vendored one fails here until both are updated together.
#[test]
fn vendored_policy_is_the_current_one() {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let Some(shared) = manifest_dir
        .ancestors()
        .map(|dir| dir.join(SHARED_POLICY))
        .find(|path| path.is_file())
    else {
        eprintln!("note: no {SHARED_POLICY} beside the repository; compared nothing");
        return;
    };
    let shared = std::fs::read_to_string(&shared).unwrap_or_default();
    assert!(
        shared == policy_text(),
        "{SHARED_POLICY} differs from model/{VENDORED_POLICY}: review the pack against the new policy, then copy it"
    );
}

/// Section `number` of the policy, from its heading line ("3. Personal data we process")
/// up to the next section's.
fn section(text: &str, number: u32) -> String {
    let heading = |n: u32| format!("{n}. ");
    let mut lines = text
        .lines()
        .skip_while(|line| !line.starts_with(&heading(number)));
    let Some(title) = lines.next() else {
        panic!("the policy has no section {number}")
    };
    let body = lines.take_while(|line| !line.starts_with(&heading(number + 1)));
    std::iter::once(title)
        .chain(body)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The bullets ("  • Heading: text.") of a section, as (heading, text without the dot).
fn bullets(section: &str) -> Vec<(String, String)> {
    section
        .lines()
        .filter_map(|line| line.trim().strip_prefix("• "))
        .map(|bullet| {
            let (heading, text) = bullet
                .split_once(": ")
                .unwrap_or_else(|| panic!("bullet without `Heading: ` : {bullet:?}"));
            (heading.to_owned(), text.trim_end_matches('.').to_owned())
        })
        .collect()
}

/// "a, b, and c" → [a, b, c]. Items are separated by ", " only, so that "delivery and
/// read status" stays one item; the last loses its leading "and " or "or ".
fn split_list(list: &str) -> Vec<String> {
    list.trim_end_matches('.')
        .split(", ")
        .map(|item| {
            item.trim()
                .trim_start_matches("and ")
                .trim_start_matches("or ")
                .to_owned()
        })
        .filter(|item| !item.is_empty())
        .collect()
}

/// A §3 bullet's data items, and the services it names as examples ("such as Meta
/// channels, ..."), which are recipients, not data.
fn data_items(text: &str) -> (Vec<String>, Vec<String>) {
    let (list, examples) = match text.split_once(", such as ") {
        Some((list, examples)) => (list, split_list(examples)),
        None => (text, Vec::new()),
    };
    // "..., provider references used to give customer-facing teams relevant context":
    // the purpose of the whole list, not part of its last item.
    let list = list.split_once(" used to ").map_or(list, |(list, _)| list);
    let items = split_list(list)
        .into_iter()
        // "where Shopify or another commerce feature is enabled": a condition, not data.
        .filter(|item| !item.starts_with("where "))
        .collect();
    (items, examples)
}

fn has_term(terms: &[String], phrase: &str) -> bool {
    terms.iter().any(|term| term.eq_ignore_ascii_case(phrase))
}

fn sinks_named<'p>(policy: &'p Policy, name: &str) -> Vec<&'p SinkDef> {
    policy
        .sinks
        .values()
        .filter(|sink| has_term(&sink.policy_terms, name))
        .collect()
}

fn assert_no_problems(problems: &[String], what: &str) {
    assert!(problems.is_empty(), "{what}:\n  {}", problems.join("\n  "));
}

#[test]
fn every_data_item_of_section_3_is_exactly_one_category() {
    let policy = pack();
    let section_3 = section(&policy_text(), 3);
    let bullets = bullets(&section_3);
    assert!(
        bullets.len() >= 9,
        "expected §3's nine data bullets, found {}",
        bullets.len()
    );

    let mut problems = Vec::new();
    for (heading, text) in &bullets {
        let groups: Vec<&str> = policy
            .groups
            .values()
            .filter(|group| group.policy_heading.as_deref() == Some(heading.as_str()))
            .map(|group| group.id.as_str())
            .collect();
        if groups.is_empty() {
            problems.push(format!("no group has policy_heading = {heading:?}"));
            continue;
        }
        let categories: Vec<_> = policy
            .categories
            .values()
            .filter(|category| groups.contains(&id::group(&category.id)))
            .collect();
        for group in &groups {
            if !categories
                .iter()
                .any(|category| id::group(&category.id) == *group)
            {
                problems.push(format!("group `{group}` ({heading:?}) has no category"));
            }
        }

        let (items, examples) = data_items(text);
        for item in &items {
            let owners: Vec<&str> = categories
                .iter()
                .filter(|category| has_term(&category.policy_terms, item))
                .map(|category| category.id.as_str())
                .collect();
            if owners.len() != 1 {
                problems.push(format!(
                    "{heading:?} item {item:?} should be in the policy_terms of exactly one of the \
                     {groups:?} categories, found {owners:?}"
                ));
            }
        }
        for category in &categories {
            for term in &category.policy_terms {
                if !text.to_lowercase().contains(&term.to_lowercase()) {
                    problems.push(format!(
                        "`{}` term {term:?} is not in the {heading:?} bullet",
                        category.id
                    ));
                }
            }
        }
        for example in &examples {
            if sinks_named(&policy, example).is_empty() {
                problems.push(format!(
                    "{heading:?} names {example:?}, which no sink's policy_terms has"
                ));
            }
        }
    }
    assert_no_problems(&problems, "the pack does not encode §3's data lists");
}

#[test]
fn every_ai_provider_of_section_6_is_an_ai_sink() {
    let policy = pack();
    let section_6 = section(&policy_text(), 6);
    let marker = "supported providers may include ";
    let start = section_6
        .find(marker)
        .unwrap_or_else(|| panic!("§6 no longer says {marker:?}: update this test"))
        + marker.len();
    let sentence = &section_6[start..];
    let providers = split_list(&sentence[..sentence.find('.').unwrap_or(sentence.len())]);
    assert!(
        providers.len() >= 2,
        "could not read §6's providers from {sentence:?}"
    );

    let missing: Vec<String> = providers
        .iter()
        .filter(|provider| {
            !sinks_named(&policy, provider)
                .iter()
                .any(|sink| sink.kind == SinkKind::AiProvider)
        })
        .map(|provider| format!("{provider:?} has no ai_provider sink with that policy term"))
        .collect();
    assert_no_problems(&missing, "§6's AI providers are missing from the pack");
}

#[test]
fn every_recipient_of_section_7_is_a_sink() {
    let policy = pack();
    let bullets = bullets(&section(&policy_text(), 7));
    let expectations = [
        (
            "Vendors and subprocessors",
            [SinkKind::Subprocessor, SinkKind::Storage],
        ),
        (
            "Customer-directed third parties",
            [SinkKind::Channel, SinkKind::Integration],
        ),
    ];

    let mut problems = Vec::new();
    for (heading, kinds) in expectations {
        let (_, text) = bullets
            .iter()
            .find(|(found, _)| found == heading)
            .unwrap_or_else(|| panic!("§7 has no bullet {heading:?}: update this test"));
        // "to providers supporting a, b, ..." / "to channels ..., such as a, b, ..."
        let list = ["such as ", "supporting "]
            .iter()
            .find_map(|marker| text.split_once(marker).map(|(_, list)| list))
            .unwrap_or_else(|| panic!("cannot find the list of recipients in {text:?}"));
        for recipient in split_list(list) {
            // "AI-enabled features", "AI providers": the §6 providers stand for them.
            let ok = if recipient.starts_with("AI") {
                policy
                    .sinks
                    .values()
                    .any(|sink| sink.kind == SinkKind::AiProvider)
            } else {
                sinks_named(&policy, &recipient)
                    .iter()
                    .any(|sink| kinds.contains(&sink.kind))
            };
            if !ok {
                problems.push(format!("{heading:?} names {recipient:?}: no sink of kind {kinds:?} has it in policy_terms"));
            }
        }
    }
    assert_no_problems(&problems, "§7's recipients are missing from the pack");
}

#[test]
fn every_purpose_of_section_5_is_a_purpose() {
    let policy = pack();
    let text = policy_text();
    let section_5 = section(&text, 5);
    let section_6 = section(&text, 6).to_lowercase();
    // The table's rows, one per line, with their cells glued together.
    let rows: Vec<&str> = section_5
        .lines()
        .skip_while(|line| !line.starts_with("Purpose"))
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .collect();
    assert!(
        rows.len() >= 6,
        "expected §5's six purpose rows, found {rows:?}"
    );

    let top_level: Vec<_> = policy
        .purposes
        .values()
        .filter(|purpose| !purpose.id.contains('.'))
        .collect();
    let mut problems = Vec::new();
    for row in &rows {
        let owners: Vec<&str> = top_level
            .iter()
            .filter(|purpose| {
                purpose
                    .policy_terms
                    .iter()
                    .any(|term| row.to_lowercase().starts_with(&term.to_lowercase()))
            })
            .map(|purpose| purpose.id.as_str())
            .collect();
        if owners.len() != 1 {
            problems.push(format!("§5 row {row:?} should start with a term of exactly one top-level purpose, found {owners:?}"));
        }
    }
    for purpose in policy.purposes.values() {
        if purpose.policy_terms.is_empty() {
            problems.push(format!("purpose `{}` has no policy_terms", purpose.id));
        }
        for term in &purpose.policy_terms {
            let term = term.to_lowercase();
            if !section_5.to_lowercase().contains(&term) && !section_6.contains(&term) {
                problems.push(format!(
                    "purpose `{}` term {term:?} is in neither §5 nor §6",
                    purpose.id
                ));
            }
        }
    }
    for purpose in &top_level {
        let in_a_row = rows.iter().any(|row| {
            purpose
                .policy_terms
                .iter()
                .any(|term| row.to_lowercase().starts_with(&term.to_lowercase()))
        });
        if !in_a_row {
            problems.push(format!(
                "top-level purpose `{}` matches no §5 row",
                purpose.id
            ));
        }
    }
    let required = [
        "service",
        "security",
        "support",
        "customer_features",
        "customer_features.channels",
        "customer_features.workflows",
        "customer_features.campaigns",
        "customer_features.ai",
        "analytics",
        "legal",
    ];
    for id in required {
        if !policy.purposes.contains_key(id) {
            problems.push(format!("purpose `{id}` is missing"));
        }
    }
    assert_no_problems(&problems, "the pack's purposes do not match §5");
}

#[test]
fn every_kind_of_sensitive_data_of_section_11_is_a_sensitive_category() {
    let policy = pack();
    let section_11 = section(&policy_text(), 11);
    let children = "children's data";
    assert!(
        section_11.contains(children),
        "§11 no longer says {children:?}: update this test"
    );
    let (start, end) = ("Do not use AxoDesk for ", " unless");
    let list = section_11
        .split_once(start)
        .and_then(|(_, rest)| rest.split_once(end))
        .map(|(list, _)| list)
        .unwrap_or_else(|| panic!("§11 no longer says {start:?}...{end:?}: update this test"));
    let mut kinds = split_list(list);
    assert!(kinds.len() >= 6, "could not read §11's list from {list:?}");
    kinds.push(children.to_owned());

    let missing: Vec<String> = kinds
        .iter()
        .filter(|kind| {
            !policy.categories.values().any(|category| {
                id::group(&category.id) == "sensitive" && has_term(&category.policy_terms, kind)
            })
        })
        .map(|kind| format!("{kind:?} is in no sensitive.* category's policy_terms"))
        .collect();
    assert_no_problems(&missing, "§11's sensitive data is missing from the pack");
}

#[test]
fn every_definition_is_complete() {
    let policy = pack();
    let mut problems = Vec::new();
    for category in policy.categories.values() {
        let id = &category.id;
        if category.description.trim().is_empty() {
            problems.push(format!("category `{id}` has no description"));
        }
        if category.role.is_none() {
            problems.push(format!("category `{id}` has no role"));
        }
        if category.subjects.is_empty() {
            problems.push(format!("category `{id}` has no subjects"));
        }
        if category.fides.is_none() {
            problems.push(format!("category `{id}` has no fides key"));
        }
        if !policy.groups.contains_key(id::group(id)) {
            problems.push(format!("category `{id}` is in no declared group"));
        }
    }
    for purpose in policy.purposes.values() {
        if purpose.fides.is_none() {
            problems.push(format!("purpose `{}` has no fides key", purpose.id));
        }
    }
    for subject in policy.subjects.values() {
        if subject.fides.is_none() {
            problems.push(format!("subject `{}` has no fides key", subject.id));
        }
    }
    // The sinks of the pack itself: the sink catalog beside it adds undisclosed ones
    // (docs/sinks.md), which the policy does not name by design.
    for sink in policy
        .sinks
        .values()
        .filter(|sink| sink.origin.is_builtin_pack())
    {
        if !sink.disclosed {
            problems.push(format!(
                "sink `{}` is not disclosed, but the policy names every pack sink",
                sink.id
            ));
        }
        if sink.kind != SinkKind::Logs && !sink.macros.is_empty() {
            problems.push(format!(
                "sink `{}` has macros but is not a logs sink",
                sink.id
            ));
        }
    }
    let logs = policy.sinks.get("logs");
    for mac in ["tracing::info", "log::warn", "std::println", "std::dbg"] {
        if !logs.is_some_and(|sink| sink.macros.iter().any(|found| found == mac)) {
            problems.push(format!("the `logs` sink does not list `{mac}`"));
        }
    }
    let mut ids = Vec::new();
    for rule in &policy.rules {
        let name = rule.name();
        if !rule
            .source
            .as_deref()
            .is_some_and(|source| source.starts_with('§'))
        {
            problems.push(format!(
                "rule `{name}` does not cite a section (`source = \"§N\"`)"
            ));
        }
        if rule
            .reason
            .as_deref()
            .is_none_or(|reason| reason.trim().is_empty())
        {
            problems.push(format!("rule `{name}` has no reason"));
        }
        match &rule.id {
            Some(id) if id.starts_with("axodesk.") && !ids.contains(id) => ids.push(id.clone()),
            _ => problems.push(format!(
                "rule `{name}` needs a unique id starting with `axodesk.`"
            )),
        }
    }
    assert_no_problems(&problems, "the pack has incomplete definitions");
}

/// The flows the policy speaks about most plainly, decided as it says.
#[test]
fn key_flows_are_decided_as_the_policy_says() {
    let policy = pack();
    // (category, sink, purposes, allowed)
    let cases: &[(&str, &str, &[&str], bool)] = &[
        (
            "conversation.message",
            "ai.openai",
            &["customer_features.ai"],
            true,
        ),
        (
            "contact.name",
            "ai.anthropic",
            &["customer_features.ai"],
            true,
        ),
        ("conversation.message", "ai.openai", &["analytics"], false),
        ("conversation.message", "ai.openai", &[], false),
        (
            "integration.credential",
            "ai.openai",
            &["customer_features.ai"],
            false,
        ),
        (
            "account.session",
            "ai.mistral",
            &["customer_features.ai"],
            false,
        ),
        (
            "billing.invoice",
            "ai.gemini",
            &["customer_features.ai"],
            false,
        ),
        ("sensitive.health", "vendor.hosting", &[], false),
        (
            "sensitive.children",
            "ai.openai",
            &["customer_features.ai"],
            false,
        ),
        ("contact.email", "logs", &["security"], false),
        ("contact.phone", "logs", &[], false),
        ("contact.pseudonymous_id", "logs", &[], true),
        ("website.ip_address", "logs", &["security"], true),
        ("website.ip_address", "logs", &["analytics"], false),
        ("operations.diagnostics", "logs", &[], true),
        (
            "conversation.message",
            "vendor.analytics",
            &["analytics"],
            false,
        ),
        ("website.referrer", "vendor.analytics", &["analytics"], true),
        ("contact.email", "channel.email", &["service"], true),
        (
            "conversation.message",
            "channel.meta",
            &["customer_features.channels"],
            true,
        ),
        (
            "contact.email",
            "ads.meta",
            &["customer_features.campaigns"],
            true,
        ),
        (
            "contact.email",
            "ads.meta",
            &["customer_features.ai"],
            false,
        ),
        (
            "commerce.order",
            "integration.shopify",
            &["customer_features"],
            true,
        ),
        ("billing.invoice", "vendor.payments", &["legal"], true),
        ("billing.invoice", "channel.email", &["service"], true),
        ("account.email", "channel.email", &["security"], true),
        ("contact.note", "vendor.hosting", &[], true),
    ];
    let wrong: Vec<String> = cases
        .iter()
        .filter(|(category, sink, purposes, allowed)| {
            policy.decide(category, sink, purposes).is_allowed() != *allowed
        })
        .map(|(category, sink, purposes, allowed)| {
            let verdict = match policy.decide(category, sink, purposes) {
                Decision::Allowed(rule) => format!("allowed by {}", rule.name()),
                Decision::Denied(rule) => format!("denied by {}", rule.name()),
                Decision::NotAllowed => "not allowed".to_owned(),
            };
            let expected = if *allowed { "allowed" } else { "refused" };
            format!("{category} -> {sink} under {purposes:?}: expected {expected}, got {verdict}")
        })
        .collect();
    assert_no_problems(&wrong, "the pack decides these flows against the policy");
}
