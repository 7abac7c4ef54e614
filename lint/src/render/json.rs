//! `--format json`: SPEC §3's document, one per run, on stdout.

use super::CheckOutput;

pub fn render(output: &CheckOutput) -> String {
    match serde_json::to_string_pretty(output) {
        Ok(mut text) => {
            text.push('\n');
            text
        }
        Err(error) => format!("{{\"schema\": \"privflow.check/1\", \"error\": \"{error}\"}}\n"),
    }
}
