//! Calls: to workspace functions (their summaries applied by [`super::instantiate`]), to
//! closures and function values, to methods chosen by the receiver's type (every impl,
//! for a trait), and to code outside the workspace ([`super::externals`]). Calls the code
//! does not write out are in [`super::implicit`].

use foldhash::{HashMap, HashMapExt as _};
use std::collections::BTreeMap;
use std::sync::Arc;

use super::frame::CallStep;
use super::frame::Frame;
use super::instantiate::ProjectionCache;
use super::places::typed_as;
use super::reach::Target;
use super::types::Mode;
use super::value::{Callable, Closure, ELEMENT, Origin, Step, Taint, Trace, Value};
use super::{ConversionSource, Summary, sink_of};
use crate::index::ir::{ClosureDef, Expr, Pos, Wrap};
use crate::index::ty::Ty;
use crate::index::{Def, FnId, Location, Owner};

/// How deep closures may apply closures before the analysis stops following.
const MAX_CLOSURE_DEPTH: usize = 6;

impl Frame<'_, '_> {
    pub(super) fn closure(&mut self, def: &Arc<ClosureDef>) -> Value {
        let captured: BTreeMap<crate::index::ir::Name, Value> = def
            .mentions
            .iter()
            .filter_map(|name| Some((name.clone(), self.env.lookup(name)?.clone())))
            .collect();
        let closure = Arc::new(Closure {
            def: def.clone(),
            captured,
        });
        // Run it once as written, so that sinks inside see what it captures even if
        // the analysis cannot tell where it is called.
        let args: Vec<Value> = def
            .params
            .iter()
            .map(|param| Value::typed(self.lower_ty(&param.ty)))
            .collect();
        let mark = self.env.mark();
        self.apply_closure(&closure, &args);
        self.env.rollback(mark);
        Value {
            callable: Some(Callable::Closure(closure)),
            ..Value::default()
        }
    }

    /// Runs a closure's body with its captures and `args`. Closures that apply
    /// closures deeper than [`MAX_CLOSURE_DEPTH`] are not followed in: the call
    /// returns everything the closure and its arguments carry, and counts as a call
    /// the analysis could not see into.
    pub fn apply_closure(&mut self, closure: &Closure, args: &[Value]) -> Value {
        if self.closure_depth >= MAX_CLOSURE_DEPTH {
            self.coverage.calls += 1;
            self.coverage.calls_unresolved += 1;
            let mut taint = Taint::default();
            for value in closure.captured.values().chain(args) {
                taint.join(&self.full(value, Mode::All));
            }
            return Value::tainted(taint);
        }
        self.closure_depth += 1;
        // A loop in the body is a different loop at each application: its slots
        // depend on what is in scope where the closure is applied.
        let outer_heads = std::mem::take(&mut self.loop_heads);
        self.env.push_scope();
        for (name, value) in &closure.captured {
            if !self.env.is_local(name) {
                self.env.define(name.clone(), value.clone());
            }
        }
        self.env.push_scope();
        for (param, arg) in closure.def.params.iter().zip(args) {
            self.bind(&param.pattern, arg.clone());
        }
        let value = self.expr(&closure.def.body);
        self.env.pop_scope();
        self.env.pop_scope();
        self.loop_heads = outer_heads;
        self.closure_depth -= 1;
        value
    }

    /// Calls what a value holds: a closure or a function.
    pub fn apply_callable(
        &mut self,
        callable: &Value,
        args: Vec<Value>,
        pos: crate::index::ir::Pos,
    ) -> Option<Value> {
        let held = callable.callable.clone().or_else(|| {
            callable
                .fields
                .get(ELEMENT)
                .and_then(|inner| inner.callable.clone())
        });
        let Some(held) = held else {
            // A parameter called as a function: it returns what it carries (for a
            // closure, what it captured) and what it is given.
            if callable.param.is_some() {
                let mut taint = self.full(callable, Mode::All);
                for arg in &args {
                    taint.join(&self.full(arg, Mode::All));
                }
                return Some(Value::tainted(taint));
            }
            return None;
        };
        match held {
            Callable::Closure(closure) => Some(self.apply_closure(&closure, &args)),
            Callable::Function(id) => Some(self.apply_call(id, args, &[], pos)),
        }
    }

