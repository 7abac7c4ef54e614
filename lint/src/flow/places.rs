//! Places and parts: reading a field, an element or the error side of a value, and
//! writing to the place an assignment names (a local, a part of one, a parameter the
//! caller sees, a cell, a static).

use super::frame::Frame;
use super::value::{ELEMENT, ERR, Trace, Value};
use crate::index::Def;
use crate::index::ir::{Expr, Name};
use crate::index::ty::{Ty, Wrapper};

impl Frame<'_, '_> {
    /// Part `name` of a value: tracked explicitly, else from its type's field tags.
    pub fn read_field(&self, value: &Value, name: &str) -> Value {
        self.read_field_through(value, name, &mut Vec::new())
    }

    /// [`Frame::read_field`], through each cell once: a cell may hold a value that
    /// points back at it (a guard written back into its lock).
    fn read_field_through(&self, value: &Value, name: &str, cells: &mut Vec<usize>) -> Value {
        // What the type says about the part holds whatever the part was built from:
        // a tagged field carries its tag even if a literal filled it.
        let mut typed = Value::default();
        match value.ty().autoderef() {
            Ty::Adt(id, args) => {
                let index = self.cx.index;
                let file = index.types[*id].file;
                if let Some(field) = index.field(*id, name) {
                    typed.ty = index.field_ty_with(*id, args, name);
                    if let Some(tag) = &field.tag {
                        typed
                            .taint
                            .join(&super::types::tag_taint(tag, file, &Trace::default()));
                    }
                }
                if let Some((variant, _)) = name.split_once("::") {
                    let tag = index.types[*id]
                        .def
                        .variants
                        .iter()
                        .find(|candidate| candidate.name == variant)
                        .and_then(|candidate| candidate.tag.as_ref());
                    if let Some(tag) = tag {
                        typed
                            .taint
                            .join(&super::types::tag_taint(tag, file, &Trace::default()));
                    }
                }
                typed.taint.join(&index.whole_type_taint(*id));
            }
            Ty::Tuple(elems) => {
                typed.ty = name
                    .parse::<usize>()
                    .ok()
                    .and_then(|index| elems.get(index).cloned());
            }
            // A dependency's type tagged in privflow.toml: its field tags, and its
            // whole-type tag.
            Ty::Outside(path) => {
                // A field of a value a catalogued crate made is that crate's too
                // (`msg.channel_id` of a serenity message): its methods are the crate's.
                let krate = path.split("::").next().unwrap_or_default();
                if self.cx.index.is_catalogued(krate) {
                    typed.ty = Some(Ty::Outside(std::sync::Arc::from(krate)));
                }
                if let Some(tag) = self.cx.index.outside_type(path) {
                    let mut carried: Vec<&crate::index::ir::DataTag> = tag.whole.iter().collect();
                    carried.extend(
                        tag.fields
                            .iter()
                            .filter(|(field, _)| field == name)
                            .map(|(_, field_tag)| field_tag),
                    );
                    for data_tag in carried {
                        typed.taint.join(&super::types::tag_taint(
                            data_tag,
                            tag.file,
                            &Trace::default(),
                        ));
                    }
                }
            }
            _ => {}
        }
        let mut part = match value.fields.get(name) {
            Some(part) => {
                let mut part = part.clone();
                part.taint.join(&typed.taint);
                if part.ty.is_none() {
                    part.ty = typed.ty;
                }
                part
            }
            None => {
                let mut part = typed;
                if let Some((index, path)) = &value.param {
                    part.param = Some((*index, extend_param_path(path, name)));
                }
                if let Some(cell) = value.cell.filter(|cell| !cells.contains(cell)) {
                    cells.push(cell);
                    if let Some(content) = self.cells.get(cell) {
                        part.join(&self.read_field_through(content, name, cells));
                    }
                }
                part
            }
        };
        part.taint.join(&value.taint);
        // A named field of an outside value carries nothing but its own tags; a tuple
        // position of one (`split_once`'s halves) is a piece of the value, not a field.
        if name.parse::<usize>().is_ok() {
            part.outside.join(&value.outside);
        }
        part
    }

