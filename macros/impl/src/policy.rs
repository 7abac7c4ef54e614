//! The policy in force for the crate being compiled, and the tokens that make cargo
//! rebuild the crate when that policy file changes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::SystemTime;

use privflow_model::Policy;
use proc_macro2::TokenStream;
use quote::quote;

/// Set to a policy file to use it instead of searching (handy in tests and CI).
const POLICY_ENV: &str = "PRIVFLOW_POLICY";

pub struct InForce {
    pub policy: Arc<Policy>,
    /// The file the policy came from, if not the built-in pack.
    pub file: Option<PathBuf>,
}

/// A loaded policy, or every problem of the policy file as one message.
pub type Loaded = Result<InForce, (String, Option<PathBuf>)>;

type Cache = Mutex<HashMap<PathBuf, (Option<SystemTime>, Arc<Policy>)>>;

/// The proc-macro library stays loaded for a whole compilation (and longer in an
/// IDE), so policies are cached by path and re-read when the file's mtime changes.
fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Cache::default)
}

fn builtin() -> Result<Arc<Policy>, String> {
    static BUILTIN: OnceLock<Result<Arc<Policy>, String>> = OnceLock::new();
    BUILTIN
        .get_or_init(|| {
            Policy::builtin()
                .map(Arc::new)
                .map_err(|errors| errors.one_line_each())
        })
        .clone()
}

fn policy_file() -> Option<PathBuf> {
    if let Some(explicit) = std::env::var_os(POLICY_ENV).filter(|value| !value.is_empty()) {
        return Some(PathBuf::from(explicit));
    }
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")?;
    privflow_model::policy::find_policy_file(Path::new(&manifest_dir))
}

pub fn in_force() -> Loaded {
    let Some(file) = policy_file() else {
        return builtin()
            .map(|policy| InForce { policy, file: None })
            .map_err(|message| (message, None));
    };
    let modified = std::fs::metadata(&file)
        .and_then(|meta| meta.modified())
        .ok();
    let mut cache = cache()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((cached_at, policy)) = cache.get(&file)
        && *cached_at == modified
        && modified.is_some()
    {
        return Ok(InForce {
            policy: policy.clone(),
            file: Some(file),
        });
    }
    match Policy::load(&file) {
        Ok(policy) => {
            let policy = Arc::new(policy);
            cache.insert(file.clone(), (modified, policy.clone()));
            Ok(InForce {
                policy,
                file: Some(file),
            })
        }
        Err(errors) => Err((errors.one_line_each(), Some(file))),
    }
}

/// Whether this invocation should report the policy file's errors: only the first in
/// a compilation does, so a broken policy shows once, not once per macro. One report is
/// enough to fail the build.
pub fn first_report(file: Option<&Path>) -> bool {
    static REPORTED: OnceLock<Mutex<Vec<Option<PathBuf>>>> = OnceLock::new();
    let mut reported = REPORTED
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let key = file.map(Path::to_path_buf);
    if reported.contains(&key) {
        return false;
    }
    reported.push(key);
    true
}

/// `const _: &[u8] = include_bytes!("/abs/privflow.toml");`: the stable way to make
/// cargo record the policy file as an input of this crate, so an edit re-runs the
/// macros on the next build.
pub fn tracking(file: Option<&Path>) -> TokenStream {
    let Some(path) = file.and_then(|file| std::fs::canonicalize(file).ok()) else {
        return TokenStream::new();
    };
    let Some(path) = path.to_str() else {
        return TokenStream::new();
    };
    quote! {
        const _: &[u8] = ::core::include_bytes!(#path);
    }
}
