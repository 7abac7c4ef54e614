//! Name resolution as rustc does it for workspace code: items and modules, `use` trees
//! (renames, globs, `pub use` re-exports), `self`/`super`/`crate`, the crate names of
//! workspace members; anything else is a path outside the workspace.

use super::{Def, Index, Scope};

/// The (crate, module, name) lookups one query has made.
/// (scope, name) pairs already looked up past the scope's own items; a scope is
/// named by its address (scopes do not move while resolving).
type Visited = foldhash::HashSet<(usize, String)>;

/// How deep re-exports may chain before resolution gives up (cycles included).
const MAX_DEPTH: usize = 24;

/// A name looked up through a glob import in a scope (named by its address).
type GlobKey = (usize, String);

/// Resolutions through glob imports, shared by every thread.
pub type GlobMemo = std::sync::RwLock<foldhash::HashMap<GlobKey, Option<Def>>>;

thread_local! {
    /// The resolutions this thread is computing.
    static GLOB_LOOKUPS: std::cell::RefCell<GlobLookups> =
        const { std::cell::RefCell::new(GlobLookups { computing: Vec::new(), cycle_cut: false, depth_cut: false }) };
}

struct GlobLookups {
    computing: Vec<GlobKey>,
    /// A cycle back into a computation in progress found nothing there: what was found
    /// may lack what the cycle would have found (kept only by the outermost, whose
    /// cycles all lie inside it).
    cycle_cut: bool,
    /// A chain of re-exports ran past `MAX_DEPTH`: what was found depends on the depth
    /// the computation started at, and is never kept.
    depth_cut: bool,
}

/// Records that resolution gave up on a chain too deep (see [`GlobLookups`]).
fn too_deep() {
    GLOB_LOOKUPS.with(|lookups| lookups.borrow_mut().depth_cut = true);
}

/// The std prelude names that matter to the analysis, as full paths.
fn prelude(name: &str) -> Option<Vec<String>> {
    let path: &[&str] = match name {
        "String" => &["std", "string", "String"],
        "Vec" => &["std", "vec", "Vec"],
        "Box" => &["std", "boxed", "Box"],
        "Option" => &["std", "option", "Option"],
        "Some" => &["std", "option", "Option", "Some"],
        "None" => &["std", "option", "Option", "None"],
        "Result" => &["std", "result", "Result"],
        "Ok" => &["std", "result", "Result", "Ok"],
        "Err" => &["std", "result", "Result", "Err"],
        "ToString" | "ToOwned" | "Clone" | "Into" | "From" | "Iterator" | "IntoIterator"
        | "Default" | "Drop" => {
            return Some(vec!["std".into(), "prelude".into(), name.into()]);
        }
        _ => return None,
    };
    Some(path.iter().map(|segment| (*segment).to_owned()).collect())
}

impl Index {
    /// Resolves a path written in module `module` of crate `crate_index`.
    pub fn resolve_path<S: AsRef<str>>(
        &self,
        crate_index: usize,
        module: &[String],
        segments: &[S],
    ) -> Option<Def> {
        self.resolve_at(crate_index, module, segments, 0, &mut Visited::default())
    }

    fn resolve_at<S: AsRef<str>>(
        &self,
        crate_index: usize,
        module: &[String],
        segments: &[S],
        depth: usize,
        visited: &mut Visited,
    ) -> Option<Def> {
        if depth > MAX_DEPTH {
            too_deep();
            return None;
        }
        let (first, rest) = segments.split_first()?;
        let first = first.as_ref();
        let mut def = match first {
            "crate" => Def::Module(crate_index, Vec::new()),
            "self" => Def::Module(crate_index, module.to_vec()),
            "super" => Def::Module(
                crate_index,
                module[..module.len().saturating_sub(1)].to_vec(),
            ),
            _ => self
                .lookup(crate_index, module, first, depth, visited)
                .or_else(|| {
                    self.crate_by_name(first)
                        .map(|krate| Def::Module(krate, Vec::new()))
                })
                .or_else(|| prelude(first).map(Def::External))
                .unwrap_or_else(|| Def::External(vec![first.to_owned()])),
        };
        for segment in rest {
            let segment = segment.as_ref();
            if let Def::Alias(id) = def {
                def = self.alias_target(id, depth + 1, visited)?;
            }
            def = match def {
                Def::Module(krate, path) if segment == "super" => {
                    Def::Module(krate, path[..path.len().saturating_sub(1)].to_vec())
                }
                Def::Module(krate, path) => self.lookup(krate, &path, segment, depth, visited)?,
                Def::Type(id) => {
                    let info = &self.types[id];
                    if info
                        .def
                        .variants
                        .iter()
                        .any(|variant| variant.name == *segment)
                    {
                        Def::Variant(id, segment.to_owned())
                    } else {
                        self.associated(id, segment)?
                    }
                }
                Def::Trait(id) => Def::Fn(*self.traits[id].methods.get(segment)?),
                Def::External(mut path) => {
                    path.push(segment.to_owned());
                    Def::External(path)
                }
                Def::Variant(..)
                | Def::Fn(_)
                | Def::Static(_)
                | Def::Destination(_)
                | Def::Alias(_) => return None,
            };
        }
        Some(def)
    }