    /// Applies workspace function `id` to `args` (`self` first for methods); `exprs`
    /// are the argument expressions, for writes back into the caller's places.
    pub fn apply_call(
        &mut self,
        id: FnId,
        args: Vec<Value>,
        exprs: &[&Expr],
        pos: crate::index::ir::Pos,
    ) -> Value {
        self.coverage.calls += 1;
        self.callees.insert(id);
        let index = self.cx.index;
        let callee = &index.functions[id];
        let step = self.step(pos, id);
        let site = self.location(pos);
        if let Some((sink, checked)) = sink_of(index, id) {
            for arg in checked {
                if let Some(value) = args.get(arg) {
                    let taint = self.full(value, Mode::All).with_step(&step);
                    self.hit(&sink, site, taint);
                }
            }
        }
        let summaries = self.cx.summaries;
        let summary = summaries.get(&id);
        if let Some(summary) = summary {
            self.apply_effects(summary, &args, exprs, pos, id);
        }
        if let Some(to) = &callee.def.tags.declassify {
            let mut value = Value::default();
            for category in to {
                value.taint.insert(
                    Origin::Tag {
                        category: Arc::from(category.as_str()),
                        tag: Location {
                            file: callee.file,
                            pos: callee.def.pos,
                        },
                        purposes: None,
                    },
                    Trace::default(),
                );
            }
            return value;
        }
        if callee.def.body.is_none() && summary.is_none() {
            // A trait method without a body and no impl to go to: what it is given is
            // what it may return.
            let mut taint = Taint::default();
            for arg in &args {
                taint.join(&self.full(arg, Mode::All));
            }
            let mut value = Value::tainted(taint.with_step(&step));
            if let Some(declared) = self.return_type(id, &args) {
                typed_as(&mut value, &declared);
            }
            return value;
        }
        let returned = self.call_step(pos, id, CallStep::Returned);
        let mut value = summary
            .map(|summary| self.instantiate(&summary.ret, &args, &returned))
            .unwrap_or_default();
        if let Some(declared) = self.return_type(id, &args) {
            self.convert_to_declared(&mut value, &declared, pos);
            typed_as(&mut value, &declared);
        }
        self.record_field_destinations(&value, pos);
        value
    }

    /// What a summary does at a call besides returning: the sinks it reaches with the
    /// arguments, and what it writes into them.
    fn apply_effects(
        &mut self,
        summary: &Summary,
        args: &[Value],
        exprs: &[&Expr],
        pos: crate::index::ir::Pos,
        callee: FnId,
    ) {
        // What the callee stores in statics from its parameters, stored here with what
        // this call passes.
        let passed = self.step(pos, callee);
        for (global, stored) in &summary.static_writes {
            let stored_step = Step {
                location: passed.location,
                note: Arc::from(self.global_note(global, true)),
            };
            let stored = self
                .instantiate(stored, args, &passed)
                .with_step(&stored_step);
            let cell = self.global_cell(global.clone(), pos);
            self.join_cell(cell, &stored);
        }
        // What the arguments carry into each parameter part that reaches a sink:
        // tags seed the reach graph, the caller's own parameters extend it.
        let mut projections: ProjectionCache = HashMap::new();
        let mut callee_step: Option<(FnId, Step)> = None;
        for part in &summary.reaches {
            let (callee, index, path) = part;
            let carried = self
                .carried_at(args, *index, path, &mut projections)
                .clone();
            if carried.is_empty() {
                continue;
            }
            let step = match &callee_step {
                Some((known, step)) if known == callee => step.clone(),
                _ => {
                    let fresh = self.step(pos, *callee);
                    callee_step = Some((*callee, fresh.clone()));
                    fresh
                }
            };
            for (origin, trace) in carried.with_step(&step).0.iter() {
                match origin {
                    Origin::Tag { .. } => self.reach.seed(origin, trace, part, self.fn_id),
                    Origin::Param { index, path } => {
                        self.reach_from(*index, path, Target::Part(part.clone()), trace)
                    }
                    // Where a request goes is no data for the callee's sink.
                    Origin::Destination { .. } => {}
                }
            }
        }
        for (param, written) in &summary.writes {
            let step = self.call_step(pos, callee, CallStep::WrittenBack { param: *param });
            let value = self.instantiate(written, args, &step);
            if let Some(expr) = exprs.get(*param) {
                self.assign(expr, value.clone(), true);
            }
            if let Some(cell) = args.get(*param).and_then(|arg| arg.cell) {
                self.join_cell(cell, &value);
            }
        }
    }

