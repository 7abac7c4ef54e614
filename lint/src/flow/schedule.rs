//! The interprocedural fixpoint: which function is analysed when, with which summaries.
//!
//! 1. **An ordering graph.** The calls each body makes that can be named before any
//!    analysis: paths that resolve to a workspace function, and methods whose name few
//!    workspace methods share. (The real callees depend on the types the analysis
//!    infers; this graph only orders the work, and a function analysed before a callee
//!    the graph did not see runs again.)
//! 2. **Components, callees first.** The strongly connected components of that graph
//!    are put in waves: a component's wave comes after every wave its callees are in.
//!    The components of one wave are independent, so they run in parallel; each is
//!    iterated to its own fixpoint (depth-first post-order inside) with its callees'
//!    summaries already final. Results are merged in a fixed order, so the output does
//!    not depend on the number of threads. After a wave, a function that called into
//!    another component of the same wave whose summary changed, or read a static the
//!    wave grew, is due again.
//! 3. **Clean-up.** What the first waves could not order — a callee the ordering graph
//!    did not see, a static written by one function and read by another, purposes
//!    inherited from callers — re-runs the functions it concerns, again in parallel
//!    waves, now over the call graph the analyses found, until nothing changes.
//!
//! Summaries only grow (each new one is joined with the last) and the lattice has
//! finite height (parts bounded in depth and number, origins finite), so every phase
//! terminates: there is no pass limit that could cut a flow.

use foldhash::{HashMap, HashMapExt as _};
use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use super::value::{Global, Value};
use super::{
    Context, Coverage, FlowResult, FlowSet, FnOutcome, Summary, conversions, declared_purposes,
    extension_methods, frame, inherit_purposes, outside_trait_methods, reach, sink_trait_methods,
    types, value_fingerprint,
};
use crate::cache::encoded::Encoded;
use crate::index::free::{Walk, each_expr};
use crate::index::ir::Expr;
use crate::index::{Def, FnId, Index};
use privflow_model::Policy;

/// The summaries a function analysis sees: the settled ones, and those of the
/// component being iterated (which change while it runs).
#[derive(Clone, Copy)]
pub(crate) struct Summaries<'a> {
    settled: &'a HashMap<FnId, Encoded<Summary>>,
    component: Option<&'a HashMap<FnId, Summary>>,
}

impl<'a> Summaries<'a> {
    pub fn get(&self, id: &FnId) -> Option<&'a Summary> {
        self.component
            .and_then(|component| component.get(id))
            .or_else(|| self.settled.get(id).map(Encoded::get))
    }

    pub fn contains_key(&self, id: &FnId) -> bool {
        self.get(id).is_some()
    }
}

/// What taking in one analysis changed.
struct Recorded {
    changed: bool,
    grown: Vec<Global>,
}

/// Everything the fixpoint knows between analyses.
#[derive(Default)]
struct State {
    /// Read back undecoded from the previous run for the functions it kept (most are
    /// never read).
    summaries: HashMap<FnId, Encoded<Summary>>,
    purposes: HashMap<FnId, BTreeSet<String>>,
    statics: HashMap<Global, Value>,
    static_readers: HashMap<Global, BTreeSet<FnId>>,
    callers: HashMap<FnId, BTreeSet<FnId>>,
    callees: HashMap<FnId, BTreeSet<FnId>>,
    /// Every callee of every analysis of each function in this run (a summary joins
    /// them all, and `callers` keeps them all): what the next run's staleness follows.
    callees_ever: HashMap<FnId, BTreeSet<FnId>>,
    /// Each function's latest analysis: its flows and graph edges are the final ones.
    latest: HashMap<FnId, FnOutcome>,
    /// Functions whose inputs changed since their latest analysis.
    dirty: BTreeSet<FnId>,
    /// Functions analysed in this run (the others kept their previous run's analysis).
    fresh: BTreeSet<FnId>,
    analyses: usize,
}

