//! Stage 2, indexing: each file lowered to an item tree ([`ir`]) in its worker, then
//! the workspace's items gathered in one [`Index`] with rustc-like name resolution
//! ([`resolve`]) and the tags of `privflow.toml` applied like attributes.

pub mod catalog;
pub mod free;
pub mod ir;
pub mod lower;
pub mod policy_paths;
pub mod resolve;
pub mod ty;

use foldhash::{HashMap, HashMapExt as _};

use privflow_model::Policy;

use crate::load::Workspace;
use ir::{DataTag, FileIr, FnDef, ImplDef, Import, ItemKind, PathRef, Pos, TypeDef, TypeRef};

pub type FileId = usize;
pub type TypeId = usize;
pub type FnId = usize;
pub type TraitId = usize;
pub type StaticId = usize;

/// A `macro_rules!` definition: its rules, the crate that defines it (what `$crate`
/// names) and where.
#[derive(Debug, Clone)]
pub struct MacroDef {
    pub crate_index: usize,
    pub location: Location,
    pub rules: ir::MacroRules,
}

/// A type of a dependency tagged in `privflow.toml`.
#[derive(Debug, Clone)]
pub struct OutsideTypeTag {
    pub path: String,
    pub whole: Option<DataTag>,
    pub fields: Vec<(String, DataTag)>,
    /// The policy file, as one of the index's files.
    pub file: FileId,
}

pub struct StaticInfo {
    pub name: String,
    pub ty: TypeRef,
    /// The sink of the known host its initializer names, if any.
    pub destination: Option<std::sync::Arc<str>>,
    pub crate_index: usize,
    pub module: Vec<String>,
}

/// Loads the selected crates, lowering every file to its item tree (validating
/// attributes against `policy`) in the worker that parsed it.
pub fn load_lowered(
    selection: &crate::load::Selection,
    policy: &Policy,
) -> Result<Workspace<Lowered>, crate::load::WorkspaceError> {
    let mut workspace = crate::load::load_cached(
        selection,
        |ast, context| lower_one(ast, context, policy),
        |target_directory| {
            Box::new(crate::cache::files::FileCache::new(
                target_directory,
                policy,
            ))
        },
    )?;
    // The versions in use decide which catalog entries apply: asked of cargo only when
    // a catalogued crate is a dependency (it costs a second `cargo metadata`).
    let catalogued = catalog::depends_on(&workspace.crates, |name| {
        policy.catalog.iter().any(|entry| entry.krate == name)
    });
    if catalogued {
        workspace.resolved = crate::load::resolved_versions(&workspace.root);
    }
    Ok(workspace)
}

/// Lowers one parsed file, as every loader does.
pub fn lower_one(
    ast: &syn::File,
    context: &crate::load::FileContext<'_>,
    policy: &Policy,
) -> Lowered {
    let (ir, macros_not_understood) = lower::lower_file(ast, context, policy);
    Lowered {
        ir,
        macros_not_understood,
    }
}

/// What a file lowers to: its item tree and how many macro calls were not understood.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Lowered {
    pub ir: FileIr,
    pub macros_not_understood: usize,
}

pub struct FileInfo {
    pub relative: String,
    pub crate_index: usize,
    /// The source, for rendering diagnostics.
    pub text: std::sync::Arc<str>,
}

pub struct TypeInfo {
    pub def: TypeDef,
    pub crate_index: usize,
    pub module: Vec<String>,
    pub file: FileId,
    /// `my_crate::models::Contact`.
    pub path: String,
    /// A hand-written `impl Debug`: `{:?}` prints what its `fmt` writes, not every field.
    pub manual_debug: Option<FnId>,
    /// A hand-written `impl Display`: `{}` prints what its `fmt` writes.
    pub manual_display: Option<FnId>,
    /// Each field's type, resolved once (`Variant::field` for a variant's), in
    /// declaration order.
    pub field_tys: Vec<(String, ty::Ty)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Free,
    /// An inherent or trait impl, of the type when it is a workspace type.
    Impl {
        self_ty: TypeRef,
        ty: Option<TypeId>,
        trait_id: Option<TraitId>,
        trait_path: Option<PathRef>,
    },
    /// Declared in a trait (with or without a default body).
    Trait(TraitId),
}

