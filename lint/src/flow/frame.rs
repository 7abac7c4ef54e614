//! Analysing one function body: the frame of one analysis and what every part of it
//! shares. The body is evaluated by a structured fixpoint ([`super::body`]) over the
//! lowered item tree; places and parts are in [`super::places`], calls and summaries in
//! [`super::calls`], shared state in [`super::heap`], macros in [`super::macros`], sink
//! hits in [`super::sinks`], the reach graph in [`super::reach`].

use foldhash::{HashMap, HashMapExt as _, HashSetExt as _};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::env::Env;
use super::heap::strip_cells;
use super::reach::{ParamPart, ReachRecord};
use super::types::Mode;
use super::value::{Callable, Global, Origin, PartPath, Step, Taint, Trace, Value};
use super::{Context, Coverage, FlowFact, FnOutcome, Summary};
use crate::index::ir::{AllowTag, Name, Pattern, Receiver};
use crate::index::ty::{Ty, TyContext};
use crate::index::{Def, FileId, FnId, Location, Owner};

/// How many levels of parts a summary keeps apart; deeper parts are merged into their
/// parent, so that recursive constructors cannot grow summaries without end.
pub(super) const SUMMARY_DEPTH: usize = 2;

pub(crate) fn analyze_function(cx: &Context<'_>, id: FnId) -> FnOutcome {
    let function = &cx.index.functions[id];
    let mut frame = Frame::new(cx, id);
    let mut params: Vec<(Pattern, Value)> = Vec::new();
    let mut index = 0;
    if let Some(receiver) = function.def.receiver {
        let ty = frame.ty_context.self_ty.clone().unwrap_or(Ty::Unknown);
        let value = Value {
            ty: Some(ty),
            param: Some((0, super::value::whole())),
            ..Value::default()
        };
        frame.mutable_params.insert(0, receiver == Receiver::RefMut);
        params.push((
            Pattern::Binding {
                name: "self".into(),
                by_ref: false,
                mutable: false,
                sub: None,
                pos: function.def.pos,
            },
            value,
        ));
        index += 1;
    }
    for param in &function.def.params {
        let ty = frame.lower_ty(&param.ty);
        let mutable = matches!(
            param.ty,
            crate::index::ir::TypeRef::Ref { mutable: true, .. }
        );
        frame.mutable_params.insert(index, mutable);
        params.push((
            param.pattern.clone(),
            Value {
                ty: Some(ty),
                param: Some((index, super::value::whole())),
                ..Value::default()
            },
        ));
        index += 1;
    }
    for (pattern, value) in &params {
        frame.bind(pattern, value.clone());
    }
    // `#[tracing::instrument]` records, when the function is entered, the arguments it
    // does not skip and its `fields` (and, when it returns, `err`/`ret`).
    let instrument = function.def.instrument.as_deref().and_then(|instrument| {
        let sink = cx.policy.sink_for_macro("tracing::instrument")?;
        Some((instrument, sink.id.clone()))
    });
    if let Some((instrument, sink)) = &instrument {
        let names = super::parameter_names(function);
        let mut recorded = Taint::default();
        for ((_, value), name) in params.iter().zip(&names) {
            if !instrument.skip_all && !instrument.skip.contains(name) {
                recorded.join(&frame.formatted(value, true, instrument.pos));
            }
        }
        for (expr, debug) in &instrument.fields {
            let value = frame.expr(expr);
            recorded.join(&frame.formatted(&value, *debug, instrument.pos));
        }
        let site = frame.location(instrument.pos);
        frame.hit(sink, site, recorded);
    }
    if let Some(body) = function.def.block() {
        let value = frame.block(body);
        frame.ret.join(&value);
    }
    if let Some((instrument, sink)) = &instrument {
        let returned = frame.ret.clone();
        let mut recorded = Taint::default();
        if instrument.err {
            let error = frame.error_side(&returned);
            recorded.join(&frame.formatted(&error, false, instrument.pos));
        }
        if instrument.ret {
            let ok = frame.element(&returned);
            recorded.join(&frame.formatted(&ok, true, instrument.pos));
        }
        let site = frame.location(instrument.pos);
        frame.hit(sink, site, recorded);
    }
    frame.finish()
}

