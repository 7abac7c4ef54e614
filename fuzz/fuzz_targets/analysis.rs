//! The whole analysis on arbitrary Rust source as a crate root: index, flow analysis,
//! verdicts and the JSON output, with the built-in policy.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use privflow_model::Policy;

static POLICY: LazyLock<Option<Policy>> = LazyLock::new(|| Policy::builtin().ok());

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Some(policy) = POLICY.as_ref() else {
        return;
    };
    if let Some(output) = cargo_privflow::pipeline::check_text(text, policy) {
        let _ = cargo_privflow::render::json::render(&output);
    }
});