pub struct FnInfo {
    pub def: FnDef,
    pub crate_index: usize,
    pub module: Vec<String>,
    pub file: FileId,
    pub owner: Owner,
    /// `my_crate::llm::complete`, `my_crate::llm::Client::chat`.
    pub path: String,
    /// Generic parameters of the enclosing impl.
    pub impl_generics: Vec<ir::GenericParam>,
}

pub struct TraitInfo {
    pub name: String,
    pub crate_index: usize,
    pub module: Vec<String>,
    pub path: String,
    /// Method name → its declaration in the trait.
    pub methods: HashMap<String, FnId>,
}

/// A name's meaning in a module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Def {
    Module(usize, Vec<String>),
    Type(TypeId),
    /// An enum variant: the enum and the variant's name.
    Variant(TypeId, String),
    Fn(FnId),
    Trait(TraitId),
    /// A `static`: global state, read and written by any function.
    Static(StaticId),
    /// A constant whose value names a known host: the host's sink.
    Destination(std::sync::Arc<str>),
    /// Outside the workspace, as a path (`std::println`, `tracing::info`).
    External(Vec<String>),
    /// A `type` alias: an index into [`Index::aliases`].
    Alias(usize),
}

/// `type Name<T> = Ty;` where it was declared.
pub struct AliasInfo {
    pub generics: Vec<ir::AliasParam>,
    pub ty: TypeRef,
    pub crate_index: usize,
    pub module: Vec<String>,
}

#[derive(Default)]
pub(crate) struct Scope {
    pub items: HashMap<String, Vec<Def>>,
    pub imports: Vec<Import>,
    /// `#[macro_use] extern crate x;` in this module.
    pub macro_use: Vec<String>,
}

pub struct Index {
    pub root: std::path::PathBuf,
    pub crate_names: Vec<String>,
    /// Per crate, the crates its paths may start with as cargo declared them (as `use`
    /// writes them); `None` when not known.
    pub crate_dependencies: Vec<Option<std::collections::BTreeSet<String>>>,
    pub files: Vec<FileInfo>,
    pub types: Vec<TypeInfo>,
    pub functions: Vec<FnInfo>,
    pub traits: Vec<TraitInfo>,
    pub statics: Vec<StaticInfo>,
    pub aliases: Vec<AliasInfo>,
    /// `macro_rules!` definitions by name.
    pub macros: HashMap<String, Vec<MacroDef>>,
    /// Per crate, per module path: looked up by `&[String]` without building a key.
    pub(crate) scopes: HashMap<usize, HashMap<Vec<String>, Scope>>,
    /// (type, method name) → inherent and trait-impl methods.
    pub methods: HashMap<(TypeId, String), Vec<FnId>>,
    /// (trait, method name) → every impl's method.
    pub trait_impls: HashMap<(TraitId, String), Vec<FnId>>,
    /// (type, associated constant) → the sink of the known host its value names.
    pub assoc_destinations: HashMap<(TypeId, String), std::sync::Arc<str>>,
    /// What a name resolves to through a module that `use ..::*` reaches (see
    /// `resolve::Index::lookup_through_glob`), by (scope address, name): cleared when
    /// a scope changes.
    pub(crate) glob_memo: resolve::GlobMemo,
    pub macros_not_understood: usize,
    pub problems: Vec<(FileId, ir::AttrProblem)>,
    /// Workspace functions the policy names as sinks (`[sinks."id"] functions`).
    pub config_sinks: HashMap<FnId, String>,
    /// Types of dependencies that `privflow.toml` tags.
    pub outside_types: Vec<OutsideTypeTag>,
    /// The sink catalog's entries for crates the workspace depends on.
    pub catalog: Vec<catalog::ActiveCatalogEntry>,
    /// How many of `files` are the workspace's Rust files (the rest are policy files,
    /// which tags on outside types point into).
    pub source_files: usize,
    /// Policy paths that name nothing: the check stops with these (exit 2).
    pub policy_errors: Vec<privflow_model::PolicyError>,
}