    /// A call that may run any of `candidates` (a trait method through a bound or
    /// `dyn`): what any of them may do. Their summaries are joined once per analysis and
    /// applied once, instead of once per implementation: a trait with hundreds of impls
    /// (parser combinators) costs one application per call. Candidates that declassify
    /// or have neither body nor summary keep their own handling.
    pub(super) fn apply_dispatch(
        &mut self,
        candidates: &[FnId],
        args: Vec<Value>,
        exprs: &[&Expr],
        pos: crate::index::ir::Pos,
    ) -> Value {
        let index = self.cx.index;
        let summaries = self.cx.summaries;
        let (joinable, own): (Vec<FnId>, Vec<FnId>) = candidates.iter().partition(|id| {
            let function = &index.functions[**id];
            function.def.tags.declassify.is_none()
                && (function.def.body.is_some() || summaries.contains_key(id))
        });
        let mut result: Option<Value> = None;
        for id in own {
            let value = self.apply_call(id, args.clone(), exprs, pos);
            result = Some(match result {
                Some(current) => current.joined(&value),
                None => value,
            });
        }
        let Some(first) = joinable.first().copied() else {
            return result.unwrap_or_default();
        };
        let site = self.location(pos);
        for id in &joinable {
            self.coverage.calls += 1;
            self.callees.insert(*id);
            if let Some((sink, checked)) = sink_of(index, *id) {
                let step = self.step(pos, *id);
                for arg in checked {
                    if let Some(value) = args.get(arg) {
                        let taint = self.full(value, Mode::All).with_step(&step);
                        self.hit(&sink, site, taint);
                    }
                }
            }
        }
        let joined = match self.dispatch_summaries.get(joinable.as_slice()) {
            Some(joined) => joined.clone(),
            None => {
                let joined = Arc::new(Summary::joined_all(
                    joinable.iter().filter_map(|id| summaries.get(id)),
                ));
                self.dispatch_summaries
                    .insert(joinable.clone(), joined.clone());
                joined
            }
        };
        self.apply_effects(&joined, &args, exprs, pos, first);
        let returned = self.call_step(pos, first, CallStep::Returned);
        let mut value = self.instantiate(&joined.ret, &args, &returned);
        for id in &joinable {
            if let Some(declared) = self.return_type(*id, &args) {
                typed_as(&mut value, &declared);
                break;
            }
        }
        match result {
            Some(mut other) => {
                other.join(&value);
                other
            }
            None => value,
        }
    }

    /// The declared return type of `id`, with `Self` as the receiver's type.
    pub(super) fn return_type(&self, id: FnId, args: &[Value]) -> Option<Ty> {
        let function = &self.cx.index.functions[id];
        let ret = function.def.ret.as_ref()?;
        // The callee's own generics: `-> &G` with `G: Trait` is a `G`, not a type that
        // a `use` elsewhere names `G`.
        let mut context = super::frame::ty_context_of(self.cx.index, id);
        if !matches!(function.owner, Owner::Impl { .. }) {
            context.self_ty = args.first().map(|arg| arg.ty().clone());
        }
        Some(
            self.cx
                .index
                .lower_ty(function.crate_index, &function.module, &context, ret),
        )
    }

    pub(super) fn call(
        &mut self,
        callee: &Expr,
        args: &[Expr],
        pos: crate::index::ir::Pos,
    ) -> Value {
        let values: Vec<Value> = args.iter().map(|arg| self.expr(arg)).collect();
        let exprs: Vec<&Expr> = args.iter().collect();
        if let Expr::Path { path, .. } = callee {
            if let [name] = path.segments.as_slice()
                && let Some(local) = self.env.lookup(name).cloned()
                && let Some(value) = self.apply_callable(&local, values.clone(), pos)
            {
                return value;
            }
            match self.resolve(&path.segments) {
                Some(Def::Fn(id)) => return self.apply_call(id, values, &exprs, pos),
                Some(Def::Variant(id, variant)) => {
                    let mut value = Value::typed(Ty::Adt(id, Vec::new()));
                    for (index, part) in values.into_iter().enumerate() {
                        value.fields.insert(format!("{variant}::{index}"), part);
                    }
                    return value;
                }
                Some(Def::Type(id)) => {
                    let mut value = Value::typed(Ty::Adt(id, Vec::new()));
                    for (index, part) in values.into_iter().enumerate() {
                        value.fields.insert(index.to_string(), part);
                    }
                    self.run_drop(id, &value, pos);
                    return value;
                }
                Some(Def::External(full)) => return self.external_call(&full, values, &exprs, pos),
                _ => {}
            }
            self.coverage.calls += 1;
            // `Type::default()`, `Type::from(..)`: a function of a workspace type that
            // the source does not define (derived or from a trait) returns the type.
            if let Some((_, owner)) = path.segments.split_last()
                && let Some(Def::Type(id)) = self.resolve(owner)
            {
                let mut value = self.unknown_call(values, &exprs, pos, &path.segments.join("::"));
                value.ty = Some(Ty::Adt(id, Vec::new()));
                return value;
            }
            self.coverage.calls_unresolved += 1;
            return self.unknown_call(values, &exprs, pos, &path.segments.join("::"));
        }
        let callee_value = self.expr(callee);
        if let Some(value) = self.apply_callable(&callee_value, values.clone(), pos) {
            return value;
        }
        self.coverage.calls += 1;
        self.coverage.calls_unresolved += 1;
        self.unknown_call(values, &exprs, pos, "a callee the analysis cannot see")
    }