impl State {
    /// Takes in one analysis of `id` with its joined summary. Callers outside `component`
    /// become dirty if the summary changed, and readers of any static it grew. Says
    /// whether the summary changed and which statics grew.
    fn record(
        &mut self,
        id: FnId,
        mut outcome: FnOutcome,
        summary: Summary,
        component: &[FnId],
    ) -> Recorded {
        let callees = std::mem::take(&mut outcome.callees);
        for callee in &callees {
            self.callers.entry(*callee).or_default().insert(id);
        }
        self.callees_ever
            .entry(id)
            .or_default()
            .extend(callees.iter().copied());
        self.callees.insert(id, callees);
        let changed = self.summaries.get(&id).map(|kept| kept.get().fingerprint())
            != Some(summary.fingerprint());
        if changed {
            for caller in self.callers.get(&id).into_iter().flatten() {
                if !component.contains(caller) {
                    self.dirty.insert(*caller);
                }
            }
        }
        self.summaries.insert(id, Encoded::new(summary));
        self.fresh.insert(id);
        let grown = record_statics(&outcome, id, &mut self.statics, &mut self.static_readers);
        for written in &grown {
            self.dirty
                .extend(self.static_readers.get(written).into_iter().flatten());
        }
        // The joined summary and the callees are kept above; the outcome keeps the rest.
        outcome.summary = Summary::default();
        self.latest.insert(id, outcome);
        Recorded { changed, grown }
    }

    /// Takes in the previous run's analyses that still hold ([`super::memo::stale`]
    /// says which do not: those are due). Returns the graph that orders the analyses
    /// due: the calls each function made in the previous run.
    fn restore(
        &mut self,
        index: &Index,
        previous: super::memo::Previous,
        keys: &[u64],
        with_body: &[FnId],
    ) -> HashMap<FnId, BTreeSet<FnId>> {
        let stale = super::memo::stale(index, &previous.memos, keys, with_body);
        let missing: Vec<FnId> = with_body
            .iter()
            .copied()
            .filter(|id| previous.memos.get(*id).is_none_or(Option::is_none))
            .collect();
        let mut order = named_callees(index, &missing);
        for (id, memo) in previous.memos.into_iter().enumerate() {
            let Some(memo) = memo else { continue };
            // A first guess at the purposes, checked once the calls are known.
            self.purposes.insert(id, memo.purposes);
            if stale.contains(&id) {
                order.insert(id, memo.callees);
                continue;
            }
            for callee in &memo.callees {
                self.callers.entry(*callee).or_default().insert(id);
            }
            order.insert(id, memo.callees.clone());
            self.callees_ever.insert(id, memo.callees.clone());
            self.callees.insert(id, memo.callees);
            record_statics(
                &memo.outcome,
                id,
                &mut self.statics,
                &mut self.static_readers,
            );
            self.summaries.insert(id, memo.summary);
            self.latest.insert(id, memo.outcome);
        }
        // Restored functions count as done on the progress bar.
        crate::progress::advance(self.latest.len());
        self.dirty = stale;
        order
    }

    fn context<'s>(
        &'s self,
        fixed: &Context<'s>,
        component: Option<&'s HashMap<FnId, Summary>>,
    ) -> Context<'s> {
        Context {
            summaries: Summaries {
                settled: &self.summaries,
                component,
            },
            purposes: &self.purposes,
            statics: &self.statics,
            ..*fixed
        }
    }
}

