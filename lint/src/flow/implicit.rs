//! Calls the code does not write out: `Drop` when a value is built, `From` when `?`
//! returns an error, conversions into a declared type, and the workspace functions
//! handed to outside code (`post(handler)`, `routes![..]`), whose results go through
//! the workspace's impls of outside traits.

use std::sync::Arc;

use super::calls::position_of;
use super::frame::Frame;
use super::value::{Callable, ERR, Value};
use super::{Conversion, ConversionSource};
use crate::index::ir::{Expr, Pos};
use crate::index::ty::{Ty, Wrapper};
use crate::index::{FnId, Owner};

impl Frame<'_, '_> {
    /// A callee's result that holds an outside crate's value where its declared type
    /// says a workspace type (a generic helper's `e.into()` through an `E: Into<Error>`
    /// bound): the conversion from that crate into the declared type ran, when the
    /// workspace has exactly one. Looked at for the value and a `Result`'s error.
    pub(super) fn convert_to_declared(&mut self, value: &mut Value, declared: &Ty, pos: Pos) {
        let converted = |frame: &mut Self, part: &Value, target: &Ty| -> Option<Value> {
            let (Some(krate), Ty::Adt(target, _)) = (part.ty().outside_crate(), target) else {
                return None;
            };
            let source = ConversionSource::Crate(Arc::from(krate));
            let (to, conversion) = frame.sole_conversion(&source, Some(*target))?;
            Some(frame.apply_conversion(to, &conversion, part.clone(), pos))
        };
        if let Some(done) = converted(self, value, declared) {
            *value = done;
            return;
        }
        if let (Ty::Wrapper(Wrapper::Result, types), Some(error)) =
            (declared, value.fields.get(ERR).cloned())
            && let Some(done) = types
                .get(1)
                .and_then(|target| converted(self, &error, target))
        {
            value.fields.insert(ERR.to_owned(), done);
        }
    }

    /// `Drop::drop` runs on every value of a type with a workspace `impl Drop` that the
    /// code constructs (SPEC §6 "Implicit calls"): applied where the value is built,
    /// since where it goes out of scope says nothing about what it holds.
    pub(super) fn run_drop(&mut self, ty: crate::index::TypeId, value: &Value, pos: Pos) {
        let index = self.cx.index;
        let Some(candidates) = index.methods.get(&(ty, "drop".to_owned())) else {
            return;
        };
        let drops: Vec<FnId> = candidates
            .iter()
            .copied()
            .filter(|id| {
                matches!(&index.functions[*id].owner, Owner::Impl { trait_path: Some(path), .. }
                    if path.segments.last().is_some_and(|name| name == "Drop"))
            })
            .collect();
        for id in drops {
            self.apply_call(id, vec![value.clone()], &[], pos);
        }
    }

    /// `expr?` returns early with the error side of `value`, converted by `From::from`
    /// into the function's error type (SPEC §6 "Implicit calls"): the workspace's
    /// `impl From<E> for ItsError` runs with the error, as if called here.
    pub(super) fn propagate_error(&mut self, value: &Value, expr: &Expr) {
        if matches!(value.ty().autoderef(), Ty::Wrapper(Wrapper::Option, _)) {
            return;
        }
        let error = self.error_side(value);
        let pos = position_of(expr).unwrap_or(self.cx.index.functions[self.fn_id].def.pos);
        let converted = match self.return_type(self.fn_id, &[]) {
            // `?` in a function returning `Option` returns `None`: nothing.
            Some(Ty::Wrapper(Wrapper::Option, _)) => return,
            Some(Ty::Wrapper(Wrapper::Result, args)) => match args.get(1) {
                Some(Ty::Adt(target, _)) => self.convert_with_from(*target, error, pos),
                _ => error,
            },
            _ => error,
        };
        self.return_error(converted);
    }

    /// Returns `error` from the function, as its `Err` part only: the return type stays
    /// what the function's own returns say (callers read fields through it).
    pub(super) fn return_error(&mut self, error: Value) {
        let mut returned = Value::default();
        returned.fields.insert(ERR.to_owned(), error);
        self.ret.join(&returned);
    }

    /// `<target as From<_>>::from(error)` over the workspace's conversions (impls and
    /// `#[from]` variants) from the error's type, or its crate for an outside type;
    /// the error itself when none applies.
    pub(super) fn convert_with_from(
        &mut self,
        target: crate::index::TypeId,
        error: Value,
        pos: Pos,
    ) -> Value {
        let source = ConversionSource::of(error.ty());
        let mut applicable = self.conversions_from(&source, Some(target));
        if applicable.is_empty() && matches!(source, ConversionSource::Crate(_)) {
            applicable = self.conversions_from(&ConversionSource::Unknown, Some(target));
        }
        // An error of an outside type: only a conversion that is the sole one from its
        // crate (or, the crate unknown, from any outside type) can be the one `?` runs;
        // with several, which runs is not known (a coverage gap, counted).
        let ambiguous = !matches!(source, ConversionSource::Type(_)) && applicable.len() > 1;
        if ambiguous {
            self.coverage.calls_unresolved += 1;
        }
        if applicable.is_empty() || ambiguous {
            return error;
        }
        let mut converted = Value::default();
        for (target, conversion) in applicable {
            converted.join(&self.apply_conversion(target, &conversion, error.clone(), pos));
        }
        converted
    }

