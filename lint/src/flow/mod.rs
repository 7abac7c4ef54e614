//! Stage 3, flow analysis: a summary per function — what reaches its return value, the
//! parameters it writes, and the sinks it reaches, in terms of its parameters — computed
//! to a fixpoint over the whole workspace; then one last pass turns every origin that
//! reaches a sink into a [`FlowFact`].
//!
//! Sources are types: a value whose type has tagged fields carries their categories
//! wherever it is, so a function taking `&Contact` is analysed without its callers.
//! What a function receives untyped (`&str`, generics) reaches its sinks through the
//! summary, and becomes a flow at the call that passes tagged data.

mod body;
mod calls;
mod env;
mod expand;
mod externals;
mod frame;
mod heap;
mod macros;
mod places;
mod reach;
mod sinks;
pub mod types;
pub mod value;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use privflow_model::Policy;
use rayon::prelude::*;

use crate::index::ir::AllowTag;
use crate::index::{FnId, Index, Location, Owner};
use value::Global;
use value::{Origin, Step, Taint, Value};

/// How many whole passes the fixpoint may take before it stops (and says so).
const MAX_PASSES: usize = 40;

/// One category reaching one sink at one call site, with where it came from.
#[derive(Debug, Clone)]
pub struct FlowFact {
    pub category: String,
    pub sink: String,
    pub site: Location,
    pub source: Location,
    pub trace: Vec<Step>,
    /// The purposes the flow runs under.
    pub purposes: Vec<String>,
    /// The tagged field's own `purposes`, if it lists any.
    pub field_purposes: Option<Vec<String>>,
    /// `#[privflow::allow]`s in force where the flow happens.
    pub allows: Vec<AllowTag>,
    /// The function that contains the sink call.
    pub function: FnId,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Coverage {
    pub calls: usize,
    pub calls_unresolved: usize,
    pub macros_not_understood: usize,
}

pub struct FlowResult {
    pub flows: Vec<FlowFact>,
    pub coverage: Coverage,
    /// Whether the fixpoint settled within its pass limit.
    pub converged: bool,
    /// How many passes it took, and how many function analyses in all.
    pub passes: usize,
    pub analyses: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub ret: Value,
    /// What the function writes into its parameters (through `&mut` or shared state).
    pub writes: BTreeMap<usize, Value>,
    /// The parameter parts that reach a sink, in the function or in a callee (the
    /// function is named: a dynamic call joins the summaries of several).
    pub reaches: BTreeSet<reach::ParamPart>,
}

impl Summary {
    /// What either summary says, bounded like a fresh one.
    fn joined(mut self, newer: Summary) -> Summary {
        self.ret.join(&newer.ret);
        self.ret = self.ret.summarized(frame::SUMMARY_DEPTH);
        for (index, value) in newer.writes {
            let slot = self.writes.entry(index).or_default();
            slot.join(&value);
            *slot = std::mem::take(slot).summarized(frame::SUMMARY_DEPTH);
        }
        self.reaches.extend(newer.reaches);
        self
    }

    /// A cheap fingerprint for the fixpoint: a hash of the origins it mentions, where.
    fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        fn value_origins(
            value: &Value,
            hasher: &mut std::collections::hash_map::DefaultHasher,
            depth: usize,
        ) {
            for origin in value.taint.0.keys() {
                origin.hash(hasher);
            }
            value.param.hash(hasher);
            if depth < 6 {
                for (name, field) in &value.fields {
                    name.hash(hasher);
                    value_origins(field, hasher, depth + 1);
                }
            }
            depth.hash(hasher);
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        value_origins(&self.ret, &mut hasher, 0);
        for (index, value) in &self.writes {
            index.hash(&mut hasher);
            value_origins(value, &mut hasher, 0);
        }
        self.reaches.hash(&mut hasher);
        hasher.finish()
    }
}

/// Shared, read-only context of a pass.
pub(crate) struct Context<'a> {
    pub index: &'a Index,
    pub policy: &'a Policy,
    pub summaries: &'a HashMap<FnId, Summary>,
    /// Purposes each function runs under (declared, else inherited from all callers).
    pub purposes: &'a HashMap<FnId, BTreeSet<String>>,
    pub type_taints: &'a types::TypeTaints,
    /// Source type → `fn from` of the workspace's `impl From<Source> for _`.
    pub conversions: &'a HashMap<usize, Vec<FnId>>,
    /// What each `static` may hold, from every function that writes it.
    pub statics: &'a HashMap<Global, Value>,
}