/// The whole analysis; with `incremental`, functions whose previous analysis still
/// holds keep it ([`super::memo`]), and the memos of what ran are handed back.
pub fn analyze(
    index: &Index,
    policy: &Policy,
    mut incremental: Option<&mut super::memo::Incremental>,
) -> FlowResult {
    let type_taints = types::TypeTaints::new(index);
    let conversions = conversions(index);
    let outside_trait_methods = outside_trait_methods(index);
    let extension_methods = extension_methods(index);
    let sink_trait_methods = sink_trait_methods(index);
    let call_notes: Vec<super::CallNotes> = index
        .functions
        .iter()
        .map(|function| super::CallNotes::new(&function.path))
        .collect();
    let empty_summaries = HashMap::new();
    let (empty_purposes, empty_statics) = (HashMap::new(), HashMap::new());
    let expansions = super::macros::ExpansionCache::default();
    // What stays the same for the whole analysis; each analysis adds the current state.
    let fixed = Context {
        index,
        policy,
        summaries: Summaries {
            settled: &empty_summaries,
            component: None,
        },
        purposes: &empty_purposes,
        type_taints: &type_taints,
        conversions: &conversions,
        outside_trait_methods: &outside_trait_methods,
        extension_methods: &extension_methods,
        statics: &empty_statics,
        sink_trait_methods: &sink_trait_methods,
        call_notes: &call_notes,
        expansions: &expansions,
    };
    let with_body: Vec<FnId> = (0..index.functions.len())
        .filter(|id| index.functions[*id].def.body.is_some())
        .collect();
    // Sized once: growing tables of every function's outcome would hold two copies
    // at the peak.
    let mut state = State {
        purposes: declared_purposes(index),
        summaries: HashMap::with_capacity(with_body.len()),
        latest: HashMap::with_capacity(with_body.len()),
        ..State::default()
    };
    crate::progress::stage(
        "analysing functions",
        crate::progress::Measure::Of(with_body.len()),
    );
    let previous = incremental
        .as_mut()
        .and_then(|incremental| incremental.previous.take());
    let keys = match &incremental {
        Some(_) => super::memo::keys(index, previous.as_ref()),
        None => Vec::new(),
    };
    let order = match previous {
        Some(previous) => state.restore(index, previous, &keys, &with_body),
        None => {
            state.dirty = with_body.iter().copied().collect();
            named_callees(index, &with_body)
        }
    };
    let mut waves = settle(&mut state, &fixed, &with_body, &order);
    waves += clean_up(index, &mut state, &fixed, &with_body);
    if let Some(incremental) = incremental {
        let files: BTreeSet<usize> = state
            .fresh
            .iter()
            .map(|id| index.functions[*id].file)
            .collect();
        incremental.chunks = super::memo::encode(
            index,
            &files,
            &keys,
            &state.summaries,
            &state.latest,
            &state.callees_ever,
            &state.purposes,
        );
    }
    finish(index, state, waves)
}

/// At most this many workspace methods may share a name for a call of that name to
/// count in the ordering graph: `x.get()` could be any of hundreds of `get`s, and edges
/// to all of them would merge unrelated code into one component.
const MAX_NAMED_METHODS: usize = 8;

/// Phase 1: the calls each body makes that can be named before any analysis — paths
/// that resolve to a workspace function, and methods whose name few workspace methods
/// share. Only the order of the analyses comes from it; each analysis finds its real
/// callees, and a caller whose callee was analysed out of order runs again.
fn named_callees(index: &Index, with_body: &[FnId]) -> HashMap<FnId, BTreeSet<FnId>> {
    let mut methods: HashMap<&str, Vec<FnId>> = HashMap::new();
    for (id, function) in index.functions.iter().enumerate() {
        if function.def.receiver.is_some() {
            methods
                .entry(function.def.name.as_str())
                .or_default()
                .push(id);
        }
    }
    with_body
        .par_iter()
        .map(|id| {
            let function = &index.functions[*id];
            let mut callees = BTreeSet::new();
            if let Some(body) = function.def.block() {
                each_expr(Walk::Block(body), |expr| match expr {
                    Expr::Call { callee, .. } => {
                        if let Expr::Path { path, .. } = &**callee
                            && let Some(Def::Fn(target)) = index.resolve_path(
                                function.crate_index,
                                &function.module,
                                &path.segments,
                            )
                        {
                            callees.insert(target);
                        }
                    }
                    Expr::MethodCall { method, .. } => {
                        if let Some(named) = methods
                            .get(method.as_str())
                            .filter(|named| named.len() <= MAX_NAMED_METHODS)
                        {
                            callees.extend(named.iter().copied());
                        }
                    }
                    _ => {}
                });
            }
            (*id, callees)
        })
        .collect()
}

