//! Analysing one function body: an abstract interpreter over the item tree. Locals are
//! flow-sensitive (a `let` or an assignment replaces, branches join, loops run until
//! their effect repeats); struct, tuple and variant parts are tracked field by field;
//! calls apply the callee's summary.

use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Parameter parts already projected during one summary application.
type ProjectionCache = HashMap<(usize, Vec<String>), Taint>;
use std::sync::Arc;

use super::types::Mode;
use super::value::{Callable, Closure, ELEMENT, ERR, Global, Origin, Step, Taint, Trace, Value};
use super::{Context, Coverage, FlowFact, FnOutcome, SinkHit, Summary, sink_of, tag_origins};
use crate::index::ir::{
    AllowTag, Block, Expr, MacroArgs, Param, PathRef, Pattern, Receiver, Stmt, Wrap,
};
use crate::index::ty::{Ty, TyContext, Wrapper};
use crate::index::{Def, FileId, FnId, Location, Owner};

/// How deep workspace macros may expand into workspace macros.
const MAX_EXPANSION_DEPTH: usize = 8;

/// How deep closures may apply closures before the analysis stops following.
const MAX_CLOSURE_DEPTH: usize = 6;

/// How many levels of parts a summary keeps apart; deeper parts are merged into their
/// parent, so that recursive constructors cannot grow summaries without end.
pub(super) const SUMMARY_DEPTH: usize = 2;

pub(crate) fn analyze_function(cx: &Context<'_>, id: FnId) -> FnOutcome {
    let function = &cx.index.functions[id];
    let mut frame = Frame::new(cx, id);
    let mut params: Vec<(Pattern, Value)> = Vec::new();
    let mut index = 0;
    if let Some(receiver) = function.def.receiver {
        let ty = frame.ty_context.self_ty.clone().unwrap_or(Ty::Unknown);
        let value = Value {
            ty: Some(ty),
            param: Some((0, Vec::new())),
            ..Value::default()
        };
        frame.mutable_params.insert(0, receiver == Receiver::RefMut);
        params.push((
            Pattern::Binding {
                name: "self".into(),
                by_ref: false,
                sub: None,
                pos: function.def.pos,
            },
            value,
        ));
        index += 1;
    }
    for param in &function.def.params {
        let ty = frame.lower_ty(&param.ty);
        let mutable = matches!(
            param.ty,
            crate::index::ir::TypeRef::Ref { mutable: true, .. }
        );
        frame.mutable_params.insert(index, mutable);
        params.push((
            param.pattern.clone(),
            Value {
                ty: Some(ty),
                param: Some((index, Vec::new())),
                ..Value::default()
            },
        ));
        index += 1;
    }
    for (pattern, value) in &params {
        frame.bind(pattern, value.clone());
    }
    if let Some(body) = &function.def.body {
        let value = frame.block(body);
        frame.ret.join(&value);
    }
    frame.finish()
}

pub(super) struct Frame<'c, 'a> {
    pub cx: &'c Context<'a>,
    /// The function being analysed.
    pub fn_id: FnId,
    pub file: FileId,
    pub crate_index: usize,
    pub module: Vec<String>,
    pub ty_context: TyContext,
    scopes: Vec<BTreeMap<String, Value>>,
    ret: Value,
    writes: BTreeMap<usize, Value>,
    /// Parameters whose writes the caller sees: `&mut` ones.
    mutable_params: BTreeMap<usize, bool>,
    hits: Vec<SinkHit>,
    flows: Vec<FlowFact>,
    pub cells: Vec<Value>,
    callees: BTreeSet<FnId>,
    pub coverage: Coverage,
    purposes: BTreeSet<String>,
    declared_purposes: BTreeSet<String>,
    allows: Vec<AllowTag>,
    closure_depth: usize,
    /// Values of `break` in the loops being analysed, innermost last.
    breaks: Vec<Value>,
    /// `let r = &mut x;`: writes through `r` reach `x`.
    aliases: BTreeMap<String, String>,
    /// The cell standing for each `static` this function touches.
    static_cells: BTreeMap<Global, usize>,
    /// How many workspace macro expansions deep the analysis is.
    expansion_depth: usize,
}

impl<'c, 'a> Frame<'c, 'a> {
    fn new(cx: &'c Context<'a>, id: FnId) -> Self {
        let function = &cx.index.functions[id];
        let index = cx.index;
        let bounds = |params: &[crate::index::ir::GenericParam]| -> Vec<(String, Vec<usize>)> {
            params
                .iter()
                .map(|param| {
                    (
                        param.name.clone(),
                        index.traits_of(function.crate_index, &function.module, &param.bounds),
                    )
                })
                .collect()
        };
        let mut generics = bounds(&function.impl_generics);
        generics.extend(bounds(&function.def.generics));
        let mut ty_context = TyContext {
            generics,
            self_ty: None,
        };
        ty_context.self_ty = match &function.owner {
            Owner::Impl { self_ty, .. } => {
                Some(index.lower_ty(function.crate_index, &function.module, &ty_context, self_ty))
            }
            Owner::Trait(trait_id) => Some(Ty::Param("Self".into(), vec![*trait_id])),
            Owner::Free => None,
        };
        Frame {
            cx,
            fn_id: id,
            file: function.file,
            crate_index: function.crate_index,
            module: function.module.clone(),
            ty_context,
            scopes: vec![BTreeMap::new()],
            ret: Value::default(),
            writes: BTreeMap::new(),
            mutable_params: BTreeMap::new(),
            hits: Vec::new(),
            flows: Vec::new(),
            cells: Vec::new(),
            callees: BTreeSet::new(),
            coverage: Coverage::default(),
            purposes: cx.purposes.get(&id).cloned().unwrap_or_default(),
            declared_purposes: function.def.tags.purposes.iter().cloned().collect(),
            allows: function.def.tags.allows.clone(),
            closure_depth: 0,
            breaks: Vec::new(),
            aliases: BTreeMap::new(),
            static_cells: BTreeMap::new(),
            expansion_depth: 0,
        }
    }

