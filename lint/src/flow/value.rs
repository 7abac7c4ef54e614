//! Abstract values: what a value carries (its taint), per field where the analysis
//! knows the parts, and its type where the source tells it.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::index::ir::Name;
use crate::index::ty::Ty;
use crate::index::{FnId, Location};

/// Where a category came from: a tag, or (inside a function summary) a parameter.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Origin {
    // The tag's location comes first: origins are compared all the time (taints are
    // ordered maps), and a location compares as integers where a category compares
    // as text.
    Tag {
        /// The `#[data]` (or privflow.toml entry, or declassifier) that gave it.
        tag: Location,
        #[serde(with = "crate::cache::encoded::shared")]
        category: Arc<str>,
        /// The tagged field's `purposes`, if it lists any.
        purposes: Option<Arc<[String]>>,
    },
    /// Part `path` of parameter `index` (0 is `self` for methods): resolved when the
    /// summary is applied at a call.
    Param { index: usize, path: PartPath },
    /// A known host's URL (docs/sinks.md): not data, but where a request built from the
    /// value goes. It travels like data and is read by the HTTP clients' catalog entries.
    Destination {
        #[serde(with = "crate::cache::encoded::shared")]
        sink: Arc<str>,
    },
}

/// A path to a part of a parameter (`["contact", "email"]`), shared: origins and
/// values that name it are copied far more often than paths are made.
pub type PartPath = Arc<[Name]>;

/// The path to a parameter as a whole.
pub fn whole() -> PartPath {
    Arc::from(Vec::<Name>::new())
}

/// One step between a tag and a sink, for the report's trace.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Step {
    pub location: Location,
    #[serde(with = "crate::cache::encoded::shared")]
    pub note: Arc<str>,
}

/// How an origin got here: a shared list of steps, newest first. Extending a trace
/// allocates one node, however long it is (taints are copied a lot).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trace(Option<Arc<TraceNode>>);

#[derive(Debug, PartialEq, Eq)]
pub struct TraceNode {
    step: Step,
    previous: Trace,
    length: usize,
}

/// Kept by incremental runs as its steps, oldest first (the sharing between traces is
/// not kept: a restored trace is built again step by step).
impl serde::Serialize for Trace {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.steps())
    }
}

impl<'de> serde::Deserialize<'de> for Trace {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let steps = Vec::<Step>::deserialize(deserializer)?;
        Ok(steps
            .iter()
            .fold(Trace::default(), |trace, step| trace.extended(step)))
    }
}

/// Traces keep at most this many steps: enough to follow, bounded under recursion.
const MAX_TRACE: usize = 32;

impl Trace {
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |node| node.length)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    pub fn last(&self) -> Option<&Step> {
        self.0.as_ref().map(|node| &node.step)
    }

    pub fn extended(&self, step: &Step) -> Trace {
        if self.last() == Some(step) || self.len() >= MAX_TRACE {
            return self.clone();
        }
        Trace(Some(Arc::new(TraceNode {
            step: step.clone(),
            previous: self.clone(),
            length: self.len() + 1,
        })))
    }

    /// The steps, oldest first.
    pub fn steps(&self) -> Vec<Step> {
        let mut steps = Vec::with_capacity(self.len());
        let mut cursor = self.0.as_ref();
        while let Some(node) = cursor {
            steps.push(node.step.clone());
            cursor = node.previous.0.as_ref();
        }
        steps.reverse();
        steps
    }

    fn key(&self) -> usize {
        self.0.as_ref().map_or(0, |node| Arc::as_ptr(node) as usize)
    }
}

/// A set of origins, each with the first trace that brought it. Shared copy-on-write:
/// values are copied at every branch, and most copies are never changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Taint(pub Arc<BTreeMap<Origin, Trace>>);

