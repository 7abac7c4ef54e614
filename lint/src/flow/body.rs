//! Statements and expressions: the transfer of each construct over the frame's state,
//! and the structured fixpoint that ties them together.
//!
//! Rust's control flow is structured (no `goto`; `break`, `continue`, `return` and `?`
//! leave an enclosing construct), so the weak topological order of a body's control-flow
//! graph is its loop nesting, and the recursive iteration strategy can run on the tree
//! itself: straight-line code once; each side of a branch from the same state, then a
//! join of what each side wrote ([`Env::merge`]); each loop's body again from its head
//! until the head stops growing. A loop's head is kept across entries, so an inner loop
//! entered again by the next pass of its outer loop starts from where it settled and
//! needs one pass unless something new arrived: the passes over a loop nested `d` deep
//! are bounded by `d` plus the number of times its head grows, not by a power of `d`.
//! Heads are joined in a lattice of finite height (origins and parts come from the
//! program, parameter paths and nesting depth are bounded), so every loop settles; no
//! pass limit cuts a flow.

use std::collections::BTreeMap;

use super::frame::Frame;
use super::places::typed_as;
use super::types::Mode;
use super::value::{Callable, Origin, Taint, Trace, Value};
use crate::index::Def;
use crate::index::ir::{Block, Expr, PathRef, Pattern, Stmt, Wrap};
use crate::index::ty::{Ty, Wrapper};

/// Parts nested deeper than this at a loop head are merged into their parent: a loop
/// that wraps a value in itself (`x = Node { next: x }`) would otherwise grow it on
/// every pass. This is the fixpoint's widening.
const LOOP_HEAD_DEPTH: usize = 8;

impl Frame<'_, '_> {
    pub fn block(&mut self, block: &Block) -> Value {
        self.env.push_scope();
        let mut last = Value::default();
        for stmt in &block.stmts {
            last = self.stmt(stmt);
        }
        self.env.pop_scope();
        last
    }

    pub(super) fn stmt(&mut self, stmt: &Stmt) -> Value {
        match stmt {
            Stmt::Let(local) => {
                let crate::index::ir::Let {
                    pattern,
                    ty,
                    init,
                    otherwise,
                } = &**local;
                let mut value = init
                    .as_ref()
                    .map(|init| self.expr(init))
                    .unwrap_or_default();
                if let Some(ty) = ty {
                    let declared = self.lower_ty(ty);
                    if declared != Ty::Unknown {
                        typed_as(&mut value, &declared);
                        value.ty = Some(declared);
                    }
                }
                if let Some(otherwise) = otherwise {
                    // `let .. else` diverges: what it does to locals is never seen after.
                    let mark = self.env.mark();
                    self.block(otherwise);
                    self.env.rollback(mark);
                }
                if let (
                    Pattern::Binding { name, .. },
                    Some(Expr::Wrap {
                        kind: Wrap::RefMut,
                        inner,
                    }),
                ) = (pattern, init)
                    && let Expr::Path { path, .. } = &**inner
                    && let [target] = path.segments.as_slice()
                {
                    self.aliases.insert(name.clone(), target.clone());
                }
                self.bind(pattern, value);
                Value::default()
            }
            Stmt::Expr(expr) => self.expr(expr),
            // `expr;` gives the block no value.
            Stmt::Semi(expr) => {
                self.expr(expr);
                Value::default()
            }
            Stmt::Item(_) => Value::default(),
        }
    }