impl Index {
    pub fn build(workspace: Workspace<Lowered>, policy: &Policy) -> Self {
        let mut index = Index {
            root: workspace.root.clone(),
            crate_names: workspace
                .crates
                .iter()
                .map(|target| target.name.clone())
                .collect(),
            crate_dependencies: workspace
                .crates
                .iter()
                .map(|target| {
                    target
                        .dependencies
                        .as_ref()
                        .map(|names| names.iter().cloned().collect())
                })
                .collect(),
            files: Vec::new(),
            types: Vec::new(),
            functions: Vec::new(),
            traits: Vec::new(),
            statics: Vec::new(),
            aliases: Vec::new(),
            macros: HashMap::new(),
            scopes: HashMap::new(),
            methods: HashMap::new(),
            trait_impls: HashMap::new(),
            assoc_destinations: HashMap::new(),
            glob_memo: resolve::GlobMemo::default(),
            macros_not_understood: 0,
            problems: Vec::new(),
            config_sinks: HashMap::new(),
            outside_types: Vec::new(),
            catalog: catalog::active(
                &policy.catalog,
                &workspace.crates,
                workspace.resolved.as_deref(),
            ),
            source_files: 0,
            policy_errors: Vec::new(),
        };
        // Crates a policy path may start with, when cargo said (not in a build script).
        let dependencies: Option<std::collections::BTreeSet<String>> = index
            .crate_dependencies
            .iter()
            .cloned()
            .collect::<Option<Vec<_>>>()
            .map(|sets| sets.into_iter().flatten().collect());
        let mut impls = Vec::new();
        for file in workspace.files {
            let file_id = index.files.len();
            index.files.push(FileInfo {
                relative: file.relative.clone(),
                crate_index: file.crate_index,
                text: file.text.clone(),
            });
            index.macros_not_understood += file.lowered.macros_not_understood;
            index.problems.extend(
                file.lowered
                    .ir
                    .problems
                    .into_iter()
                    .map(|problem| (file_id, problem)),
            );
            for item in file.lowered.ir.items {
                let module = item.module.clone();
                let crate_index = file.crate_index;
                index.declare_modules(crate_index, &module);
                match item.kind {
                    ItemKind::Use(imports) => {
                        index.scope(crate_index, &module).imports.extend(imports)
                    }
                    ItemKind::ExternCrate { name, macro_use } => {
                        let scope = index.scope(crate_index, &module);
                        if macro_use {
                            scope.macro_use.push(name.clone());
                        }
                        scope.imports.push(Import {
                            alias: name.clone(),
                            path: vec![name],
                            glob: false,
                            public: false,
                        });
                    }
                    ItemKind::MacroRules(rules) => {
                        let location = Location {
                            file: file_id,
                            pos: rules.pos,
                        };
                        index
                            .macros
                            .entry(rules.name.clone())
                            .or_default()
                            .push(MacroDef {
                                crate_index,
                                location,
                                rules,
                            });
                    }
                    ItemKind::TypeAlias { name, generics, ty } => {
                        let id = index.aliases.len();
                        index.aliases.push(AliasInfo {
                            generics,
                            ty,
                            crate_index,
                            module: module.clone(),
                        });
                        index.define(crate_index, &module, name, Def::Alias(id));
                    }
                    ItemKind::Destination { name, sink } => {
                        index.define(crate_index, &module, name, Def::Destination(sink));
                    }
                    ItemKind::Static {
                        name,
                        ty,
                        destination,
                    } => {
                        let id = index.statics.len();
                        index.statics.push(StaticInfo {
                            name: name.clone(),
                            ty,
                            destination,
                            crate_index,
                            module: module.clone(),
                        });
                        index.define(crate_index, &module, name, Def::Static(id));
                    }
                    ItemKind::Type(def) => {
                        let id = index.types.len();
                        let name = def.name.clone();
                        index.types.push(TypeInfo {
                            path: item_path(&index.crate_names[crate_index], &module, &name),
                            def,
                            crate_index,
                            module: module.clone(),
                            file: file_id,
                            manual_debug: None,
                            manual_display: None,
                            field_tys: Vec::new(),
                        });
                        index.define(crate_index, &module, name, Def::Type(id));
                    }
                    ItemKind::Fn(def) => {
                        let name = def.name.clone();
                        let id = index.add_fn(
                            def,
                            crate_index,
                            &module,
                            file_id,
                            Owner::Free,
                            Vec::new(),
                            None,
                        );
                        index.define(crate_index, &module, name, Def::Fn(id));
                    }
                    ItemKind::Trait(def) => {
                        let id = index.traits.len();
                        let path = item_path(&index.crate_names[crate_index], &module, &def.name);
                        index.traits.push(TraitInfo {
                            name: def.name.clone(),
                            crate_index,
                            module: module.clone(),
                            path,
                            methods: HashMap::new(),
                        });
                        index.define(crate_index, &module, def.name.clone(), Def::Trait(id));
                        for function in def.functions {
                            let name = function.name.clone();
                            let fn_id = index.add_fn(
                                function,
                                crate_index,
                                &module,
                                file_id,
                                Owner::Trait(id),
                                Vec::new(),
                                Some(&def.name),
                            );
                            index.traits[id].methods.insert(name, fn_id);
                        }
                    }
                    ItemKind::Impl(def) => impls.push((crate_index, module, file_id, def)),
                }
            }
        }
        index.merge_repeated_imports();
        // Impls last: their self types and traits resolve against every declared item.
        for (crate_index, module, file_id, def) in impls {
            index.add_impl(crate_index, &module, file_id, def);
        }
        index.keep_installed();
        let targets = policy_paths::resolve(&index, policy, dependencies.as_ref());
        index.source_files = index.files.len();
        index.apply_config_types(&targets.types);
        index.add_outside_types(&targets.outside_types);
        index.config_sinks = targets.sink_functions;
        index.policy_errors = targets.errors;
        index.resolve_field_types();
        index
    }

