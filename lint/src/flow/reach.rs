//! Which sinks a parameter reaches, as a graph over the whole workspace. A sink call
//! inside a helper is a flow if any caller can pass carrying data in (SPEC §6: call
//! sites of helpers are context-insensitive), so a function's summary says only *which*
//! parts of its parameters reach a sink ([`super::Summary::reaches`]); the sinks
//! themselves stay where they are. Each analysis records
//!
//! - an edge from a parameter part to the sink call it reaches in the function itself,
//! - an edge from a parameter part to the callee's part it is passed into,
//! - a seed where tagged data is passed into a callee's part that reaches a sink,
//!
//! and once the fixpoint has settled, [`propagate`] follows the seeds along the edges
//! to the sinks. Copying every sink of every callee into every caller's summary instead
//! costs the square of the call depth (and re-runs whole cycles of calls for each new
//! one); the graph is linear in the calls.

use foldhash::{HashMap, HashMapExt as _};
use std::collections::{BTreeSet, VecDeque};
use std::sync::Arc;

use super::FlowFact;
use super::value::{Origin, Step, Trace};
use crate::index::ir::AllowTag;
use crate::index::{FnId, Index, Location};

/// Part `path` of parameter `index` of a function (0 is `self` for methods).
pub type ParamPart = (FnId, usize, super::value::PartPath);

/// Where data in a parameter part goes on to.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Target {
    /// A part of a callee's parameter, itself reaching a sink.
    Part(ParamPart),
    /// A sink call in the function itself.
    Sink {
        #[serde(with = "crate::cache::encoded::shared")]
        sink: Arc<str>,
        site: Location,
    },
}

/// Data in `from` reaches `to`, the way `trace` says (steps inside `from`'s function).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ReachEdge {
    pub from: ParamPart,
    pub to: Target,
    pub trace: Trace,
}

/// Tagged data passed into `to` by function `function`, the way `trace` says.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Seed {
    pub origin: Origin,
    pub trace: Trace,
    pub to: ParamPart,
    pub function: FnId,
}

/// What one analysis adds to the graph; a loop body analysed again adds nothing twice.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ReachRecord {
    pub edges: Vec<ReachEdge>,
    pub seeds: Vec<Seed>,
    #[serde(skip)]
    edge_keys: foldhash::HashSet<(ParamPart, Target)>,
    #[serde(skip)]
    seed_keys: foldhash::HashSet<(Origin, ParamPart)>,
}

impl ReachRecord {
    pub fn edge(&mut self, from: ParamPart, to: Target, trace: &Trace) {
        if self.edge_keys.insert((from.clone(), to.clone())) {
            self.edges.push(ReachEdge {
                from,
                to,
                trace: trace.clone(),
            });
        }
    }

    pub fn seed(&mut self, origin: &Origin, trace: &Trace, to: &ParamPart, function: FnId) {
        if self.seed_keys.insert((origin.clone(), to.clone())) {
            self.seeds.push(Seed {
                origin: origin.clone(),
                trace: trace.clone(),
                to: to.clone(),
                function,
            });
        }
    }

    /// The edges and seeds alone: the keys that kept them unique are not needed once
    /// the analysis is over (and would double what a kept outcome holds).
    pub fn sealed(mut self) -> ReachRecord {
        self.edge_keys = Default::default();
        self.seed_keys = Default::default();
        self.edges.shrink_to_fit();
        self.seeds.shrink_to_fit();
        self
    }

    /// Renames parameter parts of the analysed function (coarsened for its summary).
    pub fn rename(&mut self, renamed: &HashMap<ParamPart, ParamPart>) {
        if renamed.is_empty() {
            return;
        }
        for edge in &mut self.edges {
            if let Some(to) = renamed.get(&edge.from) {
                edge.from = to.clone();
            }
        }
    }
}

/// One tag origin arrived at a parameter part, with the purposes and allows of the
/// path that brought it, and how it came (for the trace).
struct Fact {
    node: usize,
    origin: usize,
    /// Shared along a path until a function on it declares more.
    purposes: Arc<BTreeSet<String>>,
    allows: Arc<Vec<AllowTag>>,
    came: Came,
}

#[derive(Clone, Copy)]
enum Came {
    Seed(usize),
    Edge { fact: usize, edge: usize },
}

