//! The flow cache of incremental runs: each function's final analysis
//! ([`crate::flow::memo`]), one sealed chunk per source file, under
//! `<target-dir>/privflow/flow/<selection>/`, with a manifest naming the shape of the
//! workspace they hold for.
//!
//! **The shape** is everything but function bodies and the positions only bodies can
//! see: the crates and their dependencies, the resolved versions, each file's place and
//! items with their signatures, tags and the positions of tags, fields, types and macro
//! definitions (those reach other functions' results), and the catalog entries in force.
//! With the same shape, the index numbers every function, type, static and file the same
//! way, so a memo's ids mean what they meant; any other shape (an item added, a
//! signature or a tag changed, a tagged field moved) runs the analysis whole.
//!
//! **Consistency.** A run writes the chunks of the files whose functions it analysed,
//! each stamped with a fresh generation, and then the manifest, which records the
//! generation of every chunk. A chunk whose stamp differs from the manifest's (another
//! run's, or a run that stopped half way) makes the whole memo unused. The chunks a run
//! did not write are kept only if the manifest it read is still in place; otherwise the
//! new manifest names only this run's chunks.

use std::collections::BTreeMap;
use std::path::Path;

use privflow_model::Policy;
use serde::{Deserialize, Serialize};

use super::{Sealed, fnv1a};
use crate::flow::memo::{Decoded, Incremental};
use crate::index::ir::{
    Block, Body, FileIr, FnDef, FnTags, ImplDef, Item, ItemKind, Param, Pattern, Pos, SinkTag,
    TraitDef,
};
use crate::index::{Index, Lowered};
use crate::load::Workspace;

pub struct FlowCache {
    entries: Sealed,
    salt: u64,
    /// A hash of each file's text, by file id: the functions of a file whose text is
    /// the same keep their keys without being hashed again.
    texts: Vec<u64>,
}

#[derive(Serialize, Deserialize)]
struct Manifest {
    /// Which manifest this is (the generation of the run that wrote it): a run saves
    /// on top of the chunks it read only if this one is still in place.
    nonce: u64,
    salt: u64,
    shape: u64,
    /// [`catalog`] of the index.
    catalog: u64,
    /// Per file id: the generation of its chunk (0: no chunk).
    generations: Vec<u64>,
    /// Per file id: a hash of its text.
    texts: Vec<u64>,
}

#[derive(Serialize, Deserialize)]
struct Stamped {
    generation: u64,
    chunk: Vec<u8>,
}

impl FlowCache {
    /// The cache for this selection of crates (another selection numbers functions
    /// differently and keeps its own).
    pub fn new(target_directory: &Path, policy: &Policy, workspace: &Workspace<Lowered>) -> Self {
        let crates = format!("{:?}", workspace.crates);
        let selection = fnv1a([
            workspace.root.as_os_str().as_encoded_bytes(),
            crates.as_bytes(),
        ]);
        Self {
            entries: Sealed::new(
                target_directory
                    .join("privflow")
                    .join("flow")
                    .join(format!("{selection:016x}")),
            ),
            salt: super::salt(policy),
            texts: {
                use rayon::prelude::*;
                workspace
                    .files
                    .par_iter()
                    .map(|file| fnv1a([file.text.as_bytes()]))
                    .collect()
            },
        }
    }

    /// Removes the manifest: nothing kept is used by the next run.
    pub fn forget(&self) {
        let _ = std::fs::remove_file(self.entries.path("manifest.bin"));
    }

    /// Reads back the previous run's memos if they were made for this shape; run
    /// beside indexing, and checked against the index by [`FlowCache::previous`].
    pub fn read(&self, shape: u64) -> Option<Read> {
        let manifest: Manifest = postcard::from_bytes(&self.entries.read("manifest.bin")?).ok()?;
        if manifest.salt != self.salt || manifest.shape != shape {
            return None;
        }
        use rayon::prelude::*;
        let chunks: Option<Vec<Vec<u8>>> = manifest
            .generations
            .par_iter()
            .enumerate()
            .filter(|(_, generation)| **generation != 0)
            .map(|(file, generation)| {
                let stamped: Stamped =
                    postcard::from_bytes(&self.entries.read(&chunk_name(file))?).ok()?;
                (stamped.generation == *generation).then_some(stamped.chunk)
            })
            .collect();
        // Files load in the same order as they index (the shape is the same).
        let unchanged = manifest
            .texts
            .iter()
            .zip(&self.texts)
            .map(|(before, now)| before == now)
            .collect();
        Some(Read {
            nonce: manifest.nonce,
            catalog: manifest.catalog,
            files: manifest.generations.len(),
            memos: Decoded::decode(&chunks?, unchanged)?,
        })
    }