pub(super) struct Frame<'c, 'a> {
    pub cx: &'c Context<'a>,
    /// The function being analysed.
    pub fn_id: FnId,
    pub file: FileId,
    pub crate_index: usize,
    pub module: Vec<String>,
    /// The `use` items of the function's body (`use segment::HttpClient;` inside it): a
    /// path whose first segment one of them names resolves through it.
    pub local_imports: Vec<crate::index::ir::Import>,
    pub ty_context: TyContext,
    pub env: Env,
    pub ret: Value,
    pub writes: BTreeMap<usize, Value>,
    /// Parameters whose writes the caller sees: `&mut` ones.
    pub mutable_params: BTreeMap<usize, bool>,
    /// Parts of the parameters that reach a sink, here or in a callee.
    pub reaches: BTreeSet<(usize, PartPath)>,
    /// The edges and seeds of the reach graph this analysis found.
    pub reach: ReachRecord,
    pub flows: Vec<FlowFact>,
    /// (site, sink, category, source) of the flows recorded, so that a loop analysed
    /// again does not record them twice.
    pub flow_keys: foldhash::HashSet<(Location, Arc<str>, Arc<str>, Location)>,
    pub cells: Vec<Value>,
    /// The cell each allocation site made (`Mutex::new` at a position): a site run
    /// again by a loop pass gives the same cell.
    pub cell_sites: HashMap<crate::index::ir::Pos, usize>,
    /// Bumped whenever a cell's content grows: a loop pass that grew a cell must run
    /// again, since an earlier read in the body may see more.
    pub heap_epoch: u64,
    pub callees: BTreeSet<FnId>,
    pub coverage: Coverage,
    pub purposes: BTreeSet<String>,
    pub allows: Vec<AllowTag>,
    pub closure_depth: usize,
    /// Values of `break` in the loops being analysed, innermost last.
    pub breaks: Vec<Value>,
    /// `let r = &mut x;`: writes through `r` reach `x`.
    pub aliases: BTreeMap<Name, Name>,
    /// The cell standing for each `static` this function touches.
    pub static_cells: BTreeMap<Global, (usize, crate::index::ir::Pos)>,
    /// Each global-state cell (by cell), with what this function itself wrote there
    /// (`None`: nothing), apart from what the cell was seeded with: what it stores
    /// there, whatever the static held when it ran (the next run rebuilds the statics
    /// from these).
    pub static_cell_writes: BTreeMap<usize, Option<Value>>,
    /// Global state read while nothing was stored there yet (no cell was made).
    pub globals_read: std::collections::BTreeSet<Global>,
    /// The workspace macro expansions the analysis is inside, outermost first: each
    /// one's trace note ("inside `err!` (src/error.rs:12)").
    pub expanding: Vec<Arc<str>>,
    /// Expanded tokens this analysis may still take in
    /// ([`super::macros::MAX_EXPANDED_TOKENS_PER_FUNCTION`]).
    pub expanded_tokens_left: usize,
    /// Each loop's head: what the slots its body writes may hold at its start, kept
    /// across entries so that a nested loop converges in time linear in its depth.
    pub loop_heads: HashMap<usize, Vec<(super::env::SlotId, Value)>>,
    /// Joined summaries of the candidate sets of dynamic calls, made once per analysis.
    pub dispatch_summaries: HashMap<Vec<FnId>, Arc<Summary>>,
    /// Loop passes run, for the measurements.
    pub loop_passes: usize,
    /// Locals bound with `mut` (by name: a shadowing `let` without `mut` is rare).
    pub mutable_locals: foldhash::HashSet<Name>,
}

impl<'c, 'a> Frame<'c, 'a> {
    pub(super) fn new(cx: &'c Context<'a>, id: FnId) -> Self {
        let function = &cx.index.functions[id];
        let ty_context = ty_context_of(cx.index, id);
        Frame {
            cx,
            fn_id: id,
            file: function.file,
            crate_index: function.crate_index,
            module: function.module.clone(),
            local_imports: local_imports(function.def.block()),
            ty_context,
            env: Env::default(),
            ret: Value::default(),
            writes: BTreeMap::new(),
            mutable_params: BTreeMap::new(),
            mutable_locals: foldhash::HashSet::new(),
            reaches: BTreeSet::new(),
            reach: ReachRecord::default(),
            flows: Vec::new(),
            flow_keys: foldhash::HashSet::new(),
            cells: Vec::new(),
            cell_sites: HashMap::new(),
            heap_epoch: 0,
            callees: BTreeSet::new(),
            coverage: Coverage::default(),
            purposes: cx.purposes.get(&id).cloned().unwrap_or_default(),
            allows: function.def.tags.allows.clone(),
            closure_depth: 0,
            breaks: Vec::new(),
            aliases: BTreeMap::new(),
            static_cells: BTreeMap::new(),
            static_cell_writes: BTreeMap::new(),
            globals_read: std::collections::BTreeSet::new(),
            expanding: Vec::new(),
            expanded_tokens_left: super::macros::MAX_EXPANDED_TOKENS_PER_FUNCTION,
            loop_heads: HashMap::new(),
            dispatch_summaries: HashMap::new(),
            loop_passes: 0,
        }
    }