impl Taint {
    pub fn from_map(map: BTreeMap<Origin, Trace>) -> Taint {
        Taint(Arc::new(map))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds `origin` (with `trace`) unless present; whether it was new.
    pub fn insert(&mut self, origin: Origin, trace: Trace) -> bool {
        if self.0.contains_key(&origin) {
            return false;
        }
        Arc::make_mut(&mut self.0).insert(origin, trace);
        true
    }

    /// Adds what `other` carries; whether anything was new.
    pub fn join(&mut self, other: &Taint) -> bool {
        if other.0.is_empty() || Arc::ptr_eq(&self.0, &other.0) {
            return false;
        }
        if self.0.is_empty() {
            self.0 = other.0.clone();
            return true;
        }
        if self.contains_all(other) {
            return false;
        }
        let map = Arc::make_mut(&mut self.0);
        for (origin, trace) in other.0.iter() {
            map.entry(origin.clone()).or_insert_with(|| trace.clone());
        }
        true
    }

    /// Whether every origin of `other` is in `self`. Both are sorted, so one walk over
    /// both decides it when they are of similar size (origins are compared all the
    /// time, and a lookup per origin compares each one several times).
    pub fn contains_all(&self, other: &Taint) -> bool {
        if other.0.is_empty() || Arc::ptr_eq(&self.0, &other.0) {
            return true;
        }
        if other.0.len() > self.0.len() {
            return false;
        }
        if other.0.len().saturating_mul(8) < self.0.len() {
            return other.0.keys().all(|origin| self.0.contains_key(origin));
        }
        let mut mine = self.0.keys();
        'theirs: for origin in other.0.keys() {
            for candidate in mine.by_ref() {
                match candidate.cmp(origin) {
                    std::cmp::Ordering::Less => {}
                    std::cmp::Ordering::Equal => continue 'theirs,
                    std::cmp::Ordering::Greater => return false,
                }
            }
            return false;
        }
        true
    }

    /// The origins `keep` picks, or `None` if that is all of them (no copy is made).
    fn retained(&self, keep: impl Fn(&Origin) -> bool) -> Option<Taint> {
        if self.0.keys().all(&keep) {
            return None;
        }
        Some(Taint::from_map(
            self.0
                .iter()
                .filter(|(origin, _)| keep(origin))
                .map(|(origin, trace)| (origin.clone(), trace.clone()))
                .collect(),
        ))
    }

    /// Only what says where a request goes: the destination marks.
    pub fn destinations(&self) -> Taint {
        self.retained(|origin| matches!(origin, Origin::Destination { .. }))
            .unwrap_or_else(|| self.clone())
    }

    /// The sinks of the known hosts whose URLs this taint carries.
    pub fn destination_sinks(&self) -> impl Iterator<Item = &Arc<str>> {
        self.0.keys().filter_map(|origin| match origin {
            Origin::Destination { sink } => Some(sink),
            _ => None,
        })
    }

    pub fn joined(mut self, other: &Taint) -> Taint {
        self.join(other);
        self
    }

    /// The same origins, each trace extended by `step` (a parameter origin's too: the
    /// reach graph keeps the steps from a parameter to the sink it reaches).
    pub fn with_step(&self, step: &Step) -> Taint {
        if self.0.is_empty() {
            return self.clone();
        }
        // Origins that came the same way share the extended trace; the map is cloned,
        // not rebuilt, so nothing is sorted again.
        let mut extended: Vec<(usize, Trace)> = Vec::new();
        let mut map = (*self.0).clone();
        for trace in map.values_mut() {
            let key = trace.key();
            *trace = match extended.iter().find(|(known, _)| *known == key) {
                Some((_, next)) => next.clone(),
                None => {
                    let next = trace.extended(step);
                    extended.push((key, next.clone()));
                    next
                }
            };
        }
        Taint::from_map(map)
    }
}

/// Something callable that a value holds: a closure with its captures, or a function.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Callable {
    Closure(Arc<Closure>),
    Function(FnId),
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Closure {
    pub def: Arc<crate::index::ir::ClosureDef>,
    /// The locals it can see, as they were when it was created.
    pub captured: BTreeMap<crate::index::ir::Name, Value>,
}

/// The key under which a collection, option or pointer keeps its element.
pub const ELEMENT: &str = "[]";
/// The key under which a `Result` keeps its error.
pub const ERR: &str = "Err";

/// The parts of a value, shared copy-on-write like [`Taint`].
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Fields(Arc<BTreeMap<Name, Value>>);