/// What analysing one function yields.
pub(crate) struct FnOutcome {
    pub summary: Summary,
    pub flows: Vec<FlowFact>,
    pub callees: BTreeSet<FnId>,
    pub coverage: Coverage,
    /// Statics the function reads, and what it leaves in those it writes.
    pub statics_read: BTreeSet<Global>,
    pub statics_written: BTreeMap<Global, Value>,
    /// Edges and seeds of the reach graph.
    pub reach: reach::ReachRecord,
}

pub fn analyze(index: &Index, policy: &Policy) -> FlowResult {
    let mut summaries: HashMap<FnId, Summary> = HashMap::new();
    let mut purposes: HashMap<FnId, BTreeSet<String>> = declared_purposes(index);
    let mut converged = false;
    let type_taints = types::TypeTaints::new(index);
    let conversions = conversions(index);
    let mut statics: HashMap<Global, Value> = HashMap::new();
    let (no_summaries, no_purposes, no_statics) = (HashMap::new(), HashMap::new(), HashMap::new());
    // What stays the same for the whole analysis; each analysis adds the current state.
    let fixed = Context {
        index,
        policy,
        summaries: &no_summaries,
        purposes: &no_purposes,
        type_taints: &type_taints,
        conversions: &conversions,
        statics: &no_statics,
    };
    let mut static_readers: HashMap<Global, BTreeSet<FnId>> = HashMap::new();
    // A worklist: the first pass analyses every function; later ones only those whose
    // callees' summaries (or whose purposes) changed.
    let dirty: BTreeSet<FnId> = (0..index.functions.len())
        .filter(|id| index.functions[*id].def.body.is_some())
        .collect();
    let mut callers: HashMap<FnId, BTreeSet<FnId>> = HashMap::new();
    let mut latest: HashMap<FnId, FnOutcome> = HashMap::new();
    let (mut passes, mut analyses) = (0, 0);
    let mut callees: HashMap<FnId, BTreeSet<FnId>> = HashMap::new();
    // First pass: every function, in parallel, with no summaries yet.
    {
        passes += 1;
        analyses += dirty.len();
        let context = Context {
            summaries: &summaries,
            purposes: &purposes,
            statics: &statics,
            ..fixed
        };
        let work: Vec<FnId> = dirty.iter().copied().collect();
        let outcomes: Vec<(FnId, FnOutcome)> = work
            .par_iter()
            .map(|id| (*id, frame::analyze_function(&context, *id)))
            .collect();
        for (id, outcome) in outcomes {
            for callee in &outcome.callees {
                callers.entry(*callee).or_default().insert(id);
            }
            callees.insert(id, outcome.callees.clone());
            summaries.insert(id, outcome.summary.clone());
            record_statics(&outcome, id, &mut statics, &mut static_readers);
            latest.insert(id, outcome);
        }
    }
    // Functions that read a static written in the first pass see it on their next run.
    let mut dirty = dirty;
    dirty.retain(|id| {
        latest.get(id).is_some_and(|outcome| {
            !outcome.callees.is_empty()
                || outcome
                    .statics_read
                    .iter()
                    .any(|read| statics.contains_key(read))
        })
    });
    // Then a worklist, callees first, each new summary visible at once: a change
    // travels around a cycle of calls in one sweep instead of one pass per call.
    let rank = callee_first_order(&callees);
    let budget = index.functions.len().saturating_mul(MAX_PASSES);
    let mut work: BTreeSet<(usize, FnId)> = dirty
        .iter()
        .map(|id| (rank.get(id).copied().unwrap_or(0), *id))
        .collect();
    loop {
        while let Some((_, id)) = work.pop_first() {
            if analyses >= budget {
                break;
            }
            analyses += 1;
            let context = Context {
                summaries: &summaries,
                purposes: &purposes,
                statics: &statics,
                ..fixed
            };
            let outcome = frame::analyze_function(&context, id);
            for callee in &outcome.callees {
                callers.entry(*callee).or_default().insert(id);
            }
            // Summaries only grow (joined with the last one), so this terminates.
            let summary = match summaries.get(&id) {
                Some(previous) => previous.clone().joined(outcome.summary.clone()),
                None => outcome.summary.clone(),
            };
            if summaries.get(&id).map(Summary::fingerprint) != Some(summary.fingerprint()) {
                for caller in callers.get(&id).into_iter().flatten() {
                    work.insert((rank.get(caller).copied().unwrap_or(0), *caller));
                }
            }
            summaries.insert(id, summary);
            for written in record_statics(&outcome, id, &mut statics, &mut static_readers) {
                for reader in static_readers.get(&written).into_iter().flatten() {
                    work.insert((rank.get(reader).copied().unwrap_or(0), *reader));
                }
            }
            latest.insert(id, outcome);
        }
        passes += 1;
        let inherited = inherit_purposes(index, &callers);
        for (id, set) in &inherited {
            if purposes.get(id) != Some(set) && index.functions[*id].def.body.is_some() {
                work.insert((rank.get(id).copied().unwrap_or(0), *id));
            }
        }
        purposes = inherited;
        if work.is_empty() {
            converged = analyses < budget;
            break;
        }
        if analyses >= budget {
            break;
        }
    }
    // Each function's latest analysis ran with its callees' final summaries (else it
    // would have been dirty again), so its flows are final.
    let mut flows = Vec::new();
    let mut coverage = Coverage::default();
    let mut ids: Vec<FnId> = latest.keys().copied().collect();
    ids.sort_unstable();
    let (mut edges, mut seeds) = (Vec::new(), Vec::new());
    for id in ids {
        if let Some(outcome) = latest.remove(&id) {
            flows.extend(outcome.flows);
            edges.extend(outcome.reach.edges);
            seeds.extend(outcome.reach.seeds);
            coverage.calls += outcome.coverage.calls;
            coverage.calls_unresolved += outcome.coverage.calls_unresolved;
            coverage.macros_not_understood += outcome.coverage.macros_not_understood;
        }
    }
    flows.extend(reach::propagate(index, &purposes, &edges, &seeds));
    FlowResult {
        flows: dedup(flows),
        coverage,
        converged,
        passes,
        analyses,
    }
}