    /// The trace step of data going through an outside call.
    pub(super) fn outside_step(&self, pos: Pos, callee: &str) -> Step {
        Step {
            location: self.location(pos),
            note: Arc::from(format!("through outside call `{callee}`")),
        }
    }

    /// A call no model describes (`callee` as the code names it, at `pos`): it returns
    /// what its arguments carried, and writes it into its `&mut` arguments; traces say
    /// the data went through it.
    pub fn unknown_call(
        &mut self,
        values: Vec<Value>,
        exprs: &[&Expr],
        pos: Pos,
        callee: &str,
    ) -> Value {
        let mut taint = Taint::default();
        for value in &values {
            taint.join(&self.full(value, Mode::All));
        }
        if !taint.is_empty() {
            taint = taint.with_step(&self.outside_step(pos, callee));
        }
        for value in &values {
            self.hand_out_callable(value, pos);
        }
        let made_by = made_by_outside_call(callee);
        for expr in exprs {
            if let Expr::Wrap {
                kind: Wrap::RefMut,
                inner,
            } = expr
            {
                self.assign(inner, Value::tainted(taint.clone()), true);
            }
        }
        let mut result = Value::from_outside(taint);
        result.ty = made_by;
        result
    }

    pub(super) fn method_call(
        &mut self,
        receiver: &Expr,
        method: &str,
        args: &[Expr],
        pos: crate::index::ir::Pos,
        turbofish: Option<&crate::index::ir::TypeRef>,
    ) -> Value {
        let receiver_value = self.expr(receiver);
        let values: Vec<Value> = args.iter().map(|arg| self.expr(arg)).collect();
        // `iter.collect::<Options>()` runs the workspace's `impl FromIterator for
        // Options` with the iterator (an implicit call, like `?`'s `From`).
        if let (Some("collect"), Some(Ty::Adt(target, _))) =
            (Some(method), turbofish.map(|ty| self.lower_ty(ty)))
        {
            let from_iter = self
                .cx
                .index
                .methods
                .get(&(target, "from_iter".to_owned()))
                .and_then(|ids| ids.first().copied());
            if let Some(id) = from_iter {
                return self.apply_call(id, vec![receiver_value], &[receiver], pos);
            }
        }
        if method == "into" {
            // `x.into()` runs the workspace's `impl From<X> for Y` (or `#[from]`), when
            // there is one; from an outside crate's type, only when it is the only one.
            let source = ConversionSource::of(receiver_value.ty());
            let conversions = match source {
                ConversionSource::Unknown => Vec::new(),
                ConversionSource::Type(_) => self.conversions_from(&source, None),
                ConversionSource::Crate(_) => {
                    self.sole_conversion(&source, None).into_iter().collect()
                }
            };
            if !conversions.is_empty() {
                let mut result = Value::default();
                for (target, conversion) in conversions {
                    let converted =
                        self.apply_conversion(target, &conversion, receiver_value.clone(), pos);
                    result.join(&converted);
                }
                return result;
            }
        }
        let candidates = self.method_candidates(receiver_value.ty(), method);
        if !candidates.is_empty() {
            let mut all_args = vec![receiver_value];
            all_args.extend(values);
            let mut exprs: Vec<&Expr> = vec![receiver];
            exprs.extend(args.iter());
            if let [only] = candidates.as_slice() {
                return self.apply_call(*only, all_args, &exprs, pos);
            }
            return self.apply_dispatch(&candidates, all_args, &exprs, pos);
        }
        if let Some(value) = self
            .apply_callable(
                &self.read_field(&receiver_value, method),
                values.clone(),
                pos,
            )
            .filter(|_| receiver_value.fields.contains_key(method))
        {
            return value;
        }
        self.external_method(receiver, receiver_value, method, args, values, pos)
    }