    pub(super) fn finish(mut self) -> FnOutcome {
        let mut statics_read: BTreeSet<Global> = self.static_cells.keys().cloned().collect();
        statics_read.extend(std::mem::take(&mut self.globals_read));
        // What this function stores in a static from its own parameters is stored by
        // each caller, with what the caller passes (a summary effect, like a write
        // through `&mut`); the rest is stored now. A static never holds a parameter
        // origin, which a reader would take for its own parameter.
        let mut static_writes = BTreeMap::new();
        let statics_written = self
            .static_cells
            .iter()
            .filter_map(|(id, (cell, pos))| {
                let stored = Step {
                    location: self.location(*pos),
                    note: Arc::from(self.global_note(id, true)),
                };
                // Only what it wrote: a function that only reads a static stores nothing.
                let content = strip_cells(
                    self.static_cell_writes
                        .get(cell)?
                        .as_ref()?
                        .with_step(&stored),
                );
                if content.mentions_params() {
                    static_writes.insert(id.clone(), content.clone().summarized(SUMMARY_DEPTH));
                }
                // All of it, even what the static already holds: the outcome is kept
                // for the next run, which rebuilds the statics from the outcomes
                // (whether it grew a static is decided where it is stored).
                let content = content.without_params();
                let empty = Value::default().covers(&content);
                (!empty).then(|| (id.clone(), content.summarized(SUMMARY_DEPTH)))
            })
            .collect();
        let ret = strip_cells(self.ret).summarized(SUMMARY_DEPTH);
        let writes = self
            .writes
            .into_iter()
            .map(|(index, value)| (index, strip_cells(value).summarized(SUMMARY_DEPTH)))
            .collect();
        let fn_id = self.fn_id;
        let mut reach = self.reach;
        let reaches = coarsened_parts(fn_id, self.reaches, &mut reach);
        FnOutcome {
            reach: reach.sealed(),
            summary: Summary {
                ret,
                writes,
                static_writes,
                reaches: reaches
                    .into_iter()
                    .map(|(index, path)| (fn_id, index, path))
                    .collect(),
            },
            flows: self.flows,
            callees: self.callees,
            coverage: self.coverage,
            statics_read,
            statics_written,
        }
    }

    pub fn lower_ty(&self, ty: &crate::index::ir::TypeRef) -> Ty {
        self.cx
            .index
            .lower_ty(self.crate_index, &self.module, &self.ty_context, ty)
    }

    pub fn location(&self, pos: crate::index::ir::Pos) -> Location {
        Location {
            file: self.file,
            pos,
        }
    }

    /// Everything a value carries: its own taint, its parts', its type's tags, its
    /// parameter origin and the shared state it points to.
    pub fn full(&self, value: &Value, mode: Mode) -> Taint {
        let mut taint = Taint::default();
        self.collect_full(value, mode, &mut BTreeSet::new(), 0, &mut taint);
        taint
    }

    pub(super) fn collect_full(
        &self,
        value: &Value,
        mode: Mode,
        cells: &mut BTreeSet<usize>,
        depth: usize,
        taint: &mut Taint,
    ) {
        taint.join(&value.taint);
        taint.join(&value.outside);
        if let Some(ty) = &value.ty {
            self.cx.type_taints.of(ty, mode, taint);
        }
        if let Some((index, path)) = &value.param {
            taint.insert(
                Origin::Param {
                    index: *index,
                    path: path.clone(),
                },
                Trace::default(),
            );
        }
        if depth < 16 {
            let skipped = |name: &str| match (mode, value.ty()) {
                (Mode::Serialize, Ty::Adt(id, _)) => self
                    .cx
                    .index
                    .field(*id, name)
                    .is_some_and(|field| field.serde_skip),
                _ => false,
            };
            for (name, field) in &value.fields {
                if !skipped(name) {
                    self.collect_full(field, mode, cells, depth + 1, taint);
                }
            }
        }
        if let (Some(Callable::Closure(closure)), true) = (&value.callable, depth < 4) {
            for captured in closure.captured.values() {
                self.collect_full(captured, mode, cells, depth + 1, taint);
            }
        }
        if let Some(cell) = value.cell
            && cells.insert(cell)
            && let Some(content) = self.cells.get(cell)
        {
            let content = content.clone();
            self.collect_full(&content, mode, cells, depth + 1, taint);
        }
    }