    /// Resolves every field's type once, after every item is declared: reading a
    /// field is the commonest step of the analysis.
    fn resolve_field_types(&mut self) {
        let resolved: Vec<Vec<(String, ty::Ty)>> = (0..self.types.len())
            .map(|id| {
                let def = &self.types[id].def;
                let fields = def.fields.iter().map(|field| (field.name.clone(), field));
                let variant_fields = def.variants.iter().flat_map(|variant| {
                    variant
                        .fields
                        .iter()
                        .map(move |field| (format!("{}::{}", variant.name, field.name), field))
                });
                fields
                    .chain(variant_fields)
                    .map(|(name, field)| (name, self.lower_field_ty(id, field)))
                    .collect()
            })
            .collect();
        for (info, field_tys) in self.types.iter_mut().zip(resolved) {
            info.field_tys = field_tys;
        }
    }

    fn declare_modules(&mut self, crate_index: usize, module: &[String]) {
        self.forget_resolutions();
        for depth in 0..=module.len() {
            let path = module[..depth].to_vec();
            if depth > 0 {
                let parent = module[..depth - 1].to_vec();
                let name = module[depth - 1].clone();
                let def = Def::Module(crate_index, path.clone());
                let scope = self
                    .scopes
                    .entry(crate_index)
                    .or_default()
                    .entry(parent)
                    .or_default();
                let defs = scope.items.entry(name).or_default();
                if !defs.contains(&def) {
                    defs.push(def);
                }
            }
            self.scopes
                .entry(crate_index)
                .or_default()
                .entry(path)
                .or_default();
        }
    }

    /// Scopes may move or change: what was resolved through them may not hold.
    fn forget_resolutions(&mut self) {
        self.glob_memo
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }

    /// A `use` written twice in a module (a glob above all) is one import, public if
    /// either is: every lookup walks a scope's globs, and walked the same one again for
    /// each repeat (a crate root holding `use crate::*;` five times took seconds).
    fn merge_repeated_imports(&mut self) {
        for modules in self.scopes.values_mut() {
            for scope in modules.values_mut() {
                let mut first: HashMap<(String, Vec<String>, bool), usize> = HashMap::default();
                let mut kept: Vec<Import> = Vec::with_capacity(scope.imports.len());
                for import in std::mem::take(&mut scope.imports) {
                    let key = (import.alias.clone(), import.path.clone(), import.glob);
                    match first.get(&key).and_then(|at| kept.get_mut(*at)) {
                        Some(earlier) => earlier.public |= import.public,
                        None => {
                            first.insert(key, kept.len());
                            kept.push(import);
                        }
                    }
                }
                scope.imports = kept;
            }
        }
        self.forget_resolutions();
    }

