//! Types as far as the source tells: written types resolved to workspace types, the std
//! containers the analysis sees through, generic parameters and trait objects.

use super::ir::{PathRef, TypeRef};
use super::{Def, Index, TraitId, TypeId};

#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Ty {
    /// A workspace struct or enum, with its type arguments.
    Adt(TypeId, Vec<Ty>),
    /// A std or third-party type the analysis models by its type arguments
    /// (`Option<T>`, `Vec<T>`, `Arc<Mutex<T>>`, `HashMap<K, V>`, `Sender<T>`...).
    Wrapper(Wrapper, Vec<Ty>),
    /// A generic parameter, with the traits bounding it.
    Param(String, Vec<TraitId>),
    /// `dyn Trait` / `impl Trait`.
    Traits(Vec<TraitId>),
    Tuple(Vec<Ty>),
    /// A type from outside the workspace, known by its path (`tracing::Span`, from a
    /// declaration or `Span::current()`) or only by the crate that made it (`sqlx`, what
    /// a method on a `sqlx` value returned): what `?` needs to pick the `From`
    /// conversion that runs, and what a sink declared on an outside method is matched
    /// against. Otherwise as little known as [`Ty::Unknown`].
    Outside(std::sync::Arc<str>),
    Unknown,
}

/// Containers whose contents keep their own type; references are seen through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Wrapper {
    Option,
    Result,
    Collection,
    Map,
    Pointer,
    Lock,
    Sender,
    Receiver,
    Future,
    Other,
}

fn wrapper(name: &str) -> Option<Wrapper> {
    Some(match name {
        "Option" => Wrapper::Option,
        "Result" => Wrapper::Result,
        "Vec" | "VecDeque" | "HashSet" | "BTreeSet" | "BinaryHeap" | "LinkedList" => {
            Wrapper::Collection
        }
        "HashMap" | "BTreeMap" | "IndexMap" => Wrapper::Map,
        "Box" | "Rc" | "Arc" | "Cow" | "Pin" | "Weak" => Wrapper::Pointer,
        "Mutex" | "RwLock" | "RefCell" | "Cell" | "OnceCell" | "OnceLock" | "MutexGuard"
        | "RwLockReadGuard" | "RwLockWriteGuard" | "Ref" | "RefMut" => Wrapper::Lock,
        "Sender" | "SyncSender" | "UnboundedSender" => Wrapper::Sender,
        "Receiver" | "UnboundedReceiver" => Wrapper::Receiver,
        "JoinHandle" => Wrapper::Future,
        _ => return None,
    })
}

impl Ty {
    /// The element type for indexing, iteration and `unwrap`-like access: what is
    /// inside an Option, Vec, Box, Mutex, map (its values), channel end.
    /// How deeply the type nests type arguments (`NewUser` 1, `Vec<NewUser>` 2).
    pub fn depth(&self) -> usize {
        let inner = match self {
            Ty::Adt(_, args) | Ty::Wrapper(_, args) | Ty::Tuple(args) => {
                args.iter().map(Ty::depth).max().unwrap_or(0)
            }
            _ => 0,
        };
        inner + 1
    }

    /// Whether no generic parameter or trait object stands anywhere in the type.
    pub fn is_concrete(&self) -> bool {
        match self {
            Ty::Param(..) | Ty::Traits(_) => false,
            Ty::Adt(_, args) | Ty::Wrapper(_, args) | Ty::Tuple(args) => {
                args.iter().all(Ty::is_concrete)
            }
            Ty::Outside(_) | Ty::Unknown => true,
        }
    }

    /// Nothing known about the type's structure (outside types included).
    pub fn is_unknown(&self) -> bool {
        matches!(self, Ty::Unknown | Ty::Outside(_))
    }

    /// The crate an outside type comes from.
    pub fn outside_crate(&self) -> Option<&str> {
        match self {
            Ty::Outside(path) => path.split("::").next(),
            _ => None,
        }
    }

    pub fn element(&self) -> Ty {
        match self {
            Ty::Wrapper(Wrapper::Map, args) => args.get(1).cloned().unwrap_or(Ty::Unknown),
            Ty::Wrapper(_, args) => args.first().cloned().unwrap_or(Ty::Unknown),
            _ => Ty::Unknown,
        }
    }

    /// Through pointers and locks: the type whose fields and methods a `.` reaches. An
    /// outside generic type of one type argument (`web::Data<T>`, `Json<T>`,
    /// `State<T>`, `Extension<T>`) is taken to deref to it, as such wrappers do: its own
    /// `Deref` impl is not in the workspace to read.
    pub fn autoderef(&self) -> &Ty {
        match self {
            Ty::Wrapper(Wrapper::Pointer | Wrapper::Lock, args) => {
                args.first().map_or(self, Ty::autoderef)
            }
            Ty::Wrapper(Wrapper::Other, args) if args.len() == 1 => {
                args.first().map_or(self, Ty::autoderef)
            }
            _ => self,
        }
    }
}

/// Generic parameters in scope, with their bounds, and what `Self` is.
#[derive(Debug, Clone, Default)]
pub struct TyContext {
    pub generics: Vec<(String, Vec<TraitId>)>,
    pub self_ty: Option<Ty>,
}

