//! What a value of a type carries by its type alone: the categories of its tagged
//! fields and whole-type tags, recursively through nested types.

use foldhash::{HashSet, HashSetExt as _};
use std::sync::Arc;

use super::value::{Origin, Taint, Trace};
use crate::index::ir::{DataTag, FieldDef};
use crate::index::ty::{Ty, TyContext};
use crate::index::{Index, Location, TypeId};

/// Which parts count: everything, or what serde serializes (`#[serde(skip)]` left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    All,
    Serialize,
}

pub fn tag_taint(tag: &DataTag, file: usize, trace: &Trace) -> Taint {
    let mut taint = Taint::default();
    for category in &tag.categories {
        taint.insert(
            Origin::Tag {
                category: Arc::from(category.as_str()),
                tag: Location { file, pos: tag.pos },
                purposes: tag
                    .purposes
                    .as_ref()
                    .map(|purposes| Arc::from(purposes.as_slice())),
            },
            trace.clone(),
        );
    }
    taint
}

/// How deep a type argument may be for a field's type to take it (`UserBody<NewUser>`).
const MAX_ARGUMENT_DEPTH: usize = 2;

impl Index {
    /// The type of field `name` of workspace type `id` (a variant's field as
    /// `Variant::field`).
    pub fn field(&self, id: TypeId, name: &str) -> Option<&FieldDef> {
        let def = &self.types[id].def;
        if let Some(field) = def.fields.iter().find(|field| field.name == name) {
            return Some(field);
        }
        let (variant, field) = name.split_once("::")?;
        def.variants
            .iter()
            .find(|candidate| candidate.name == variant)?
            .fields
            .iter()
            .find(|candidate| candidate.name == field)
    }

    /// The type of field `name` of workspace type `id` (`Variant::field` for a
    /// variant's), as resolved when the index was built.
    pub fn field_ty(&self, id: TypeId, name: &str) -> Option<&Ty> {
        self.types[id]
            .field_tys
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, ty)| ty)
    }

    /// The type of field `name` of `Adt(id, args)`: the declared type with the type's
    /// parameters replaced by `args` (`UserBody<NewUser>.user` is a `NewUser`).
    pub fn field_ty_with(&self, id: TypeId, args: &[Ty], name: &str) -> Option<Ty> {
        let declared = self.field_ty(id, name)?.clone();
        // Shallow, concrete arguments only. Inside generic code the arguments are the
        // impl's own parameters, whose bounds would turn every call on a field into a
        // call of all the bound's impls (rayon's adaptors: 0.2 s became 0.9 s); and
        // adaptor types nest without end (`Map<Filter<Map<..>>>`).
        if args.is_empty()
            || args
                .iter()
                .any(|arg| arg.depth() > MAX_ARGUMENT_DEPTH || !arg.is_concrete())
        {
            return Some(declared);
        }
        let by: Vec<(String, Ty)> = self.types[id]
            .def
            .generics
            .iter()
            .map(|param| param.name.clone())
            .zip(args.iter().cloned())
            .collect();
        Some(declared.substituted(&by))
    }

    pub(crate) fn lower_field_ty(&self, id: TypeId, field: &FieldDef) -> Ty {
        let info = &self.types[id];
        let context = TyContext {
            generics: info
                .def
                .generics
                .iter()
                .map(|param| {
                    let bounds = self.traits_of(info.crate_index, &info.module, &param.bounds);
                    (param.name.clone(), bounds)
                })
                .collect(),
            self_ty: Some(Ty::Adt(id, Vec::new())),
        };
        self.lower_ty(info.crate_index, &info.module, &context, &field.ty)
    }

    /// Whole-type tags of `id`: carried by every part of every value.
    pub fn whole_type_taint(&self, id: TypeId) -> Taint {
        let info = &self.types[id];
        info.def
            .tag
            .as_ref()
            .map(|tag| tag_taint(tag, info.file, &Trace::default()))
            .unwrap_or_default()
    }

    /// Everything a value of `ty` may carry (uncached; see [`TypeTaints`]).
    pub fn type_taint(&self, ty: &Ty, mode: Mode) -> Taint {
        let mut taint = Taint::default();
        self.collect_type_taint(ty, mode, &mut HashSet::new(), &mut taint);
        taint
    }

    fn collect_type_taint(
        &self,
        ty: &Ty,
        mode: Mode,
        seen: &mut HashSet<TypeId>,
        taint: &mut Taint,
    ) {
        match ty {
            Ty::Adt(id, args) => {
                for arg in args {
                    self.collect_type_taint(arg, mode, seen, taint);
                }
                if !seen.insert(*id) {
                    return;
                }
                taint.join(&self.whole_type_taint(*id));
                let info = &self.types[*id];
                let fields = info
                    .def
                    .fields
                    .iter()
                    .chain(info.def.variants.iter().flat_map(|variant| &variant.fields));
                // `field_tys` lists the fields in this same order.
                for (field, (_, field_ty)) in fields.zip(&info.field_tys) {
                    if mode == Mode::Serialize && field.serde_skip {
                        continue;
                    }
                    if let Some(tag) = &field.tag {
                        taint.join(&tag_taint(tag, info.file, &Trace::default()));
                    }
                    self.collect_type_taint(field_ty, mode, seen, taint);
                }
                for variant in &info.def.variants {
                    if let Some(tag) = &variant.tag {
                        taint.join(&tag_taint(tag, info.file, &Trace::default()));
                    }
                }
            }
            Ty::Wrapper(_, args) | Ty::Tuple(args) => {
                for arg in args {
                    self.collect_type_taint(arg, mode, seen, taint);
                }
            }
            Ty::Param(..) | Ty::Traits(_) | Ty::Outside(_) | Ty::Unknown => {}
        }
    }
}

