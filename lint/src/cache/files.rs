//! The file cache of incremental runs: each file's lowering and `mod` declarations,
//! kept under `<target-dir>/privflow/files/` so that a re-run parses only the files
//! that changed.
//!
//! An entry is keyed by a hash of the file's text and place and of the salt
//! ([`crate::cache::salt`]: the lowering reads the policy and the host's `#[cfg]`). It
//! holds the salt, text and place themselves and is used only when they are equal, so a
//! hash collision costs a parse, never a wrong result. Entries are sealed
//! ([`crate::cache::Sealed`]).

use std::path::Path;

use privflow_model::Policy;
use serde::{Deserialize, Serialize};

use crate::cache::{Sealed, fnv1a};
use crate::index::Lowered;
use crate::load::{Cache, FileContext, ModuleDecl};

pub struct FileCache {
    entries: Sealed,
    /// Everything besides the file that its lowering depends on.
    salt: u64,
}

#[derive(Serialize)]
struct EntryRef<'a> {
    salt: u64,
    text: &'a str,
    relative: &'a str,
    crate_name: &'a str,
    module_path: &'a [String],
    lowered: &'a Lowered,
    modules: &'a [ModuleDecl],
}

/// Read in place from the entry's bytes (the text is compared, not kept).
#[derive(Deserialize)]
struct Entry<'a> {
    salt: u64,
    text: &'a str,
    relative: &'a str,
    crate_name: &'a str,
    module_path: Vec<String>,
    lowered: Lowered,
    modules: Vec<ModuleDecl>,
}

impl FileCache {
    pub fn new(target_directory: &Path, policy: &Policy) -> Self {
        Self {
            entries: Sealed::new(target_directory.join("privflow").join("files")),
            salt: crate::cache::salt(policy),
        }
    }

    fn name(&self, text: &str, context: &FileContext<'_>) -> String {
        let salt = self.salt.to_le_bytes();
        let parts: Vec<&[u8]> = [
            &salt[..],
            context.relative.as_bytes(),
            context.crate_name.as_bytes(),
            text.as_bytes(),
        ]
        .into_iter()
        .chain(context.module_path.iter().map(|part| part.as_bytes()))
        .collect();
        format!("{:016x}.bin", fnv1a(parts))
    }
}

impl Cache<Lowered> for FileCache {
    fn get(&self, text: &str, context: &FileContext<'_>) -> Option<(Lowered, Vec<ModuleDecl>)> {
        let payload = self.entries.read(&self.name(text, context))?;
        let entry: Entry = postcard::from_bytes(&payload).ok()?;
        let same = entry.salt == self.salt
            && entry.text == text
            && entry.relative == context.relative
            && entry.crate_name == context.crate_name
            && entry.module_path == context.module_path;
        same.then_some((entry.lowered, entry.modules))
    }

    fn put(
        &self,
        text: &str,
        context: &FileContext<'_>,
        lowered: &Lowered,
        modules: &[ModuleDecl],
    ) {
        let entry = EntryRef {
            salt: self.salt,
            text,
            relative: context.relative,
            crate_name: context.crate_name,
            module_path: context.module_path,
            lowered,
            modules,
        };
        if let Ok(payload) = postcard::to_stdvec(&entry) {
            self.entries.write(&self.name(text, context), &payload);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::index::Lowered;
    use crate::load::FileContext;

    /// Every fixture file's lowering reads back as it was written (a type whose
    /// serialised form and derived reading disagree would fail here, as a glob of
    /// `#[privflow::allow]` once did).
    #[test]
    fn every_fixture_lowering_reads_back_the_same() {
        fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() && entry.file_name() != "target" {
                    files(&path, out);
                } else if path.extension().is_some_and(|ext| ext == "rs") {
                    out.push(path);
                }
            }
        }
        let policy = privflow_model::Policy::builtin().unwrap_or_else(|_| unreachable!());
        let mut paths = Vec::new();
        files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures"),
            &mut paths,
        );
        assert!(paths.len() > 100, "{} fixture files", paths.len());
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            let Ok(ast) = syn::parse_file(&text) else {
                continue;
            };
            let context = FileContext {
                relative: "src/lib.rs",
                crate_name: "fixture",
                module_path: &[],
            };
            let lowered = crate::index::lower_one(&ast, &context, &policy);
            let bytes = postcard::to_stdvec(&lowered).unwrap_or_default();
            let back: Result<Lowered, _> = postcard::from_bytes(&bytes);
            let back = back.unwrap_or_else(|error| unreachable!("{}: {error}", path.display()));
            assert_eq!(
                format!("{:?}", back.ir),
                format!("{:?}", lowered.ir),
                "{}",
                path.display()
            );
        }
    }
}