thread_local! {
    /// How many aliases deep the current type lowering is: a cycle of aliases (not
    /// valid Rust, but input all the same) stops here instead of recursing forever.
    static ALIAS_DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

const MAX_ALIAS_DEPTH: usize = 16;

impl Ty {
    /// `self` with the named generic parameters replaced by types.
    pub(crate) fn substituted(self, by: &[(String, Ty)]) -> Ty {
        match self {
            Ty::Param(name, bounds) => match by.iter().find(|(param, _)| *param == name) {
                Some((_, ty)) => ty.clone(),
                None => Ty::Param(name, bounds),
            },
            Ty::Adt(id, args) => Ty::Adt(
                id,
                args.into_iter().map(|arg| arg.substituted(by)).collect(),
            ),
            Ty::Wrapper(kind, args) => Ty::Wrapper(
                kind,
                args.into_iter().map(|arg| arg.substituted(by)).collect(),
            ),
            Ty::Tuple(elems) => {
                Ty::Tuple(elems.into_iter().map(|elem| elem.substituted(by)).collect())
            }
            other => other,
        }
    }
}

impl Index {
    /// `type Name<T> = Ty;` applied to `args`: `Ty` lowered where the alias is declared,
    /// with its parameters replaced.
    fn lower_alias(&self, id: usize, args: Vec<Ty>) -> Ty {
        let Some(alias) = self.aliases.get(id) else {
            return Ty::Unknown;
        };
        let depth = ALIAS_DEPTH.with(std::cell::Cell::get);
        if depth >= MAX_ALIAS_DEPTH {
            return Ty::Unknown;
        }
        ALIAS_DEPTH.with(|cell| cell.set(depth + 1));
        let context = TyContext {
            generics: alias
                .generics
                .iter()
                .map(|param| (param.name.clone(), Vec::new()))
                .collect(),
            self_ty: None,
        };
        let lowered = self.lower_ty(alias.crate_index, &alias.module, &context, &alias.ty);
        // Parameters not given take their defaults, which may name earlier ones.
        let mut by: Vec<(String, Ty)> = Vec::with_capacity(alias.generics.len());
        let mut args = args.into_iter();
        for param in &alias.generics {
            let ty = match (args.next(), &param.default) {
                (Some(given), _) => given,
                (None, Some(default)) => self
                    .lower_ty(alias.crate_index, &alias.module, &context, default)
                    .substituted(&by),
                (None, None) => Ty::Unknown,
            };
            by.push((param.name.clone(), ty));
        }
        ALIAS_DEPTH.with(|cell| cell.set(depth));
        lowered.substituted(&by)
    }

    pub fn lower_ty(
        &self,
        crate_index: usize,
        module: &[String],
        context: &TyContext,
        ty: &TypeRef,
    ) -> Ty {
        match ty {
            TypeRef::Ref { inner, .. } => self.lower_ty(crate_index, module, context, inner),
            TypeRef::Slice(inner) => Ty::Wrapper(
                Wrapper::Collection,
                vec![self.lower_ty(crate_index, module, context, inner)],
            ),
            TypeRef::Tuple(elems) => Ty::Tuple(
                elems
                    .iter()
                    .map(|elem| self.lower_ty(crate_index, module, context, elem))
                    .collect(),
            ),
            TypeRef::Bounds(bounds) => Ty::Traits(self.traits_of(crate_index, module, bounds)),
            TypeRef::Opaque => Ty::Unknown,
            TypeRef::Path(path) => self.lower_path_ty(crate_index, module, context, path),
        }
    }

    pub fn traits_of(
        &self,
        crate_index: usize,
        module: &[String],
        bounds: &[PathRef],
    ) -> Vec<TraitId> {
        bounds
            .iter()
            .filter_map(
                |bound| match self.resolve_path(crate_index, module, &bound.segments) {
                    Some(Def::Trait(id)) => Some(id),
                    _ => None,
                },
            )
            .collect()
    }

    fn lower_path_ty(
        &self,
        crate_index: usize,
        module: &[String],
        context: &TyContext,
        path: &PathRef,
    ) -> Ty {
        let args: Vec<Ty> = path
            .args
            .iter()
            .map(|arg| self.lower_ty(crate_index, module, context, arg))
            .collect();
        if let [single] = path.segments.as_slice() {
            if single == "Self" {
                return context.self_ty.clone().unwrap_or(Ty::Unknown);
            }
            if let Some((name, bounds)) = context.generics.iter().find(|(name, _)| name == single) {
                return Ty::Param(name.clone(), bounds.clone());
            }
        }
        match self.resolve_path(crate_index, module, &path.segments) {
            Some(Def::Type(id)) => Ty::Adt(id, args),
            Some(Def::Alias(id)) => self.lower_alias(id, args),
            Some(Def::External(full)) => {
                let name = full.last().map(String::as_str).unwrap_or_default();
                match wrapper(name) {
                    Some(kind) => Ty::Wrapper(kind, args),
                    None if args.is_empty() => match full.first() {
                        Some(krate) if krate != "Self" => {
                            Ty::Outside(std::sync::Arc::from(full.join("::")))
                        }
                        _ => Ty::Unknown,
                    },
                    None => Ty::Wrapper(Wrapper::Other, args),
                }
            }
            _ => Ty::Unknown,
        }
    }
}
