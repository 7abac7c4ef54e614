//! What incremental runs keep under `<target-dir>/privflow/`: sealed entries, each used
//! only by the same privflow build on the same host with the same policy.
//!
//! The target directory belongs to the analysed workspace, which may be hostile (a pull
//! request can commit `target/` or move it with `build.target-dir`): every entry is
//! sealed with SipHash under a key kept in the user's own cache folder, and one whose
//! seal does not match is not read at all. A cache that cannot be read or written is no
//! cache: the run works as if it were cold.

pub mod encoded;
pub mod files;
pub mod flow;

use std::hash::Hasher as _;
use std::path::{Path, PathBuf};

use privflow_model::Policy;

/// Bumped when the format of any entry (or of the item tree) changes.
const FORMAT: u32 = 3;

/// FNV-1a, 64 bits, over several parts (each followed by a separator byte that text
/// cannot hold, so that ("ab", "c") and ("a", "bc") differ).
pub fn fnv1a<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.iter().chain(&[0xff]) {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// Everything besides the workspace's files that an entry depends on: privflow's
/// version, entry format and build (the executable's size and time), the host (`#[cfg]`
/// is read for it; entries are read back on it), and the policy's source texts.
pub fn salt(policy: &Policy) -> u64 {
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
    fnv1a(fixed.into_iter().chain(policy_parts))
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

/// A random number from the operating system's randomness (which std's `RandomState`
/// draws on).
pub fn random() -> u64 {
    use std::hash::BuildHasher as _;
    std::hash::RandomState::new().build_hasher().finish()
}

/// The user's own key for sealing entries, in their cache folder (made on first use).
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
pub(crate) fn seal(key: (u64, u64), bytes: &[u8]) -> [u8; 8] {
    let mut hasher = std::hash::SipHasher::new_with_keys(key.0, key.1);
    hasher.write(bytes);
    hasher.finish().to_le_bytes()
}

/// One folder of sealed entries.
pub struct Sealed {
    dir: PathBuf,
    /// No key, no cache.
    key: Option<(u64, u64)>,
}

impl Sealed {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            key: sealing_key(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The entry's payload, if it is there and its seal matches.
    pub fn read(&self, name: &str) -> Option<Vec<u8>> {
        let key = self.key?;
        let mut bytes = std::fs::read(self.dir.join(name)).ok()?;
        let mark = bytes.get(..8)?;
        if mark != seal(key, bytes.get(8..)?) {
            return None;
        }
        bytes.drain(..8);
        Some(bytes)
    }

    /// Writes the entry beside and renames it into place: a run reading it at the same
    /// time sees the old one or the new one, never half of one. Whether it landed.
    pub fn write(&self, name: &str, payload: &[u8]) -> bool {
        let Some(key) = self.key else {
            return false;
        };
        let mut bytes = seal(key, payload).to_vec();
        bytes.extend(payload);
        let path = self.dir.join(name);
        let partial = path.with_extension(format!("{}.partial", std::process::id()));
        let written =
            std::fs::create_dir_all(&self.dir).is_ok() && std::fs::write(&partial, bytes).is_ok();
        if written && std::fs::rename(&partial, &path).is_err() {
            let _ = std::fs::remove_file(&partial);
            return false;
        }
        written
    }
}

#[cfg(test)]
mod tests {
    use super::seal;

    #[test]
    fn the_seal_depends_on_the_key_and_every_byte() {
        let sealed = seal((1, 2), b"entry");
        assert_eq!(sealed, seal((1, 2), b"entry"));
        assert_ne!(sealed, seal((1, 3), b"entry"));
        assert_ne!(sealed, seal((1, 2), b"entrz"));
    }
}
