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
mod implicit;
mod instantiate;
mod macros;
pub mod memo;
mod places;
mod reach;
mod schedule;
mod sinks;
pub mod types;
pub mod value;

pub use schedule::analyze;

use foldhash::{HashMap, HashMapExt as _};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use privflow_model::Policy;

use crate::index::ir::AllowTag;
use crate::index::{FnId, Index, Location, Owner};
use value::Global;
use value::{Origin, Step, Taint, Value};

/// One category reaching one sink at one call site, with where it came from.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FlowFact {
    /// Shared with the tag and the sink that made it: thousands of flows name a few ids.
    #[serde(with = "crate::cache::encoded::shared")]
    pub category: Arc<str>,
    #[serde(with = "crate::cache::encoded::shared")]
    pub sink: Arc<str>,
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

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Coverage {
    pub calls: usize,
    pub calls_unresolved: usize,
    pub macros_not_understood: usize,
}

pub struct FlowResult {
    pub flows: Vec<FlowFact>,
    pub coverage: Coverage,
    /// How many waves of call-graph components phase 2 ran, and how many function
    /// analyses there were in all (for the measurements).
    pub waves: usize,
    pub analyses: usize,
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    pub ret: Value,
    /// What the function writes into its parameters (through `&mut` or shared state).
    pub writes: BTreeMap<usize, Value>,
    /// What it stores in statics (and channels) from its parameters: stored by each
    /// caller with what the caller passes.
    pub static_writes: BTreeMap<Global, Value>,
    /// The parameter parts that reach a sink, in the function or in a callee (the
    /// function is named: a dynamic call joins the summaries of several).
    pub reaches: BTreeSet<reach::ParamPart>,
}

impl Summary {
    /// What either summary says, bounded like a fresh one.
    fn joined(&self, newer: &Summary) -> Summary {
        Summary::joined_all([self, newer].into_iter())
    }

    /// What any of `summaries` says (the implementations a dynamic call may run),
    /// bounded once at the end rather than after every join.
    pub(crate) fn joined_all<'s>(summaries: impl Iterator<Item = &'s Summary>) -> Summary {
        let mut all = Summary::default();
        for one in summaries {
            all.ret.join(&one.ret);
            for (index, value) in &one.writes {
                all.writes.entry(*index).or_default().join(value);
            }
            for (global, value) in &one.static_writes {
                all.static_writes
                    .entry(global.clone())
                    .or_default()
                    .join(value);
            }
            all.reaches.extend(one.reaches.iter().cloned());
        }
        all.ret = all.ret.summarized(frame::SUMMARY_DEPTH);
        for value in all
            .writes
            .values_mut()
            .chain(all.static_writes.values_mut())
        {
            *value = std::mem::take(value).summarized(frame::SUMMARY_DEPTH);
        }
        all
    }

    /// A cheap fingerprint for the fixpoint: a hash of the origins it mentions, where.
    fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        hash_origins(&self.ret, &mut hasher, 0);
        for (index, value) in &self.writes {
            index.hash(&mut hasher);
            hash_origins(value, &mut hasher, 0);
        }
        for (global, value) in &self.static_writes {
            global.hash(&mut hasher);
            hash_origins(value, &mut hasher, 0);
        }
        self.reaches.hash(&mut hasher);
        hasher.finish()
    }
}

/// The same fingerprint for one value (what a static holds).
fn value_fingerprint(value: &Value) -> u64 {
    use std::hash::Hasher;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    hash_origins(value, &mut hasher, 0);
    hasher.finish()
}

/// Hashes the origins a value mentions, where (parts six levels deep at most).
fn hash_origins(
    value: &Value,
    hasher: &mut std::collections::hash_map::DefaultHasher,
    depth: usize,
) {
    use std::hash::Hash;
    for origin in value.taint.0.keys() {
        origin.hash(hasher);
    }
    for origin in value.outside.0.keys() {
        origin.hash(hasher);
    }
    value.param.hash(hasher);
    if depth < 6 {
        for (name, field) in &value.fields {
            name.hash(hasher);
            hash_origins(field, hasher, depth + 1);
        }
    }
    depth.hash(hasher);
}