    /// What the analysis may reuse of what [`FlowCache::read`] read: all of it, if it
    /// was made with the same catalog in force and fits the index.
    pub fn previous(read: Option<Read>, index: &Index) -> Incremental {
        let read =
            read.filter(|read| read.catalog == catalog(index) && read.files == index.files.len());
        let based_on = read.as_ref().map(|read| read.nonce);
        let previous = read.and_then(|read| read.memos.place(index.functions.len()));
        Incremental {
            based_on: previous.as_ref().and(based_on),
            previous,
            chunks: Vec::new(),
        }
    }

    /// Writes the chunks the analysis handed back, then the manifest. The chunks this
    /// run did not write are kept only if the manifest it read is still the one in
    /// place: another run may have saved meanwhile, and its chunks were made from
    /// other texts.
    pub fn save(&self, shape: u64, index: &Index, incremental: Incremental) {
        if incremental.chunks.is_empty() {
            // Nothing was analysed: what is in place holds.
            return;
        }
        let in_place: Option<Manifest> = self
            .entries
            .read("manifest.bin")
            .and_then(|bytes| postcard::from_bytes(&bytes).ok())
            .filter(|manifest: &Manifest| {
                Some(manifest.nonce) == incremental.based_on
                    && manifest.generations.len() == index.files.len()
            });
        let mut generations = in_place.map_or_else(
            || vec![0; index.files.len()],
            |manifest| manifest.generations,
        );
        // Nonzero and new: a chunk of this run is told from any other's.
        let generation = super::random() | 1;
        let written: BTreeMap<usize, bool> = {
            use rayon::prelude::*;
            incremental
                .chunks
                .into_par_iter()
                .map(|(file, chunk)| {
                    let stamped = Stamped { generation, chunk };
                    let landed = postcard::to_stdvec(&stamped)
                        .is_ok_and(|bytes| self.entries.write(&chunk_name(file), &bytes));
                    (file, landed)
                })
                .collect()
        };
        for (file, landed) in written {
            if let Some(slot) = generations.get_mut(file) {
                // A chunk that did not land is no chunk: the next run must not read
                // the one before it (its functions were analysed again).
                *slot = if landed { generation } else { u64::MAX };
            }
        }
        if generations.contains(&u64::MAX) {
            let _ = std::fs::remove_file(self.entries.path("manifest.bin"));
            return;
        }
        let manifest = Manifest {
            nonce: generation,
            salt: self.salt,
            shape,
            catalog: catalog(index),
            generations,
            texts: self.texts.clone(),
        };
        if let Ok(bytes) = postcard::to_stdvec(&manifest) {
            self.entries.write("manifest.bin", &bytes);
        }
    }
}

/// The previous run's memos as read, not yet checked against the index.
pub struct Read {
    nonce: u64,
    catalog: u64,
    files: usize,
    memos: Decoded,
}

fn chunk_name(file: usize) -> String {
    format!("{file}.bin")
}

/// The shape of a loaded workspace (see the module's comment), before it is indexed;
/// the catalog in force is checked once it is.
pub fn shape(workspace: &Workspace<Lowered>) -> u64 {
    use rayon::prelude::*;
    let crates = format!("{:?}{:?}", workspace.crates, workspace.resolved);
    let files: Vec<u64> = workspace
        .files
        .par_iter()
        .map(|file| {
            let skeleton = postcard::to_stdvec(&skeleton(&file.lowered.ir)).unwrap_or_default();
            let place = format!(
                "{}:{}:{:?}",
                file.relative, file.crate_index, file.module_path
            );
            fnv1a([place.as_bytes(), &skeleton[..]])
        })
        .collect();
    let files: Vec<u8> = files.iter().flat_map(|hash| hash.to_le_bytes()).collect();
    fnv1a([crates.as_bytes(), &files[..]])
}

