//! The file cache of incremental runs: each file's lowering and `mod` declarations,
//! kept under `<target-dir>/privflow/files/` so that a re-run parses only the files
//! that changed. An entry is keyed by a hash of the file's text and place, the policy
//! (lowering reads it), privflow's version and the host (`#[cfg]` is read for it), and
//! holds the text and place themselves: it is used only when they are equal, so a hash
//! collision costs a parse, never a wrong result. A cache that cannot be read or
//! written is no cache: the run parses as if it were cold.

use std::path::{Path, PathBuf};

use privflow_model::Policy;
use serde::{Deserialize, Serialize};

use super::Lowered;
use crate::load::{Cache, FileContext, ModuleDecl};

/// Bumped when the format of an entry or of the item tree changes.
const FORMAT: u32 = 1;

pub struct FileCache {
    dir: PathBuf,
    /// Everything besides the file that its lowering depends on.
    salt: u64,
}

#[derive(Serialize)]
struct EntryRef<'a> {
    text: &'a str,
    relative: &'a str,
    crate_name: &'a str,
    module_path: &'a [String],
    lowered: &'a Lowered,
    modules: &'a [ModuleDecl],
}

#[derive(Deserialize)]
struct Entry {
    text: String,
    relative: String,
    crate_name: String,
    module_path: Vec<String>,
    lowered: Lowered,
    modules: Vec<ModuleDecl>,
}

/// FNV-1a, 64 bits, over several parts (each followed by a separator byte that text
/// cannot hold, so that ("ab", "c") and ("a", "bc") differ).
fn fnv1a<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.iter().chain(&[0xff]) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

impl FileCache {
    pub fn new(target_directory: &Path, policy: &Policy) -> Self {
        let format = FORMAT.to_le_bytes();
        let fixed: [&[u8]; 4] = [
            env!("CARGO_PKG_VERSION").as_bytes(),
            &format,
            std::env::consts::OS.as_bytes(),
            std::env::consts::ARCH.as_bytes(),
        ];
        let policy_parts = policy
            .source_texts()
            .flat_map(|(name, text)| [name.as_bytes(), text.as_bytes()]);
        Self {
            dir: target_directory.join("privflow").join("files"),
            salt: fnv1a(fixed.into_iter().chain(policy_parts)),
        }
    }

    fn path(&self, text: &str, context: &FileContext<'_>) -> PathBuf {
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
        self.dir.join(format!("{:016x}.bin", fnv1a(parts)))
    }
}

impl Cache<Lowered> for FileCache {
    fn get(&self, text: &str, context: &FileContext<'_>) -> Option<(Lowered, Vec<ModuleDecl>)> {
        let bytes = std::fs::read(self.path(text, context)).ok()?;
        let entry: Entry = postcard::from_bytes(&bytes).ok()?;
        let same = entry.text == text
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
            text,
            relative: context.relative,
            crate_name: context.crate_name,
            module_path: context.module_path,
            lowered,
            modules,
        };
        let Ok(bytes) = postcard::to_stdvec(&entry) else {
            return;
        };
        let path = self.path(text, context);
        // Written beside and renamed into place: a run reading the entry at the same
        // time sees the old one or the new one, never half of one.
        let partial = path.with_extension(format!("{}.partial", std::process::id()));
        let written =
            std::fs::create_dir_all(&self.dir).is_ok() && std::fs::write(&partial, bytes).is_ok();
        if written && std::fs::rename(&partial, &path).is_err() {
            let _ = std::fs::remove_file(&partial);
        }
    }
}