    pub fn bind(&mut self, pattern: &Pattern, value: Value) {
        match pattern {
            Pattern::Binding {
                name, sub, mutable, ..
            } => {
                if *mutable {
                    self.mutable_locals.insert(name.clone());
                }
                if let Some(sub) = sub {
                    self.bind(sub, value.clone());
                }
                self.env.define(name.clone(), value);
            }
            Pattern::Tuple(elems) => {
                for (index, elem) in elems.iter().enumerate() {
                    let part = self.read_field(&value, &index.to_string());
                    self.bind(elem, part);
                }
            }
            Pattern::Struct { path, fields } => {
                let prefix = self.variant_prefix(path);
                let outside = self.names_outside_type(path);
                let value = self.typed_by_pattern(path, value);
                for (name, sub) in fields {
                    let part = if outside {
                        Value::default()
                    } else {
                        self.read_field(&value, &format!("{prefix}{name}"))
                    };
                    self.bind(sub, part);
                }
            }
            Pattern::TupleStruct { path, elems } => {
                let prefix = self.variant_prefix(path);
                let is_wrapper = prefix.is_empty()
                    && matches!(
                        path.segments.last().map(AsRef::as_ref),
                        Some("Some" | "Ok" | "Err")
                    );
                let is_err = is_wrapper && path.segments.last().is_some_and(|last| last == "Err");
                // `Json(body)`, `Form(form)`, `Path(id)` against a value of an outside
                // generic type of one argument: the argument, as deref would give it.
                if let (false, [only], Ty::Wrapper(Wrapper::Other, args)) =
                    (is_wrapper, elems.as_slice(), value.ty())
                    && let ([inner], None | Some(Def::External(_))) =
                        (args.as_slice(), self.resolve(&path.segments))
                {
                    let mut part = value.clone();
                    part.ty = Some(inner.clone());
                    self.bind(only, part);
                    return;
                }
                let outside = !is_wrapper && self.names_outside_type(path);
                let value = self.typed_by_pattern(path, value);
                for (index, elem) in elems.iter().enumerate() {
                    let part = if outside {
                        Value::default()
                    } else if is_err {
                        self.error_side(&value)
                    } else if is_wrapper {
                        self.element(&value)
                    } else {
                        self.read_field(&value, &format!("{prefix}{index}"))
                    };
                    self.bind(elem, part);
                }
            }
            Pattern::Ref(inner) => self.bind(inner, value),
            Pattern::Slice(elems) => {
                let element = self.element(&value);
                for elem in elems {
                    self.bind(elem, element.clone());
                }
            }
            Pattern::Or(alternatives) => {
                for alternative in alternatives {
                    self.bind(alternative, value.clone());
                }
            }
            Pattern::Ignore => {}
        }
    }

    /// A value matched by a pattern naming a workspace type or variant is of that type:
    /// where the analysis did not know it (an outside call's result), the pattern's
    /// fields are read with the type's tags (`let Image { prompt, .. } = img;`).
    fn typed_by_pattern(&self, path: &PathRef, mut value: Value) -> Value {
        if value.ty().autoderef().is_unknown()
            && let Some(Def::Type(id) | Def::Variant(id, _)) = self.resolve(&path.segments)
        {
            value.ty = Some(Ty::Adt(id, Vec::new()));
        }
        value
    }

    /// Whether a pattern's path names a struct or variant outside the workspace
    /// (`sqlx::Error::Database(inner)`): its parts carry nothing (SPEC §6, field
    /// sensitivity: a field of an outside value carries nothing unless tagged).
    fn names_outside_type(&self, path: &PathRef) -> bool {
        path.segments.len() > 1 && matches!(self.resolve(&path.segments), Some(Def::External(_)))
    }

    /// `Variant::` when a pattern or constructor path names an enum variant.
    pub fn variant_prefix(&self, path: &PathRef) -> String {
        match self.resolve(&path.segments) {
            Some(Def::Variant(_, variant)) => format!("{variant}::"),
            _ => String::new(),
        }
    }