/// Shared, read-only context of a pass.
#[derive(Clone, Copy)]
pub(crate) struct Context<'a> {
    pub index: &'a Index,
    pub policy: &'a Policy,
    pub summaries: schedule::Summaries<'a>,
    /// Purposes each function runs under (declared, else inherited from all callers).
    pub purposes: &'a HashMap<FnId, BTreeSet<String>>,
    pub type_taints: &'a types::TypeTaints,
    /// The workspace's `From` conversions, by source.
    pub conversions: &'a Conversions,
    /// Type → methods of its impls of outside traits (see [`outside_trait_methods`]).
    pub outside_trait_methods: &'a HashMap<usize, Vec<FnId>>,
    /// Extension-trait methods by name (see [`extension_methods`]).
    pub extension_methods: &'a HashMap<String, Vec<(FnId, crate::index::ty::Ty)>>,
    /// What each `static` may hold, from every function that writes it.
    pub statics: &'a HashMap<Global, Value>,
    /// Method name → the traits that declare it a sink (looked up for every call on a
    /// receiver of unknown type, so built once).
    pub sink_trait_methods: &'a HashMap<String, Vec<usize>>,
    /// The notes of the trace steps a call of each function adds, made once and shared
    /// by every trace that crosses the call.
    pub call_notes: &'a [CallNotes],
    /// Workspace macro expansions by call site, made once for the whole analysis: a
    /// function is analysed many times, and a recursive `macro_rules!` (stdweb's
    /// `js!`) costs far more to expand than its expansion costs to analyse.
    pub expansions: &'a macros::ExpansionCache,
}

/// How data crosses a call, as a trace step says it (SPEC §6, traces).
pub(crate) struct CallNotes {
    /// An argument goes in: "passed to `path`".
    pub passed: Arc<str>,
    /// The callee's result comes back: "returned from `path`".
    pub returned: Arc<str>,
    /// The callee writes into a `&mut` argument: "written back through `&mut` by `path`".
    pub written_back: Arc<str>,
    /// The callee writes into its receiver: "written back to the receiver by `path`".
    pub receiver_written: Arc<str>,
}

impl CallNotes {
    pub fn new(path: &str) -> CallNotes {
        CallNotes {
            passed: Arc::from(format!("passed to `{path}`")),
            returned: Arc::from(format!("returned from `{path}`")),
            written_back: Arc::from(format!("written back through `&mut` by `{path}`")),
            receiver_written: Arc::from(format!("written back to the receiver by `{path}`")),
        }
    }
}

/// What analysing one function yields.
#[derive(serde::Serialize, serde::Deserialize)]
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

/// Method name → the traits whose declaration of it is a sink.
fn sink_trait_methods(index: &Index) -> HashMap<String, Vec<usize>> {
    let mut map: HashMap<String, Vec<usize>> = HashMap::new();
    for (trait_id, info) in index.traits.iter().enumerate() {
        for (name, declaration) in &info.methods {
            if index.functions[*declaration].def.tags.sink.is_some() {
                map.entry(name.clone()).or_default().push(trait_id);
            }
        }
    }
    map
}

/// A `From` conversion the workspace defines: `impl From<Source> for Target`, or a
/// `#[from]` field that thiserror's derive turns into one.
#[derive(Debug, Clone)]
pub(crate) enum Conversion {
    Impl(FnId),
    /// Builds `Target::Variant` with the source in `part` (`Variant::0`).
    Variant {
        part: String,
    },
}

/// What a conversion converts from, as far as the analysis can tell a type apart.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum ConversionSource {
    Type(usize),
    /// A type of this outside crate (`sqlx::Error` → `sqlx`).
    Crate(Arc<str>),
    Unknown,
}

impl ConversionSource {
    pub fn of(ty: &crate::index::ty::Ty) -> ConversionSource {
        match ty.autoderef() {
            crate::index::ty::Ty::Adt(id, _) => ConversionSource::Type(*id),
            outside @ crate::index::ty::Ty::Outside(_) => outside
                .outside_crate()
                .map_or(ConversionSource::Unknown, |krate| {
                    ConversionSource::Crate(Arc::from(krate))
                }),
            _ => ConversionSource::Unknown,
        }
    }
}