/// Phase 2, one wave: its components with a dirty member, in parallel, each to its own
/// fixpoint; merged in component order.
fn run_wave(
    state: &mut State,
    fixed: &Context<'_>,
    components: &[Vec<FnId>],
    wave: &[usize],
    rank: &HashMap<FnId, usize>,
) {
    let jobs: Vec<&Vec<FnId>> = wave
        .iter()
        .map(|number| &components[*number])
        .filter(|members| members.iter().any(|id| state.dirty.contains(id)))
        .collect();
    if jobs.is_empty() {
        return;
    }
    let results: Vec<ComponentRun> = jobs
        .par_iter()
        .map(|members| run_component(state, fixed, members, rank))
        .collect();
    // Components of one wave run side by side: a call from one into another (the
    // ordering graph did not see it) saw the callee's summary from before the wave,
    // and a read of a static saw it without what this wave stored.
    let component_of: HashMap<FnId, usize> = jobs
        .iter()
        .enumerate()
        .flat_map(|(number, members)| members.iter().map(move |id| (*id, number)))
        .collect();
    let mut analysed: Vec<(FnId, usize)> = Vec::new();
    let mut changed: BTreeSet<FnId> = BTreeSet::new();
    let mut grown: BTreeSet<Global> = BTreeSet::new();
    for (number, (members, mut run)) in jobs.into_iter().zip(results).enumerate() {
        state.analyses += run.analyses;
        for id in members {
            state.dirty.remove(id);
        }
        for (id, outcome) in run.outcomes {
            if !state.latest.contains_key(&id) {
                crate::progress::advance(1);
            }
            let summary = run.summaries.remove(&id).unwrap_or_default();
            let recorded = state.record(id, outcome, summary, members);
            if recorded.changed {
                changed.insert(id);
            }
            grown.extend(recorded.grown);
            analysed.push((id, number));
        }
    }
    for (id, number) in analysed {
        let stale = state.callees.get(&id).into_iter().flatten().any(|callee| {
            changed.contains(callee)
                && component_of
                    .get(callee)
                    .is_some_and(|other| *other != number)
        });
        // Likewise a static that grew in this wave: its readers here read it before.
        let read_grown = state
            .latest
            .get(&id)
            .is_some_and(|outcome| outcome.statics_read.iter().any(|read| grown.contains(read)));
        if stale || read_grown {
            state.dirty.insert(id);
        }
    }
}

struct ComponentRun {
    summaries: HashMap<FnId, Summary>,
    /// Latest outcome per member analysed, in member order.
    outcomes: Vec<(FnId, FnOutcome)>,
    analyses: usize,
}

/// One component to its fixpoint: its dirty members in `rank` order, each new summary
/// visible at once to the members that call it.
fn run_component(
    state: &State,
    fixed: &Context<'_>,
    members: &[FnId],
    rank: &HashMap<FnId, usize>,
) -> ComponentRun {
    let mut local: HashMap<FnId, Summary> = members
        .iter()
        .filter_map(|id| Some((*id, state.summaries.get(id)?.get().clone())))
        .collect();
    let position: HashMap<FnId, usize> = members
        .iter()
        .map(|id| (*id, rank.get(id).copied().unwrap_or(0)))
        .collect();
    let mut callers: HashMap<FnId, BTreeSet<FnId>> = members
        .iter()
        .map(|id| {
            let inside = state
                .callers
                .get(id)
                .into_iter()
                .flatten()
                .filter(|caller| position.contains_key(caller))
                .copied()
                .collect();
            (*id, inside)
        })
        .collect();
    let mut work: BTreeSet<(usize, FnId)> = members
        .iter()
        .filter(|id| state.dirty.contains(id))
        .map(|id| (position[id], *id))
        .collect();
    let mut outcomes: BTreeMap<usize, (FnId, FnOutcome)> = BTreeMap::new();
    let mut analyses = 0;
    while let Some((_, id)) = work.pop_first() {
        analyses += 1;
        let outcome = {
            let context = state.context(fixed, Some(&local));
            frame::analyze_function(&context, id)
        };
        for callee in &outcome.callees {
            if let Some(inside) = callers.get_mut(callee) {
                inside.insert(id);
            }
        }
        let summary = match local.get(&id) {
            Some(previous) => previous.joined(&outcome.summary),
            None => outcome.summary.clone(),
        };
        if local.get(&id).map(Summary::fingerprint) != Some(summary.fingerprint()) {
            for caller in callers.get(&id).into_iter().flatten() {
                work.insert((position[caller], *caller));
            }
        }
        local.insert(id, summary);
        outcomes.insert(position[&id], (id, outcome));
    }
    ComponentRun {
        summaries: local,
        outcomes: outcomes.into_values().collect(),
        analyses,
    }
}

/// Phase 2 over `graph`: its components in waves, the dirty ones run; how many waves.
fn settle(
    state: &mut State,
    fixed: &Context<'_>,
    with_body: &[FnId],
    graph: &HashMap<FnId, BTreeSet<FnId>>,
) -> usize {
    let components = strongly_connected(with_body, graph);
    let waves = waves(&components, graph);
    // Inside a component, the order decides how many rounds it takes: depth-first
    // post-order, so that a member runs after the callees it reaches first.
    let rank = callee_first_order(graph);
    for wave in &waves {
        run_wave(state, fixed, &components, wave, &rank);
    }
    waves.len()
}

