//! Lowering arbitrary Rust source into privflow's item tree, with the built-in policy,
//! on the large stack the command line uses.
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
    let _ = cargo_privflow::stack::with_large_stack(|| {
        let Ok(ast) = syn::parse_file(text) else {
            return;
        };
        let context = cargo_privflow::load::FileContext {
            relative: "src/lib.rs",
            crate_name: "fuzz",
            module_path: &[],
        };
        let _ = cargo_privflow::index::lower_one(&ast, &context, policy);
    });
});
