//! The item tree: what the analysis needs of a file, lowered from syn inside the worker
//! that parsed it (syn trees are not `Send`). Names are strings as written; resolution
//! happens later, across files. Every node that a finding can point at keeps its
//! position.

use privflow_model::glob::FlowPattern;

/// An identifier or path segment as written. Most are short and live inline, so the
/// item tree does not allocate per name (a million lines hold millions of them).
pub type Name = smol_str::SmolStr;

/// 1-based line and column in the file.
#[derive(
    Debug,
    Clone,
    serde::Serialize,
    serde::Deserialize,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Default,
)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// A path as written: `crate::models::Contact`, `Vec<T>`, `Self`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq, Hash, Default)]
pub struct PathRef {
    pub segments: Vec<Name>,
    /// Generic arguments of the last segment that are types (`Vec<Contact>` → Contact).
    pub args: Vec<TypeRef>,
    /// `::std::...`
    pub absolute: bool,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq, Hash)]
pub enum TypeRef {
    Path(PathRef),
    /// `&T`, `&mut T`.
    Ref {
        mutable: bool,
        inner: Box<TypeRef>,
    },
    Tuple(Vec<TypeRef>),
    /// `[T]`, `[T; N]`.
    Slice(Box<TypeRef>),
    /// `impl A + B`, `dyn A + B`: the trait paths.
    Bounds(Vec<PathRef>),
    /// `fn(..) -> R`, `_`, `!`, macros in type position.
    Opaque,
}