/// Merges what a function wrote into statics into the global view; returns the statics
/// whose content grew (their readers must run again).
fn record_statics(
    outcome: &FnOutcome,
    id: FnId,
    statics: &mut HashMap<Global, Value>,
    readers: &mut HashMap<Global, BTreeSet<FnId>>,
) -> Vec<Global> {
    for read in &outcome.statics_read {
        readers.entry(read.clone()).or_default().insert(id);
    }
    let mut grown = Vec::new();
    for (written, value) in &outcome.statics_written {
        let slot = statics.entry(written.clone()).or_default();
        let before = Summary {
            ret: slot.clone(),
            ..Summary::default()
        }
        .fingerprint();
        slot.join(value);
        *slot = std::mem::take(slot).summarized(frame::SUMMARY_DEPTH);
        let after = Summary {
            ret: slot.clone(),
            ..Summary::default()
        }
        .fingerprint();
        if before != after {
            grown.push(written.clone());
        }
    }
    grown
}

/// `impl From<Source> for Target`: source type → the impl's `fn from`.
fn conversions(index: &Index) -> HashMap<usize, Vec<FnId>> {
    let mut map: HashMap<usize, Vec<FnId>> = HashMap::new();
    for (id, function) in index.functions.iter().enumerate() {
        let is_from = function.def.name == "from"
            && matches!(&function.owner, Owner::Impl { trait_path: Some(path), .. }
                if path.segments.last().is_some_and(|last| last == "From"));
        let Some(param) = function.def.params.first().filter(|_| is_from) else {
            continue;
        };
        let ty = index.lower_ty(
            function.crate_index,
            &function.module,
            &crate::index::ty::TyContext::default(),
            &param.ty,
        );
        if let crate::index::ty::Ty::Adt(source, _) = ty {
            map.entry(source).or_default().push(id);
        }
    }
    map
}

/// A rank per function such that callees come before their callers (within a cycle,
/// in depth-first order).
fn callee_first_order(callees: &HashMap<FnId, BTreeSet<FnId>>) -> HashMap<FnId, usize> {
    let mut rank = HashMap::new();
    let mut roots: Vec<FnId> = callees.keys().copied().collect();
    roots.sort_unstable();
    for root in roots {
        if rank.contains_key(&root) {
            continue;
        }
        // Iterative post-order: (function, whether its callees were pushed).
        let mut stack = vec![(root, false)];
        let mut visiting = BTreeSet::new();
        while let Some((id, expanded)) = stack.pop() {
            if rank.contains_key(&id) {
                continue;
            }
            if expanded {
                let next = rank.len();
                rank.insert(id, next);
                continue;
            }
            if !visiting.insert(id) {
                continue;
            }
            stack.push((id, true));
            for callee in callees.get(&id).into_iter().flatten() {
                if !rank.contains_key(callee) && !visiting.contains(callee) {
                    stack.push((*callee, false));
                }
            }
        }
    }
    rank
}