    fn scope(&mut self, crate_index: usize, module: &[String]) -> &mut Scope {
        self.forget_resolutions();
        self.scopes
            .entry(crate_index)
            .or_default()
            .entry(module.to_vec())
            .or_default()
    }

    fn define(&mut self, crate_index: usize, module: &[String], name: String, def: Def) {
        self.scope(crate_index, module)
            .items
            .entry(name)
            .or_default()
            .push(def);
    }

    #[allow(clippy::too_many_arguments)]
    fn add_fn(
        &mut self,
        def: FnDef,
        crate_index: usize,
        module: &[String],
        file: FileId,
        owner: Owner,
        impl_generics: Vec<ir::GenericParam>,
        owner_name: Option<&str>,
    ) -> FnId {
        let id = self.functions.len();
        let mut module_and_owner = module.to_vec();
        if let Some(owner_name) = owner_name {
            module_and_owner.push(owner_name.to_owned());
        }
        self.functions.push(FnInfo {
            path: item_path(&self.crate_names[crate_index], &module_and_owner, &def.name),
            def,
            crate_index,
            module: module.to_vec(),
            file,
            owner,
            impl_generics,
        });
        id
    }

    fn add_impl(&mut self, crate_index: usize, module: &[String], file: FileId, def: ImplDef) {
        let ImplDef {
            self_ty,
            trait_path,
            generics,
            functions,
            destinations,
        } = def;
        let ty = match &self_ty {
            TypeRef::Path(path) => {
                match self.resolve_through_aliases(crate_index, module, &path.segments) {
                    Some(Def::Type(id)) => Some(id),
                    _ => None,
                }
            }
            _ => None,
        };
        let trait_id = trait_path.as_ref().and_then(|path| {
            match self.resolve_path(crate_index, module, &path.segments) {
                Some(Def::Trait(id)) => Some(id),
                _ => None,
            }
        });
        let trait_name = trait_path
            .as_ref()
            .and_then(|path| path.segments.last())
            .cloned()
            .unwrap_or_default();
        if let Some(ty) = ty {
            for (name, sink) in destinations {
                self.assoc_destinations.insert((ty, name), sink);
            }
        }
        let owner_name = match &self_ty {
            TypeRef::Path(path) => path.segments.last().cloned(),
            _ => None,
        };
        for function in functions {
            let name = function.name.clone();
            let owner = Owner::Impl {
                self_ty: self_ty.clone(),
                ty,
                trait_id,
                trait_path: trait_path.clone(),
            };
            let fn_id = self.add_fn(
                function,
                crate_index,
                module,
                file,
                owner,
                generics.clone(),
                owner_name.as_deref(),
            );
            if let Some(ty) = ty {
                self.methods
                    .entry((ty, name.clone()))
                    .or_default()
                    .push(fn_id);
                if name == "fmt" && trait_name == "Debug" {
                    self.types[ty].manual_debug = Some(fn_id);
                }
                if name == "fmt" && trait_name == "Display" {
                    self.types[ty].manual_display = Some(fn_id);
                }
            }
            if let Some(trait_id) = trait_id {
                self.trait_impls
                    .entry((trait_id, name))
                    .or_default()
                    .push(fn_id);
            }
        }
    }

    /// `[types."crate::path::Type"]` in privflow.toml tags a type exactly as
    /// `#[data(...)]` attributes would.
    fn apply_config_types(&mut self, tags: &[(TypeId, privflow_model::policy::TypeTag)]) {
        for (id, tag) in tags {
            let info = &mut self.types[*id];
            if !tag.categories.is_empty() {
                let container = info.def.tag.get_or_insert_with(|| DataTag {
                    pos: info.def.pos,
                    ..DataTag::default()
                });
                container.categories.extend(tag.categories.iter().cloned());
            }
            for (field_name, categories) in &tag.fields {
                if let Some(field) = info
                    .def
                    .fields
                    .iter_mut()
                    .find(|field| field.name == *field_name)
                {
                    let field_tag = field.tag.get_or_insert_with(|| DataTag {
                        pos: field.pos,
                        ..DataTag::default()
                    });
                    field_tag.categories.extend(categories.iter().cloned());
                }
            }
        }
    }