impl std::ops::Deref for Fields {
    type Target = BTreeMap<Name, Value>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<'a> IntoIterator for &'a Fields {
    type Item = (&'a Name, &'a Value);
    type IntoIter = std::collections::btree_map::Iter<'a, Name, Value>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl FromIterator<(Name, Value)> for Fields {
    fn from_iter<I: IntoIterator<Item = (Name, Value)>>(iter: I) -> Self {
        Fields(Arc::new(iter.into_iter().collect()))
    }
}

impl Fields {
    pub fn insert(&mut self, name: impl Into<Name>, value: Value) {
        let name = name.into();
        Arc::make_mut(&mut self.0).insert(name, value);
    }

    pub fn entry_mut(&mut self, name: &str) -> &mut Value {
        Arc::make_mut(&mut self.0)
            .entry(Name::from(name))
            .or_default()
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut Value> {
        if !self.0.contains_key(name) {
            return None;
        }
        Arc::make_mut(&mut self.0).get_mut(name)
    }

    pub fn take(&mut self) -> BTreeMap<Name, Value> {
        std::mem::take(Arc::make_mut(&mut self.0))
    }

    pub fn from_map(map: BTreeMap<Name, Value>) -> Fields {
        Fields(Arc::new(map))
    }
}

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Value {
    pub ty: Option<Ty>,
    /// Carried by the value as a whole, so by every part of it.
    pub taint: Taint,
    /// Carried by the value as a whole but not by its parts: what went into the
    /// outside call that returned it. A response carries its request, and outside
    /// methods on it (`text()`, `bytes()`) return that; a field read from it carries
    /// nothing but the field's own tags (SPEC §6, field sensitivity).
    pub outside: Taint,
    /// Parts the analysis tracks one by one: struct fields by name, tuple and variant
    /// fields by index, a container's element under [`ELEMENT`].
    pub fields: Fields,
    /// Inside a summary: this value is part `path` of parameter `index`.
    pub param: Option<(usize, PartPath)>,
    /// Shared state (a channel, an `Arc<Mutex<_>>`, an `Rc<RefCell<_>>`): every alias
    /// holds the same cell, and writes through one are read through the others.
    pub cell: Option<usize>,
    pub callable: Option<Callable>,
}

impl Value {
    pub fn typed(ty: Ty) -> Value {
        Value {
            ty: Some(ty),
            ..Value::default()
        }
    }

    /// What an outside call returns: its inputs, as a whole.
    pub fn from_outside(taint: Taint) -> Value {
        Value {
            outside: taint,
            ..Value::default()
        }
    }

    pub fn tainted(taint: Taint) -> Value {
        Value {
            taint,
            ..Value::default()
        }
    }

    pub fn ty(&self) -> &Ty {
        self.ty.as_ref().unwrap_or(&Ty::Unknown)
    }

    /// Merges what `other` may be (both branches of an `if`, every loop iteration);
    /// whether `self` grew. The order is the lattice order of the fixpoint: taint by
    /// inclusion, parts one by one, and a type, parameter, cell or callable known
    /// rather than not.
    pub fn join(&mut self, other: &Value) -> bool {
        let mut grew = self.taint.join(&other.taint);
        grew |= self.outside.join(&other.outside);
        if self.ty.as_ref().is_none_or(Ty::is_unknown)
            && other.ty.as_ref().is_some_and(|ty| !ty.is_unknown())
        {
            self.ty = other.ty.clone();
            grew = true;
        }
        if !other.fields.is_empty() && !Arc::ptr_eq(&self.fields.0, &other.fields.0) {
            if self.fields.is_empty() {
                self.fields = other.fields.clone();
                grew = true;
            } else {
                for (name, value) in other.fields.iter() {
                    let known = self.fields.contains_key(name);
                    if !known {
                        self.fields.insert(name.clone(), value.clone());
                        grew = true;
                    } else if self
                        .fields
                        .get(name)
                        .is_some_and(|mine| !mine.covers(value))
                        && let Some(mine) = self.fields.get_mut(name)
                    {
                        grew |= mine.join(value);
                    }
                }
            }
        }
        if self.param.is_none() {
            if other.param.is_some() {
                self.param = other.param.clone();
                grew = true;
            }
        } else if other.param.is_some() && other.param != self.param {
            // Two different parameters: keep both as taint.
            if let Some((index, path)) = other.param.clone() {
                grew |= self
                    .taint
                    .insert(Origin::Param { index, path }, Trace::default());
            }
        }
        if self.cell.is_none() && other.cell.is_some() {
            self.cell = other.cell;
            grew = true;
        }
        if self.callable.is_none() && other.callable.is_some() {
            self.callable = other.callable.clone();
            grew = true;
        }
        grew
    }