    fn finish(self) -> FnOutcome {
        let statics_read = self.static_cells.keys().cloned().collect();
        let statics_written = self
            .static_cells
            .iter()
            .filter_map(|(id, cell)| {
                let content = self.cells.get(*cell)?.clone();
                let global = self.cx.statics.get(id);
                let unchanged = global.is_some_and(|global| {
                    global.taint == content.taint && global.fields.len() == content.fields.len()
                });
                (!unchanged).then(|| (id.clone(), strip_cells(content).summarized(SUMMARY_DEPTH)))
            })
            .collect();
        let ret = strip_cells(self.ret).summarized(SUMMARY_DEPTH);
        let writes = self
            .writes
            .into_iter()
            .map(|(index, value)| (index, strip_cells(value).summarized(SUMMARY_DEPTH)))
            .collect();
        FnOutcome {
            summary: Summary {
                ret,
                writes,
                hits: self
                    .hits
                    .into_iter()
                    .map(|mut hit| {
                        hit.taint = hit.taint.coarsened();
                        hit
                    })
                    .collect(),
            },
            flows: self.flows,
            callees: self.callees,
            coverage: self.coverage,
            statics_read,
            statics_written,
        }
    }

    /// Expands a call of a workspace `macro_rules!` and analyses the expansion, every
    /// position in it pointing at the call. `None` when there is no such macro or no
    /// rule matches.
    fn expand_workspace_macro(
        &mut self,
        name: &str,
        tokens: &str,
        pos: crate::index::ir::Pos,
    ) -> Option<Value> {
        if self.expansion_depth >= MAX_EXPANSION_DEPTH {
            return None;
        }
        let definitions = self.cx.index.macros.get(name)?;
        let (_, rules) = definitions
            .iter()
            .find(|(krate, _)| *krate == self.crate_index)
            .or_else(|| definitions.first())?;
        let expansion = super::expand::expand(&rules.rules, tokens)?;
        let braced: proc_macro2::TokenStream = proc_macro2::TokenTree::Group(
            proc_macro2::Group::new(proc_macro2::Delimiter::Brace, expansion),
        )
        .into();
        let block: syn::Block = syn::parse2(braced).ok()?;
        let expr = syn::Expr::Block(syn::ExprBlock {
            attrs: Vec::new(),
            label: None,
            block,
        });
        let (lowered, _) =
            crate::index::lower::lower_expansion(&expr, pos, self.cx.policy, &self.module);
        self.expansion_depth += 1;
        let value = self.expr(&lowered);
        self.expansion_depth -= 1;
        Some(value)
    }

    /// Whether a path is not a local (so it may name an item, a static among them).
    fn lookup_root(&self, segments: &[String]) -> bool {
        match segments {
            [name] => self.lookup(name).is_none(),
            _ => true,
        }
    }

    /// The value of a `static`: a cell holding what any function stored in it.
    /// The frame's cell for global state, seeded with what every function stored there.
    pub fn global_cell(&mut self, key: Global) -> usize {
        match self.static_cells.get(&key) {
            Some(cell) => *cell,
            None => {
                let cell = self.cells.len();
                self.cells
                    .push(self.cx.statics.get(&key).cloned().unwrap_or_default());
                self.static_cells.insert(key, cell);
                cell
            }
        }
    }

    fn static_value(&mut self, id: crate::index::StaticId) -> Value {
        let cell = self.global_cell(Global::Static(id));
        let info = &self.cx.index.statics[id];
        let ty = self.cx.index.lower_ty(
            info.crate_index,
            &info.module,
            &TyContext::default(),
            &info.ty,
        );
        Value {
            ty: Some(ty),
            cell: Some(cell),
            ..Value::default()
        }
    }

    pub fn lower_ty(&self, ty: &crate::index::ir::TypeRef) -> Ty {
        self.cx
            .index
            .lower_ty(self.crate_index, &self.module, &self.ty_context, ty)
    }

    pub fn location(&self, pos: crate::index::ir::Pos) -> Location {
        Location {
            file: self.file,
            pos,
        }
    }

    // ---- locals ----

    fn lookup(&self, name: &str) -> Option<&Value> {
        self.scopes.iter().rev().find_map(|scope| scope.get(name))
    }

