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
            super::print_diagnostic(&errors);
            return ExitCode::Error;
        }
    };
    match listing(&policy, &args.topic) {
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
