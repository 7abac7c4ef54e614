//! `cargo privflow explain`: a rule code's documentation, or what the policy knows.

use std::fmt::Write as _;

use privflow_model::Policy;
use privflow_model::policy::AXODESK_PACK_TOML;

use crate::ExitCode;
use crate::cli::ExplainArgs;
use crate::rules::{RULES, RuleCode};

pub fn run(args: &ExplainArgs) -> ExitCode {
    if let Some(code) = RuleCode::from_name(&args.topic) {
        print!("{}", code.doc().explain());
        return ExitCode::Clean;
    }
    if args.topic == "pack" {
        print!("{AXODESK_PACK_TOML}");
        return ExitCode::Clean;
    }
    let loaded = super::policy_in_force(
        args.policy.as_deref(),
        &std::env::current_dir().unwrap_or_default(),
    );
    let policy = match loaded {
        Ok(policy) => policy,
        Err(errors) => {
            super::print_policy_errors(&errors);
            return ExitCode::Error;
        }
    };
    let mut listed = listing(&policy, &args.topic);
    if args.topic == "sinks"
        && let Some(text) = &mut listed
    {
        text.push_str(&catalog_listing(&policy));
    }
    match listed {
        Some(text) => {
            print!("{text}");
            ExitCode::Clean
        }
        None => {
            let rules: Vec<&str> = RULES.iter().map(|doc| doc.name).collect();
            eprintln!(
                "error: nothing is called `{}`\n  help: explain a rule ({}) or one of: categories, purposes, sinks, pack",
                args.topic,
                rules.join(", ")
            );
            ExitCode::Error
        }
    }
}

/// The sink catalog against the workspace of the current directory: which entries are
/// in force and why, then the known hosts.
fn catalog_listing(policy: &Policy) -> String {
    let selection = crate::load::Selection {
        manifest_path: None,
        packages: Vec::new(),
        workspace: true,
    };
    let found = crate::load::targets(&selection).ok();
    let resolved = found
        .as_ref()
        .and_then(|(root, _)| crate::load::resolved_versions(root));
    let crates = found.map(|(_, crates)| crates);
    let mut out = String::from("\nsink catalog (docs/sinks.md)");
    out.push_str(match crates {
        Some(_) => ", for the workspace here:\n",
        None => ": not in a cargo workspace, so no entry is in force\n",
    });
    let crates = crates.unwrap_or_default();
    let active = crate::index::catalog::active(&policy.catalog, &crates, resolved.as_deref());
    for entry in &policy.catalog {
        let sink = if entry.sink == privflow_model::policy::HOST_SINK {
            "the sink of the request's host"
        } else {
            entry.sink.as_str()
        };
        let calls: Vec<&str> = entry
            .methods
            .iter()
            .chain(&entry.functions)
            .chain(&entry.macros)
            .map(String::as_str)
            .collect();
        let head = format!(
            "{} `{}` -> {sink}: {}",
            entry.krate,
            entry.versions,
            calls.join(", ")
        );
        match active
            .iter()
            .find(|known| known.krate == entry.krate && known.sink == entry.sink)
        {
            // Whether the workspace installs it is known once its code is read.
            Some(known) if !entry.installed_by.is_empty() => {
                let _ = writeln!(
                    out,
                    "  if installed {head} ({}; applies where the workspace calls {})",
                    known.because,
                    entry.installed_by.join(" or ")
                );
            }
            Some(known) => {
                let _ = writeln!(out, "  active    {head} ({})", known.because);
            }
            None => {
                let why = crate::index::catalog::why_inactive(entry, &crates, resolved.as_deref());
                let _ = writeln!(out, "  inactive  {head} ({why})");
            }
        }
    }
    out.push_str("\nhosts (a request to one goes to its sink):\n");
    for host in &policy.hosts {
        let _ = writeln!(out, "  {:40} {}", host.host, host.sink);
    }
    out
}

fn listing(policy: &Policy, topic: &str) -> Option<String> {
    let mut out = String::new();
    match topic {
        "categories" => {
            for category in policy.categories.values() {
                let _ = writeln!(out, "{:32} {}", category.id, category.description);
            }
        }
        "purposes" => {
            for purpose in policy.purposes.values() {
                let _ = writeln!(out, "{:32} {}", purpose.id, purpose.description);
            }
        }
        "sinks" => {
            for sink in policy.sinks.values() {
                let vendor = sink.vendor.as_deref().unwrap_or("-");
                let _ = writeln!(
                    out,
                    "{:24} {:14} {:20} {}",
                    sink.id,
                    sink.kind.as_str(),
                    vendor,
                    sink.description
                );
            }
        }
        _ => return None,
    }
    Some(out)
}