    pub fn expr(&mut self, expr: &Expr) -> Value {
        match expr {
            Expr::Path { path, pos } => self.path_value(path, *pos),
            Expr::Field { base, name, pos } => {
                let base = self.expr(base);
                let mut field = self.read_field(&base, name);
                if let Ty::Adt(id, _) = base.ty().autoderef() {
                    let stored = self.field_destinations(*id, name, *pos);
                    field.taint.join(&stored);
                }
                field
            }
            Expr::Index {
                base,
                index,
                by_name,
            } => {
                let base = self.expr(base);
                self.expr(index);
                let mut element = self.element(&base);
                // `json["prompt"]` reads a named part of an outside value: like a field
                // of it, it carries nothing but what the workspace put there (SPEC §6).
                if *by_name {
                    element.outside = super::value::Taint::default();
                }
                element
            }
            Expr::MethodCall {
                receiver,
                method,
                args,
                pos,
                turbofish,
            } => self.method_call(receiver, method, args, *pos, turbofish.as_deref()),
            Expr::Call { callee, args, pos } => self.call(callee, args, *pos),
            Expr::Macro(call) => self.macro_call(&call.path, &call.args, call.pos, &call.tokens),
            Expr::Struct(literal) => {
                let (path, fields, rest) = (&literal.path, &literal.fields, &literal.rest);
                let prefix = self.variant_prefix(path);
                let ty = match self.resolve(&path.segments) {
                    Some(Def::Type(id) | Def::Variant(id, _)) => Some(Ty::Adt(id, Vec::new())),
                    _ => None,
                };
                let mut value = match rest {
                    Some(rest) => self.expr(rest),
                    None => Value::default(),
                };
                value.ty = ty.or(value.ty);
                for (name, field) in fields {
                    let field_value = self.expr(field);
                    value.fields.insert(format!("{prefix}{name}"), field_value);
                }
                if prefix.is_empty() {
                    self.record_field_destinations(&value, literal.pos);
                }
                if let Some(Ty::Adt(id, _)) = &value.ty {
                    self.run_drop(*id, &value, literal.pos);
                }
                value
            }
            Expr::Tuple(elems) => {
                let mut value = Value::default();
                let mut types = Vec::new();
                for (index, elem) in elems.iter().enumerate() {
                    let part = self.expr(elem);
                    types.push(part.ty().clone());
                    value.fields.insert(index.to_string(), part);
                }
                value.ty = Some(Ty::Tuple(types));
                value
            }
            Expr::Array(elems) => {
                let mut element = Value::default();
                for elem in elems {
                    let part = self.expr(elem);
                    element.join(&part);
                }
                super::places::collection_of(element)
            }
            Expr::Wrap { kind, inner } => {
                let value = self.expr(inner);
                match kind {
                    Wrap::Try => {
                        self.propagate_error(&value, inner);
                        self.element(&value)
                    }
                    Wrap::Deref => match value.cell {
                        Some(_) => self.element(&value),
                        None => value,
                    },
                    // Awaiting a request builder sends it (surf's `RequestBuilder` is a
                    // future): for the sink catalog, `.await` is a method named `await`.
                    // What comes back is the response, bound nowhere.
                    Wrap::Await => {
                        let sent = super::calls::position_of(inner).is_some_and(|pos| {
                            self.check_outside_method_sink(&value, "await", &[], pos)
                        });
                        if sent {
                            value.without_destinations()
                        } else {
                            value
                        }
                    }
                    _ => value,
                }
            }
            Expr::Binary {
                left,
                right,
                comparison,
            } => {
                let left = self.expr(left);
                let right = self.expr(right);
                if *comparison {
                    // A comparison's result is a decision; implicit flows are not followed.
                    return Value::default();
                }
                let taint = self
                    .full(&left, Mode::All)
                    .joined(&self.full(&right, Mode::All));
                Value::tainted(taint)
            }
            Expr::Closure(def) => self.closure(def),
            Expr::Block(block) | Expr::Async(block) => self.block(block),
            Expr::If {
                cond,
                then,
                otherwise,
            } => self.if_chain(cond, then, otherwise.as_deref()),
            Expr::Let { pattern, value } => {
                let value = self.expr(value);
                self.bind(pattern, value);
                Value::default()
            }
            Expr::Match { scrutinee, arms } => {
                let scrutinee = self.expr(scrutinee);
                let mut result = Value::default();
                let mut paths = Vec::with_capacity(arms.len());
                for arm in arms {
                    let mark = self.env.mark();
                    self.env.push_scope();
                    self.bind(&arm.pattern, scrutinee.clone());
                    if let Some(guard) = &arm.guard {
                        self.expr(guard);
                    }
                    let value = self.expr(&arm.body);
                    result.join(&value);
                    self.env.pop_scope();
                    paths.push(self.env.rollback(mark));
                }
                self.env.merge(paths, !arms.is_empty());
                result
            }
            Expr::Loop(body) => {
                self.breaks.push(Value::default());
                self.fixpoint(loop_key(body), |frame| {
                    frame.block(body);
                });
                self.breaks.pop().unwrap_or_default()
            }
            Expr::While { cond, body } => {
                self.fixpoint(loop_key(body), |frame| {
                    frame.env.push_scope();
                    frame.expr(cond);
                    frame.block(body);
                    frame.env.pop_scope();
                });
                Value::default()
            }
            Expr::For {
                pattern,
                iter,
                body,
            } => {
                let iterable = self.expr(iter);
                let mut element = self.element(&iterable);
                // A parameter of a generic type iterated (`for (k, v) in pairs` with
                // `pairs: I`) yields its elements: the part a caller's argument is read
                // at is the element, not the argument itself.
                if let (Ty::Param(..) | Ty::Traits(_), Some((index, path))) =
                    (iterable.ty().autoderef(), &iterable.param)
                    && element.param == iterable.param
                {
                    element.param = Some((
                        *index,
                        super::places::extend_param_path(path, super::value::ELEMENT),
                    ));
                }
                self.fixpoint(loop_key(body), |frame| {
                    frame.env.push_scope();
                    frame.bind(pattern, element.clone());
                    frame.block(body);
                    frame.env.pop_scope();
                });
                Value::default()
            }
            Expr::Assign {
                target,
                value,
                compound,
            } => {
                let value = self.expr(value);
                self.assign(target, value, *compound);
                Value::default()
            }
            Expr::Return(value) => {
                let value = value
                    .as_ref()
                    .map(|value| self.expr(value))
                    .unwrap_or_default();
                self.ret.join(&value);
                Value::default()
            }
            Expr::Break(value) => {
                let value = value
                    .as_ref()
                    .map(|value| self.expr(value))
                    .unwrap_or_default();
                if let Some(innermost) = self.breaks.last_mut() {
                    innermost.join(&value);
                }
                Value::default()
            }
            Expr::Continue | Expr::Lit => Value::default(),
            Expr::Url { sink } => destination(sink),
        }
    }