/// What each workspace type carries, computed once: `full()` asks for it constantly.
pub struct TypeTaints {
    all: Vec<Taint>,
    serialized: Vec<Taint>,
    /// Per `[types]` entry for a dependency's type, what a whole value of it carries.
    outside_tags: Vec<(String, Taint)>,
}

impl TypeTaints {
    pub fn new(index: &Index) -> Self {
        let of = |mode| {
            (0..index.types.len())
                .map(|id| index.type_taint(&Ty::Adt(id, Vec::new()), mode))
                .collect()
        };
        let outside_tags = index
            .outside_types
            .iter()
            .map(|tag| {
                let mut taint = Taint::default();
                for data_tag in tag
                    .whole
                    .iter()
                    .chain(tag.fields.iter().map(|(_, field)| field))
                {
                    taint.join(&tag_taint(data_tag, tag.file, &Trace::default()));
                }
                (tag.path.clone(), taint)
            })
            .collect();
        TypeTaints {
            all: of(Mode::All),
            serialized: of(Mode::Serialize),
            outside_tags,
        }
    }

    pub fn of(&self, ty: &Ty, mode: Mode, taint: &mut Taint) {
        match ty {
            Ty::Adt(id, args) => {
                let cached = match mode {
                    Mode::All => self.all.get(*id),
                    Mode::Serialize => self.serialized.get(*id),
                };
                if let Some(cached) = cached {
                    taint.join(cached);
                }
                for arg in args {
                    self.of(arg, mode, taint);
                }
            }
            Ty::Wrapper(_, args) | Ty::Tuple(args) => {
                for arg in args {
                    self.of(arg, mode, taint);
                }
            }
            Ty::Outside(path) => {
                let entry =
                    crate::index::pick_outside_entry(&self.outside_tags, |(tag, _)| tag, path);
                if let Some((_, carried)) = entry {
                    taint.join(carried);
                }
            }
            Ty::Param(..) | Ty::Traits(_) | Ty::Unknown => {}
        }
    }
}