    /// Whether joining `other` would add nothing (a cheap check before a copy-on-write
    /// join: most joins at merges and loop heads change nothing).
    pub fn covers(&self, other: &Value) -> bool {
        if !self.taint.contains_all(&other.taint) || !self.outside.contains_all(&other.outside) {
            return false;
        }
        if self.ty.as_ref().is_none_or(Ty::is_unknown)
            && other.ty.as_ref().is_some_and(|ty| !ty.is_unknown())
        {
            return false;
        }
        if other.param.is_some() && other.param != self.param {
            let covered = match (&self.param, &other.param) {
                (Some(_), Some((index, path))) => self.taint.0.contains_key(&Origin::Param {
                    index: *index,
                    path: path.clone(),
                }),
                _ => false,
            };
            if !covered {
                return false;
            }
        }
        if (self.cell.is_none() && other.cell.is_some())
            || (self.callable.is_none() && other.callable.is_some())
        {
            return false;
        }
        Arc::ptr_eq(&self.fields.0, &other.fields.0)
            || other.fields.iter().all(|(name, theirs)| {
                self.fields
                    .get(name)
                    .is_some_and(|mine| mine.covers(theirs))
            })
    }

    /// How many levels of parts deep the value goes, counted up to `limit`.
    pub fn depth(&self, limit: usize) -> usize {
        if limit == 0 || self.fields.is_empty() {
            return 0;
        }
        1 + self
            .fields
            .values()
            .map(|field| field.depth(limit - 1))
            .max()
            .unwrap_or(0)
    }

    pub fn joined(mut self, other: &Value) -> Value {
        self.join(other);
        self
    }

    /// Whether neither the value nor a part of it carries, stands for or holds anything.
    pub fn carries_nothing(&self) -> bool {
        self.taint.is_empty()
            && self.outside.is_empty()
            && self.param.is_none()
            && self.cell.is_none()
            && self.callable.is_none()
            && self.fields.values().all(Value::carries_nothing)
    }

    /// Whether the value or a part of it stands for a parameter (in a summary).
    pub fn mentions_params(&self) -> bool {
        let is_param = |origin: &Origin| matches!(origin, Origin::Param { .. });
        self.param.is_some()
            || self.taint.0.keys().any(is_param)
            || self.outside.0.keys().any(is_param)
            || self.fields.values().any(Value::mentions_params)
    }

    /// The same value, every origin's trace in it extended by `step`.
    pub fn with_step(&self, step: &Step) -> Value {
        let mut value = self.clone();
        value.taint = value.taint.with_step(step);
        value.outside = value.outside.with_step(step);
        if !value.fields.is_empty() {
            value.fields = value
                .fields
                .iter()
                .map(|(name, field)| (name.clone(), field.with_step(step)))
                .collect();
        }
        value
    }

    /// The same value without what stands for parameters.
    pub fn without_params(self) -> Value {
        if !self.mentions_params() {
            return self;
        }
        self.dropping(&|origin| matches!(origin, Origin::Param { .. }), true)
    }

    /// The same value without where requests go: what a request's response is.
    pub fn without_destinations(self) -> Value {
        self.dropping(
            &|origin| matches!(origin, Origin::Destination { .. }),
            false,
        )
    }