/// Every `From` conversion, by source: (target type, when a workspace one; how).
pub(crate) type Conversions = HashMap<ConversionSource, Vec<(Option<usize>, Conversion)>>;

fn conversions(index: &Index) -> Conversions {
    let mut map: Conversions = HashMap::new();
    let context = crate::index::ty::TyContext::default();
    for (id, function) in index.functions.iter().enumerate() {
        let target = match &function.owner {
            Owner::Impl {
                ty,
                trait_path: Some(path),
                ..
            } if path.segments.last().is_some_and(|last| last == "From") => *ty,
            _ => continue,
        };
        let Some(param) = function
            .def
            .params
            .first()
            .filter(|_| function.def.name == "from")
        else {
            continue;
        };
        let ty = index.lower_ty(function.crate_index, &function.module, &context, &param.ty);
        map.entry(ConversionSource::of(&ty))
            .or_default()
            .push((target, Conversion::Impl(id)));
    }
    for (target, info) in index.types.iter().enumerate() {
        for variant in &info.def.variants {
            let [field] = variant.fields.as_slice() else {
                continue;
            };
            if !field.from {
                continue;
            }
            let ty = index.lower_ty(info.crate_index, &info.module, &context, &field.ty);
            map.entry(ConversionSource::of(&ty)).or_default().push((
                Some(target),
                Conversion::Variant {
                    part: format!("{}::{}", variant.name, field.name),
                },
            ));
        }
    }
    map
}

/// Methods (with `self`) of the workspace's impls of outside traits (`IntoResponse`,
/// `ResponseError`, `Display`, ...), by the implementing type: what outside code may call
/// on a value of that type it is handed. `Drop` runs where values are built instead.
fn outside_trait_methods(index: &Index) -> HashMap<usize, Vec<FnId>> {
    let mut map: HashMap<usize, Vec<FnId>> = HashMap::new();
    for (id, function) in index.functions.iter().enumerate() {
        let Owner::Impl {
            ty: Some(ty),
            trait_id: None,
            trait_path: Some(path),
            ..
        } = &function.owner
        else {
            continue;
        };
        let is_drop = path.segments.last().is_some_and(|last| last == "Drop");
        if function.def.receiver.is_some() && function.def.body.is_some() && !is_drop {
            map.entry(*ty).or_default().push(id);
        }
    }
    map
}

/// Methods of the workspace's trait impls for types it does not define (extension
/// traits: `impl<T, E> ResultExt<T> for Result<T, E>`, `impl<T: Display> Redact for
/// T`), by method name, with the implementing type: how a call on a `Result`, a `String`
/// or any `T` finds them, as rustc does among the traits in scope.
fn extension_methods(index: &Index) -> HashMap<String, Vec<(FnId, crate::index::ty::Ty)>> {
    let mut map: HashMap<String, Vec<(FnId, crate::index::ty::Ty)>> = HashMap::new();
    for (id, function) in index.functions.iter().enumerate() {
        let Owner::Impl {
            ty: None,
            trait_id: Some(_),
            ..
        } = &function.owner
        else {
            continue;
        };
        if function.def.receiver.is_none() {
            continue;
        }
        let Some(implementing) = frame::ty_context_of(index, id).self_ty else {
            continue;
        };
        map.entry(function.def.name.clone())
            .or_default()
            .push((id, implementing));
    }
    map
}

/// One fact per (site, sink, category), merged as flows are found (the reach walk finds
/// many again that a function found directly; holding them all until the end doubled
/// the peak): the one with the shortest trace (then the earliest source, then the first
/// found) keeps its trace and source, and a flow runs under the purposes of every path
/// that reaches it, so it keeps the narrowest (the intersection): no path gets a
/// purpose it lacks.
#[derive(Default)]
pub(crate) struct FlowSet(BTreeMap<(Location, Arc<str>, Arc<str>), FlowFact>);

