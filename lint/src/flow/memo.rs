//! Incremental runs, second layer: what each function's final analysis left (its
//! summary, flows, reach edges, callees, statics and purposes), kept for the next run.
//!
//! A memo is only offered for an index of the same shape as the one it came from (the
//! same files, items and signatures: [`crate::cache::flow`] checks), so function ids
//! mean the same functions. A function is analysed again when its definition changed
//! (its key), and so is everything whose analysis may have read what it left: its
//! callers, transitively (they read its summary), and the readers of the statics it
//! wrote (the static may now hold less). Everything else keeps its memo. The analyses
//! that run start from nothing, as in a cold run: summaries only grow, so one started
//! from a stale summary could keep what the edit removed.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use foldhash::{HashMap, HashMapExt as _};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::value::Global;
use super::{FnOutcome, Summary};
use crate::cache::encoded::{Encoded, reading_strings, with_string_table};
use crate::index::{FileId, FnId, Index};

/// One function's final analysis, as read back.
#[derive(Deserialize)]
pub struct FnMemo {
    /// [`function_key`] of the definition it was made from.
    pub key: u64,
    pub summary: Encoded<Summary>,
    /// Its summary is the default one (the joined summary is `summary`).
    pub(crate) outcome: FnOutcome,
    pub callees: BTreeSet<FnId>,
    pub purposes: BTreeSet<String>,
}

/// The same, as written (borrowed from the analysis' state; the fields in the order of
/// [`FnMemo`]).
#[derive(Serialize)]
struct FnMemoRef<'a> {
    key: u64,
    summary: &'a Encoded<Summary>,
    outcome: &'a FnOutcome,
    callees: &'a BTreeSet<FnId>,
    purposes: &'a BTreeSet<String>,
}

/// The memos of one file's functions.
#[derive(Deserialize)]
struct Chunk {
    functions: Vec<(FnId, FnMemo)>,
}

/// A chunk as kept: its functions, written with the table of the strings they share.
#[derive(Deserialize)]
struct WithStrings<'a> {
    strings: Vec<&'a str>,
    functions: &'a [u8],
}

#[derive(Serialize)]
struct WithStringsRef<'a> {
    strings: Vec<&'a str>,
    functions: &'a [u8],
}

#[derive(Serialize)]
struct ChunkRef<'a> {
    functions: Vec<(FnId, FnMemoRef<'a>)>,
}

/// The previous run's memos, by function id.
pub struct Previous {
    pub memos: Vec<Option<FnMemo>>,
    /// By file id: whether the file's text is what it was.
    pub unchanged_files: Vec<bool>,
}

/// The chunks of every file read back, before the index is there to check them
/// against (they are read while it is built).
pub struct Decoded {
    chunks: Vec<Chunk>,
    unchanged_files: Vec<bool>,
}

impl Decoded {
    /// `None` if a chunk does not decode.
    pub fn decode(chunks: &[Vec<u8>], unchanged_files: Vec<bool>) -> Option<Decoded> {
        let chunks: Option<Vec<Chunk>> = chunks
            .par_iter()
            .map(|bytes| {
                let kept: WithStrings<'_> = postcard::from_bytes(bytes).ok()?;
                let table = kept.strings.iter().map(|note| Arc::from(*note)).collect();
                reading_strings(table, || postcard::from_bytes(kept.functions).ok())
            })
            .collect();
        Some(Decoded {
            chunks: chunks?,
            unchanged_files,
        })
    }

    /// The memos by function id (`None` if one names a function the index does not
    /// have).
    pub fn place(self, function_count: usize) -> Option<Previous> {
        let mut memos: Vec<Option<FnMemo>> = (0..function_count).map(|_| None).collect();
        for chunk in self.chunks {
            for (id, memo) in chunk.functions {
                *memos.get_mut(id)? = Some(memo);
            }
        }
        Some(Previous {
            memos,
            unchanged_files: self.unchanged_files,
        })
    }
}

/// What an incremental run passes to the analysis and gets back.
pub struct Incremental {
    /// The previous run's memos for an index of this shape, if any.
    pub previous: Option<Previous>,
    /// The manifest they came from (see [`crate::cache::flow::FlowCache::save`]).
    pub based_on: Option<u64>,
    /// Filled by the analysis: the encoded chunks of the files whose functions were
    /// analysed in this run (every file's, when there was no previous run).
    pub chunks: Vec<(FileId, Vec<u8>)>,
}

/// A hash of a function's definition as lowered, body and positions included: equal
/// keys, the same analysis (given the same callees and statics).
fn function_key(index: &Index, id: FnId) -> u64 {
    let function = &index.functions[id];
    let def = postcard::to_stdvec(&function.def).unwrap_or_default();
    let file = function.file.to_le_bytes();
    crate::cache::fnv1a([&def[..], &file[..], function.path.as_bytes()])
}

