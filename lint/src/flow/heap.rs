//! Shared state inside one analysis: cells (what every alias of an `Arc<Mutex<_>>`,
//! an `Rc<RefCell<_>>` or a channel sees), and the cells that stand for global state
//! (statics, type-keyed channels), seeded with what every function stored there.
//!
//! A cell is made once per allocation site: a `Mutex::new` that a loop runs again gives
//! the same cell, so the heap is finite and a loop over it settles.

use super::frame::Frame;
use super::places::write_at;
use std::sync::Arc;

use super::value::{ELEMENT, Global, Step, Taint, Value};
use crate::index::ir::{Name, Pos};
use crate::index::ty::{Ty, TyContext};

impl Frame<'_, '_> {
    /// The frame's cell for global state, seeded with what every function stored there
    /// (each origin's trace saying where it was read: `pos`, this function's first use).
    pub fn global_cell(&mut self, key: Global, pos: Pos) -> usize {
        match self.static_cells.get(&key) {
            Some((cell, _)) => *cell,
            None => {
                let cell = self.cells.len();
                let seeded = match self.cx.statics.get(&key) {
                    Some(stored) => {
                        let step = Step {
                            location: self.location(pos),
                            note: Arc::from(self.global_note(&key, false)),
                        };
                        stored.with_step(&step)
                    }
                    None => Value::default(),
                };
                self.cells.push(seeded);
                self.static_cells.insert(key, (cell, pos));
                self.static_cell_writes.insert(cell, None);
                cell
            }
        }
    }

    /// The trace note of a store into (or a read from) global state.
    pub fn global_note(&self, key: &Global, stored: bool) -> String {
        match key {
            Global::Static(id) => {
                let info = &self.cx.index.statics[*id];
                let krate = self
                    .cx
                    .index
                    .crate_names
                    .get(info.crate_index)
                    .map_or("crate", String::as_str);
                let path = crate::index::item_path(krate, &info.module, &info.name);
                let verb = if stored { "stored in" } else { "read from" };
                format!("{verb} static `{path}`")
            }
            Global::FieldDestinations(id, field) => {
                let verb = if stored { "stored in" } else { "read from" };
                format!(
                    "{verb} field `{field}` of `{}`",
                    self.cx.index.types[*id].path
                )
            }
            // One channel per carried type: the key is not meant for reading.
            Global::Channel(_) if stored => "sent on a channel".to_owned(),
            Global::Channel(_) => "received from a channel".to_owned(),
        }
    }

    /// The value of a `static` named at `pos`: a cell holding what any function stored
    /// in it.
    pub fn static_value(&mut self, id: crate::index::StaticId, pos: Pos) -> Value {
        let cell = self.global_cell(Global::Static(id), pos);
        let info = &self.cx.index.statics[id];
        let ty = self.cx.index.lower_ty(
            info.crate_index,
            &info.module,
            &TyContext::default(),
            &info.ty,
        );
        let value = Value {
            ty: Some(ty),
            cell: Some(cell),
            ..Value::default()
        };
        match &info.destination {
            Some(sink) => value.joined(&super::body::destination(sink)),
            None => value,
        }
    }

    /// Stores where requests built from the fields of `value` (a workspace type) go,
    /// for every function that reads those fields: a client built in one function and
    /// used in another. Only the fields' own marks are read (a URL is a string), where
    /// a struct literal builds the value or a call returns it: a constructor given a
    /// constant base URL by its caller is seen at the call.
    pub fn record_field_destinations(&mut self, value: &Value, pos: Pos) {
        let Some(Ty::Adt(id, _)) = &value.ty else {
            return;
        };
        let marked: Vec<(Name, Taint)> = value
            .fields
            .iter()
            .map(|(name, field)| {
                // A URL an outside method made (`base.join("v1")`) carries its host as
                // an outside origin.
                let marks = field
                    .taint
                    .destinations()
                    .joined(&field.outside.destinations());
                (name.clone(), marks)
            })
            .filter(|(_, marks)| !marks.is_empty())
            .collect();
        for (name, marks) in marked {
            let cell = self.global_cell(Global::FieldDestinations(*id, name), pos);
            self.join_cell(cell, &Value::tainted(marks));
        }
    }

    /// Where requests built from field `field` of type `ty` go, as any function stored
    /// it; the read is recorded either way, so this function runs again if a store
    /// comes later.
    pub fn field_destinations(
        &mut self,
        ty: crate::index::TypeId,
        field: &Name,
        pos: Pos,
    ) -> Taint {
        let key = Global::FieldDestinations(ty, field.clone());
        if !self.cx.statics.contains_key(&key) && !self.static_cells.contains_key(&key) {
            self.globals_read.insert(key);
            return Taint::default();
        }
        let cell = self.global_cell(key, pos);
        self.cells
            .get(cell)
            .map(|stored| stored.taint.clone())
            .unwrap_or_default()
    }

    /// Whether a path is not a local (so it may name an item, a static among them).
    pub fn lookup_root<S: AsRef<str>>(&self, segments: &[S]) -> bool {
        match segments {
            [name] => !self.env.is_local(name.as_ref()),
            _ => true,
        }
    }

    /// The cell made at `pos`, holding `initial` joined with what it held already.
    pub fn cell_at(&mut self, pos: Pos, initial: &Value) -> usize {
        match self.cell_sites.get(&pos) {
            Some(cell) => {
                let cell = *cell;
                self.write_cell(cell, &[], initial.clone());
                cell
            }
            None => {
                let cell = self.cells.len();
                self.cells.push(initial.clone());
                self.cell_sites.insert(pos, cell);
                self.heap_epoch += 1;
                cell
            }
        }
    }

    /// Joins `value` into part `path` of a cell's content (a container's element is
    /// the content itself: a cell holds one abstract element).
    pub fn write_cell(&mut self, cell: usize, path: &[Name], value: Value) {
        let inner: Vec<Name> = path
            .iter()
            .filter(|segment| *segment != ELEMENT)
            .cloned()
            .collect();
        self.note_static_write(cell, |own| {
            write_at(own, &inner, value.clone(), true);
        });
        if let Some(content) = self.cells.get_mut(cell)
            && write_at(content, &inner, value, true)
        {
            self.heap_epoch += 1;
        }
    }

    /// Keeps what is written into a global-state cell apart (see
    /// [`Frame::static_cell_writes`]).
    fn note_static_write(&mut self, cell: usize, write: impl FnOnce(&mut Value)) {
        if let Some(own) = self.static_cell_writes.get_mut(&cell) {
            write(own.get_or_insert_default());
        }
    }

    /// Joins `value` into a cell's content as a whole.
    pub fn join_cell(&mut self, cell: usize, value: &Value) {
        self.note_static_write(cell, |own| {
            own.join(value);
        });
        if let Some(content) = self.cells.get_mut(cell)
            && !content.covers(value)
            && content.join(value)
        {
            self.heap_epoch += 1;
        }
    }
}

/// Cells belong to one analysis; a summary's values must not point into them.
pub(super) fn strip_cells(mut value: Value) -> Value {
    value.cell = None;
    if value.fields.values().any(has_cell) {
        value.fields = value
            .fields
            .take()
            .into_iter()
            .map(|(name, field)| (name, strip_cells(field)))
            .collect();
    }
    value
}

fn has_cell(value: &Value) -> bool {
    value.cell.is_some() || value.fields.values().any(has_cell)
}