    /// `Type::name`: a method of the type, or an associated constant naming a host.
    pub(crate) fn associated(&self, ty: super::TypeId, name: &str) -> Option<Def> {
        let key = (ty, name.to_owned());
        if let Some(first) = self.methods.get(&key).and_then(|ids| ids.first()) {
            return Some(Def::Fn(*first));
        }
        self.assoc_destinations
            .get(&key)
            .map(|sink| Def::Destination(sink.clone()))
    }

    /// What a `type` alias names (its type arguments aside), through chains of aliases.
    fn alias_target(&self, id: usize, depth: usize, visited: &mut Visited) -> Option<Def> {
        let alias = self.aliases.get(id)?;
        let super::TypeRef::Path(path) = &alias.ty else {
            return None;
        };
        match self.resolve_at(
            alias.crate_index,
            &alias.module,
            &path.segments,
            depth,
            visited,
        )? {
            Def::Alias(next) if depth <= MAX_DEPTH => self.alias_target(next, depth + 1, visited),
            Def::Alias(_) => {
                too_deep();
                None
            }
            def => Some(def),
        }
    }

    /// Like [`Index::resolve_path`], with a `type` alias replaced by what it names.
    pub fn resolve_through_aliases<S: AsRef<str>>(
        &self,
        crate_index: usize,
        module: &[String],
        segments: &[S],
    ) -> Option<Def> {
        match self.resolve_path(crate_index, module, segments)? {
            Def::Alias(id) => self.alias_target(id, 1, &mut Visited::default()),
            def => Some(def),
        }
    }

    /// A name in a module: its items, then its imports, then its glob imports. Each
    /// (module, name) is looked up at most once per query: glob imports that form
    /// cycles (`use super::*` both ways) or diamonds cost one visit, not one per path.
    fn lookup(
        &self,
        crate_index: usize,
        module: &[String],
        name: &str,
        depth: usize,
        visited: &mut Visited,
    ) -> Option<Def> {
        let scope: &Scope = self.scope_of(crate_index, module)?;
        if let Some(def) = scope.items.get(name).and_then(|defs| defs.first()) {
            return Some(def.clone());
        }
        // Recorded only past the module's own items (the common case costs nothing).
        if !visited.insert((std::ptr::from_ref(scope) as usize, name.to_owned())) {
            return None;
        }
        for import in scope
            .imports
            .iter()
            .filter(|import| !import.glob && import.alias == name)
        {
            if let Some(def) =
                self.resolve_import(crate_index, module, &import.path, depth + 1, visited)
            {
                return Some(def);
            }
        }
        for import in scope.imports.iter().filter(|import| import.glob) {
            match self.resolve_import(crate_index, module, &import.path, depth + 1, visited) {
                Some(Def::Module(krate, path)) => {
                    if let Some(def) = self.lookup_through_glob(krate, &path, name, depth) {
                        return Some(def);
                    }
                }
                Some(Def::Type(id))
                    if self.types[id]
                        .def
                        .variants
                        .iter()
                        .any(|variant| variant.name == name) =>
                {
                    return Some(Def::Variant(id, name.to_owned()));
                }
                Some(Def::External(mut path)) if depth == 0 => {
                    // `use tracing::*;` and the like: the name may come from there.
                    path.push(name.to_owned());
                    return Some(Def::External(path));
                }
                _ => {}
            }
        }
        None
    }