/// Follows every seed along the edges to the sinks it reaches: one flow per arrival
/// (the caller deduplicates per category, sink and site, keeping the shortest trace
/// and the purposes every path shares). `purposes` are the purposes each function runs
/// under; a path adds the declared purposes and allows of every function it crosses.
pub fn propagate(
    index: &Index,
    purposes: &HashMap<FnId, BTreeSet<String>>,
    edges: &[ReachEdge],
    seeds: &[Seed],
    flows: &mut super::FlowSet,
) {
    // Parts are numbered once; the walk below never hashes a part again.
    let mut nodes: HashMap<&ParamPart, usize> = HashMap::new();
    let mut node_of = |part| {
        let next = nodes.len();
        *nodes.entry(part).or_insert(next)
    };
    let mut edge_ends: Vec<(usize, Option<usize>)> = Vec::with_capacity(edges.len());
    for edge in edges {
        let from = node_of(&edge.from);
        let to = match &edge.to {
            Target::Part(to) => Some(node_of(to)),
            Target::Sink { .. } => None,
        };
        edge_ends.push((from, to));
    }
    let mut outgoing: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (number, (from, _)) in edge_ends.iter().enumerate() {
        outgoing[*from].push(number);
    }
    let mut origins: HashMap<&Origin, usize> = HashMap::new();
    let mut origin_list: Vec<&Origin> = Vec::new();
    let mut facts: Vec<Fact> = Vec::new();
    let mut fact_at: HashMap<(usize, usize), usize> = HashMap::new();
    let mut queue: VecDeque<usize> = VecDeque::new();
    let declared = |function: FnId| -> (&[String], &[AllowTag]) {
        let tags = &index.functions[function].def.tags;
        (&tags.purposes, &tags.allows)
    };
    for (number, seed) in seeds.iter().enumerate() {
        let Some(&node) = nodes.get(&seed.to) else {
            continue;
        };
        let origin = *origins.entry(&seed.origin).or_insert_with(|| {
            origin_list.push(&seed.origin);
            origin_list.len() - 1
        });
        let in_force = Arc::new(purposes.get(&seed.function).cloned().unwrap_or_default());
        let allows = Arc::new(declared(seed.function).1.to_vec());
        arrive(
            &mut facts,
            &mut fact_at,
            &mut queue,
            Fact {
                node,
                origin,
                purposes: in_force,
                allows,
                came: Came::Seed(number),
            },
        );
    }
    while let Some(current) = queue.pop_front() {
        let (node, origin) = (facts[current].node, facts[current].origin);
        for &number in &outgoing[node] {
            let edge = &edges[number];
            let (own_purposes, own_allows) = declared(edge.from.0);
            let mut path_purposes = facts[current].purposes.clone();
            if !own_purposes
                .iter()
                .all(|purpose| path_purposes.contains(purpose))
            {
                Arc::make_mut(&mut path_purposes).extend(own_purposes.iter().cloned());
            }
            let mut path_allows = facts[current].allows.clone();
            merge_allows(&mut path_allows, own_allows);
            match &edge.to {
                Target::Part(_) => {
                    let Some(to) = edge_ends[number].1 else {
                        continue;
                    };
                    arrive(
                        &mut facts,
                        &mut fact_at,
                        &mut queue,
                        Fact {
                            node: to,
                            origin,
                            purposes: path_purposes,
                            allows: path_allows,
                            came: Came::Edge {
                                fact: current,
                                edge: number,
                            },
                        },
                    );
                }
                Target::Sink { sink, site } => {
                    let Origin::Tag {
                        category,
                        tag,
                        purposes: field_purposes,
                    } = origin_list[origin]
                    else {
                        continue;
                    };
                    let mut trace = trace_of(&facts, seeds, edges, current);
                    push_steps(&mut trace, &edge.trace);
                    flows.add(FlowFact {
                        category: category.clone(),
                        sink: sink.clone(),
                        site: *site,
                        source: *tag,
                        trace,
                        purposes: path_purposes.iter().cloned().collect(),
                        field_purposes: field_purposes.as_ref().map(|list| list.to_vec()),
                        allows: path_allows.to_vec(),
                        function: edge.from.0,
                    });
                }
            }
        }
    }
}

/// Records `fact` at its node, or narrows the one there (purposes every path shares,
/// allows of any path); queued again whenever it changed.
fn arrive(
    facts: &mut Vec<Fact>,
    fact_at: &mut HashMap<(usize, usize), usize>,
    queue: &mut VecDeque<usize>,
    fact: Fact,
) {
    match fact_at.get(&(fact.node, fact.origin)) {
        None => {
            fact_at.insert((fact.node, fact.origin), facts.len());
            queue.push_back(facts.len());
            facts.push(fact);
        }
        Some(&known) => {
            let existing = &mut facts[known];
            let before = (existing.purposes.len(), existing.allows.len());
            if !existing
                .purposes
                .iter()
                .all(|purpose| fact.purposes.contains(purpose))
            {
                Arc::make_mut(&mut existing.purposes)
                    .retain(|purpose| fact.purposes.contains(purpose));
            }
            merge_allows(&mut existing.allows, &fact.allows);
            if before != (existing.purposes.len(), existing.allows.len()) {
                queue.push_back(known);
            }
        }
    }
}

/// Adds the allows of `more` that `into` lacks (copying `into` only then).
fn merge_allows(into: &mut Arc<Vec<AllowTag>>, more: &[AllowTag]) {
    for allow in more {
        if !into.iter().any(|known| known.flow == allow.flow) {
            Arc::make_mut(into).push(allow.clone());
        }
    }
}

/// The steps from the tag to the part where fact `last` stands, oldest first.
fn trace_of(facts: &[Fact], seeds: &[Seed], edges: &[ReachEdge], last: usize) -> Vec<Step> {
    let mut chain = Vec::new();
    let mut cursor = last;
    let seed = loop {
        match facts[cursor].came {
            Came::Seed(seed) => break seed,
            Came::Edge { fact, edge } => {
                chain.push(edge);
                cursor = fact;
            }
        }
    };
    let mut steps = seeds[seed].trace.steps();
    for edge in chain.into_iter().rev() {
        push_steps(&mut steps, &edges[edge].trace);
    }
    steps
}

fn push_steps(steps: &mut Vec<Step>, trace: &Trace) {
    for step in trace.steps() {
        if steps.last() != Some(&step) {
            steps.push(step);
        }
    }
}