/// What indexing decided from bodies that the shape must include: the catalog entries
/// in force (an installer call in a body turns one on).
fn catalog(index: &Index) -> u64 {
    fnv1a([format!("{:?}", index.catalog).as_bytes()])
}

/// A file's items without what only their own function's analysis reads: bodies,
/// function positions, `#[instrument]` details, and attribute problems.
fn skeleton(ir: &FileIr) -> FileIr {
    let items = ir
        .items
        .iter()
        .map(|item| Item {
            module: item.module.clone(),
            kind: match &item.kind {
                ItemKind::Fn(def) => ItemKind::Fn(signature(def)),
                ItemKind::Impl(def) => ItemKind::Impl(ImplDef {
                    self_ty: def.self_ty.clone(),
                    trait_path: def.trait_path.clone(),
                    generics: def.generics.clone(),
                    functions: def.functions.iter().map(signature).collect(),
                    destinations: def.destinations.clone(),
                }),
                ItemKind::Trait(def) => ItemKind::Trait(TraitDef {
                    name: def.name.clone(),
                    functions: def.functions.iter().map(signature).collect(),
                }),
                other => other.clone(),
            },
        })
        .collect();
    FileIr {
        items,
        problems: Vec::new(),
    }
}

/// A function's signature: everything but its body (whether it has one stays), its
/// position and its `#[instrument]` details (whether it has one stays). Written out
/// field by field, so that a field added to [`FnDef`] is a decision here.
fn signature(def: &FnDef) -> FnDef {
    FnDef {
        name: def.name.clone(),
        generics: def.generics.clone(),
        receiver: def.receiver,
        params: def
            .params
            .iter()
            .map(|param| Param {
                pattern: positionless(&param.pattern),
                ty: param.ty.clone(),
            })
            .collect(),
        ret: def.ret.clone(),
        body: def.body.as_ref().map(|_| Body::new(Block::default())),
        tags: FnTags {
            sink: def.tags.sink.as_ref().map(|sink| SinkTag {
                pos: Pos::default(),
                ..sink.clone()
            }),
            ..def.tags.clone()
        },
        is_async: def.is_async,
        // A body's position is seen by its own analysis only; a function without one
        // (a trait declaration) is seen by its callers (a declassifier's origin is there).
        pos: if def.body.is_some() {
            Pos::default()
        } else {
            def.pos
        },
        instrument: def.instrument.as_ref().map(|_| Box::default()),
    }
}

/// A parameter pattern without its positions (the names stay: a sink's `args` and
/// `#[instrument(skip(...))]` name parameters).
fn positionless(pattern: &Pattern) -> Pattern {
    let all = |patterns: &[Pattern]| patterns.iter().map(positionless).collect();
    match pattern {
        Pattern::Binding {
            name,
            by_ref,
            mutable,
            sub,
            pos: _,
        } => Pattern::Binding {
            name: name.clone(),
            by_ref: *by_ref,
            mutable: *mutable,
            sub: sub.as_deref().map(|sub| Box::new(positionless(sub))),
            pos: Pos::default(),
        },
        Pattern::Tuple(elems) => Pattern::Tuple(all(elems)),
        Pattern::Struct { path, fields } => Pattern::Struct {
            path: path.clone(),
            fields: fields
                .iter()
                .map(|(name, field)| (name.clone(), positionless(field)))
                .collect(),
        },
        Pattern::TupleStruct { path, elems } => Pattern::TupleStruct {
            path: path.clone(),
            elems: all(elems),
        },
        Pattern::Ref(inner) => Pattern::Ref(Box::new(positionless(inner))),
        Pattern::Slice(elems) => Pattern::Slice(all(elems)),
        Pattern::Or(alternatives) => Pattern::Or(all(alternatives)),
        Pattern::Ignore => Pattern::Ignore,
    }
}

#[cfg(test)]
mod tests {
    use super::{FlowCache, shape};
    use crate::index::{Index, Lowered};
    use crate::load::{CrateTarget, FileContext, SourceFile, TargetKind, Workspace};

