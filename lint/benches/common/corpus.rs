//! The generated workspace the corpus and incremental benchmarks run on: crates of
//! modules, each with a tagged type, helpers that pass it around, sinks, closures and a
//! trait.

use std::fmt::Write as _;
use std::path::Path;

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    if let Err(error) = std::fs::write(path, text) {
        eprintln!("cannot write {}: {error}", path.display());
        std::process::exit(2);
    }
}

/// One module: a tagged type, helpers that pass it around, sinks, closures, a trait.
pub fn module(crate_index: usize, module_index: usize, functions: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "use crate::sinks::*;\n");
    let _ = writeln!(
        out,
        "#[derive(Clone, Debug, privflow::Classified)]\npub struct Record{module_index} {{\n    pub id: u64,\n    #[data(\"contact.email\")]\n    pub email: String,\n    #[data(\"contact.name\")]\n    pub name: String,\n    #[data(\"conversation.message\")]\n    pub body: String,\n}}\n"
    );
    let _ = writeln!(
        out,
        "pub trait Handler{module_index} {{ fn handle(&self, text: &str) -> String; }}\npub struct Upper{module_index};\nimpl Handler{module_index} for Upper{module_index} {{ fn handle(&self, text: &str) -> String {{ text.to_uppercase() }} }}\n"
    );
    for function in 0..functions {
        let next = (function + 1) % functions;
        let _ = writeln!(
            out,
            "pub fn step_{function}(r: &Record{module_index}, n: u64) -> String {{
    let mut parts: Vec<String> = Vec::new();
    if n % 3 == 0 {{ parts.push(r.name.clone()); }} else {{ parts.push(r.id.to_string()); }}
    let joined = parts.iter().map(|p| p.trim().to_owned()).collect::<Vec<_>>().join(\",\");
    let handler = Upper{module_index};
    let shouted = handler.handle(&joined);
    if n > 1000 {{ return step_{next}(r, n / 2); }}
    match n % 4 {{
        0 => log_line(&format!(\"{{}} {{}}\", shouted, r.id)),
        1 => ai_complete(&r.body),
        2 => println!(\"{{}}\", r.email),
        _ => {{}}
    }}
    format!(\"{{shouted}}-{crate_index}\")
}}\n"
        );
    }
    out
}

pub fn generate(root: &Path, crates: usize, modules: usize, functions: usize) -> usize {
    let _ = std::fs::remove_dir_all(root);
    let members: Vec<String> = (0..crates)
        .map(|index| format!("\"crates/c{index}\""))
        .collect();
    write(
        &root.join("Cargo.toml"),
        &format!(
            "[workspace]\nmembers = [{}]\nresolver = \"3\"\n",
            members.join(", ")
        ),
    );
    let mut lines = 0;
    for crate_index in 0..crates {
        let dir = root.join(format!("crates/c{crate_index}"));
        write(
            &dir.join("Cargo.toml"),
            &format!(
                "[package]\nname = \"c{crate_index}\"\nversion = \"0.0.0\"\nedition = \"2024\"\n"
            ),
        );
        let mut lib = String::from(
            "pub mod sinks {\n    #[privflow::sink(\"logs\")]\n    pub fn log_line(line: &str) {}\n    #[privflow::sink(\"ai.openai\")]\n    pub fn ai_complete(prompt: &str) {}\n}\n",
        );
        for module_index in 0..modules {
            let _ = writeln!(lib, "pub mod m{module_index};");
            let text = module(crate_index, module_index, functions);
            lines += text.lines().count();
            write(&dir.join(format!("src/m{module_index}.rs")), &text);
        }
        lines += lib.lines().count();
        write(&dir.join("src/lib.rs"), &lib);
    }
    lines
}
