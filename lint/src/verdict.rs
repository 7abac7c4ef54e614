//! Stage 4, verdicts: each flow judged against the policy — `#[privflow::allow]`, allow
//! and deny rules with purposes, a field's own purposes, exceptions and their expiry,
//! and whether the sink is disclosed at all.

use privflow_model::Policy;
use privflow_model::policy::{Date, Decision};

use crate::flow::FlowFact;
use crate::index::Index;
use crate::rules::RuleCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Allowed,
    Violation,
    Excepted,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Violation => "violation",
            Verdict::Excepted => "excepted",
        }
    }
}

/// A flow with its verdict, ready for any renderer.
#[derive(Debug, Clone)]
pub struct Finding {
    pub flow: FlowFact,
    pub verdict: Verdict,
    /// A rule code for violations; what allowed or excepted it otherwise.
    pub rule: String,
    pub message: String,
}

impl Finding {
    pub fn is_violation(&self) -> bool {
        self.verdict == Verdict::Violation
    }
}

pub fn judge(index: &Index, policy: &Policy, flows: Vec<FlowFact>, today: Date) -> Vec<Finding> {
    flows
        .into_iter()
        .map(|flow| {
            let file = index.files[flow.site.file].relative.clone();
            judge_one(policy, flow, &file, today)
        })
        .collect()
}

fn violation(flow: FlowFact, code: RuleCode, message: String) -> Finding {
    Finding {
        flow,
        verdict: Verdict::Violation,
        rule: code.name().to_owned(),
        message,
    }
}

fn judge_one(policy: &Policy, flow: FlowFact, file: &str, today: Date) -> Finding {
    let (category, sink) = (flow.category.clone(), flow.sink.clone());
    if let Some(allow) = flow
        .allows
        .iter()
        .find(|allow| allow.flow.matches(&category, &sink))
    {
        let message = format!(
            "{category} reaches {sink}, accepted in code: {}",
            allow.reason
        );
        return Finding {
            flow,
            verdict: Verdict::Allowed,
            rule: "privflow::allow".into(),
            message,
        };
    }
    if policy
        .sinks
        .get(&*sink)
        .is_some_and(|definition| !definition.disclosed)
    {
        let message = format!(
            "{category} reaches {sink}, which the published privacy policy does not disclose"
        );
        return violation(flow, RuleCode::UndisclosedSink, message);
    }
    let purposes: Vec<&str> = flow.purposes.iter().map(String::as_str).collect();
    let decision = policy.decide(&category, &sink, &purposes);
    if let Decision::Allowed(rule) = decision {
        if let Some(field_purposes) = &flow.field_purposes {
            let declared = field_purposes.iter().any(|declared| {
                purposes
                    .iter()
                    .any(|purpose| privflow_model::id::is_within(purpose, declared))
            });
            if !declared {
                let message = format!(
                    "{category} is tagged for {}, but reaches {sink} under {}",
                    field_purposes.join(", "),
                    if purposes.is_empty() {
                        "no purpose".to_owned()
                    } else {
                        purposes.join(", ")
                    }
                );
                return violation(flow, RuleCode::PurposeMismatch, message);
            }
        }
        let message = format!("{category} reaches {sink}, allowed by {}", rule.name());
        return Finding {
            flow,
            verdict: Verdict::Allowed,
            rule: rule.name(),
            message,
        };
    }
    if let Some(exception) = policy.exception_for(&category, &sink, file) {
        if exception.expires < today {
            let message = format!(
                "{category} reaches {sink} under an exception that expired on {}",
                exception.expires
            );
            return violation(flow, RuleCode::ExceptionExpired, message);
        }
        let message = format!(
            "{category} reaches {sink}, excepted until {}: {}",
            exception.expires, exception.reason
        );
        return Finding {
            flow,
            verdict: Verdict::Excepted,
            rule: "exception".into(),
            message,
        };
    }
    match decision {
        Decision::Denied(rule) => {
            let message = format!(
                "{category} reaches {sink}, which rule {} denies",
                rule.name()
            );
            violation(flow, RuleCode::FlowDenied, message)
        }
        _ => {
            let message = format!("{category} reaches {sink}, which the policy does not allow");
            violation(flow, RuleCode::FlowNotAllowed, message)
        }
    }
}
