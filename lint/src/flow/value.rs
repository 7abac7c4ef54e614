//! Abstract values: what a value carries (its taint), per field where the analysis
//! knows the parts, and its type where the source tells it.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::index::ty::Ty;
use crate::index::{FnId, Location};

/// Where a category came from: a tag, or (inside a function summary) a parameter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin {
    Tag {
        category: Arc<str>,
        /// The `#[data]` (or privflow.toml entry, or declassifier) that gave it.
        tag: Location,
        /// The tagged field's `purposes`, if it lists any.
        purposes: Option<Arc<[String]>>,
    },
    /// Part `path` of parameter `index` (0 is `self` for methods): resolved when the
    /// summary is applied at a call.
    Param { index: usize, path: Vec<String> },
}

/// One step between a tag and a sink, for the report's trace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Step {
    pub location: Location,
    pub note: String,
}

/// How an origin got here: steps, oldest first. Shared, since taints are copied a lot.
pub type Trace = Arc<Vec<Step>>;

/// A set of origins, each with the first trace that brought it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Taint(pub BTreeMap<Origin, Trace>);

impl Taint {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn insert(&mut self, origin: Origin, trace: Trace) {
        self.0.entry(origin).or_insert(trace);
    }

    pub fn join(&mut self, other: &Taint) {
        for (origin, trace) in &other.0 {
            self.insert(origin.clone(), trace.clone());
        }
    }

    pub fn joined(mut self, other: &Taint) -> Taint {
        self.join(other);
        self
    }

    /// The same origins, each trace extended by `step`.
    pub fn with_step(&self, step: &Step) -> Taint {
        Taint(
            self.0
                .iter()
                .map(|(origin, trace)| {
                    let mut steps = (**trace).clone();
                    if steps.last() != Some(step) && steps.len() < 32 {
                        steps.push(step.clone());
                    }
                    (origin.clone(), Arc::new(steps))
                })
                .collect(),
        )
    }
}

/// Something callable that a value holds: a closure with its captures, or a function.
#[derive(Debug, Clone)]
pub enum Callable {
    Closure(Arc<Closure>),
    Function(FnId),
}

#[derive(Debug)]
pub struct Closure {
    pub params: Vec<crate::index::ir::Param>,
    pub body: crate::index::ir::Expr,
    /// The locals it can see, as they were when it was created.
    pub captured: BTreeMap<String, Value>,
}

/// The key under which a collection, option or pointer keeps its element.
pub const ELEMENT: &str = "[]";

#[derive(Debug, Clone, Default)]
pub struct Value {
    pub ty: Option<Ty>,
    /// Carried by the value as a whole, so by every part of it.
    pub taint: Taint,
    /// Parts the analysis tracks one by one: struct fields by name, tuple and variant
    /// fields by index, a container's element under [`ELEMENT`].
    pub fields: BTreeMap<String, Value>,
    /// Inside a summary: this value is part `path` of parameter `index`.
    pub param: Option<(usize, Vec<String>)>,
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

    pub fn tainted(taint: Taint) -> Value {
        Value {
            taint,
            ..Value::default()
        }
    }

    pub fn ty(&self) -> &Ty {
        self.ty.as_ref().unwrap_or(&Ty::Unknown)
    }

    /// Merges what `other` may be (both branches of an `if`, every loop iteration).
    pub fn join(&mut self, other: &Value) {
        self.taint.join(&other.taint);
        if self.ty.is_none() || self.ty == Some(Ty::Unknown) {
            self.ty = other.ty.clone();
        }
        for (name, value) in &other.fields {
            match self.fields.get_mut(name) {
                Some(mine) => mine.join(value),
                None => {
                    self.fields.insert(name.clone(), value.clone());
                }
            }
        }
        if self.param.is_none() {
            self.param = other.param.clone();
        } else if other.param.is_some() && other.param != self.param {
            // Two different parameters: keep both as taint.
            if let Some((index, path)) = other.param.clone() {
                self.taint
                    .insert(Origin::Param { index, path }, Arc::default());
            }
        }
        self.cell = self.cell.or(other.cell);
        if self.callable.is_none() {
            self.callable = other.callable.clone();
        }
    }

    pub fn joined(mut self, other: &Value) -> Value {
        self.join(other);
        self
    }
}
