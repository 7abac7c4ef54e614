//! The locals of one function analysis: a stack of slots with lexical scopes, and an
//! undo trail so that alternative paths cost what they write, not what is in scope.
//!
//! A branch is analysed between [`Env::mark`] and [`Env::rollback`]: the rollback
//! restores every slot the branch wrote and hands back what the branch left in them.
//! [`Env::merge`] then joins the branches' results slot by slot (with the state before
//! them where a path may skip every branch). Loop heads use the same two calls: what a
//! pass of the body wrote is joined into the head until the head stops growing.
//!
//! Slots follow the scopes as a stack, so a block analysed again (the next pass of a
//! loop) gives its locals the same slot numbers: loop heads can be kept by slot.

use foldhash::HashMap;

use super::value::Value;
use crate::index::ir::Name;

pub type SlotId = usize;

#[derive(Default)]
pub struct Env {
    slots: Vec<Value>,
    /// Each name's innermost slot.
    names: HashMap<Name, SlotId>,
    scopes: Vec<Scope>,
    trail: Vec<Undo>,
    /// Marks not yet rolled back: writes are recorded only while one is open.
    open_marks: usize,
}

struct Scope {
    /// Slots below this belong to enclosing scopes.
    first_slot: SlotId,
    /// Names this scope bound, with the slot each shadowed.
    bound: Vec<(Name, Option<SlotId>)>,
}

enum Undo {
    Write {
        slot: SlotId,
        old: Value,
    },
    Bind {
        name: Name,
        shadowed: Option<SlotId>,
        slot: SlotId,
    },
}

/// A point to roll back to.
#[derive(Clone, Copy)]
pub struct Mark {
    trail: usize,
    slots: usize,
}

/// What one path left in the slots that existed before it (in slot order).
pub type Delta = Vec<(SlotId, Value)>;

impl Env {
    pub fn push_scope(&mut self) {
        self.scopes.push(Scope {
            first_slot: self.slots.len(),
            bound: Vec::new(),
        });
    }

    pub fn pop_scope(&mut self) {
        let Some(scope) = self.scopes.pop() else {
            return;
        };
        for (name, shadowed) in scope.bound.into_iter().rev() {
            match shadowed {
                Some(slot) => {
                    self.names.insert(name, slot);
                }
                None => {
                    self.names.remove(&name);
                }
            }
        }
        self.slots.truncate(scope.first_slot);
    }

    pub fn slot_of(&self, name: &str) -> Option<SlotId> {
        self.names.get(name).copied()
    }

    pub fn lookup(&self, name: &str) -> Option<&Value> {
        self.slot_of(name).and_then(|slot| self.slots.get(slot))
    }

    pub fn get(&self, slot: SlotId) -> Option<&Value> {
        self.slots.get(slot)
    }

    /// Binds `name` to a new slot holding `value` in the innermost scope.
    pub fn define(&mut self, name: Name, value: Value) {
        let slot = self.slots.len();
        self.slots.push(value);
        let shadowed = self.names.insert(name.clone(), slot);
        if self.open_marks > 0 {
            self.trail.push(Undo::Bind {
                name: name.clone(),
                shadowed,
                slot,
            });
        }
        if let Some(scope) = self.scopes.last_mut() {
            scope.bound.push((name, shadowed));
        }
    }

    /// Changes a slot, remembering its old value while a mark is open.
    pub fn update(&mut self, slot: SlotId, change: impl FnOnce(&mut Value)) {
        let Some(current) = self.slots.get_mut(slot) else {
            return;
        };
        if self.open_marks > 0 {
            self.trail.push(Undo::Write {
                slot,
                old: current.clone(),
            });
        }
        change(current);
    }

    pub fn set(&mut self, slot: SlotId, value: Value) {
        self.update(slot, |current| *current = value);
    }

    pub fn mark(&mut self) -> Mark {
        self.open_marks += 1;
        Mark {
            trail: self.trail.len(),
            slots: self.slots.len(),
        }
    }

    /// Undoes everything since `mark` and returns what the path left in each slot it
    /// wrote that existed at the mark.
    pub fn rollback(&mut self, mark: Mark) -> Delta {
        let mut written: Vec<SlotId> = self.trail[mark.trail.min(self.trail.len())..]
            .iter()
            .filter_map(|undo| match undo {
                Undo::Write { slot, .. } if *slot < mark.slots => Some(*slot),
                _ => None,
            })
            .collect();
        written.sort_unstable();
        written.dedup();
        let delta: Delta = written
            .into_iter()
            .filter_map(|slot| Some((slot, self.slots.get(slot)?.clone())))
            .collect();
        while self.trail.len() > mark.trail {
            match self.trail.pop() {
                Some(Undo::Write { slot, old }) => {
                    if let Some(current) = self.slots.get_mut(slot) {
                        *current = old;
                    }
                }
                Some(Undo::Bind {
                    name,
                    shadowed,
                    slot,
                }) => {
                    // Only a binding still in force is undone; one whose scope
                    // ended was undone with it.
                    if self.names.get(&name) == Some(&slot) {
                        match shadowed {
                            Some(previous) => {
                                self.names.insert(name.clone(), previous);
                            }
                            None => {
                                self.names.remove(&name);
                            }
                        }
                        if let Some(scope) = self.scopes.last_mut()
                            && let Some(index) =
                                scope.bound.iter().rposition(|(bound, _)| *bound == name)
                        {
                            scope.bound.remove(index);
                        }
                    }
                }
                None => break,
            }
        }
        self.open_marks = self.open_marks.saturating_sub(1);
        delta
    }

