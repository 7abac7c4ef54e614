//! The file cache of incremental runs: each file's lowering and `mod` declarations,
//! kept under `<target-dir>/privflow/files/` so that a re-run parses only the files
//! that changed.
//!
//! An entry is keyed by a hash of the file's text and place and of the salt: the policy
//! (lowering reads it), privflow's version and build (the executable's size and time),
//! and the host (`#[cfg]` is read for it). It holds the salt, text and place themselves
//! and is used only when they are equal, so a hash collision costs a parse, never a
//! wrong result. The target directory belongs to the analysed workspace, which may be
//! hostile (a pull request can commit `target/` or move it): every entry is sealed with
//! SipHash under a key kept in the user's own cache folder, and one whose seal does not
//! match is not read at all. A cache that cannot be read or written is no cache: the run
//! parses as if it were cold.

use std::hash::Hasher as _;
use std::path::{Path, PathBuf};

use privflow_model::Policy;
use serde::{Deserialize, Serialize};

use super::Lowered;
use crate::load::{Cache, FileContext, ModuleDecl};

/// Bumped when the format of an entry or of the item tree changes.
const FORMAT: u32 = 2;

pub struct FileCache {
    dir: PathBuf,
    /// Everything besides the file that its lowering depends on.
    salt: u64,
    /// The sealing key; no key, no cache.
    key: Option<(u64, u64)>,
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

#[derive(Deserialize)]
struct Entry {
    salt: u64,
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

/// This executable's size and modification time: a rebuild (a new lowering) changes it.
fn build_identity() -> Vec<u8> {
    let Some(metadata) = std::env::current_exe()
        .ok()
        .and_then(|exe| std::fs::metadata(exe).ok())
    else {
        return Vec::new();
    };
    let modified = metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_nanos());
    format!("{}:{modified}", metadata.len()).into_bytes()
}

/// The user's own key for sealing entries, in their cache folder (made on first use
/// from the operating system's randomness, which std's `RandomState` draws on).
fn sealing_key() -> Option<(u64, u64)> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cache")))
        .or_else(|| std::env::var_os("LOCALAPPDATA").map(PathBuf::from))?;
    let path = base.join("privflow").join("cache-key");
    let read = |path: &Path| -> Option<(u64, u64)> {
        let bytes = std::fs::read(path).ok()?;
        let (first, second) = (bytes.get(..8)?, bytes.get(8..16)?);
        Some((
            u64::from_le_bytes(first.try_into().ok()?),
            u64::from_le_bytes(second.try_into().ok()?),
        ))
    };
    if let Some(key) = read(&path) {
        return Some(key);
    }
    let random = || {
        use std::hash::BuildHasher as _;
        std::hash::RandomState::new().build_hasher().finish()
    };
    let mut bytes = random().to_le_bytes().to_vec();
    bytes.extend(random().to_le_bytes());
    std::fs::create_dir_all(path.parent()?).ok()?;
    let partial = path.with_extension(format!("{}.partial", std::process::id()));
    std::fs::write(&partial, bytes).ok()?;
    // Another run may have made one meanwhile: whichever landed is the key.
    if std::fs::rename(&partial, &path).is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    read(&path)
}

/// SipHash-2-4 of `bytes` under `key`: a keyed hash made for this (std's own, kept
/// under its old name).
#[allow(deprecated)]
fn seal(key: (u64, u64), bytes: &[u8]) -> [u8; 8] {
    let mut hasher = std::hash::SipHasher::new_with_keys(key.0, key.1);
    hasher.write(bytes);
    hasher.finish().to_le_bytes()
}

impl FileCache {
    pub fn new(target_directory: &Path, policy: &Policy) -> Self {
        let format = FORMAT.to_le_bytes();
        let build = build_identity();
        let word = usize::BITS.to_le_bytes();
        let endian: &[u8] = if cfg!(target_endian = "little") {
            b"le"
        } else {
            b"be"
        };
        let fixed: [&[u8]; 7] = [
            env!("CARGO_PKG_VERSION").as_bytes(),
            &format,
            &build,
            std::env::consts::OS.as_bytes(),
            std::env::consts::ARCH.as_bytes(),
            &word,
            endian,
        ];
        let policy_parts = policy
            .source_texts()
            .flat_map(|(name, text)| [name.as_bytes(), text.as_bytes()]);
        Self {
            dir: target_directory.join("privflow").join("files"),
            salt: fnv1a(fixed.into_iter().chain(policy_parts)),
            key: sealing_key(),
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
        let key = self.key?;
        let bytes = std::fs::read(self.path(text, context)).ok()?;
        let (mark, payload) = (bytes.get(..8)?, bytes.get(8..)?);
        if mark != seal(key, payload) {
            return None;
        }
        let entry: Entry = postcard::from_bytes(payload).ok()?;
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
        let Some(key) = self.key else {
            return;
        };
        let entry = EntryRef {
            salt: self.salt,
            text,
            relative: context.relative,
            crate_name: context.crate_name,
            module_path: context.module_path,
            lowered,
            modules,
        };
        let Ok(payload) = postcard::to_stdvec(&entry) else {
            return;
        };
        let mut bytes = seal(key, &payload).to_vec();
        bytes.extend(payload);
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

#[cfg(test)]
mod tests {
    use super::{Lowered, seal};
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
            let lowered = super::super::lower_one(&ast, &context, &policy);
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

    #[test]
    fn the_seal_depends_on_the_key_and_every_byte() {
        let sealed = seal((1, 2), b"entry");
        assert_eq!(sealed, seal((1, 2), b"entry"));
        assert_ne!(sealed, seal((1, 3), b"entry"));
        assert_ne!(sealed, seal((1, 2), b"entrz"));
    }
}