    fn workspace(root: &std::path::Path, files: &[(&str, &[&str], &str)]) -> Workspace<Lowered> {
        let policy = privflow_model::Policy::builtin().unwrap_or_else(|_| unreachable!());
        let files = files
            .iter()
            .map(|(relative, module_path, text)| {
                let module_path: Vec<String> =
                    module_path.iter().map(|m| (*m).to_owned()).collect();
                let ast = syn::parse_file(text).unwrap_or_else(|_| unreachable!());
                let context = FileContext {
                    relative,
                    crate_name: "app",
                    module_path: &module_path,
                };
                SourceFile {
                    path: root.join(relative),
                    relative: (*relative).to_owned(),
                    crate_index: 0,
                    module_path: module_path.clone(),
                    text: std::sync::Arc::from(*text),
                    lowered: crate::index::lower_one(&ast, &context, &policy),
                }
            })
            .collect();
        Workspace {
            root: root.to_path_buf(),
            crates: vec![CrateTarget {
                name: "app".to_owned(),
                package: "app".to_owned(),
                kind: TargetKind::Lib,
                root: root.join("src/lib.rs"),
                dependencies: Some(Vec::new()),
                registry_dependencies: Vec::new(),
            }],
            files,
            errors: Vec::new(),
            resolved: None,
            target_directory: Some(root.join("target")),
        }
    }

    /// Two runs at once: one (X, after an edit of `a.rs`) reads the manifest, another
    /// (Y) saves a new one, then X saves the chunk it analysed. X must not adopt Y's
    /// other chunks (made from other texts): the manifest it leaves names only its own.
    #[test]
    fn a_run_keeps_the_chunks_it_did_not_write_only_if_its_manifest_is_in_place() {
        let root = std::env::temp_dir().join(format!("privflow-flow-cache-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let policy = privflow_model::Policy::builtin().unwrap_or_else(|_| unreachable!());
        let files =
            |a: &'static str| -> [(&'static str, &'static [&'static str], &'static str); 3] {
                [
                    ("src/lib.rs", &[], "pub mod a;\npub mod b;\n"),
                    ("src/a.rs", &["a"], a),
                    (
                        "src/b.rs",
                        &["b"],
                        "pub fn g(x: &str) -> String { x.to_owned() }\n",
                    ),
                ]
            };
        let open = |a: &'static str| {
            let loaded = workspace(&root, &files(a));
            let cache = FlowCache::new(&root.join("target"), &policy, &loaded);
            let shape = shape(&loaded);
            (cache, shape, Index::build(loaded, &policy))
        };
        let run = |cache: &FlowCache, shape: u64, index: &Index, read| {
            let mut incremental = FlowCache::previous(read, index);
            crate::flow::analyze(index, &policy, Some(&mut incremental));
            cache.save(shape, index, incremental);
        };
        let kept = |cache: &FlowCache, shape: u64, index: &Index| {
            cache
                .read(shape)
                .and_then(|read| read.memos.place(index.functions.len()))
                .map_or(0, |previous| previous.memos.iter().flatten().count())
        };
        let (cache, shape, index) = open("pub fn f(x: &str) -> String { x.to_owned() }\n");
        run(&cache, shape, &index, None);
        assert_eq!(kept(&cache, shape, &index), 2, "a cold run keeps f and g");

        let (edited, edited_shape, edited_index) =
            open("pub fn f(x: &str) -> String { x.to_uppercase() }\n");
        assert_eq!(edited_shape, shape, "a body edit keeps the shape");
        let read_by_x = edited.read(edited_shape);
        assert!(read_by_x.is_some());
        // Y saves meanwhile (cold: every chunk new).
        run(&cache, shape, &index, None);
        run(&edited, edited_shape, &edited_index, read_by_x);
        assert_eq!(
            kept(&edited, edited_shape, &edited_index),
            1,
            "X's chunk of a.rs only: Y's chunk of b.rs is not adopted"
        );

        // The next run finds g without a memo, analyses it again and keeps both.
        let read_next = edited.read(edited_shape);
        let (cache, shape, index) = open("pub fn f(x: &str) -> String { x.trim().to_owned() }\n");
        run(&cache, shape, &index, read_next);
        assert_eq!(
            kept(&cache, shape, &index),
            2,
            "g is analysed again and kept"
        );
        let _ = std::fs::remove_dir_all(&root);
    }
}