    /// `[types."dep::path::Type"]` entries: a tag per field (and for the whole type),
    /// pointing at its line in the policy file (which joins `files`, so that a flow's
    /// `source` can name it).
    fn add_outside_types(&mut self, tags: &[privflow_model::policy::TypeTag]) {
        for tag in tags {
            let file = self.policy_file(&tag.origin.file);
            let at = |origin: &privflow_model::policy::Origin| Pos {
                line: origin.line,
                column: origin.column,
            };
            let tagged = |categories: &[String], pos: Pos| DataTag {
                categories: categories.to_vec(),
                pos,
                ..DataTag::default()
            };
            self.outside_types.push(OutsideTypeTag {
                path: tag.path.clone(),
                whole: (!tag.categories.is_empty())
                    .then(|| tagged(&tag.categories, at(&tag.origin))),
                fields: tag
                    .fields
                    .iter()
                    .map(|(name, categories)| {
                        let origin = tag.field_origins.get(name).unwrap_or(&tag.origin);
                        (name.clone(), tagged(categories, at(origin)))
                    })
                    .collect(),
                file,
            });
        }
    }

    /// The file id of a policy file, added to `files` once.
    fn policy_file(&mut self, name: &str) -> FileId {
        let path = std::path::Path::new(name);
        let relative = path
            .strip_prefix(&self.root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        if let Some(known) = self.files[self.source_files..]
            .iter()
            .position(|file| file.relative == relative)
        {
            return self.source_files + known;
        }
        self.files.push(FileInfo {
            relative,
            crate_index: 0,
            text: std::sync::Arc::from(""),
        });
        self.files.len() - 1
    }

    /// The tags of an outside type named `path`: the entry for that path, else the one
    /// entry for a type of the same name in the same crate (the code may name it by a
    /// re-export, `serenity::all::Message` for `serenity::model::channel::Message`).
    pub fn outside_type(&self, path: &str) -> Option<&OutsideTypeTag> {
        pick_outside_entry(&self.outside_types, |tag| &tag.path, path)
    }

    /// The crate a workspace crate name refers to (the library when a package has one).
    pub fn crate_by_name(&self, name: &str) -> Option<usize> {
        self.crate_names
            .iter()
            .position(|crate_name| crate_name == name)
    }

    pub fn file_of_fn(&self, id: FnId) -> &FileInfo {
        &self.files[self.functions[id].file]
    }
}

/// The entry for the outside type `path`: the one with that path, else the only one for a
/// type of the same name in the same crate (a re-export path).
pub fn pick_outside_entry<'a, T>(
    entries: &'a [T],
    path_of: impl Fn(&T) -> &str,
    path: &str,
) -> Option<&'a T> {
    if let Some(exact) = entries.iter().find(|entry| path_of(entry) == path) {
        return Some(exact);
    }
    if entries.is_empty() {
        return None;
    }
    let wanted = crate_and_name(path);
    let mut same = entries
        .iter()
        .filter(|entry| crate_and_name(path_of(entry)) == wanted);
    match (same.next(), same.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// The first and last segments of a path: its crate and the item's name.
fn crate_and_name(path: &str) -> (&str, &str) {
    let krate = path.split("::").next().unwrap_or_default();
    let name = path.rsplit("::").next().unwrap_or_default();
    (krate, name)
}

/// `crate::module::name`.
pub(crate) fn item_path(crate_name: &str, module: &[String], name: &str) -> String {
    std::iter::once(crate_name)
        .chain(module.iter().map(String::as_str))
        .chain(std::iter::once(name))
        .collect::<Vec<_>>()
        .join("::")
}

/// A position in a file, for findings and traces.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct Location {
    pub file: FileId,
    pub pos: Pos,
}