    /// The same value without the origins `drop` picks, in every part (and without
    /// the parameter each part stands for, with `params`).
    fn dropping(mut self, drop: &dyn Fn(&Origin) -> bool, params: bool) -> Value {
        if params {
            self.param = None;
        }
        let kept = |taint: &Taint| {
            taint
                .retained(|origin| !drop(origin))
                .unwrap_or_else(|| taint.clone())
        };
        self.taint = kept(&self.taint);
        self.outside = kept(&self.outside);
        if !self.fields.is_empty() {
            self.fields = self
                .fields
                .take()
                .into_iter()
                .map(|(name, field)| (name, field.dropping(drop, params)))
                .collect();
        }
        self
    }
}

impl Value {
    /// The same value with parts below `depth` levels merged into their parent's taint.
    pub fn bounded(mut self, depth: usize) -> Value {
        if depth == 0 {
            let fields = self.fields.take();
            for (_, field) in fields {
                let collapsed = field.bounded(0);
                self.taint.join(&collapsed.taint);
                self.taint.join(&collapsed.outside);
                if let Some((index, path)) = collapsed.param {
                    self.taint
                        .insert(Origin::Param { index, path }, Trace::default());
                }
            }
            return self;
        }
        if self.fields.is_empty() {
            return self;
        }
        self.fields = Fields::from_map(
            self.fields
                .take()
                .into_iter()
                .map(|(name, field)| (name, field.bounded(depth - 1)))
                .collect(),
        );
        self
    }
}

/// Above this many parameter origins in one taint, a summary keeps them coarser.
const MAX_PARAM_ORIGINS: usize = 12;
/// Above this many parts, a summary keeps a value as a whole.
const MAX_FIELDS: usize = 12;
/// A summary names parameter parts at most this deep; a deeper part stands for its
/// prefix. Without it a recursive function's summary could name a part one level
/// deeper on every round of the fixpoint (`x.next.next…`), and the fixpoint would take
/// as many rounds as it has room for origins.
pub const MAX_PARAM_PATH: usize = 3;

impl Taint {
    /// The same taint with parameter origins made coarser (a part stands for all its
    /// sub-parts) until few enough remain: sound, and keeps summaries small.
    pub fn coarsened(&self) -> Taint {
        let pruned = self.without_subsumed_params();
        let this = pruned.as_ref().unwrap_or(self);
        let count = |taint: &Taint| {
            taint
                .0
                .keys()
                .filter(|origin| matches!(origin, Origin::Param { .. }))
                .count()
        };
        let too_deep = |taint: &Taint| {
            taint.0.keys().any(
                |origin| matches!(origin, Origin::Param { path, .. } if path.len() > MAX_PARAM_PATH),
            )
        };
        if count(this) <= MAX_PARAM_ORIGINS && !too_deep(this) {
            return this.clone();
        }
        let mut result = this.clone();
        for keep in [MAX_PARAM_PATH, 1, 0] {
            let map: BTreeMap<Origin, Trace> = result
                .0
                .iter()
                .map(|(origin, trace)| match origin {
                    Origin::Param { index, path } if path.len() > keep => (
                        Origin::Param {
                            index: *index,
                            path: Arc::from(&path[..keep]),
                        },
                        trace.clone(),
                    ),
                    _ => (origin.clone(), trace.clone()),
                })
                .collect();
            result = Taint::from_map(map);
            if count(&result) <= MAX_PARAM_ORIGINS {
                break;
            }
        }
        result
    }

    /// Without the parameter origins a shorter one covers (part `a` of a parameter
    /// stands for `a.b` too), or `None` if there are none. Coarsening merges parts into
    /// their prefix; without this a later join could bring the finer parts back beside
    /// the prefix, the next coarsening would take them away again, and a recursive
    /// function's summary would alternate between the two forever instead of growing.
    fn without_subsumed_params(&self) -> Option<Taint> {
        let covered = |index: usize, path: &PartPath| {
            (0..path.len()).any(|shorter| {
                self.0.contains_key(&Origin::Param {
                    index,
                    path: Arc::from(&path[..shorter]),
                })
            })
        };
        self.retained(|origin| match origin {
            Origin::Param { index, path } if !path.is_empty() => !covered(*index, path),
            _ => true,
        })
    }
}

impl Value {
    /// Bounded for a summary: at most `depth` levels and [`MAX_FIELDS`] parts per
    /// value, coarse parameter origins.
    pub fn summarized(mut self, depth: usize) -> Value {
        if self.fields.len() > MAX_FIELDS {
            // Parts that carry nothing say nothing a reader of the summary needs (a
            // field read gets its type and tags from the declaration): a struct with
            // many fields and few carrying data keeps those apart.
            self.fields = self
                .fields
                .take()
                .into_iter()
                .filter(|(_, field)| !field.carries_nothing())
                .collect();
        }
        let mut value = if self.fields.len() > MAX_FIELDS {
            self.bounded(0)
        } else {
            self.bounded(depth)
        };
        value.coarsen_all();
        value
    }