/// Every function's key: the previous one where its file's text is the same (hashing
/// every body again would cost more than the rest of a warm run's analysis).
pub(super) fn keys(index: &Index, previous: Option<&Previous>) -> Vec<u64> {
    (0..index.functions.len())
        .into_par_iter()
        .map(|id| {
            let kept = previous.and_then(|previous| {
                let unchanged = previous.unchanged_files.get(index.functions[id].file)?;
                let memo = previous.memos.get(id)?.as_ref()?;
                unchanged.then_some(memo.key)
            });
            kept.unwrap_or_else(|| function_key(index, id))
        })
        .collect()
}

/// Functions whose previous analysis may not hold: changed ones (no memo, or another
/// key), their callers transitively, and the readers of statics they wrote, with their
/// callers.
pub(super) fn stale(
    index: &Index,
    memos: &[Option<FnMemo>],
    keys: &[u64],
    with_body: &[FnId],
) -> BTreeSet<FnId> {
    let mut callers: HashMap<FnId, Vec<FnId>> = HashMap::new();
    let mut readers: HashMap<&Global, Vec<FnId>> = HashMap::new();
    for (id, memo) in memos.iter().enumerate() {
        let Some(memo) = memo else { continue };
        for callee in &memo.callees {
            callers.entry(*callee).or_default().push(id);
        }
        for read in &memo.outcome.statics_read {
            readers.entry(read).or_default().push(id);
        }
    }
    let mut stale: BTreeSet<FnId> = with_body
        .iter()
        .copied()
        .filter(|id| {
            memos
                .get(*id)
                .and_then(Option::as_ref)
                .is_none_or(|memo| Some(&memo.key) != keys.get(*id))
        })
        .collect();
    let mut work: Vec<FnId> = stale.iter().copied().collect();
    while let Some(id) = work.pop() {
        // What it stored itself, and what its callers store for it (they are stale
        // too, but the readers must be whichever way the value got there).
        let written = memos
            .get(id)
            .and_then(Option::as_ref)
            .into_iter()
            .flat_map(|memo| {
                memo.outcome
                    .statics_written
                    .keys()
                    .chain(memo.summary.get().static_writes.keys())
            });
        let next = callers
            .get(&id)
            .into_iter()
            .flatten()
            .chain(written.flat_map(|global| readers.get(global).into_iter().flatten()));
        for other in next {
            if index.functions[*other].def.body.is_some() && stale.insert(*other) {
                work.push(*other);
            }
        }
    }
    stale
}

/// Encodes the memos of the functions of `files` (each file's functions with a body
/// and an analysis), one chunk per file.
#[allow(clippy::too_many_arguments)]
pub(super) fn encode(
    index: &Index,
    files: &BTreeSet<FileId>,
    keys: &[u64],
    summaries: &HashMap<FnId, Encoded<Summary>>,
    latest: &HashMap<FnId, FnOutcome>,
    callees: &HashMap<FnId, BTreeSet<FnId>>,
    purposes: &HashMap<FnId, BTreeSet<String>>,
) -> Vec<(FileId, Vec<u8>)> {
    let mut by_file: BTreeMap<FileId, Vec<FnId>> =
        files.iter().map(|file| (*file, Vec::new())).collect();
    for (id, function) in index.functions.iter().enumerate() {
        if let Some(ids) = by_file.get_mut(&function.file) {
            ids.push(id);
        }
    }
    let (no_summary, no_callees, no_purposes) = (
        Encoded::new(Summary::default()),
        BTreeSet::new(),
        BTreeSet::new(),
    );
    let by_file: Vec<(FileId, Vec<FnId>)> = by_file.into_iter().collect();
    by_file
        .par_iter()
        .map(|(file, ids)| {
            let functions: Vec<(FnId, FnMemoRef<'_>)> = ids
                .iter()
                .filter_map(|id| {
                    let outcome = latest.get(id)?;
                    Some((
                        *id,
                        FnMemoRef {
                            key: keys.get(*id).copied().unwrap_or_default(),
                            summary: summaries.get(id).unwrap_or(&no_summary),
                            outcome,
                            callees: callees.get(id).unwrap_or(&no_callees),
                            purposes: purposes.get(id).unwrap_or(&no_purposes),
                        },
                    ))
                })
                .collect();
            let chunk = ChunkRef { functions };
            let (functions, strings) = with_string_table(|| postcard::to_stdvec(&chunk));
            let kept = WithStringsRef {
                strings: strings.iter().map(|text| &**text).collect(),
                functions: &functions.unwrap_or_default(),
            };
            (*file, postcard::to_stdvec(&kept).unwrap_or_default())
        })
        .collect()
}
