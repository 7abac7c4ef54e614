//! A callee's summary applied at a call: its parameter origins replaced by what the
//! caller passes (projected to the parts the summary names), its writes through `&mut`
//! parameters applied to the caller's places.

use foldhash::{HashMap, HashMapExt as _};
use std::collections::BTreeMap;

use super::frame::CallStep;
use super::frame::Frame;
use super::types::Mode;
use super::value::{ELEMENT, ERR, Origin, Step, Taint, Value};
use crate::index::FnId;
use crate::index::ir::Name;
use crate::index::ty::Ty;

/// Parameter parts already projected during one summary application.
pub(super) type ProjectionCache = HashMap<(usize, super::value::PartPath), Taint>;

impl Frame<'_, '_> {
    /// The writes a callee's summary makes into its parameters, instantiated.
    pub(super) fn apply_summary_writes(
        &mut self,
        id: FnId,
        args: &[Value],
        pos: crate::index::ir::Pos,
    ) -> BTreeMap<usize, Value> {
        let Some(summary) = self.cx.summaries.get(&id) else {
            return BTreeMap::new();
        };
        summary
            .writes
            .iter()
            .map(|(index, value)| {
                let step = self.call_step(pos, id, CallStep::WrittenBack { param: *index });
                (*index, self.instantiate(value, args, &step))
            })
            .collect()
    }

    /// Part `path` of an argument, as the callee's `Param` origin refers to it.
    pub(super) fn project(&self, args: &[Value], index: usize, path: &[Name]) -> Value {
        let mut value = args.get(index).cloned().unwrap_or_default();
        for segment in path {
            // The parts a pattern or a read named in the callee, read the same way here
            // (a `Result`'s error keeps what an outside value carries as a whole).
            value = if segment == ELEMENT {
                self.element(&value)
            } else if segment == ERR {
                self.error_side(&value)
            } else {
                self.read_field(&value, segment)
            };
        }
        value
    }

    /// Replaces each `Param` origin by what the caller's argument carries there. The
    /// cache holds each projection once per call: a summary mentions the same
    /// parameter part in many places.
    pub(super) fn instantiate_taint_cached(
        &self,
        taint: &Taint,
        args: &[Value],
        step: &Step,
        cache: &mut ProjectionCache,
    ) -> Taint {
        if taint.is_empty() {
            return Taint::default();
        }
        let mut result = Taint::default();
        for (origin, trace) in taint.0.iter() {
            match origin {
                Origin::Tag { .. } | Origin::Destination { .. } => {
                    result.insert(origin.clone(), trace.clone());
                }
                Origin::Param { index, path } => {
                    result.join(self.carried_at(args, *index, path, cache));
                }
            }
        }
        result.with_step(step)
    }

    /// Everything argument `index` carries at part `path`, projected once per call.
    pub(super) fn carried_at<'p>(
        &self,
        args: &[Value],
        index: usize,
        path: &super::value::PartPath,
        cache: &'p mut ProjectionCache,
    ) -> &'p Taint {
        cache.entry((index, path.clone())).or_insert_with(|| {
            let projected = self.project(args, index, path);
            self.full(&projected, Mode::All)
        })
    }

    pub fn instantiate(&self, value: &Value, args: &[Value], step: &Step) -> Value {
        self.instantiate_cached(value, args, step, &mut HashMap::new())
    }

    pub(super) fn instantiate_cached(
        &self,
        value: &Value,
        args: &[Value],
        step: &Step,
        cache: &mut ProjectionCache,
    ) -> Value {
        let mut result = Value {
            ty: value.ty.clone(),
            taint: self.instantiate_taint_cached(&value.taint, args, step, cache),
            outside: self.instantiate_taint_cached(&value.outside, args, step, cache),
            fields: value
                .fields
                .iter()
                .map(|(name, field)| {
                    (
                        name.clone(),
                        self.instantiate_cached(field, args, step, cache),
                    )
                })
                .collect(),
            param: None,
            cell: None,
            callable: value.callable.clone(),
        };
        if let Some((index, path)) = &value.param {
            let projected = self.project(args, *index, path).with_step(step);
            // The callee saw a generic `E`; this call's argument says what it is.
            let generic = result
                .ty
                .as_ref()
                .is_none_or(|ty| matches!(ty, Ty::Param(..) | Ty::Unknown));
            let specific = projected.ty.clone().filter(|ty| *ty != Ty::Unknown);
            result.join(&projected);
            if let (true, Some(specific)) = (generic, specific) {
                result.ty = Some(specific);
            }
        }
        result
    }
}