/// One fact per (category, sink, site): the first found keeps its trace and source.
fn dedup(mut flows: Vec<FlowFact>) -> Vec<FlowFact> {
    flows.sort_by(|a, b| {
        (a.site, &a.sink, &a.category, a.trace.len(), a.source).cmp(&(
            b.site,
            &b.sink,
            &b.category,
            b.trace.len(),
            b.source,
        ))
    });
    let mut kept: Vec<FlowFact> = Vec::new();
    for flow in flows {
        match kept.last_mut() {
            Some(last)
                if last.site == flow.site
                    && last.sink == flow.sink
                    && last.category == flow.category =>
            {
                // A flow runs under the purposes of every path that reaches it: keep
                // the narrowest (the intersection), so no path gets a purpose it lacks.
                last.purposes
                    .retain(|purpose| flow.purposes.contains(purpose));
            }
            _ => kept.push(flow),
        }
    }
    kept
}

fn declared_purposes(index: &Index) -> HashMap<FnId, BTreeSet<String>> {
    index
        .functions
        .iter()
        .enumerate()
        .map(|(id, function)| (id, function.def.tags.purposes.iter().cloned().collect()))
        .collect()
}

/// A function without declared purposes runs under the purposes that every one of its
/// callers runs under (none if it has no callers, or callers disagree entirely).
fn inherit_purposes(
    index: &Index,
    callers: &HashMap<FnId, BTreeSet<FnId>>,
) -> HashMap<FnId, BTreeSet<String>> {
    let mut purposes = declared_purposes(index);
    for _ in 0..MAX_PASSES {
        let mut changed = false;
        for (id, function) in index.functions.iter().enumerate() {
            if !function.def.tags.purposes.is_empty() {
                continue;
            }
            let Some(calling) = callers.get(&id) else {
                continue;
            };
            let mut inherited: Option<BTreeSet<String>> = None;
            for caller in calling.iter().filter(|caller| **caller != id) {
                let theirs = purposes.get(caller).cloned().unwrap_or_default();
                inherited = Some(match inherited {
                    None => theirs,
                    Some(mine) => mine.intersection(&theirs).cloned().collect(),
                });
            }
            let inherited = inherited.unwrap_or_default();
            if purposes.get(&id) != Some(&inherited) {
                purposes.insert(id, inherited);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    purposes
}

/// Whether a function is a sink, and which of its parameters are checked
/// (indices, with `self` as 0 for methods).
pub(crate) fn sink_of(index: &Index, policy: &Policy, id: FnId) -> Option<(String, Vec<usize>)> {
    let function = &index.functions[id];
    let declared = function
        .def
        .tags
        .sink
        .as_ref()
        .map(|tag| (tag.sink.clone(), tag.args.clone()));
    // A sink declared on a trait method applies to every impl of it.
    let from_trait = || match &function.owner {
        Owner::Impl {
            trait_id: Some(trait_id),
            ..
        } => {
            let declaration = index.traits[*trait_id].methods.get(&function.def.name)?;
            let tag = index.functions[*declaration].def.tags.sink.as_ref()?;
            Some((tag.sink.clone(), tag.args.clone()))
        }
        _ => None,
    };
    let from_config = || {
        policy
            .sink_for_function(&function.path)
            .map(|sink| (sink.id.clone(), None))
    };
    let (sink, args) = declared.or_else(from_trait).or_else(from_config)?;
    let names = parameter_names(function);
    let checked = match args {
        None => (0..names.len()).collect(),
        Some(args) => names
            .iter()
            .enumerate()
            .filter(|(_, name)| args.iter().any(|arg| arg == *name))
            .map(|(index, _)| index)
            .collect(),
    };
    Some((sink, checked))
}

/// Parameter names in call order, `self` first for methods.
pub(crate) fn parameter_names(function: &crate::index::FnInfo) -> Vec<String> {
    let mut names = Vec::new();
    if function.def.receiver.is_some() {
        names.push("self".to_owned());
    }
    for param in &function.def.params {
        names.push(match &param.pattern {
            crate::index::ir::Pattern::Binding { name, .. } => name.clone(),
            _ => String::new(),
        });
    }
    names
}

/// Origins of `taint` that are tags, as (category, source, field purposes, trace).
pub(crate) fn tag_origins(
    taint: &Taint,
) -> impl Iterator<Item = (&Arc<str>, Location, Option<&Arc<[String]>>, &value::Trace)> {
    taint.0.iter().filter_map(|(origin, trace)| match origin {
        Origin::Tag {
            category,
            tag,
            purposes,
        } => Some((category, *tag, purposes.as_ref(), trace)),
        Origin::Param { .. } => None,
    })
}