/// Phase 3: whatever is still dirty runs again in waves over the call graph the
/// analyses found, until nothing changes; purposes inherited from callers are
/// recomputed whenever that settles. Returns how many waves it ran.
fn clean_up(index: &Index, state: &mut State, fixed: &Context<'_>, with_body: &[FnId]) -> usize {
    let mut waves = 0;
    loop {
        while !state.dirty.is_empty() {
            let found = state.callees.clone();
            waves += settle(state, fixed, with_body, &found);
        }
        let inherited = inherit_purposes(index, &state.callers);
        for (id, set) in &inherited {
            if state.purposes.get(id) != Some(set) && index.functions[*id].def.body.is_some() {
                state.dirty.insert(*id);
            }
        }
        state.purposes = inherited;
        if state.dirty.is_empty() {
            return waves;
        }
    }
}

/// Each function's latest analysis ran with its callees' final summaries (else it
/// would have been dirty again), so its flows and graph edges are final.
fn finish(index: &Index, mut state: State, waves: usize) -> FlowResult {
    // Only the outcomes and purposes are read from here on; the rest goes first (at a
    // million lines the summaries alone are hundreds of MiB).
    state.summaries = HashMap::new();
    state.statics = HashMap::new();
    state.callers = HashMap::new();
    state.callees = HashMap::new();
    state.callees_ever = HashMap::new();
    let mut coverage = Coverage::default();
    let mut ids: Vec<FnId> = state.latest.keys().copied().collect();
    ids.sort_unstable();
    // Sized once, like the tables above: doubling would copy them at the peak.
    let outcomes = state.latest.values();
    let mut edges = Vec::with_capacity(outcomes.clone().map(|o| o.reach.edges.len()).sum());
    let mut seeds = Vec::with_capacity(outcomes.map(|o| o.reach.seeds.len()).sum());
    let mut flows = FlowSet::default();
    for id in ids {
        if let Some(outcome) = state.latest.remove(&id) {
            for flow in outcome.flows {
                flows.add(flow);
            }
            edges.extend(outcome.reach.edges);
            seeds.extend(outcome.reach.seeds);
            coverage.calls += outcome.coverage.calls;
            coverage.calls_unresolved += outcome.coverage.calls_unresolved;
            coverage.macros_not_understood += outcome.coverage.macros_not_understood;
        }
    }
    reach::propagate(index, &state.purposes, &edges, &seeds, &mut flows);
    FlowResult {
        flows: flows.into_flows(),
        coverage,
        waves,
        analyses: state.analyses,
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
        let before = value_fingerprint(slot);
        slot.join(value);
        *slot = std::mem::take(slot).summarized(frame::SUMMARY_DEPTH);
        if value_fingerprint(slot) != before {
            grown.push(written.clone());
        }
    }
    grown
}

/// The strongly connected components of the call graph among `nodes`, callees' first
/// (Tarjan's algorithm with an explicit stack: call chains can be deep). Inside a
/// component, members deeper in the search come first.
fn strongly_connected(nodes: &[FnId], callees: &HashMap<FnId, BTreeSet<FnId>>) -> Vec<Vec<FnId>> {
    let mut search = Tarjan::default();
    for &root in nodes {
        if !search.number.contains_key(&root) {
            search.run(root, callees);
        }
    }
    search.components
}

#[derive(Default)]
struct Tarjan {
    number: HashMap<FnId, usize>,
    low: HashMap<FnId, usize>,
    stack: Vec<FnId>,
    on_stack: BTreeSet<FnId>,
    components: Vec<Vec<FnId>>,
}

impl Tarjan {
    fn run(&mut self, root: FnId, callees: &HashMap<FnId, BTreeSet<FnId>>) {
        // (node, its callees, how many of them were looked at)
        let mut frames: Vec<(FnId, Vec<FnId>, usize)> = vec![self.enter(root, callees)];
        while let Some((node, out, next)) = frames.last_mut() {
            let node = *node;
            if let Some(&callee) = out.get(*next) {
                *next += 1;
                if !self.number.contains_key(&callee) {
                    let frame = self.enter(callee, callees);
                    frames.push(frame);
                } else if self.on_stack.contains(&callee) {
                    let lowest = self.low[&node].min(self.number[&callee]);
                    self.low.insert(node, lowest);
                }
                continue;
            }
            frames.pop();
            if let Some((parent, _, _)) = frames.last() {
                let lowest = self.low[parent].min(self.low[&node]);
                self.low.insert(*parent, lowest);
            }
            if self.low[&node] == self.number[&node] {
                let mut component = Vec::new();
                while let Some(member) = self.stack.pop() {
                    self.on_stack.remove(&member);
                    component.push(member);
                    if member == node {
                        break;
                    }
                }
                self.components.push(component);
            }
        }
    }