    /// `name` in a module a glob import reaches, remembered: generated crates glob
    /// thousands of modules into one that each of them globs back (web-sys's
    /// `features`), and without the memo every name looked up in any of them walks all
    /// of them again. Each is computed once, with a lookup of its own (a fresh visited
    /// set). A cycle back into a lookup in progress on this thread finds nothing there,
    /// and what a cut-short lookup found is kept only if it is the outermost (whose
    /// cycles all lie inside it), never if the depth limit cut it.
    fn lookup_through_glob(
        &self,
        crate_index: usize,
        module: &[String],
        name: &str,
        depth: usize,
    ) -> Option<Def> {
        if depth > MAX_DEPTH {
            too_deep();
            return None;
        }
        let scope = self.scope_of(crate_index, module)?;
        let key: GlobKey = (std::ptr::from_ref(scope) as usize, name.to_owned());
        let known = self
            .glob_memo
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&key)
            .cloned();
        if let Some(known) = known {
            return known;
        }
        let outermost = GLOB_LOOKUPS.with(|lookups| {
            let mut lookups = lookups.borrow_mut();
            if lookups.computing.contains(&key) {
                lookups.cycle_cut = true;
                return None;
            }
            let outermost = lookups.computing.is_empty();
            if outermost {
                lookups.cycle_cut = false;
                lookups.depth_cut = false;
            }
            lookups.computing.push(key.clone());
            Some(outermost)
        })?;
        let found = self.lookup(
            crate_index,
            module,
            name,
            depth + 1,
            &mut Visited::default(),
        );
        let keep = GLOB_LOOKUPS.with(|lookups| {
            let mut lookups = lookups.borrow_mut();
            lookups.computing.pop();
            !lookups.depth_cut && (outermost || !lookups.cycle_cut)
        });
        if keep {
            self.glob_memo
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(key, found.clone());
        }
        found
    }

    fn scope_of(&self, crate_index: usize, module: &[String]) -> Option<&Scope> {
        self.scopes.get(&crate_index)?.get(module)
    }

    /// A `use` path: relative to the module (2018 uniform paths), `crate`, `self`,
    /// `super`, or an external crate name.
    fn resolve_import(
        &self,
        crate_index: usize,
        module: &[String],
        path: &[String],
        depth: usize,
        visited: &mut Visited,
    ) -> Option<Def> {
        let first = path.first()?;
        let starts_in_scope = !matches!(first.as_str(), "crate" | "self" | "super")
            && self
                .scope_of(crate_index, module)
                .is_some_and(|scope| scope.items.contains_key(first));
        if starts_in_scope || matches!(first.as_str(), "crate" | "self" | "super") {
            return self.resolve_at(crate_index, module, path, depth, visited);
        }
        // A name another import of this module brings in (`use crate::*; use errors::*;`):
        // uniform paths resolve it there before taking it for a crate. A crate the
        // package depends on is taken at once (rustc rejects a glob-imported name that
        // would be ambiguous with it), so `use serde::*` looks nothing up.
        let a_dependency = self
            .crate_dependencies
            .get(crate_index)
            .and_then(Option::as_ref)
            .is_some_and(|names| names.contains(first));
        if depth > MAX_DEPTH {
            too_deep();
        }
        if self.crate_by_name(first).is_none() && !a_dependency && depth <= MAX_DEPTH {
            match self.lookup(crate_index, module, first, depth + 1, visited) {
                Some(Def::Module(krate, inner)) if path.len() > 1 => {
                    return self.resolve_at(krate, &inner, &path[1..], depth + 1, visited);
                }
                Some(def @ (Def::Module(..) | Def::Type(_) | Def::Trait(_))) if path.len() == 1 => {
                    return Some(def);
                }
                _ => {}
            }
        }
        match self.crate_by_name(first) {
            Some(krate) if path.len() == 1 => Some(Def::Module(krate, Vec::new())),
            Some(krate) => self.resolve_at(krate, &[], &path[1..], depth, visited),
            None => Some(Def::External(path.to_vec())),
        }
    }

    /// The full path of a macro invoked as `segments!` in a module: through imports
    /// (`use tracing::info;`), `#[macro_use] extern crate log;`, else std's.
    pub fn resolve_macro<S: AsRef<str>>(
        &self,
        crate_index: usize,
        module: &[String],
        segments: &[S],
        known: &dyn Fn(&str) -> bool,
    ) -> String {
        if let Some(Def::External(path)) = self.resolve_path(crate_index, module, segments)
            && (segments.len() > 1 || path.len() > 1)
        {
            return path.join("::");
        }
        let name = segments.last().map(AsRef::as_ref).unwrap_or_default();
        let root_scope = self.scope_of(crate_index, &[]);
        for krate in root_scope.into_iter().flat_map(|scope| &scope.macro_use) {
            let candidate = format!("{krate}::{name}");
            if known(&candidate) {
                return candidate;
            }
        }
        format!("std::{name}")
    }
}