    /// `if a {..} else if b {..} else {..}`: the chain is walked with a loop, not by
    /// recursion, so a chain of any length costs no stack. Each branch starts from the
    /// state after the conditions before it; what the branches write is joined. What a
    /// condition binds (`if let`) is in scope in its own branch only. A condition's
    /// own writes are applied on every later path (weak writes, such as an iterator a
    /// condition advances, are exact; a strong assignment inside a condition is joined).
    pub(super) fn if_chain(
        &mut self,
        cond: &Expr,
        then: &Block,
        otherwise: Option<&Expr>,
    ) -> Value {
        let mut result = Value::default();
        let mut paths = Vec::new();
        let (mut cond, mut then, mut otherwise) = (cond, then, otherwise);
        let exhaustive = loop {
            let outer = self.env.len();
            self.env.push_scope();
            self.expr(cond);
            let mark = self.env.mark();
            let value = self.block(then);
            result.join(&value);
            let mut written = self.env.rollback(mark);
            written.retain(|(slot, _)| *slot < outer);
            self.env.pop_scope();
            paths.push(written);
            match otherwise {
                Some(Expr::If {
                    cond: next_cond,
                    then: next_then,
                    otherwise: next_otherwise,
                }) => {
                    cond = next_cond;
                    then = next_then;
                    otherwise = next_otherwise.as_deref();
                }
                Some(last) => {
                    let mark = self.env.mark();
                    let value = self.expr(last);
                    result.join(&value);
                    paths.push(self.env.rollback(mark));
                    break true;
                }
                None => break false,
            }
        };
        self.env.merge(paths, exhaustive);
        result
    }