    /// What `{:?}` (or `{}`) of a value prints: every field, unless the type has a
    /// hand-written impl, whose summary then says what it writes.
    pub(super) fn formatted(
        &mut self,
        value: &Value,
        debug: bool,
        pos: crate::index::ir::Pos,
    ) -> Taint {
        let manual = match value.ty().autoderef() {
            Ty::Adt(id, _) => {
                let info = &self.cx.index.types[*id];
                if debug {
                    info.manual_debug
                } else {
                    info.manual_display
                }
            }
            _ => None,
        };
        let Some(fmt) = manual else {
            return self.full(value, Mode::All);
        };
        // The impl's summary decides: re-run when it changes.
        self.callees.insert(fmt);
        let args = vec![value.clone(), Value::default()];
        let written = self.apply_summary_writes(fmt, &args, pos);
        let mut taint = value.taint.clone();
        for write in written.values() {
            taint.join(&self.full(write, Mode::All));
        }
        taint
    }

    pub fn resolve<S: AsRef<str>>(&self, segments: &[S]) -> Option<Def> {
        if segments
            .first()
            .is_some_and(|first| first.as_ref() == "Self")
            && let Some(Ty::Adt(id, _)) = &self.ty_context.self_ty
        {
            let id = *id;
            let rest = &segments[1..];
            return match rest {
                [] => Some(Def::Type(id)),
                [name]
                    if self.cx.index.types[id]
                        .def
                        .variants
                        .iter()
                        .any(|variant| variant.name == name.as_ref()) =>
                {
                    Some(Def::Variant(id, name.as_ref().to_owned()))
                }
                [name] => self.cx.index.associated(id, name.as_ref()),
                _ => None,
            };
        }
        if let Some(import) = segments.first().and_then(|first| {
            self.local_imports
                .iter()
                .find(|import| !import.glob && import.alias == first.as_ref())
        }) {
            let path: Vec<&str> = import
                .path
                .iter()
                .map(String::as_str)
                .chain(segments[1..].iter().map(AsRef::as_ref))
                .collect();
            return self
                .cx
                .index
                .resolve_path(self.crate_index, &self.module, &path);
        }
        let found = self
            .cx
            .index
            .resolve_path(self.crate_index, &self.module, segments);
        if !self.local_imports.iter().any(|import| import.glob) {
            return found;
        }
        // A path whose first segment is lowercase with more after it names a crate or
        // a module (`serde_json::to_vec`), not something a glob brought in.
        let from_glob = segments.len() == 1
            || segments
                .first()
                .is_some_and(|first| first.as_ref().starts_with(char::is_uppercase));
        // Its first segment names nothing the workspace defines: taken for a crate of
        // that name only because nothing else had it (a workspace type's unknown
        // associated item, `MyType::default()`, stays the workspace's; a prelude name
        // such as `Vec` resolves to std's path, which stays too).
        let unresolved = from_glob
            && match self
                .cx
                .index
                .resolve_path(self.crate_index, &self.module, &segments[..1])
            {
                None => true,
                Some(Def::External(path)) => {
                    path.len() == 1
                        && path.first().map(String::as_str) == segments.first().map(AsRef::as_ref)
                }
                Some(_) => false,
            };
        if unresolved {
            // `use slack_morphism::prelude::*;` in the body: a name the workspace does
            // not define comes from the first glob of an outside crate, as at module
            // level.
            for import in self.local_imports.iter().filter(|import| import.glob) {
                if let Some(Def::External(mut path)) =
                    self.cx
                        .index
                        .resolve_path(self.crate_index, &self.module, &import.path)
                {
                    path.extend(segments.iter().map(|segment| segment.as_ref().to_owned()));
                    return Some(Def::External(path));
                }
            }
        }
        found
    }