    /// The conversions from `source` (into `target`, when given), in a fixed order. An
    /// unknown source means any outside type's.
    pub(super) fn conversions_from(
        &self,
        source: &ConversionSource,
        target: Option<crate::index::TypeId>,
    ) -> Vec<(Option<crate::index::TypeId>, Conversion)> {
        let lists: Vec<&Vec<(Option<usize>, Conversion)>> = match source {
            ConversionSource::Unknown => self
                .cx
                .conversions
                .iter()
                .filter(|(key, _)| !matches!(key, ConversionSource::Type(_)))
                .map(|(_, list)| list)
                .collect(),
            known => self.cx.conversions.get(known).into_iter().collect(),
        };
        let mut found: Vec<(Option<crate::index::TypeId>, Conversion)> = lists
            .into_iter()
            .flatten()
            .filter(|(to, _)| target.is_none_or(|target| *to == Some(target)))
            .cloned()
            .collect();
        found.sort_by(|a, b| {
            let key = |(to, conversion): &(Option<usize>, Conversion)| match conversion {
                Conversion::Impl(id) => (*to, *id, String::new()),
                Conversion::Variant { part } => (*to, usize::MAX, part.clone()),
            };
            key(a).cmp(&key(b))
        });
        found
    }

    /// The one conversion from `source` (into `target`, when given); none when there are
    /// several, as for an outside crate's type with more than one.
    pub(super) fn sole_conversion(
        &self,
        source: &ConversionSource,
        target: Option<crate::index::TypeId>,
    ) -> Option<(Option<crate::index::TypeId>, Conversion)> {
        let mut found = self.conversions_from(source, target);
        match (found.pop(), found.pop()) {
            (Some(only), None) => Some(only),
            _ => None,
        }
    }

    /// Runs one conversion on `value`: the impl's `from`, or the `#[from]` variant built.
    pub(super) fn apply_conversion(
        &mut self,
        target: Option<crate::index::TypeId>,
        conversion: &Conversion,
        value: Value,
        pos: Pos,
    ) -> Value {
        match conversion {
            Conversion::Impl(id) => self.apply_call(*id, vec![value], &[], pos),
            Conversion::Variant { part } => {
                let mut built = Value {
                    ty: target.map(|target| Ty::Adt(target, Vec::new())),
                    ..Value::default()
                };
                built.fields.insert(part.clone(), value);
                built
            }
        }
    }

    /// A workspace function among what outside code is given (an outside call's
    /// argument, an outside macro's: `routes![login, register]`) is handed to it.
    pub(super) fn hand_out_callable(&mut self, value: &Value, pos: Pos) {
        if let Some(Callable::Function(id)) = &value.callable {
            self.handed_out(*id, pos);
        }
    }

    /// A workspace function handed to outside code as a value (a route handler, a
    /// callback): the outside code calls it and gets its result, on which it may call
    /// the workspace's impls of outside traits (axum's `IntoResponse` on a handler's
    /// error, actix's `ResponseError`). Its arguments come from outside: they carry what
    /// their types' tags say, nothing more.
    pub(super) fn handed_out(&mut self, id: FnId, pos: Pos) {
        let function = &self.cx.index.functions[id];
        let arity = function.def.params.len() + usize::from(function.def.receiver.is_some());
        let result = self.apply_call(id, vec![Value::default(); arity], &[], pos);
        self.run_outside_trait_impls(&result, pos, 0);
    }

    /// Runs the impls of outside traits of `value`'s type (and of what it wraps: a
    /// `Result`'s value and error, an option's or a future's content) with it.
    pub(super) fn run_outside_trait_impls(&mut self, value: &Value, pos: Pos, depth: usize) {
        const MAX_DEPTH: usize = 3;
        if depth > MAX_DEPTH {
            return;
        }
        match value.ty().autoderef().clone() {
            Ty::Adt(ty, _) => {
                let methods = self
                    .cx
                    .outside_trait_methods
                    .get(&ty)
                    .cloned()
                    .unwrap_or_default();
                for method in methods {
                    let arity = self.cx.index.functions[method].def.params.len() + 1;
                    let mut args = vec![Value::default(); arity];
                    args[0] = value.clone();
                    self.apply_call(method, args, &[], pos);
                }
            }
            Ty::Wrapper(Wrapper::Result, _) => {
                let (ok, error) = (self.element(value), self.error_side(value));
                self.run_outside_trait_impls(&ok, pos, depth + 1);
                self.run_outside_trait_impls(&error, pos, depth + 1);
            }
            Ty::Wrapper(Wrapper::Option | Wrapper::Future | Wrapper::Pointer, _) => {
                let inner = self.element(value);
                self.run_outside_trait_impls(&inner, pos, depth + 1);
            }
            _ => {}
        }
    }
}