    /// After alternative paths (each rolled back): every slot any of them wrote holds
    /// what any of them left there, and what it held before if some path may run
    /// none of them (`exhaustive` is false).
    pub fn merge(&mut self, paths: Vec<Delta>, exhaustive: bool) {
        let mut joined: std::collections::BTreeMap<SlotId, (Value, usize)> =
            std::collections::BTreeMap::new();
        for delta in &paths {
            for (slot, value) in delta {
                match joined.get_mut(slot) {
                    Some((current, count)) => {
                        current.join(value);
                        *count += 1;
                    }
                    None => {
                        joined.insert(*slot, (value.clone(), 1));
                    }
                }
            }
        }
        for (slot, (mut value, count)) in joined {
            let keeps_before = !exhaustive || count < paths.len();
            if keeps_before && let Some(before) = self.slots.get(slot) {
                value.join(before);
            }
            self.set(slot, value);
        }
    }

    /// Whether `name` is a local in scope (so not an item path).
    pub fn is_local(&self, name: &str) -> bool {
        self.slot_of(name).is_some()
    }

    /// How many slots exist: a slot below this was bound before (an `if` condition's
    /// bindings are the slots from here on).
    pub fn len(&self) -> usize {
        self.slots.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::value::{Origin, Taint, Trace};

    fn carrying(category: &str) -> Value {
        let mut taint = Taint::default();
        taint.insert(
            Origin::Param {
                index: 0,
                path: std::sync::Arc::from(vec![crate::index::ir::Name::from(category)]),
            },
            Trace::default(),
        );
        Value::tainted(taint)
    }

    fn origins(value: Option<&Value>) -> Vec<String> {
        value
            .map(|value| {
                value
                    .taint
                    .0
                    .keys()
                    .filter_map(|origin| match origin {
                        Origin::Param { path, .. } => path.first().map(ToString::to_string),
                        Origin::Tag { .. } | Origin::Destination { .. } => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn rollback_restores_and_reports_what_the_path_wrote() {
        let mut env = Env::default();
        env.push_scope();
        env.define("x".into(), carrying("a"));
        env.define("y".into(), carrying("b"));
        let mark = env.mark();
        let slot = env.slot_of("x").unwrap_or(usize::MAX);
        env.set(slot, carrying("c"));
        env.push_scope();
        env.define("inner".into(), carrying("d"));
        env.pop_scope();
        let delta = env.rollback(mark);
        assert_eq!(origins(env.lookup("x")), ["a"], "the write is undone");
        assert_eq!(delta.len(), 1, "only x was written: {}", delta.len());
        assert_eq!(origins(Some(&delta[0].1)), ["c"]);
        assert!(env.lookup("inner").is_none());
    }

    #[test]
    fn merge_joins_branches_and_keeps_the_old_value_when_a_path_skips() {
        let mut env = Env::default();
        env.push_scope();
        env.define("x".into(), carrying("before"));
        let slot = env.slot_of("x").unwrap_or(usize::MAX);
        // if c { x = then } (no else): before or then.
        let mark = env.mark();
        env.set(slot, carrying("then"));
        let then = env.rollback(mark);
        env.merge(vec![then.clone()], false);
        assert_eq!(origins(env.lookup("x")), ["before", "then"]);
        // if c { x = then } else { x = other }: the old value is gone.
        env.set(slot, carrying("before"));
        let mark = env.mark();
        env.set(slot, carrying("other"));
        let other = env.rollback(mark);
        env.merge(vec![then, other], true);
        assert_eq!(origins(env.lookup("x")), ["other", "then"]);
    }

    #[test]
    fn shadowing_ends_with_its_scope_and_slots_are_reused_in_order() {
        let mut env = Env::default();
        env.push_scope();
        env.define("x".into(), carrying("outer"));
        env.push_scope();
        env.define("x".into(), carrying("inner"));
        let inner_slot = env.slot_of("x");
        assert_eq!(origins(env.lookup("x")), ["inner"]);
        env.pop_scope();
        assert_eq!(origins(env.lookup("x")), ["outer"]);
        env.push_scope();
        env.define("x".into(), carrying("again"));
        assert_eq!(
            env.slot_of("x"),
            inner_slot,
            "a block run again gets the same slots"
        );
    }
}