    /// What is inside an option, collection, pointer, lock or channel.
    pub fn element(&self, value: &Value) -> Value {
        // Through pointers and locks first: the element of an `Arc<RwLock<Vec<T>>>` is a
        // `T`, not the `Vec`.
        if let (Ty::Wrapper(Wrapper::Pointer | Wrapper::Lock, _), None, None) =
            (value.ty(), value.fields.get(ELEMENT), value.cell)
        {
            let inner = value.ty().autoderef().clone();
            if !matches!(inner, Ty::Wrapper(Wrapper::Pointer | Wrapper::Lock, _)) {
                let mut through = value.clone();
                through.ty = Some(inner);
                return self.element(&through);
            }
        }
        let mut element = match value.fields.get(ELEMENT) {
            Some(element) => element.clone(),
            None => match value.ty() {
                Ty::Wrapper(
                    Wrapper::Option
                    | Wrapper::Result
                    | Wrapper::Pointer
                    | Wrapper::Lock
                    | Wrapper::Future,
                    _,
                )
                | Ty::Unknown
                | Ty::Outside(_)
                | Ty::Param(..)
                | Ty::Traits(_)
                | Ty::Adt(..)
                    if value.cell.is_none() =>
                {
                    let mut same = value.clone();
                    same.ty = Some(value.ty().element())
                        .filter(|ty| !ty.is_unknown())
                        .or(same.ty);
                    // A parameter's `Ok` value is its own part: a caller's result is
                    // read at `[]`, not as a whole with its error.
                    if let (Ty::Wrapper(Wrapper::Result, _), Some((index, path))) =
                        (value.ty().autoderef(), &value.param)
                    {
                        same.param = Some((*index, extend_param_path(path, ELEMENT)));
                    }
                    // What is inside a result is not its error (`?` and `bail!` put
                    // the function's errors under `Err` beside a value without parts).
                    if same.fields.contains_key(ERR) {
                        same.fields = same
                            .fields
                            .take()
                            .into_iter()
                            .filter(|(name, _)| name != ERR)
                            .collect();
                    }
                    return same;
                }
                ty => {
                    let mut element = Value::typed(ty.element());
                    if let Some((index, path)) = &value.param {
                        element.param = Some((*index, extend_param_path(path, ELEMENT)));
                    }
                    element
                }
            },
        };
        if let Some(cell) = value.cell.and_then(|cell| self.cells.get(cell)) {
            let content = cell.clone();
            element.join(&content);
            element.join(&self.element_without_cell(&content));
            // A lock guard or a received value still points into the shared state:
            // writes through it are seen by every other alias.
            element.cell = value.cell;
        }
        element.taint.join(&value.taint);
        // An element of an outside value is one as well (a row of a query's result).
        element.outside.join(&value.outside);
        element
    }

    /// The error of a `Result`: its own part, typed by the `Result`'s second argument.
    pub fn error_side(&self, value: &Value) -> Value {
        let mut error = match value.fields.get(ERR) {
            Some(error) => error.clone(),
            None => {
                let mut error = match value.ty() {
                    Ty::Wrapper(Wrapper::Result, args) => {
                        Value::typed(args.get(1).cloned().unwrap_or(Ty::Unknown))
                    }
                    // The error of what an outside crate returned is that crate's.
                    outside @ Ty::Outside(_) => Value::typed(outside.clone()),
                    _ => Value::default(),
                };
                if let Some((index, path)) = &value.param {
                    error.param = Some((*index, extend_param_path(path, ERR)));
                }
                error
            }
        };
        error.taint.join(&value.taint);
        error.outside.join(&value.outside);
        error
    }

    pub(super) fn element_without_cell(&self, value: &Value) -> Value {
        value.fields.get(ELEMENT).cloned().unwrap_or_default()
    }

    /// Writes `value` to the place `target` denotes (a local, a field of one, an
    /// element, what a reference or a lock guard points to).
    pub fn assign(&mut self, target: &Expr, value: Value, join: bool) {
        if let Expr::Tuple(elems) = target {
            // `(a, b) = (x, y)`
            for (index, elem) in elems.iter().enumerate() {
                let part = self.read_field(&value, &index.to_string());
                self.assign(elem, part, join);
            }
            return;
        }
        let mut path: Vec<Name> = Vec::new();
        let mut weak = join;
        let mut cursor = target;
        loop {
            match cursor {
                Expr::Field { base, name, .. } => {
                    path.push(name.clone());
                    cursor = base;
                }
                Expr::Index { base, .. } => {
                    path.push(Name::new_static(ELEMENT));
                    weak = true;
                    cursor = base;
                }
                Expr::Wrap { inner, .. } => {
                    weak = true;
                    cursor = inner;
                }
                Expr::MethodCall { receiver, .. } => {
                    // `*guard.lock().unwrap() = v`, `vec.last_mut().unwrap().x = v`
                    weak = true;
                    cursor = receiver;
                }
                _ => break,
            }
        }
        path.reverse();
        let Expr::Path { path: root, pos } = cursor else {
            return;
        };
        if let Some(Def::Static(id)) = (self.lookup_root(&root.segments))
            .then(|| self.resolve(&root.segments))
            .flatten()
        {
            if let Some(cell) = self.static_value(id, *pos).cell {
                self.write_cell(cell, &path, value);
            }
            return;
        }
        let [name] = root.segments.as_slice() else {
            return;
        };
        if let Some(alias) = self.aliases.get(name.as_str()).cloned()
            && let Some(slot) = self.env.slot_of(&alias)
        {
            let value = value.clone();
            self.env.update(slot, |target| {
                write_at(target, &path, value, true);
            });
        }
        let Some(slot) = self.env.slot_of(name) else {
            return;
        };
        let Some(current) = self.env.get(slot) else {
            return;
        };
        let (param, cell, shared) = (
            current.param.clone(),
            current.cell,
            holds_shared_state(current.ty()),
        );
        // Through a parameter: the caller sees the write (if the parameter is `&mut`
        // or holds shared state).
        if let Some((index, param_path)) = &param
            && (self.mutable_params.get(index).copied().unwrap_or(false) || shared || weak)
        {
            let mut full_path = param_path.to_vec();
            full_path.extend(path.iter().cloned());
            let slot = self.writes.entry(*index).or_default();
            write_at(slot, &full_path, value.clone(), true);
        }
        if let Some(cell) = cell {
            self.write_cell(cell, &path, value.clone());
        }
        self.env.update(slot, |target| {
            write_at(target, &path, value, weak);
        });
    }
}