    /// Workspace methods a call `.method()` on a receiver of type `ty` may run: the
    /// type's own, or every impl of a bounding trait.
    pub(super) fn method_candidates(&self, ty: &Ty, method: &str) -> Vec<FnId> {
        let index = self.cx.index;
        let mut candidates = Vec::new();
        match ty.autoderef() {
            Ty::Adt(id, _) => {
                if let Some(ids) = index.methods.get(&(*id, method.to_owned())) {
                    candidates.extend(ids.iter().copied());
                }
            }
            Ty::Param(_, traits) | Ty::Traits(traits) => {
                for trait_id in traits {
                    candidates.extend(self.trait_candidates(*trait_id, method));
                }
                // A trait with very many impls (a parser-combinator library's `Parser`)
                // makes every call through it a call of all of them, and every impl
                // that holds another parser part of one cycle: past this budget the call
                // is read as an outside call (counted unresolved), unless an impl is a
                // sink.
                if candidates.len() > MAX_DISPATCH
                    && !candidates.iter().any(|id| sink_of(index, *id).is_some())
                {
                    candidates.clear();
                }
            }
            _ => {}
        }
        if candidates.is_empty() && !matches!(ty.autoderef(), Ty::Param(..) | Ty::Traits(_)) {
            candidates.extend(self.extension_candidates(ty.autoderef(), method));
        }
        if candidates.is_empty() && ty.autoderef().is_unknown() {
            // An unknown receiver: a trait method declared a sink is still a sink.
            let traits = self
                .cx
                .sink_trait_methods
                .get(method)
                .map_or(&[][..], Vec::as_slice);
            if let [only] = traits {
                candidates.extend(self.trait_candidates(*only, method));
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
    }

    /// The extension-trait impls whose implementing type fits `receiver`: a blanket
    /// impl (`for T`) fits anything, `for Result<T, E>` a `Result`. For a receiver of
    /// unknown type, only a method name with a single impl.
    fn extension_candidates(&self, receiver: &Ty, method: &str) -> Vec<FnId> {
        let Some(impls) = self.cx.extension_methods.get(method) else {
            return Vec::new();
        };
        let fits = |implementing: &Ty| match (implementing.autoderef(), receiver) {
            (Ty::Param(..), _) => true,
            (Ty::Wrapper(have, _), Ty::Wrapper(want, _)) => have == want,
            (have @ Ty::Outside(_), want @ Ty::Outside(_)) => {
                have.outside_crate() == want.outside_crate()
            }
            (_, Ty::Unknown | Ty::Outside(_)) => !matches!(implementing, Ty::Adt(..)),
            _ => false,
        };
        let fitting: Vec<FnId> = impls
            .iter()
            .filter(|(_, implementing)| fits(implementing))
            .map(|(id, _)| *id)
            .collect();
        if receiver.is_unknown() && fitting.len() > 1 {
            return Vec::new();
        }
        fitting
    }

    pub(super) fn trait_candidates(&self, trait_id: usize, method: &str) -> Vec<FnId> {
        let index = self.cx.index;
        let mut candidates: Vec<FnId> = index
            .trait_impls
            .get(&(trait_id, method.to_owned()))
            .cloned()
            .unwrap_or_default();
        if let Some(decl) = index.traits[trait_id].methods.get(method) {
            let declared = &index.functions[*decl];
            if declared.def.body.is_some()
                || declared.def.tags.sink.is_some()
                || candidates.is_empty()
            {
                candidates.push(*decl);
            }
        }
        candidates
    }
}

/// How many impls a call through a generic bound or `dyn` may go to (see
/// [`Frame::method_candidates`]).
const MAX_DISPATCH: usize = 32;

/// Where an expression is, when it says (calls, paths, fields, macros).
pub(super) fn position_of(expr: &Expr) -> Option<Pos> {
    match expr {
        Expr::Path { pos, .. }
        | Expr::Field { pos, .. }
        | Expr::MethodCall { pos, .. }
        | Expr::Call { pos, .. } => Some(*pos),
        Expr::Macro(call) => Some(call.pos),
        Expr::Struct(literal) => Some(literal.pos),
        Expr::Wrap { inner, .. } => position_of(inner),
        _ => None,
    }
}

/// What an outside function call made, as far as its path tells: an outside type's
/// associated function (`tracing::Span::current`, `reqwest::Client::new`) is taken to
/// make that type, any other the crate's (`std::fs::write` → `std`).
fn made_by_outside_call(callee: &str) -> Option<Ty> {
    let (owner, _) = callee.rsplit_once("::")?;
    let owner_is_type = owner
        .rsplit("::")
        .next()
        .is_some_and(|name| name.starts_with(char::is_uppercase));
    let made = if owner_is_type {
        owner
    } else {
        callee.split("::").next()?
    };
    Some(Ty::Outside(Arc::from(made)))
}