    fn define(&mut self, name: String, value: Value) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name, value);
        }
    }

    fn snapshot(&self) -> Vec<BTreeMap<String, Value>> {
        self.scopes.clone()
    }

    /// After two alternative paths: every local may hold what either path left in it.
    fn join_scopes(&mut self, other: &[BTreeMap<String, Value>]) {
        for (mine, theirs) in self.scopes.iter_mut().zip(other) {
            for (name, value) in theirs {
                match mine.get_mut(name) {
                    Some(current) => current.join(value),
                    None => {
                        mine.insert(name.clone(), value.clone());
                    }
                }
            }
        }
    }

    // ---- taint of whole values ----

    /// Everything a value carries: its own taint, its parts', its type's tags, its
    /// parameter origin and the shared state it points to.
    pub fn full(&self, value: &Value, mode: Mode) -> Taint {
        let mut taint = Taint::default();
        self.collect_full(value, mode, &mut BTreeSet::new(), 0, &mut taint);
        taint
    }

    fn collect_full(
        &self,
        value: &Value,
        mode: Mode,
        cells: &mut BTreeSet<usize>,
        depth: usize,
        taint: &mut Taint,
    ) {
        taint.join(&value.taint);
        if let Some(ty) = &value.ty {
            self.cx.type_taints.of(ty, mode, taint);
        }
        if let Some((index, path)) = &value.param {
            taint.insert(
                Origin::Param {
                    index: *index,
                    path: path.clone(),
                },
                Trace::default(),
            );
        }
        if depth < 16 {
            let skipped = |name: &str| match (mode, value.ty()) {
                (Mode::Serialize, Ty::Adt(id, _)) => self
                    .cx
                    .index
                    .field(*id, name)
                    .is_some_and(|field| field.serde_skip),
                _ => false,
            };
            for (name, field) in &value.fields {
                if !skipped(name) {
                    self.collect_full(field, mode, cells, depth + 1, taint);
                }
            }
        }
        if let (Some(Callable::Closure(closure)), true) = (&value.callable, depth < 4) {
            for captured in closure.captured.values() {
                self.collect_full(captured, mode, cells, depth + 1, taint);
            }
        }
        if let Some(cell) = value.cell {
            if cells.insert(cell) {
                if let Some(content) = self.cells.get(cell) {
                    let content = content.clone();
                    self.collect_full(&content, mode, cells, depth + 1, taint);
                }
            }
        }
    }

    /// What `{:?}` (or `{}`) of a value prints: every field, unless the type has a
    /// hand-written impl, whose summary then says what it writes.
    fn formatted(&mut self, value: &Value, debug: bool, pos: crate::index::ir::Pos) -> Taint {
        let manual = match value.ty().autoderef() {
            Ty::Adt(id, _) => {
                let info = &self.cx.index.types[*id];
                if debug {
                    info.manual_debug
                } else {
                    info.manual_display
                }
            }
            _ => None,
        };
        let Some(fmt) = manual else {
            return self.full(value, Mode::All);
        };
        // The impl's summary decides: re-run when it changes.
        self.callees.insert(fmt);
        let args = vec![value.clone(), Value::default()];
        let written = self.apply_summary_writes(fmt, &args, pos);
        let mut taint = value.taint.clone();
        for write in written.values() {
            taint.join(&self.full(write, Mode::All));
        }
        taint
    }

    // ---- sinks ----

    /// Records what `taint` brings to `sink` at `site` (in function `site_fn`): tag origins
    /// become flows, parameter origins part of the summary.
    pub fn hit(
        &mut self,
        sink: &str,
        site: Location,
        site_fn: FnId,
        taint: Taint,
        purposes: &BTreeSet<String>,
        allows: &[AllowTag],
    ) {
        let mut in_force: BTreeSet<String> = self.purposes.clone();
        in_force.extend(purposes.iter().cloned());
        let mut all_allows = self.allows.clone();
        all_allows.extend(allows.iter().cloned());
        for (category, source, field_purposes, trace) in tag_origins(&taint) {
            self.flows.push(FlowFact {
                category: category.to_string(),
                sink: sink.to_owned(),
                site,
                source,
                trace: trace.steps(),
                purposes: in_force.iter().cloned().collect(),
                field_purposes: field_purposes.map(|purposes| purposes.to_vec()),
                allows: all_allows.clone(),
                function: site_fn,
            });
        }
        let from_params = Taint::from_map(
            taint
                .0
                .iter()
                .map(|(origin, trace)| (origin.clone(), trace.clone()))
                .filter(|(origin, _)| matches!(origin, Origin::Param { .. }))
                .collect(),
        );
        if !from_params.is_empty() {
            let mut hit_purposes = self.declared_purposes.clone();
            hit_purposes.extend(purposes.iter().cloned());
            // One hit per sink call: recursion would otherwise copy hits back and
            // forth between callers and callees, doubling them on every pass.
            if let Some(existing) = self
                .hits
                .iter_mut()
                .find(|hit| hit.sink == sink && hit.site == site)
            {
                existing.taint.join(&from_params);
                existing
                    .purposes
                    .retain(|purpose| hit_purposes.contains(purpose));
                for allow in all_allows {
                    if !existing.allows.iter().any(|known| known.flow == allow.flow) {
                        existing.allows.push(allow);
                    }
                }
                return;
            }
            self.hits.push(SinkHit {
                sink: sink.to_owned(),
                site,
                taint: from_params,
                purposes: hit_purposes,
                allows: all_allows,
                function: site_fn,
            });
        }
    }

    // ---- statements and expressions ----

    pub fn block(&mut self, block: &Block) -> Value {
        self.scopes.push(BTreeMap::new());
        let mut last = Value::default();
        for stmt in &block.stmts {
            last = self.stmt(stmt);
        }
        self.scopes.pop();
        last
    }

    fn stmt(&mut self, stmt: &Stmt) -> Value {
        match stmt {
            Stmt::Let {
                pattern,
                ty,
                init,
                otherwise,
            } => {
                let mut value = init
                    .as_ref()
                    .map(|init| self.expr(init))
                    .unwrap_or_default();
                if let Some(ty) = ty {
                    let declared = self.lower_ty(ty);
                    if declared != Ty::Unknown {
                        typed_as(&mut value, &declared);
                        value.ty = Some(declared);
                    }
                }
                if let Some(otherwise) = otherwise {
                    let before = self.snapshot();
                    self.block(otherwise);
                    self.scopes = before;
                }
                if let (
                    Pattern::Binding { name, .. },
                    Some(Expr::Wrap {
                        kind: Wrap::RefMut,
                        inner,
                    }),
                ) = (pattern, init)
                {
                    if let Expr::Path { path, .. } = &**inner {
                        if let [target] = path.segments.as_slice() {
                            self.aliases.insert(name.clone(), target.clone());
                        }
                    }
                }
                self.bind(pattern, value);
                Value::default()
            }
            Stmt::Expr(expr) => self.expr(expr),
            Stmt::Item(_) => Value::default(),
        }
    }

    pub fn bind(&mut self, pattern: &Pattern, value: Value) {
        match pattern {
            Pattern::Binding { name, sub, .. } => {
                if let Some(sub) = sub {
                    self.bind(sub, value.clone());
                }
                self.define(name.clone(), value);
            }
            Pattern::Tuple(elems) => {
                for (index, elem) in elems.iter().enumerate() {
                    let part = self.read_field(&value, &index.to_string());
                    self.bind(elem, part);
                }
            }
            Pattern::Struct { path, fields } => {
                let prefix = self.variant_prefix(path);
                for (name, sub) in fields {
                    let part = self.read_field(&value, &format!("{prefix}{name}"));
                    self.bind(sub, part);
                }
            }
            Pattern::TupleStruct { path, elems } => {
                let prefix = self.variant_prefix(path);
                let is_wrapper = prefix.is_empty()
                    && matches!(
                        path.segments.last().map(String::as_str),
                        Some("Some" | "Ok" | "Err")
                    );
                let is_err = is_wrapper && path.segments.last().is_some_and(|last| last == "Err");
                for (index, elem) in elems.iter().enumerate() {
                    let part = if is_err {
                        self.error_side(&value)
                    } else if is_wrapper {
                        self.element(&value)
                    } else {
                        self.read_field(&value, &format!("{prefix}{index}"))
                    };
                    self.bind(elem, part);
                }
            }
            Pattern::Ref(inner) => self.bind(inner, value),
            Pattern::Slice(elems) => {
                let element = self.element(&value);
                for elem in elems {
                    self.bind(elem, element.clone());
                }
            }
            Pattern::Or(alternatives) => {
                for alternative in alternatives {
                    self.bind(alternative, value.clone());
                }
            }
            Pattern::Ignore => {}
        }
    }

    /// `Variant::` when a pattern or constructor path names an enum variant.
    fn variant_prefix(&self, path: &PathRef) -> String {
        match self.resolve(&path.segments) {
            Some(Def::Variant(_, variant)) => format!("{variant}::"),
            _ => String::new(),
        }
    }

    pub fn resolve(&self, segments: &[String]) -> Option<Def> {
        if segments.first().is_some_and(|first| first == "Self") {
            if let Some(Ty::Adt(id, _)) = &self.ty_context.self_ty {
                let id = *id;
                let rest = &segments[1..];
                return match rest {
                    [] => Some(Def::Type(id)),
                    [name]
                        if self.cx.index.types[id]
                            .def
                            .variants
                            .iter()
                            .any(|variant| variant.name == *name) =>
                    {
                        Some(Def::Variant(id, name.clone()))
                    }
                    [name] => self
                        .cx
                        .index
                        .methods
                        .get(&(id, name.clone()))
                        .and_then(|ids| ids.first())
                        .map(|id| Def::Fn(*id)),
                    _ => None,
                };
            }
        }
        self.cx
            .index
            .resolve_path(self.crate_index, &self.module, segments)
    }

    /// Part `name` of a value: tracked explicitly, else from its type's field tags.
    pub fn read_field(&self, value: &Value, name: &str) -> Value {
        // What the type says about the part holds whatever the part was built from:
        // a tagged field carries its tag even if a literal filled it.
        let mut typed = Value::default();
        match value.ty().autoderef() {
            Ty::Adt(id, _) => {
                let index = self.cx.index;
                let file = index.types[*id].file;
                if let Some(field) = index.field(*id, name) {
                    typed.ty = Some(index.field_ty(*id, field));
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
                if let Some(cell) = value.cell.and_then(|cell| self.cells.get(cell)) {
                    part.join(&self.read_field(&cell.clone(), name));
                }
                part
            }
        };
        part.taint.join(&value.taint);
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
                | Ty::Param(..)
                | Ty::Traits(_)
                | Ty::Adt(..)
                    if value.cell.is_none() =>
                {
                    let mut same = value.clone();
                    same.ty = Some(value.ty().element())
                        .filter(|ty| *ty != Ty::Unknown)
                        .or(same.ty);
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
                    _ => Value::default(),
                };
                if let Some((index, path)) = &value.param {
                    error.param = Some((*index, extend_param_path(path, ERR)));
                }
                error
            }
        };
        error.taint.join(&value.taint);
        error
    }

    fn element_without_cell(&self, value: &Value) -> Value {
        value.fields.get(ELEMENT).cloned().unwrap_or_default()
    }

    pub fn expr(&mut self, expr: &Expr) -> Value {
        match expr {
            Expr::Path { path, pos } => self.path_value(path, *pos),
            Expr::Field { base, name, .. } => {
                let base = self.expr(base);
                self.read_field(&base, name)
            }
            Expr::Index { base, index } => {
                let base = self.expr(base);
                self.expr(index);
                self.element(&base)
            }
            Expr::MethodCall {
                receiver,
                method,
                args,
                pos,
            } => self.method_call(receiver, method, args, *pos),
            Expr::Call { callee, args, pos } => self.call(callee, args, *pos),
            Expr::Macro {
                path,
                args,
                pos,
                tokens,
            } => self.macro_call(path, args, *pos, tokens),
            Expr::Struct {
                path, fields, rest, ..
            } => {
                let prefix = self.variant_prefix(path);
                let ty = match self.resolve(&path.segments) {
                    Some(Def::Type(id) | Def::Variant(id, _)) => Some(Ty::Adt(id, Vec::new())),
                    _ => None,
                };
                let mut value = match rest {
                    Some(rest) => self.expr(rest),
                    None => Value::default(),
                };
                value.ty = ty.or(value.ty);
                for (name, field) in fields {
                    let field_value = self.expr(field);
                    value.fields.insert(format!("{prefix}{name}"), field_value);
                }
                value
            }
            Expr::Tuple(elems) => {
                let mut value = Value::default();
                let mut types = Vec::new();
                for (index, elem) in elems.iter().enumerate() {
                    let part = self.expr(elem);
                    types.push(part.ty().clone());
                    value.fields.insert(index.to_string(), part);
                }
                value.ty = Some(Ty::Tuple(types));
                value
            }
            Expr::Array(elems) => {
                let mut element = Value::default();
                for elem in elems {
                    let part = self.expr(elem);
                    element.join(&part);
                }
                collection_of(element)
            }
            Expr::Wrap { kind, inner } => {
                let value = self.expr(inner);
                match kind {
                    Wrap::Try => self.element(&value),
                    Wrap::Deref => match value.cell {
                        Some(_) => self.element(&value),
                        None => value,
                    },
                    _ => value,
                }
            }
            Expr::Binary {
                left,
                right,
                comparison,
            } => {
                let left = self.expr(left);
                let right = self.expr(right);
                if *comparison {
                    // A comparison's result is a decision; implicit flows are not followed.
                    return Value::default();
                }
                let taint = self
                    .full(&left, Mode::All)
                    .joined(&self.full(&right, Mode::All));
                Value::tainted(taint)
            }
            Expr::Closure { params, body, .. } => self.closure(params, body),
            Expr::Block(block) | Expr::Async(block) => self.block(block),
            Expr::If {
                cond,
                then,
                otherwise,
            } => {
                self.scopes.push(BTreeMap::new());
                self.expr(cond);
                let before = self.snapshot();
                let mut value = self.block(then);
                let after_then = self.snapshot();
                self.scopes = before;
                if let Some(otherwise) = otherwise {
                    let other = self.expr(otherwise);
                    value.join(&other);
                }
                self.join_scopes(&after_then);
                self.scopes.pop();
                value
            }
            Expr::Let { pattern, value } => {
                let value = self.expr(value);
                self.bind(pattern, value);
                Value::default()
            }
            Expr::Match { scrutinee, arms } => {
                let scrutinee = self.expr(scrutinee);
                let before = self.snapshot();
                let mut result = Value::default();
                let mut after: Vec<Vec<BTreeMap<String, Value>>> = Vec::new();
                for arm in arms {
                    self.scopes = before.clone();
                    self.scopes.push(BTreeMap::new());
                    self.bind(&arm.pattern, scrutinee.clone());
                    if let Some(guard) = &arm.guard {
                        self.expr(guard);
                    }
                    let value = self.expr(&arm.body);
                    result.join(&value);
                    self.scopes.pop();
                    after.push(self.snapshot());
                }
                self.scopes = before;
                for state in &after {
                    self.join_scopes(state);
                }
                result
            }
            Expr::Loop(body) => {
                self.breaks.push(Value::default());
                self.repeat(|frame| {
                    frame.block(body);
                });
                self.breaks.pop().unwrap_or_default()
            }
            Expr::While { cond, body } => {
                self.repeat(|frame| {
                    frame.scopes.push(BTreeMap::new());
                    frame.expr(cond);
                    frame.block(body);
                    frame.scopes.pop();
                });
                Value::default()
            }
            Expr::For {
                pattern,
                iter,
                body,
            } => {
                let iterable = self.expr(iter);
                let element = self.element(&iterable);
                self.repeat(|frame| {
                    frame.scopes.push(BTreeMap::new());
                    frame.bind(pattern, element.clone());
                    frame.block(body);
                    frame.scopes.pop();
                });
                Value::default()
            }
            Expr::Assign {
                target,
                value,
                compound,
            } => {
                let value = self.expr(value);
                self.assign(target, value, *compound);
                Value::default()
            }
            Expr::Return(value) => {
                let value = value
                    .as_ref()
                    .map(|value| self.expr(value))
                    .unwrap_or_default();
                self.ret.join(&value);
                Value::default()
            }
            Expr::Break(value) => {
                let value = value
                    .as_ref()
                    .map(|value| self.expr(value))
                    .unwrap_or_default();
                if let Some(innermost) = self.breaks.last_mut() {
                    innermost.join(&value);
                }
                Value::default()
            }
            Expr::Continue | Expr::Lit => Value::default(),
        }
    }

    /// Runs a loop body until the locals stop changing (at most a few times), joining
    /// with the state before the loop, which may not run at all.
    fn repeat(&mut self, mut body: impl FnMut(&mut Self)) {
        let before = self.snapshot();
        for _ in 0..3 {
            let start = self.snapshot();
            body(self);
            self.join_scopes(&start);
            if scopes_fingerprint(&self.scopes) == scopes_fingerprint(&start) {
                break;
            }
        }
        self.join_scopes(&before);
    }

    fn path_value(&mut self, path: &PathRef, pos: crate::index::ir::Pos) -> Value {
        if let [name] = path.segments.as_slice() {
            if let Some(value) = self.lookup(name) {
                return value.clone();
            }
        }
        let _ = pos;
        match self.resolve(&path.segments) {
            Some(Def::Fn(id)) => Value {
                callable: Some(Callable::Function(id)),
                ..Value::default()
            },
            Some(Def::Type(id) | Def::Variant(id, _)) => Value::typed(Ty::Adt(id, Vec::new())),
            Some(Def::Static(id)) => self.static_value(id),
            _ => Value::default(),
        }
    }

    fn closure(&mut self, params: &[Param], body: &Expr) -> Value {
        let mut names = BTreeSet::new();
        super::free::names(body, &mut names);
        let captured: BTreeMap<String, Value> = names
            .into_iter()
            .filter_map(|name| self.lookup(&name).map(|value| (name, value.clone())))
            .collect();
        let closure = Arc::new(Closure {
            params: params.to_vec(),
            body: body.clone(),
            captured,
        });
        // Run it once as written, so that sinks inside see what it captures even if
        // the analysis cannot tell where it is called.
        let args: Vec<Value> = params
            .iter()
            .map(|param| Value::typed(self.lower_ty(&param.ty)))
            .collect();
        let before = self.snapshot();
        self.apply_closure(&closure, &args);
        self.scopes = before;
        Value {
            callable: Some(Callable::Closure(closure)),
            ..Value::default()
        }
    }

    pub fn apply_closure(&mut self, closure: &Closure, args: &[Value]) -> Value {
        if self.closure_depth >= MAX_CLOSURE_DEPTH {
            return Value::default();
        }
        self.closure_depth += 1;
        let mut scope = BTreeMap::new();
        for (name, value) in &closure.captured {
            if self.lookup(name).is_none() {
                scope.insert(name.clone(), value.clone());
            }
        }
        self.scopes.push(scope);
        self.scopes.push(BTreeMap::new());
        for (param, arg) in closure.params.iter().zip(args) {
            self.bind(&param.pattern, arg.clone());
        }
        let value = self.expr(&closure.body);
        self.scopes.pop();
        self.scopes.pop();
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

    // ---- places ----

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
        let mut path: Vec<String> = Vec::new();
        let mut weak = join;
        let mut cursor = target;
        loop {
            match cursor {
                Expr::Field { base, name, .. } => {
                    path.push(name.clone());
                    cursor = base;
                }
                Expr::Index { base, .. } => {
                    path.push(ELEMENT.to_owned());
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
        let Expr::Path { path: root, .. } = cursor else {
            return;
        };
        if let Some(Def::Static(id)) = (self.lookup_root(&root.segments))
            .then(|| self.resolve(&root.segments))
            .flatten()
        {
            let cell_value = self.static_value(id);
            if let Some(content) = cell_value.cell.and_then(|cell| self.cells.get_mut(cell)) {
                let inner: Vec<String> = path
                    .iter()
                    .filter(|segment| *segment != ELEMENT)
                    .cloned()
                    .collect();
                write_at(content, &inner, value, true);
            }
            return;
        }
        let [name] = root.segments.as_slice() else {
            return;
        };
        if let Some(alias) = self.aliases.get(name).cloned() {
            if let Some(slot) = self
                .scopes
                .iter_mut()
                .rev()
                .find_map(|scope| scope.get_mut(&alias))
            {
                write_at(slot, &path, value.clone(), true);
            }
        }
        let Some(scope_index) = self
            .scopes
            .iter()
            .rposition(|scope| scope.contains_key(name))
        else {
            return;
        };
        let Some(current) = self.scopes[scope_index].get(name).cloned() else {
            return;
        };
        // Through a parameter: the caller sees the write (if the parameter is `&mut`
        // or holds shared state).
        if let Some((index, param_path)) = &current.param {
            let shared = holds_shared_state(current.ty());
            if self.mutable_params.get(index).copied().unwrap_or(false) || shared || weak {
                let mut full_path = param_path.clone();
                full_path.extend(path.iter().cloned());
                let slot = self.writes.entry(*index).or_default();
                write_at(slot, &full_path, value.clone(), true);
            }
        }
        if let Some(cell) = current.cell {
            if let Some(content) = self.cells.get_mut(cell) {
                let inner_path: Vec<String> = path
                    .iter()
                    .filter(|segment| *segment != ELEMENT)
                    .cloned()
                    .collect();
                write_at(content, &inner_path, value.clone(), true);
            }
        }
        if let Some(slot) = self.scopes[scope_index].get_mut(name) {
            write_at(slot, &path, value, weak);
        }
    }

    /// The writes a callee's summary makes into its parameters, instantiated.
    fn apply_summary_writes(
        &mut self,
        id: FnId,
        args: &[Value],
        pos: crate::index::ir::Pos,
    ) -> BTreeMap<usize, Value> {
        let Some(summary) = self.cx.summaries.get(&id) else {
            return BTreeMap::new();
        };
        let step = self.step(pos, id);
        summary
            .writes
            .iter()
            .map(|(index, value)| (*index, self.instantiate(value, args, &step)))
            .collect()
    }

    pub fn step(&self, pos: crate::index::ir::Pos, callee: FnId) -> Step {
        Step {
            location: self.location(pos),
            note: Arc::from(format!(
                "passed to `{}`",
                self.cx.index.functions[callee].path
            )),
        }
    }

    // ---- calls ----

    /// Part `path` of an argument, as the callee's `Param` origin refers to it.
    fn project(&self, args: &[Value], index: usize, path: &[String]) -> Value {
        let mut value = args.get(index).cloned().unwrap_or_default();
        for segment in path {
            value = if segment == ELEMENT {
                self.element(&value)
            } else {
                self.read_field(&value, segment)
            };
        }
        value
    }

    fn instantiate_taint(&self, taint: &Taint, args: &[Value], step: &Step) -> Taint {
        self.instantiate_taint_cached(taint, args, step, &mut HashMap::new())
    }

    /// Replaces each `Param` origin by what the caller's argument carries there. The
    /// cache holds each projection once per call: a summary mentions the same
    /// parameter part in many places.
    fn instantiate_taint_cached(
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
                Origin::Tag { .. } => result.insert(origin.clone(), trace.clone()),
                Origin::Param { index, path } => {
                    let key = (*index, path.clone());
                    if !cache.contains_key(&key) {
                        let projected = self.project(args, *index, path);
                        let full = self.full(&projected, Mode::All);
                        cache.insert(key.clone(), full);
                    }
                    if let Some(full) = cache.get(&key) {
                        result.join(full);
                    }
                }
            }
        }
        result.with_step(step)
    }

    pub fn instantiate(&self, value: &Value, args: &[Value], step: &Step) -> Value {
        self.instantiate_cached(value, args, step, &mut HashMap::new())
    }

    fn instantiate_cached(
        &self,
        value: &Value,
        args: &[Value],
        step: &Step,
        cache: &mut ProjectionCache,
    ) -> Value {
        let mut result = Value {
            ty: value.ty.clone(),
            taint: self.instantiate_taint_cached(&value.taint, args, step, cache),
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
            let projected = self.project(args, *index, path);
            result.join(&projected);
        }
        result
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
        if let Some((sink, checked)) = sink_of(index, self.cx.policy, id) {
            for arg in checked {
                if let Some(value) = args.get(arg) {
                    let taint = self.full(value, Mode::All).with_step(&step);
                    self.hit(&sink, site, self.fn_id, taint, &BTreeSet::new(), &[]);
                }
            }
        }
        let summary = self.cx.summaries.get(&id).cloned();
        if let Some(summary) = &summary {
            for hit in &summary.hits {
                let taint = self.instantiate_taint(&hit.taint, &args, &step);
                self.hit(
                    &hit.sink,
                    hit.site,
                    hit.function,
                    taint,
                    &hit.purposes,
                    &hit.allows,
                );
            }
            for (param, written) in &summary.writes {
                let value = self.instantiate(written, &args, &step);
                if let Some(expr) = exprs.get(*param) {
                    self.assign(expr, value.clone(), true);
                }
                if let Some(cell) = args.get(*param).and_then(|arg| arg.cell) {
                    if let Some(content) = self.cells.get_mut(cell) {
                        content.join(&value);
                    }
                }
            }
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
        let mut value = summary
            .map(|summary| self.instantiate(&summary.ret, &args, &step))
            .unwrap_or_default();
        if let Some(declared) = self.return_type(id, &args) {
            typed_as(&mut value, &declared);
        }
        value
    }

    /// The declared return type of `id`, with `Self` as the receiver's type.
    fn return_type(&self, id: FnId, args: &[Value]) -> Option<Ty> {
        let function = &self.cx.index.functions[id];
        let ret = function.def.ret.as_ref()?;
        let self_ty = match &function.owner {
            Owner::Impl { self_ty, .. } => Some(self.cx.index.lower_ty(
                function.crate_index,
                &function.module,
                &TyContext::default(),
                self_ty,
            )),
            _ => args.first().map(|arg| arg.ty().clone()),
        };
        let context = TyContext {
            generics: Vec::new(),
            self_ty,
        };
        Some(
            self.cx
                .index
                .lower_ty(function.crate_index, &function.module, &context, ret),
        )
    }

    fn call(&mut self, callee: &Expr, args: &[Expr], pos: crate::index::ir::Pos) -> Value {
        let values: Vec<Value> = args.iter().map(|arg| self.expr(arg)).collect();
        let exprs: Vec<&Expr> = args.iter().collect();
        if let Expr::Path { path, .. } = callee {
            if let [name] = path.segments.as_slice() {
                if let Some(local) = self.lookup(name).cloned() {
                    if let Some(value) = self.apply_callable(&local, values.clone(), pos) {
                        return value;
                    }
                }
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
                    return value;
                }
                Some(Def::External(full)) => return self.external_call(&full, values, &exprs, pos),
                _ => {}
            }
            self.coverage.calls += 1;
            // `Type::default()`, `Type::from(..)`: a function of a workspace type that
            // the source does not define (derived or from a trait) returns the type.
            if let Some((_, owner)) = path.segments.split_last() {
                if let Some(Def::Type(id)) = self.resolve(owner) {
                    let mut value = self.unknown_call(values, &exprs);
                    value.ty = Some(Ty::Adt(id, Vec::new()));
                    return value;
                }
            }
            self.coverage.calls_unresolved += 1;
            return self.unknown_call(values, &exprs);
        }
        let callee_value = self.expr(callee);
        if let Some(value) = self.apply_callable(&callee_value, values.clone(), pos) {
            return value;
        }
        self.coverage.calls += 1;
        self.coverage.calls_unresolved += 1;
        self.unknown_call(values, &exprs)
    }

    /// A call no model describes: it returns what its arguments carried, and writes it
    /// into its `&mut` arguments.
    pub fn unknown_call(&mut self, values: Vec<Value>, exprs: &[&Expr]) -> Value {
        let mut taint = Taint::default();
        for value in &values {
            taint.join(&self.full(value, Mode::All));
        }
        for expr in exprs {
            if let Expr::Wrap {
                kind: Wrap::RefMut,
                inner,
            } = expr
            {
                self.assign(inner, Value::tainted(taint.clone()), true);
            }
        }
        Value::tainted(taint)
    }

    fn method_call(
        &mut self,
        receiver: &Expr,
        method: &str,
        args: &[Expr],
        pos: crate::index::ir::Pos,
    ) -> Value {
        let receiver_value = self.expr(receiver);
        let values: Vec<Value> = args.iter().map(|arg| self.expr(arg)).collect();
        if method == "into" {
            // `x.into()` runs the workspace's `impl From<X> for Y`, when there is one.
            let conversions = self.conversions_of(receiver_value.ty());
            if !conversions.is_empty() {
                let mut result = Value::default();
                for id in conversions {
                    let converted =
                        self.apply_call(id, vec![receiver_value.clone()], &[receiver], pos);
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
            let mut result: Option<Value> = None;
            for id in candidates {
                let value = self.apply_call(id, all_args.clone(), &exprs, pos);
                result = Some(match result {
                    Some(current) => current.joined(&value),
                    None => value,
                });
            }
            return result.unwrap_or_default();
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
    fn method_candidates(&self, ty: &Ty, method: &str) -> Vec<FnId> {
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
            }
            _ => {}
        }
        if candidates.is_empty() && matches!(ty.autoderef(), Ty::Unknown) {
            // An unknown receiver: a trait method declared a sink is still a sink.
            let traits: Vec<usize> = (0..index.traits.len())
                .filter(|trait_id| {
                    index.traits[*trait_id]
                        .methods
                        .get(method)
                        .is_some_and(|decl| index.functions[*decl].def.tags.sink.is_some())
                })
                .collect();
            if let [only] = traits.as_slice() {
                candidates.extend(self.trait_candidates(*only, method));
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
    }

    /// `fn from` of every workspace `impl From<T> for _` where `T` is `ty`.
    fn conversions_of(&self, ty: &Ty) -> Vec<FnId> {
        match ty.autoderef() {
            Ty::Adt(source, _) => self.cx.conversions.get(source).cloned().unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    fn trait_candidates(&self, trait_id: usize, method: &str) -> Vec<FnId> {
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

    fn macro_call(
        &mut self,
        path: &PathRef,
        args: &MacroArgs,
        pos: crate::index::ir::Pos,
        tokens: &str,
    ) -> Value {
        let policy = self.cx.policy;
        let resolved = self.cx.index.resolve_macro(
            self.crate_index,
            &self.module,
            &path.segments,
            &|candidate| policy.sink_for_macro(candidate).is_some(),
        );
        let name = path.segments.last().map(String::as_str).unwrap_or_default();
        let sink = policy.sink_for_macro(&resolved).map(|sink| sink.id.clone());
        if sink.is_none() {
            if let Some(value) = self.expand_workspace_macro(name, tokens, pos) {
                return value;
            }
        }
        if matches!(args, MacroArgs::NotUnderstood) {
            self.coverage.macros_not_understood += 1;
        }
        let site = self.location(pos);
        match args {
            MacroArgs::Format { args } => {
                let mut values: Vec<(Value, bool)> = Vec::new();
                for arg in args {
                    let value = self.expr(&arg.expr);
                    values.push((value, arg.debug));
                }
                let is_write = matches!(name, "write" | "writeln") && !args.is_empty();
                let skip = usize::from(is_write);
                let mut taint = Taint::default();
                for (value, debug) in values.iter().skip(skip) {
                    let formatted = self.formatted(value, *debug, pos);
                    taint.join(&formatted);
                }
                if let Some(sink) = &sink {
                    let step = Step {
                        location: site,
                        note: Arc::from(format!("formatted by `{name}!`")),
                    };
                    self.hit(
                        sink,
                        site,
                        self.fn_id,
                        taint.with_step(&step),
                        &BTreeSet::new(),
                        &[],
                    );
                }
                if is_write {
                    if let Some(first) = args.first() {
                        self.assign(&first.expr, Value::tainted(taint.clone()), true);
                    }
                    return Value::default();
                }
                if name == "dbg" {
                    return values
                        .into_iter()
                        .next()
                        .map(|(value, _)| value)
                        .unwrap_or_default();
                }
                if matches!(name, "bail" | "ensure") {
                    // `bail!(..)` returns `Err(anyhow!(..))` from the function.
                    self.ret.join(&Value::tainted(taint.clone()));
                }
                Value::tainted(taint)
            }
            MacroArgs::Expressions(exprs) => {
                let mut element = Value::default();
                let mut taint = Taint::default();
                for expr in exprs {
                    let value = self.expr(expr);
                    let mode = if name == "json" {
                        Mode::Serialize
                    } else {
                        Mode::All
                    };
                    taint.join(&self.full(&value, mode));
                    element.join(&value);
                }
                if let Some(sink) = &sink {
                    self.hit(sink, site, self.fn_id, taint.clone(), &BTreeSet::new(), &[]);
                }
                match name {
                    "vec" => collection_of(element),
                    _ => Value::tainted(taint),
                }
            }
            MacroArgs::NotUnderstood => Value::default(),
        }
    }
}

/// How many parts deep a parameter origin is told apart. A longer path stands for its
/// prefix as a whole: recursion over a parameter's parts (a tree walk) would otherwise
/// invent new origins on every pass and never settle.
const MAX_PARAM_PATH: usize = 2;

fn extend_param_path(path: &[String], segment: &str) -> Vec<String> {
    let mut path = path.to_vec();
    if path.len() < MAX_PARAM_PATH {
        path.push(segment.to_owned());
    }
    path
}

/// Gives `value` and its element and tuple parts the types `ty` says, where the
/// analysis did not know them (a `let` annotation, a declared return type).
fn typed_as(value: &mut Value, ty: &Ty) {
    if *ty == Ty::Unknown {
        return;
    }
    let known = value.ty.as_ref().is_some_and(|current| {
        *current != Ty::Unknown
            && !matches!(current, Ty::Wrapper(_, args) if args.contains(&Ty::Unknown))
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

/// Writes `value` at `path` inside `slot` (a strong update, unless `weak`).
fn write_at(slot: &mut Value, path: &[String], value: Value, weak: bool) {
    match path.split_first() {
        None if weak => slot.join(&value),
        None => {
            let ty = slot.ty.clone();
            *slot = value;
            if slot.ty.is_none() {
                slot.ty = ty;
            }
        }
        Some((first, rest)) => {
            let part = slot.fields.entry_mut(first);
            write_at(part, rest, value, weak);
        }
    }
}

fn holds_shared_state(ty: &Ty) -> bool {
    match ty {
        Ty::Wrapper(Wrapper::Lock | Wrapper::Sender, _) => true,
        Ty::Wrapper(_, args) => args.iter().any(holds_shared_state),
        _ => false,
    }
}

/// Cells belong to one analysis; a summary's values must not point into them.
fn strip_cells(mut value: Value) -> Value {
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

fn scopes_fingerprint(scopes: &[BTreeMap<String, Value>]) -> usize {
    fn size(value: &Value, depth: usize) -> usize {
        let mut total = value.taint.0.len() + usize::from(value.param.is_some());
        if depth < 8 {
            total += value
                .fields
                .values()
                .map(|field| 1 + size(field, depth + 1))
                .sum::<usize>();
        }
        total
    }
    scopes
        .iter()
        .flat_map(|scope| scope.values())
        .map(|value| size(value, 0))
        .sum()
}