/// A parameter part one segment deeper, up to [`super::value::MAX_PARAM_PATH`] (the
/// bound summaries keep): a longer path stands for its prefix as a whole, since
/// recursion over a parameter's parts (a tree walk) would otherwise invent new origins
/// on every pass and never settle.
pub(super) fn extend_param_path(
    path: &super::value::PartPath,
    segment: &str,
) -> super::value::PartPath {
    if path.len() >= super::value::MAX_PARAM_PATH {
        return path.clone();
    }
    let mut longer = path.to_vec();
    longer.push(segment.into());
    std::sync::Arc::from(longer)
}

/// Gives `value` and its element and tuple parts the types `ty` says, where the
/// analysis did not know them (a `let` annotation, a declared return type).
pub(super) fn typed_as(value: &mut Value, ty: &Ty) {
    // An outside type's path (`tracing::Span`) says more than what the value had.
    if *ty == Ty::Unknown {
        return;
    }
    let known = value.ty.as_ref().is_some_and(|current| {
        !current.is_unknown()
            && !matches!(current, Ty::Wrapper(_, args) if args.iter().any(Ty::is_unknown))
    });
    if !known {
        value.ty = Some(ty.clone());
    }
    if let (Ty::Wrapper(..), Some(element)) = (ty, value.fields.get_mut(ELEMENT)) {
        typed_as(element, &ty.element());
    }
    if let Ty::Tuple(parts) = ty {
        for (index, part) in parts.iter().enumerate() {
            if let Some(field) = value.fields.get_mut(&index.to_string()) {
                typed_as(field, part);
            }
        }
    }
}

pub(super) fn collection_of(element: Value) -> Value {
    let mut value = Value::typed(Ty::Wrapper(Wrapper::Collection, vec![element.ty().clone()]));
    value.fields.insert(ELEMENT.to_owned(), element);
    value
}

/// Writes `value` at `path` inside `slot` (a strong update, unless `weak`); whether
/// the slot may have changed (a weak write that adds nothing does not).
pub(super) fn write_at(slot: &mut Value, path: &[Name], value: Value, weak: bool) -> bool {
    match path.split_first() {
        None if weak => !slot.covers(&value) && slot.join(&value),
        None => {
            let ty = slot.ty.clone();
            *slot = value;
            if slot.ty.is_none() {
                slot.ty = ty;
            }
            true
        }
        Some((first, rest)) => {
            if weak
                && slot
                    .fields
                    .get(first)
                    .is_some_and(|part| covers_at(part, rest, &value))
            {
                return false;
            }
            let part = slot.fields.entry_mut(first);
            write_at(part, rest, value, weak)
        }
    }
}

fn covers_at(slot: &Value, path: &[Name], value: &Value) -> bool {
    match path.split_first() {
        None => slot.covers(value),
        Some((first, rest)) => slot
            .fields
            .get(first.as_str())
            .is_some_and(|part| covers_at(part, rest, value)),
    }
}

pub(super) fn holds_shared_state(ty: &Ty) -> bool {
    match ty {
        Ty::Wrapper(Wrapper::Lock | Wrapper::Sender, _) => true,
        Ty::Wrapper(_, args) => args.iter().any(holds_shared_state),
        _ => false,
    }
}

impl Frame<'_, '_> {
    /// Whether the place a method chain starts from is one the code may mutate here: a
    /// `let mut` local, a `&mut` parameter (`&mut self` included), or a field reached
    /// through one (SPEC §6: only there does a discarded setter chain store its
    /// arguments).
    pub(super) fn may_mutate_root(&self, receiver: &Expr) -> bool {
        let mut current = receiver;
        loop {
            match current {
                Expr::MethodCall { receiver, .. } => current = receiver,
                Expr::Field { base, .. } | Expr::Index { base, .. } => current = base,
                Expr::Wrap { inner, .. } => current = inner,
                Expr::Path { path, .. } => {
                    let [name] = path.segments.as_slice() else {
                        return false;
                    };
                    // `let r = &mut x;` writes through `r` reach `x`.
                    if self.mutable_locals.contains(name) || self.aliases.contains_key(name) {
                        return true;
                    }
                    // `self` taken by value (`mut self` in a builder): the function owns it.
                    let owned_self = name == "self"
                        && self.cx.index.functions[self.fn_id].def.receiver
                            == Some(crate::index::ir::Receiver::Value);
                    if owned_self {
                        return true;
                    }
                    let param = self
                        .env
                        .lookup(name)
                        .and_then(|value| value.param.as_ref().map(|(index, _)| *index));
                    return param.is_some_and(|index| {
                        self.mutable_params.get(&index).copied().unwrap_or(false)
                    });
                }
                _ => return false,
            }
        }
    }
}