/// Tags read from `#[data(...)]` through the shared grammar.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Default, PartialEq, Eq)]
pub struct DataTag {
    pub categories: Vec<String>,
    /// `None`: any purpose.
    pub purposes: Option<Vec<String>>,
    pub subject: Option<String>,
    pub retention: Option<String>,
    pub nested: bool,
    /// Where the attribute is, for "tagged here".
    pub pos: Pos,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FieldDef {
    /// `email`, or `0` for tuple fields.
    pub name: String,
    pub ty: TypeRef,
    pub tag: Option<DataTag>,
    /// `#[serde(skip)]` or `#[serde(skip_serializing)]`.
    pub serde_skip: bool,
    /// `#[from]` (thiserror): the derive writes `impl From<ThisFieldsType>` that builds
    /// the variant from it.
    pub from: bool,
    pub pos: Pos,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct VariantDef {
    pub name: String,
    pub fields: Vec<FieldDef>,
    pub tag: Option<DataTag>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Copy, PartialEq, Eq)]
pub enum TypeKind {
    Struct,
    Enum,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TypeDef {
    pub name: String,
    pub kind: TypeKind,
    /// Type parameters with their bounds (`struct Bot<G: Interactor>`: a field of type
    /// `G` dispatches to `Interactor`'s impls).
    pub generics: Vec<GenericParam>,
    pub fields: Vec<FieldDef>,
    pub variants: Vec<VariantDef>,
    /// The container's `#[data(...)]`: whole-type categories and defaults.
    pub tag: Option<DataTag>,
    /// Derived traits by last path segment (`Serialize`, `Debug`, `Classified`).
    pub derives: Vec<String>,
    pub pos: Pos,
}

/// The privflow attributes on a function (or inherited from its impl, trait or module).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Default)]
pub struct FnTags {
    pub sink: Option<SinkTag>,
    pub purposes: Vec<String>,
    /// `Some(vec![])`: the result carries nothing; `Some(to)`: only `to`.
    pub declassify: Option<Vec<String>>,
    pub allows: Vec<AllowTag>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SinkTag {
    pub sink: String,
    /// `None`: every parameter, `self` included.
    pub args: Option<Vec<String>>,
    pub pos: Pos,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AllowTag {
    pub flow: FlowPattern,
    pub reason: String,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct GenericParam {
    pub name: String,
    /// Trait bounds, from the parameter list and the where clause.
    pub bounds: Vec<PathRef>,
}

/// A type parameter of a `type` alias, with its default (`type Result<T, E = Error>`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AliasParam {
    pub name: String,
    pub default: Option<TypeRef>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Param {
    pub pattern: Pattern,
    pub ty: TypeRef,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Copy, PartialEq, Eq)]
pub enum Receiver {
    Value,
    Ref,
    RefMut,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FnDef {
    pub name: String,
    pub generics: Vec<GenericParam>,
    pub receiver: Option<Receiver>,
    pub params: Vec<Param>,
    pub ret: Option<TypeRef>,
    pub body: Option<Body>,
    pub tags: FnTags,
    pub is_async: bool,
    pub pos: Pos,
    /// `#[tracing::instrument]`: the span records arguments and fields (a `logs` sink).
    pub instrument: Option<Box<Instrument>>,
}

impl FnDef {
    /// The body's statements (decoded now if it was read back undecoded).
    pub fn block(&self) -> Option<&Block> {
        self.body.as_ref().map(Body::get)
    }
}

/// What a `#[tracing::instrument(...)]` span records.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Default)]
pub struct Instrument {
    /// The attribute: where its flows are reported.
    pub pos: Pos,
    pub skip_all: bool,
    /// Parameters named in `skip(...)` (`self` included).
    pub skip: Vec<String>,
    /// The values of `fields(name = expr, ...)`, each with whether it is recorded with
    /// `Debug` (`?`, and the default) or `Display` (`%`).
    pub fields: Vec<(Expr, bool)>,
    /// `err`: the returned error is recorded; `ret`: the returned value.
    pub err: bool,
    pub ret: bool,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ImplDef {
    pub self_ty: TypeRef,
    pub trait_path: Option<PathRef>,
    pub generics: Vec<GenericParam>,
    pub functions: Vec<FnDef>,
    /// Associated constants whose value names a known host: (name, sink).
    pub destinations: Vec<(String, std::sync::Arc<str>)>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct TraitDef {
    pub name: String,
    pub functions: Vec<FnDef>,
}

/// One name a `use` brings into a module: `alias` stands for `path` (or, for a glob,
/// everything in `path`).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Import {
    pub alias: String,
    pub path: Vec<String>,
    pub glob: bool,
    pub public: bool,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum ItemKind {
    Use(Vec<Import>),
    Type(TypeDef),
    Fn(FnDef),
    Impl(ImplDef),
    Trait(TraitDef),
    /// `extern crate log;`, with `#[macro_use]`.
    ExternCrate {
        name: String,
        macro_use: bool,
    },
    /// `static NAME: Ty = ..;` (and `thread_local!`-free statics): global state.
    Static {
        name: String,
        ty: TypeRef,
        /// The sink of the known host its initializer names, if any.
        destination: Option<std::sync::Arc<str>>,
    },
    /// `const NAME: &str = "https://api.openai.com/v1";`: a constant whose value names a
    /// known host (other constants carry nothing and are not kept).
    Destination {
        name: String,
        sink: std::sync::Arc<str>,
    },
    /// `macro_rules! name`.
    MacroRules(MacroRules),
    /// `type Name<T> = Ty;`: seen through wherever a type is resolved.
    TypeAlias {
        name: String,
        generics: Vec<AliasParam>,
        ty: TypeRef,
    },
}

/// A `macro_rules!` definition: its rules as token text, expanded where it is called.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MacroRules {
    pub name: String,
    pub rules: Vec<MacroRule>,
    /// The definition's name, for trace steps that say which macro a sink was inside.
    pub pos: Pos,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct MacroRule {
    pub matcher: String,
    pub transcriber: String,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Item {
    /// The module the item is in, relative to the crate root (inline modules included).
    pub module: Vec<String>,
    pub kind: ItemKind,
}

/// An attribute the shared grammar rejected; the linter reports it as
/// `invalid-attribute`, as the build does.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct AttrProblem {
    pub pos: Pos,
    pub message: String,
    pub help: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Default)]
pub struct FileIr {
    pub items: Vec<Item>,
    pub problems: Vec<AttrProblem>,
}

// ---- bodies ----

/// A function's body: lowered in this run, or read back from the file cache and
/// decoded only when something reads it (a warm run analyses few functions, and most
/// of a file's item tree is bodies).
pub type Body = crate::cache::encoded::Encoded<Block>;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Default)]
pub struct Block {
    pub stmts: Vec<Stmt>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Let {
    pub pattern: Pattern,
    pub ty: Option<TypeRef>,
    pub init: Option<Expr>,
    /// `let ... else { diverge }`.
    pub otherwise: Option<Block>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Stmt {
    /// Boxed: a `let` is the largest statement, and every statement of a block is as
    /// large as the largest (the item tree of a million lines is most of the memory).
    Let(Box<Let>),
    Expr(Expr),
    /// `expr;`: its value is discarded.
    Semi(Expr),
    /// A function declared inside a body.
    Item(Box<Item>),
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Pattern {
    Binding {
        name: Name,
        by_ref: bool,
        /// `mut name`: the code may mutate the local.
        mutable: bool,
        sub: Option<Box<Pattern>>,
        pos: Pos,
    },
    Tuple(Vec<Pattern>),
    /// `Contact { email, .. }`, `Event::Email { from, .. }`.
    Struct {
        path: PathRef,
        fields: Vec<(Name, Pattern)>,
    },
    /// `Some(x)`, `Event::Text(body)`.
    TupleStruct {
        path: PathRef,
        elems: Vec<Pattern>,
    },
    Ref(Box<Pattern>),
    Slice(Vec<Pattern>),
    Or(Vec<Pattern>),
    /// `_`, `..`, literals, ranges, paths without bindings.
    Ignore,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, Copy, PartialEq, Eq)]
pub enum Wrap {
    Ref,
    RefMut,
    Deref,
    /// `?`
    Try,
    Await,
    Cast,
    Neg,
    Not,
    Paren,
}

/// A macro's arguments as the analysis understands them.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum MacroArgs {
    /// `format!`-like: the format string's implicit `{name}` captures as paths, then
    /// the explicit arguments (named ones included), each with its formatting
    /// (`{:?}` is `debug`).
    Format { args: Vec<FormatArg> },
    /// `tracing::info!(user = %u.email, ?x, "msg {}", y)`: fields and message arguments.
    Expressions(Vec<Expr>),
    /// Tokens that parse as no expression list (`macro_rules!` calls with custom syntax).
    NotUnderstood,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FormatArg {
    pub expr: Expr,
    pub debug: bool,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct MacroCall {
    pub path: PathRef,
    pub args: MacroArgs,
    pub pos: Pos,
    /// The call's tokens as text, for expanding a workspace `macro_rules!`.
    pub tokens: std::sync::Arc<str>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StructLiteral {
    pub path: PathRef,
    pub fields: Vec<(Name, Expr)>,
    pub rest: Option<Box<Expr>>,
    pub pos: Pos,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub enum Expr {
    /// A local, a constant, a unit struct or a function path.
    Path {
        path: PathRef,
        pos: Pos,
    },
    Field {
        base: Box<Expr>,
        name: Name,
        pos: Pos,
    },
    Index {
        base: Box<Expr>,
        index: Box<Expr>,
        /// Indexed by a string literal (`json["prompt"]`): a named part, like a field.
        by_name: bool,
    },
    MethodCall {
        receiver: Box<Expr>,
        method: Name,
        args: Vec<Expr>,
        /// The method name's position: where a sink finding points.
        pos: Pos,
        /// The first type of a turbofish (`collect::<Options>()`).
        turbofish: Option<Box<TypeRef>>,
    },
    Call {
        callee: Box<Expr>,
        args: Vec<Expr>,
        /// The last segment of the callee path, when it is a path.
        pos: Pos,
    },
    /// Boxed, like [`Expr::Struct`]: the two largest variants would otherwise set the
    /// size of every expression.
    Macro(Box<MacroCall>),
    Struct(Box<StructLiteral>),
    Tuple(Vec<Expr>),
    Array(Vec<Expr>),
    Wrap {
        kind: Wrap,
        inner: Box<Expr>,
    },
    Binary {
        left: Box<Expr>,
        right: Box<Expr>,
        /// `==`, `<`, `&&`...: the result is a decision, not data.
        comparison: bool,
    },
    /// Shared: a closure value points at its definition instead of copying it.
    Closure(std::sync::Arc<ClosureDef>),
    Block(Block),
    Async(Block),
    If {
        cond: Box<Expr>,
        then: Block,
        otherwise: Option<Box<Expr>>,
    },
    /// The condition of `if let` / `while let`, and `let` chains.
    Let {
        pattern: Box<Pattern>,
        value: Box<Expr>,
    },
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<Arm>,
    },
    Loop(Block),
    While {
        cond: Box<Expr>,
        body: Block,
    },
    For {
        pattern: Box<Pattern>,
        iter: Box<Expr>,
        body: Block,
    },
    Assign {
        target: Box<Expr>,
        value: Box<Expr>,
        compound: bool,
    },
    Return(Option<Box<Expr>>),
    Break(Option<Box<Expr>>),
    Continue,
    /// A literal or anything that carries no data.
    Lit,
    /// A string constant holding a URL of a known host (`"https://api.openai.com/v1"`):
    /// a request built from it goes to `sink` (docs/sinks.md).
    Url {
        sink: std::sync::Arc<str>,
    },
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ClosureDef {
    pub params: Vec<Param>,
    pub body: Expr,
    pub is_move: bool,
    pub pos: Pos,
    /// The names its body mentions: what it may capture (computed once, when lowered).
    pub mentions: Vec<Name>,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Arm {
    pub pattern: Pattern,
    pub guard: Option<Expr>,
    pub body: Expr,
}
