//! The policy loader on arbitrary text: loading either succeeds or gives errors with a
//! place inside the text, and every error renders as the command line renders it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use privflow_model::Policy;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(errors) = Policy::from_toml("fuzz.toml", text) {
        let handler = miette::GraphicalReportHandler::new();
        for error in &errors.errors {
            let mut out = String::new();
            let _ = handler.render_report(&mut out, error);
            let _ = error.one_line();
        }
    }
});
