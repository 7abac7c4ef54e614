//! Stage 3, flow analysis: a summary per function — what reaches its return value, the
//! parameters it writes, and the sinks it reaches, in terms of its parameters — computed
//! to a fixpoint over the whole workspace; then one last pass turns every origin that
//! reaches a sink into a [`FlowFact`].
//!
//! Sources are types: a value whose type has tagged fields carries their categories
//! wherever it is, so a function taking `&Contact` is analysed without its callers.
//! What a function receives untyped (`&str`, generics) reaches its sinks through the
//! summary, and becomes a flow at the call that passes tagged data.

mod externals;
mod frame;
mod free;
pub mod types;
pub mod value;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use privflow_model::Policy;
use rayon::prelude::*;

use crate::index::ir::AllowTag;
use crate::index::{FnId, Index, Location, Owner};
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
}

/// A sink reached inside a function with data from its parameters: becomes a flow
/// where a caller passes tagged data.
#[derive(Debug, Clone)]
pub struct SinkHit {
    pub sink: String,
    pub site: Location,
    pub taint: Taint,
    pub purposes: BTreeSet<String>,
    pub allows: Vec<AllowTag>,
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub ret: Value,
    /// What the function writes into its parameters (through `&mut` or shared state).
    pub writes: BTreeMap<usize, Value>,
    pub hits: Vec<SinkHit>,
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
        for hit in newer.hits {
            match self
                .hits
                .iter_mut()
                .find(|known| known.sink == hit.sink && known.site == hit.site)
            {
                Some(known) => {
                    known.taint.join(&hit.taint);
                    known.taint = known.taint.coarsened();
                    known
                        .purposes
                        .retain(|purpose| hit.purposes.contains(purpose));
                }
                None => self.hits.push(hit),
            }
        }
        self
    }

    /// A cheap fingerprint for the fixpoint: the origins it mentions.
    fn fingerprint(&self) -> Vec<String> {
        let mut parts = Vec::new();
        fn value_origins(value: &Value, prefix: &str, parts: &mut Vec<String>, depth: usize) {
            for origin in value.taint.0.keys() {
                parts.push(format!("{prefix}:{origin:?}"));
            }
            if let Some(param) = &value.param {
                parts.push(format!("{prefix}:param{param:?}"));
            }
            if depth < 6 {
                for (name, field) in &value.fields {
                    value_origins(field, &format!("{prefix}.{name}"), parts, depth + 1);
                }
            }
        }
        value_origins(&self.ret, "ret", &mut parts, 0);
        for (index, value) in &self.writes {
            value_origins(value, &format!("w{index}"), &mut parts, 0);
        }
        for hit in &self.hits {
            for origin in hit.taint.0.keys() {
                parts.push(format!("hit:{}:{:?}:{origin:?}", hit.sink, hit.site));
            }
        }
        parts.sort();
        parts
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
}

/// What analysing one function yields.
pub(crate) struct FnOutcome {
    pub summary: Summary,
    pub flows: Vec<FlowFact>,
    pub callees: BTreeSet<FnId>,
    pub coverage: Coverage,
}

pub fn analyze(index: &Index, policy: &Policy) -> FlowResult {
    let mut summaries: HashMap<FnId, Summary> = HashMap::new();
    let mut purposes: HashMap<FnId, BTreeSet<String>> = declared_purposes(index);
    let mut converged = false;
    let type_taints = types::TypeTaints::new(index);
    let with_body: Vec<FnId> = (0..index.functions.len())
        .filter(|id| index.functions[*id].def.body.is_some())
        .collect();
    for _ in 0..MAX_PASSES {
        let context = Context {
            index,
            policy,
            summaries: &summaries,
            purposes: &purposes,
            type_taints: &type_taints,
        };
        let outcomes: Vec<(FnId, FnOutcome)> = with_body
            .par_iter()
            .map(|id| (*id, frame::analyze_function(&context, *id)))
            .collect();
        let mut changed = false;
        let mut callers: HashMap<FnId, BTreeSet<FnId>> = HashMap::new();
        for (id, outcome) in outcomes {
            for callee in &outcome.callees {
                callers.entry(*callee).or_default().insert(id);
            }
            // Summaries only grow from pass to pass (joined with the last one), so the
            // fixpoint cannot oscillate.
            let summary = match summaries.get(&id) {
                Some(previous) => previous.clone().joined(outcome.summary),
                None => outcome.summary,
            };
            let previous = summaries.get(&id).map(Summary::fingerprint);
            if previous.as_ref() != Some(&summary.fingerprint()) {
                changed = true;
            }
            summaries.insert(id, summary);
        }
        let inherited = inherit_purposes(index, &callers);
        if inherited != purposes {
            changed = true;
            purposes = inherited;
        }
        if !changed {
            converged = true;
            break;
        }
    }
    let context = Context {
        index,
        policy,
        summaries: &summaries,
        purposes: &purposes,
        type_taints: &type_taints,
    };
    let mut flows = Vec::new();
    let mut coverage = Coverage {
        macros_not_understood: index.macros_not_understood,
        ..Coverage::default()
    };
    let outcomes: Vec<FnOutcome> = with_body
        .par_iter()
        .map(|id| frame::analyze_function(&context, *id))
        .collect();
    for outcome in outcomes {
        flows.extend(outcome.flows);
        coverage.calls += outcome.coverage.calls;
        coverage.calls_unresolved += outcome.coverage.calls_unresolved;
    }
    FlowResult {
        flows: dedup(flows),
        coverage,
        converged,
    }
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