    /// The step of an argument passed to `callee` at `pos`.
    pub fn step(&self, pos: crate::index::ir::Pos, callee: FnId) -> Step {
        self.call_step(pos, callee, CallStep::Passed)
    }

    pub fn call_step(&self, pos: crate::index::ir::Pos, callee: FnId, kind: CallStep) -> Step {
        let notes = &self.cx.call_notes[callee];
        let note = match kind {
            CallStep::Passed => &notes.passed,
            CallStep::Returned => &notes.returned,
            CallStep::WrittenBack { param } => {
                let function = &self.cx.index.functions[callee];
                if param == 0 && function.def.receiver.is_some() {
                    &notes.receiver_written
                } else {
                    &notes.written_back
                }
            }
        };
        Step {
            location: self.location(pos),
            note: note.clone(),
        }
    }
}

/// Which way data crosses a call, for its trace step.
#[derive(Debug, Clone, Copy)]
pub enum CallStep {
    Passed,
    Returned,
    WrittenBack { param: usize },
}

/// At most this many parameter parts reach sinks in a summary; past it, parts are
/// merged into their parents (a caller then checks more than it must, never less).
const MAX_REACHING_PARTS: usize = 32;

/// The parts reaching a sink, bounded by [`MAX_REACHING_PARTS`], with the graph's
/// edges renamed to match.
fn coarsened_parts(
    fn_id: FnId,
    mut parts: BTreeSet<(usize, PartPath)>,
    reach: &mut ReachRecord,
) -> BTreeSet<(usize, PartPath)> {
    let mut renamed: HashMap<ParamPart, ParamPart> = HashMap::new();
    for keep in [super::value::MAX_PARAM_PATH, 1, 0] {
        let too_deep = parts
            .iter()
            .any(|(_, path)| path.len() > super::value::MAX_PARAM_PATH);
        if parts.len() <= MAX_REACHING_PARTS && !too_deep {
            break;
        }
        parts = parts
            .into_iter()
            .map(|(index, path)| {
                if path.len() <= keep {
                    return (index, path);
                }
                let short: PartPath = Arc::from(&path[..keep]);
                renamed.insert((fn_id, index, path), (fn_id, index, short.clone()));
                (index, short)
            })
            .collect();
    }
    // Renamed twice (to one segment, then to none): follow to the end.
    let finals: HashMap<ParamPart, ParamPart> = renamed
        .keys()
        .map(|from| {
            let mut to = &renamed[from];
            while let Some(next) = renamed.get(to) {
                to = next;
            }
            (from.clone(), to.clone())
        })
        .collect();
    reach.rename(&finals);
    parts
}

/// The generic parameters (the impl's and the function's, with their bounds) and the
/// `Self` type that a function's signature and body are read with.
pub(super) fn ty_context_of(index: &crate::index::Index, id: FnId) -> TyContext {
    let function = &index.functions[id];
    let bounds = |params: &[crate::index::ir::GenericParam]| -> Vec<(String, Vec<usize>)> {
        params
            .iter()
            .map(|param| {
                (
                    param.name.clone(),
                    index.traits_of(function.crate_index, &function.module, &param.bounds),
                )
            })
            .collect()
    };
    let mut generics = bounds(&function.impl_generics);
    generics.extend(bounds(&function.def.generics));
    let mut ty_context = TyContext {
        generics,
        self_ty: None,
    };
    ty_context.self_ty = match &function.owner {
        Owner::Impl { self_ty, .. } => {
            Some(index.lower_ty(function.crate_index, &function.module, &ty_context, self_ty))
        }
        Owner::Trait(trait_id) => Some(Ty::Param("Self".into(), vec![*trait_id])),
        Owner::Free => None,
    };
    ty_context
}

/// The `use` items among a body's own statements, where they are written (a `use` in a
/// nested block is not seen: it would cost a walk of every body for a rare shape).
fn local_imports(body: Option<&crate::index::ir::Block>) -> Vec<crate::index::ir::Import> {
    body.into_iter()
        .flat_map(|body| &body.stmts)
        .filter_map(|stmt| match stmt {
            crate::index::ir::Stmt::Item(item) => match &item.kind {
                crate::index::ir::ItemKind::Use(found) => Some(found),
                _ => None,
            },
            _ => None,
        })
        .flatten()
        .cloned()
        .collect()
}
