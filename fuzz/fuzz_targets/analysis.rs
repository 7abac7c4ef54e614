//! The whole analysis on arbitrary Rust source as a crate root: index, flow analysis,
//! verdicts, the JSON output, and the report (data, Markdown and HTML with links to the
//! code), with the built-in policy.
#![no_main]

use std::sync::LazyLock;

use cargo_privflow::report::links::SourceLinks;
use cargo_privflow::report::{Report, html, markdown};
use libfuzzer_sys::fuzz_target;
use privflow_model::Policy;
use privflow_model::policy::Date;

static POLICY: LazyLock<Option<Policy>> = LazyLock::new(|| Policy::builtin().ok());

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(policy) = POLICY.as_ref() else {
        return;
    };
    let Some(checked) = cargo_privflow::pipeline::check_text(text, policy) else {
        return;
    };
    let _ = cargo_privflow::render::json::render(&checked.output);
    let report = Report::build(&checked.index, policy, &checked.output, Date::today());
    let links = SourceLinks::new(
        "https://code.example/{rev}/{path}#L{line}",
        Some("0123abcd".to_owned()),
        Some("services/fuzz/".to_owned()),
    )
    .unwrap_or_else(|_| SourceLinks::none());
    let _ = markdown::render(&report, &links);
    let _ = html::render(&report, &links);
});