    fn coarsen_all(&mut self) {
        self.taint = self.taint.coarsened();
        self.outside = self.outside.coarsened();
        if let Some((_, path)) = &mut self.param
            && path.len() > MAX_PARAM_PATH
        {
            *path = Arc::from(&path[..MAX_PARAM_PATH]);
        }
        if self.fields.is_empty() {
            return;
        }
        let fields: BTreeMap<Name, Value> = self
            .fields
            .take()
            .into_iter()
            .map(|(name, mut field)| {
                field.coarsen_all();
                (name, field)
            })
            .collect();
        self.fields = Fields::from_map(fields);
    }
}

/// State shared by every function: a `static`, or every channel that carries one type
/// (what is sent on a `Sender<Job>` anywhere is received from any `Receiver<Job>`).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Global {
    Static(crate::index::StaticId),
    Channel(String),
    /// Where requests built from a field go: the known hosts any function stored in
    /// field `name` of a workspace type (a client's `chat_url`, built once from a
    /// constant and read in every method). Only destination marks are kept here.
    FieldDestinations(crate::index::TypeId, Name),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taint(params: &[usize]) -> Taint {
        let mut taint = Taint::default();
        for index in params {
            taint.insert(
                Origin::Param {
                    index: *index,
                    path: whole(),
                },
                Trace::default(),
            );
        }
        taint
    }

    fn parts(paths: &[&[&str]]) -> Taint {
        let mut taint = Taint::default();
        for path in paths {
            let path: Vec<Name> = path.iter().map(Name::new).collect();
            taint.insert(
                Origin::Param {
                    index: 0,
                    path: Arc::from(path),
                },
                Trace::default(),
            );
        }
        taint
    }

    /// A recursive function's summary (time's `compute_metadata` over a recursive enum)
    /// names many parts of its parameter; coarsening merges them into their prefixes.
    /// Joining the finer parts again must give the same summary, or the fixpoint
    /// alternates between the two forever.
    #[test]
    fn coarsening_is_stable_under_a_join_of_finer_parts() {
        let variants = ["A::0", "B::0", "C::0", "D::0", "E::0"];
        let fine_paths: Vec<Vec<&str>> = variants
            .iter()
            .flat_map(|variant| {
                [
                    vec![*variant],
                    vec![*variant, "[]"],
                    vec![*variant, "x", "y"],
                ]
            })
            .collect();
        let fine: Vec<&[&str]> = fine_paths.iter().map(Vec::as_slice).collect();
        let coarse = parts(&fine).coarsened();
        assert!(coarse.0.len() <= MAX_PARAM_ORIGINS, "{coarse:?}");
        let rejoined = coarse.clone().joined(&parts(&fine[..4])).coarsened();
        assert_eq!(
            rejoined.0.keys().collect::<Vec<_>>(),
            coarse.0.keys().collect::<Vec<_>>()
        );
        // A part its prefix covers says nothing more, even below the limit.
        let covered = parts(&[&["A::0"], &["A::0", "[]"], &["B::0", "x"]]).coarsened();
        assert_eq!(covered, parts(&[&["A::0"], &["B::0", "x"]]));
    }

    #[test]
    fn contains_all_agrees_with_a_lookup_per_origin() {
        let sets: Vec<Vec<usize>> = vec![
            vec![],
            vec![3],
            vec![0, 1, 2],
            vec![1, 2],
            vec![2, 5],
            vec![0, 2, 4, 6, 8],
            (0..40).collect(),
            vec![39],
            vec![40],
        ];
        for mine in &sets {
            for theirs in &sets {
                let expected = theirs.iter().all(|index| mine.contains(index));
                assert_eq!(
                    taint(mine).contains_all(&taint(theirs)),
                    expected,
                    "{mine:?} contains all of {theirs:?}"
                );
            }
        }
    }
}
