//! The attribute grammar on arbitrary tokens: each of the five privflow attributes
//! parses or reports errors, and what parses is validated against the built-in policy.
#![no_main]

use std::str::FromStr;
use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use privflow_model::Policy;
use privflow_model::attr::{self, validate};

static POLICY: LazyLock<Option<Policy>> = LazyLock::new(|| Policy::builtin().ok());

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(tokens) = proc_macro2::TokenStream::from_str(text) else {
        return;
    };
    let Some(policy) = POLICY.as_ref() else {
        return;
    };
    if let Ok(args) = attr::parse_data(tokens.clone()) {
        let _ = validate::data(&args, policy);
    }
    if let Ok(args) = attr::parse_sink(tokens.clone()) {
        let _ = validate::sink(&args, policy);
    }
    if let Ok(args) = attr::parse_purpose(tokens.clone()) {
        let _ = validate::purpose(&args, policy);
    }
    if let Ok(args) = attr::parse_declassify(tokens.clone()) {
        let _ = validate::declassify(&args, policy);
    }
    if let Ok(args) = attr::parse_allow(tokens) {
        let _ = validate::allow(&args, policy);
    }
});