    fn enter(
        &mut self,
        node: FnId,
        callees: &HashMap<FnId, BTreeSet<FnId>>,
    ) -> (FnId, Vec<FnId>, usize) {
        let next = self.number.len();
        self.number.insert(node, next);
        self.low.insert(node, next);
        self.stack.push(node);
        self.on_stack.insert(node);
        let out = callees
            .get(&node)
            .map(|set| set.iter().copied().collect())
            .unwrap_or_default();
        (node, out, 0)
    }
}

/// Components grouped in waves: each after the waves of all its callees.
fn waves(components: &[Vec<FnId>], callees: &HashMap<FnId, BTreeSet<FnId>>) -> Vec<Vec<usize>> {
    let component_of: HashMap<FnId, usize> = components
        .iter()
        .enumerate()
        .flat_map(|(number, members)| members.iter().map(move |id| (*id, number)))
        .collect();
    let mut wave_of: Vec<usize> = vec![0; components.len()];
    // Tarjan's order puts every callee component before its callers.
    for (number, members) in components.iter().enumerate() {
        let wave = members
            .iter()
            .flat_map(|id| callees.get(id).into_iter().flatten())
            .filter_map(|callee| component_of.get(callee))
            .filter(|other| **other != number)
            .map(|other| wave_of[*other] + 1)
            .max()
            .unwrap_or(0);
        wave_of[number] = wave;
    }
    let count = wave_of.iter().max().map_or(0, |max| max + 1);
    let mut waves = vec![Vec::new(); count];
    for (number, wave) in wave_of.into_iter().enumerate() {
        waves[wave].push(number);
    }
    waves
}

/// A rank per function such that callees come before their callers: depth-first
/// post-order (within a cycle, a member after the members it reaches first).
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

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(FnId, FnId)]) -> HashMap<FnId, BTreeSet<FnId>> {
        let mut callees: HashMap<FnId, BTreeSet<FnId>> = HashMap::new();
        for (caller, callee) in edges {
            callees.entry(*caller).or_default().insert(*callee);
            callees.entry(*callee).or_default();
        }
        callees
    }

    #[test]
    fn components_come_callees_first_and_waves_order_them() {
        // 0 -> 1 <-> 2 -> 3, and 4 -> 3 on its own.
        let callees = graph(&[(0, 1), (1, 2), (2, 1), (2, 3), (4, 3)]);
        let components = strongly_connected(&[0, 1, 2, 3, 4], &callees);
        let mut sorted: Vec<Vec<FnId>> = components
            .iter()
            .map(|members| {
                let mut members = members.clone();
                members.sort_unstable();
                members
            })
            .collect();
        sorted.sort();
        assert_eq!(sorted, vec![vec![0], vec![1, 2], vec![3], vec![4]]);
        let position = |id: FnId| {
            components
                .iter()
                .position(|members| members.contains(&id))
                .unwrap_or(usize::MAX)
        };
        assert!(position(3) < position(1) && position(1) < position(0));
        let waves = waves(&components, &callees);
        let wave_of = |id: FnId| {
            waves
                .iter()
                .position(|wave| wave.contains(&position(id)))
                .unwrap_or(usize::MAX)
        };
        assert_eq!(wave_of(3), 0);
        assert_eq!(wave_of(4), 1, "4 waits only for 3");
        assert_eq!(wave_of(1), 1);
        assert_eq!(wave_of(2), 1, "a cycle is one component");
        assert_eq!(wave_of(0), 2);
    }

    #[test]
    fn a_call_chain_a_hundred_thousand_deep_does_not_overflow() {
        let edges: Vec<(FnId, FnId)> = (0..100_000).map(|id| (id, id + 1)).collect();
        let callees = graph(&edges);
        let nodes: Vec<FnId> = (0..=100_000).collect();
        let components = strongly_connected(&nodes, &callees);
        assert_eq!(components.len(), 100_001);
        assert_eq!(components[0], vec![100_000], "the deepest callee first");
    }
}