    /// Runs a loop body until its head settles: each pass starts from the head (what
    /// the locals may hold when the body begins: before the loop, or after any pass),
    /// and what it leaves is joined into the head. The loop as a whole leaves the head.
    pub(super) fn fixpoint(&mut self, key: usize, mut pass: impl FnMut(&mut Self)) {
        // What earlier entries of this loop settled on is still a state its head may
        // be in: start from there.
        let earlier = self.loop_heads.remove(&key).unwrap_or_default();
        let mut head: BTreeMap<super::env::SlotId, Value> = BTreeMap::new();
        for (slot, value) in earlier {
            if let Some(current) = self.env.get(slot) {
                if !current.covers(&value) {
                    let mut joined = current.clone();
                    joined.join(&value);
                    self.env.set(slot, joined);
                }
                head.insert(slot, value);
            }
        }
        loop {
            self.loop_passes += 1;
            let epoch = self.heap_epoch;
            let mark = self.env.mark();
            pass(self);
            let written = self.env.rollback(mark);
            let mut grew = self.heap_epoch != epoch;
            for (slot, end) in written {
                let Some(current) = self.env.get(slot) else {
                    continue;
                };
                let mut state = current.clone();
                if !state.covers(&end) {
                    state.join(&end);
                    if state.depth(LOOP_HEAD_DEPTH + 1) > LOOP_HEAD_DEPTH {
                        state = state.bounded(LOOP_HEAD_DEPTH);
                    }
                    if !current.covers(&state) {
                        grew = true;
                        self.env.set(slot, state.clone());
                    }
                }
                head.insert(slot, state);
            }
            if !grew {
                break;
            }
        }
        self.loop_heads.insert(key, head.into_iter().collect());
    }

    pub(super) fn path_value(&mut self, path: &PathRef, pos: crate::index::ir::Pos) -> Value {
        if let [name] = path.segments.as_slice()
            && let Some(value) = self.env.lookup(name)
        {
            return value.clone();
        }
        match self.resolve(&path.segments) {
            Some(Def::Fn(id)) => Value {
                callable: Some(Callable::Function(id)),
                ..Value::default()
            },
            // A struct with named fields is no value by its bare name: a macro took the
            // type (`sqlx::query_as!(Secret, ..)`), which carries no data.
            Some(Def::Type(id))
                if self.cx.index.types[id]
                    .def
                    .fields
                    .iter()
                    .any(|field| field.name.parse::<usize>().is_err()) =>
            {
                Value::default()
            }
            Some(Def::Type(id) | Def::Variant(id, _)) => Value::typed(Ty::Adt(id, Vec::new())),
            Some(Def::Static(id)) => self.static_value(id, pos),
            Some(Def::Destination(sink)) => destination(&sink),
            _ => Value::default(),
        }
    }
}

/// A URL to a known host: it says where a request built from it goes.
pub(super) fn destination(sink: &std::sync::Arc<str>) -> Value {
    let mut taint = Taint::default();
    taint.insert(Origin::Destination { sink: sink.clone() }, Trace::default());
    Value::tainted(taint)
}

/// A loop is known by its body's address: the item tree does not move while a function
/// is analysed, and macro expansions are cached by call site.
fn loop_key(body: &Block) -> usize {
    std::ptr::from_ref(body) as usize
}