impl FlowSet {
    pub fn add(&mut self, mut flow: FlowFact) {
        let key = (flow.site, flow.sink.clone(), flow.category.clone());
        match self.0.entry(key) {
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(flow);
            }
            std::collections::btree_map::Entry::Occupied(mut slot) => {
                let kept = slot.get_mut();
                if (flow.trace.len(), flow.source) < (kept.trace.len(), kept.source) {
                    flow.purposes
                        .retain(|purpose| kept.purposes.contains(purpose));
                    *kept = flow;
                } else {
                    kept.purposes
                        .retain(|purpose| flow.purposes.contains(purpose));
                }
            }
        }
    }

    /// The flows by site, sink and category.
    pub fn into_flows(self) -> Vec<FlowFact> {
        self.0.into_values().collect()
    }
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
/// Computed from the bottom (nothing inherited) with a worklist: each set only grows,
/// so it ends, however deep the calls.
fn inherit_purposes(
    index: &Index,
    callers: &HashMap<FnId, BTreeSet<FnId>>,
) -> HashMap<FnId, BTreeSet<String>> {
    let mut purposes = declared_purposes(index);
    let mut callees: HashMap<FnId, Vec<FnId>> = HashMap::new();
    for (callee, calling) in callers {
        for caller in calling {
            callees.entry(*caller).or_default().push(*callee);
        }
    }
    let mut work: BTreeSet<FnId> = callers.keys().copied().collect();
    while let Some(id) = work.pop_first() {
        let Some(function) = index.functions.get(id) else {
            continue;
        };
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
            work.extend(callees.get(&id).into_iter().flatten());
        }
    }
    purposes
}

/// Whether a function is a sink, and which of its parameters are checked
/// (indices, with `self` as 0 for methods).
pub(crate) fn sink_of(index: &Index, id: FnId) -> Option<(String, Vec<usize>)> {
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
            if let Some(sink) = index.config_sinks.get(declaration) {
                return Some((sink.clone(), None));
            }
            let tag = index.functions[*declaration].def.tags.sink.as_ref()?;
            Some((tag.sink.clone(), tag.args.clone()))
        }
        _ => None,
    };
    // Resolved when the index was built: definition and re-export paths alike.
    let from_config = || index.config_sinks.get(&id).map(|sink| (sink.clone(), None));
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
            crate::index::ir::Pattern::Binding { name, .. } => name.to_string(),
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
        Origin::Param { .. } | Origin::Destination { .. } => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::ir::Pos;

    fn flow(category: &str, line: u32, steps: usize, purposes: &[&str]) -> FlowFact {
        let at = |line| Location {
            file: 0,
            pos: Pos { line, column: 1 },
        };
        FlowFact {
            category: Arc::from(category),
            sink: Arc::from("logs"),
            site: at(100),
            source: at(line),
            trace: (0..steps)
                .map(|step| value::Step {
                    location: at(step as u32),
                    note: Arc::from("step"),
                })
                .collect(),
            purposes: purposes.iter().map(|p| (*p).to_owned()).collect(),
            field_purposes: None,
            allows: Vec::new(),
            function: 0,
        }
    }

    #[test]
    fn one_flow_per_site_sink_and_category() {
        let mut set = FlowSet::default();
        set.add(flow("contact.email", 5, 3, &["support", "billing"]));
        // Shorter: keeps its trace and source; the purposes narrow to both paths'.
        set.add(flow("contact.email", 9, 1, &["billing", "support", "ai"]));
        // Longer: changes only the purposes.
        set.add(flow("contact.email", 2, 4, &["support"]));
        set.add(flow("contact.name", 7, 2, &[]));
        let flows = set.into_flows();
        assert_eq!(flows.len(), 2);
        assert_eq!(&*flows[0].category, "contact.email");
        assert_eq!(flows[0].source.pos.line, 9);
        assert_eq!(flows[0].trace.len(), 1);
        assert_eq!(flows[0].purposes, ["support"]);
        assert_eq!(&*flows[1].category, "contact.name");
    }

    #[test]
    fn ties_keep_the_first_found() {
        let mut set = FlowSet::default();
        set.add(flow("contact.email", 5, 2, &["x"]));
        let mut second = flow("contact.email", 5, 2, &["x"]);
        second.function = 1;
        set.add(second);
        let flows = set.into_flows();
        assert_eq!(flows.len(), 1);
        assert_eq!(flows[0].function, 0);
        assert_eq!(flows[0].purposes, ["x"]);
    }
}
