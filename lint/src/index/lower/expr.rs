//! Bodies: expressions, statements, patterns and macro calls.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::parse::Parser as _;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;

use super::super::ir::{
    Arm, Block, ClosureDef, Expr, FormatArg, MacroArgs, MacroCall, Name, Param, PathRef, Pattern,
    Stmt, StructLiteral, Wrap,
};
use super::format::{Placeholder, placeholders};
use super::{Lowerer, name, pos, ty};

impl Lowerer<'_> {
    pub(super) fn block(&mut self, block: &syn::Block) -> Block {
        Block {
            stmts: block
                .stmts
                .iter()
                .filter_map(|stmt| self.stmt(stmt))
                .collect(),
        }
    }

    fn stmt(&mut self, stmt: &syn::Stmt) -> Option<Stmt> {
        match stmt {
            syn::Stmt::Local(local) => {
                let (pattern, ty) = match &local.pat {
                    syn::Pat::Type(typed) => {
                        (self.pattern(&typed.pat), Some(ty::type_ref(&typed.ty)))
                    }
                    other => (self.pattern(other), None),
                };
                Some(Stmt::Let(Box::new(crate::index::ir::Let {
                    pattern,
                    ty,
                    init: local.init.as_ref().map(|init| self.expr(&init.expr)),
                    otherwise: local
                        .init
                        .as_ref()
                        .and_then(|init| init.diverge.as_ref())
                        .map(|(_, diverge)| Block {
                            stmts: vec![Stmt::Expr(self.expr(diverge))],
                        }),
                })))
            }
            syn::Stmt::Expr(expr, None) => Some(Stmt::Expr(self.expr(expr))),
            syn::Stmt::Expr(expr, Some(_)) => Some(Stmt::Semi(self.expr(expr))),
            syn::Stmt::Macro(mac) => Some(Stmt::Expr(self.macro_call(&mac.mac))),
            syn::Stmt::Item(item) => self.item(item).map(|item| Stmt::Item(Box::new(item))),
        }
    }

    pub(super) fn pattern(&mut self, pattern: &syn::Pat) -> Pattern {
        match pattern {
            syn::Pat::Ident(ident) => Pattern::Binding {
                name: name(&ident.ident),
                by_ref: ident.by_ref.is_some(),
                mutable: ident.mutability.is_some(),
                sub: ident
                    .subpat
                    .as_ref()
                    .map(|(_, sub)| Box::new(self.pattern(sub))),
                pos: pos(ident.ident.span()),
            },
            syn::Pat::Tuple(tuple) => {
                Pattern::Tuple(tuple.elems.iter().map(|elem| self.pattern(elem)).collect())
            }
            syn::Pat::Struct(pattern) => Pattern::Struct {
                path: ty::path(&pattern.path),
                fields: pattern
                    .fields
                    .iter()
                    .map(|field| (member(&field.member), self.pattern(&field.pat)))
                    .collect(),
            },
            syn::Pat::TupleStruct(pattern) => Pattern::TupleStruct {
                path: ty::path(&pattern.path),
                elems: pattern
                    .elems
                    .iter()
                    .map(|elem| self.pattern(elem))
                    .collect(),
            },
            syn::Pat::Reference(reference) => Pattern::Ref(Box::new(self.pattern(&reference.pat))),
            syn::Pat::Slice(slice) => {
                Pattern::Slice(slice.elems.iter().map(|elem| self.pattern(elem)).collect())
            }
            syn::Pat::Or(or) => {
                Pattern::Or(or.cases.iter().map(|case| self.pattern(case)).collect())
            }
            syn::Pat::Paren(paren) => self.pattern(&paren.pat),
            syn::Pat::Type(typed) => self.pattern(&typed.pat),
            syn::Pat::Guard(guarded) => self.pattern(&guarded.pat),
            _ => Pattern::Ignore,
        }
    }

    fn exprs<'a>(&mut self, exprs: impl IntoIterator<Item = &'a syn::Expr>) -> Vec<Expr> {
        exprs.into_iter().map(|expr| self.expr(expr)).collect()
    }

    fn boxed(&mut self, expr: &syn::Expr) -> Box<Expr> {
        Box::new(self.expr(expr))
    }

    fn wrap(&mut self, kind: Wrap, inner: &syn::Expr) -> Expr {
        Expr::Wrap {
            kind,
            inner: self.boxed(inner),
        }
    }

    pub(super) fn expr(&mut self, expr: &syn::Expr) -> Expr {
        match expr {
            syn::Expr::Path(path) => Expr::Path {
                path: ty::path(&path.path),
                pos: pos(path
                    .path
                    .segments
                    .last()
                    .map_or_else(|| path.span(), |segment| segment.ident.span())),
            },
            syn::Expr::Field(field) => Expr::Field {
                base: self.boxed(&field.base),
                name: member(&field.member),
                pos: pos(field.member.span()),
            },
            // `v[a..b]` is a part of the same collection, not one element of it: the
            // bounds are evaluated, the value is the base.
            syn::Expr::Index(index) if matches!(&*index.index, syn::Expr::Range(_)) => {
                Expr::Block(Block {
                    stmts: vec![
                        Stmt::Semi(self.expr(&index.index)),
                        Stmt::Expr(self.expr(&index.expr)),
                    ],
                })
            }
            syn::Expr::Index(index) => Expr::Index {
                base: self.boxed(&index.expr),
                index: self.boxed(&index.index),
                by_name: matches!(
                    &*index.index,
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(_),
                        ..
                    })
                ),
            },
            syn::Expr::MethodCall(call) => Expr::MethodCall {
                receiver: self.boxed(&call.receiver),
                method: name(&call.method),
                args: self.exprs(&call.args),
                pos: pos(call.method.span()),
                turbofish: call
                    .turbofish
                    .as_ref()
                    .and_then(|turbofish| turbofish.args.first())
                    .and_then(|arg| match arg {
                        syn::GenericArgument::Type(ty) => Some(Box::new(ty::type_ref(ty))),
                        _ => None,
                    }),
            },
            syn::Expr::Call(call) => {
                let name_span = match &*call.func {
                    syn::Expr::Path(path) => path
                        .path
                        .segments
                        .last()
                        .map(|segment| segment.ident.span()),
                    _ => None,
                };
                Expr::Call {
                    callee: self.boxed(&call.func),
                    args: self.exprs(&call.args),
                    pos: pos(name_span.unwrap_or_else(|| call.func.span())),
                }
            }
            syn::Expr::Macro(mac) => self.macro_call(&mac.mac),
            syn::Expr::Struct(literal) => Expr::Struct(Box::new(StructLiteral {
                path: ty::path(&literal.path),
                fields: literal
                    .fields
                    .iter()
                    .map(|field| (member(&field.member), self.expr(&field.expr)))
                    .collect(),
                rest: literal.rest.as_ref().map(|rest| self.boxed(rest)),
                pos: pos(literal.path.span()),
            })),
            syn::Expr::Tuple(tuple) => Expr::Tuple(self.exprs(&tuple.elems)),
            syn::Expr::Array(array) => Expr::Array(self.exprs(&array.elems)),
            syn::Expr::Repeat(repeat) => Expr::Array(vec![self.expr(&repeat.expr)]),
            syn::Expr::Reference(reference) => {
                let kind = if reference.mutability.is_some() {
                    Wrap::RefMut
                } else {
                    Wrap::Ref
                };
                self.wrap(kind, &reference.expr)
            }
            syn::Expr::RawAddr(raw) => self.wrap(Wrap::Ref, &raw.expr),
            syn::Expr::Unary(unary) => {
                let kind = match unary.op {
                    syn::UnOp::Deref(_) => Wrap::Deref,
                    syn::UnOp::Not(_) => Wrap::Not,
                    _ => Wrap::Neg,
                };
                self.wrap(kind, &unary.expr)
            }
            syn::Expr::Try(attempt) => self.wrap(Wrap::Try, &attempt.expr),
            syn::Expr::Await(wait) => self.wrap(Wrap::Await, &wait.base),
            syn::Expr::Cast(cast) => self.wrap(Wrap::Cast, &cast.expr),
            syn::Expr::Paren(paren) => self.wrap(Wrap::Paren, &paren.expr),
            syn::Expr::Group(group) => self.wrap(Wrap::Paren, &group.expr),
            syn::Expr::Binary(binary) => {
                let (left, right) = (self.boxed(&binary.left), self.boxed(&binary.right));
                if is_compound_assignment(&binary.op) {
                    Expr::Assign {
                        target: left,
                        value: right,
                        compound: true,
                    }
                } else {
                    let comparison = matches!(
                        binary.op,
                        syn::BinOp::Eq(_)
                            | syn::BinOp::Ne(_)
                            | syn::BinOp::Lt(_)
                            | syn::BinOp::Le(_)
                            | syn::BinOp::Gt(_)
                            | syn::BinOp::Ge(_)
                            | syn::BinOp::And(_)
                            | syn::BinOp::Or(_)
                    );
                    Expr::Binary {
                        left,
                        right,
                        comparison,
                    }
                }
            }
            syn::Expr::Assign(assign) => Expr::Assign {
                target: self.boxed(&assign.left),
                value: self.boxed(&assign.right),
                compound: false,
            },
            syn::Expr::Closure(closure) => {
                Expr::Closure(std::sync::Arc::new(closure_def(ClosureDef {
                    params: closure
                        .inputs
                        .iter()
                        .map(|input| match input {
                            syn::Pat::Type(typed) => Param {
                                pattern: self.pattern(&typed.pat),
                                ty: ty::type_ref(&typed.ty),
                            },
                            other => Param {
                                pattern: self.pattern(other),
                                ty: super::super::ir::TypeRef::Opaque,
                            },
                        })
                        .collect(),
                    body: self.expr(&closure.body),
                    is_move: closure.capture.is_some(),
                    pos: pos(closure.inputs_begin.span),
                    mentions: Vec::new(),
                })))
            }
            syn::Expr::Block(block) => Expr::Block(self.block(&block.block)),
            syn::Expr::Unsafe(block) => Expr::Block(self.block(&block.block)),
            syn::Expr::Const(block) => Expr::Block(self.block(&block.block)),
            syn::Expr::TryBlock(block) => Expr::Block(self.block(&block.block)),
            syn::Expr::Async(block) => Expr::Async(self.block(&block.block)),
            syn::Expr::If(branch) => Expr::If {
                cond: self.boxed(&branch.cond),
                then: self.block(&branch.then_branch),
                otherwise: branch
                    .else_branch
                    .as_ref()
                    .map(|(_, otherwise)| self.boxed(otherwise)),
            },
            syn::Expr::Let(binding) => Expr::Let {
                pattern: Box::new(self.pattern(&binding.pat)),
                value: self.boxed(&binding.expr),
            },
            syn::Expr::Match(choice) => Expr::Match {
                scrutinee: self.boxed(&choice.expr),
                arms: choice
                    .arms
                    .iter()
                    .map(|arm| {
                        // syn 3 keeps a match guard inside the arm's pattern.
                        let (pattern, guard) = match &arm.pat {
                            syn::Pat::Guard(guarded) => {
                                (&*guarded.pat, Some(self.expr(&guarded.guard)))
                            }
                            other => (other, None),
                        };
                        Arm {
                            pattern: self.pattern(pattern),
                            guard,
                            body: self.expr(&arm.body),
                        }
                    })
                    .collect(),
            },
            syn::Expr::Loop(body) => Expr::Loop(self.block(&body.body)),
            syn::Expr::While(body) => Expr::While {
                cond: self.boxed(&body.cond),
                body: self.block(&body.body),
            },
            syn::Expr::ForLoop(body) => Expr::For {
                pattern: Box::new(self.pattern(&body.pat)),
                iter: self.boxed(&body.expr),
                body: self.block(&body.body),
            },
            syn::Expr::Return(ret) => {
                Expr::Return(ret.expr.as_ref().map(|value| self.boxed(value)))
            }
            syn::Expr::Break(brk) => Expr::Break(brk.expr.as_ref().map(|value| self.boxed(value))),
            syn::Expr::Yield(yielded) => {
                Expr::Return(yielded.expr.as_ref().map(|value| self.boxed(value)))
            }
            syn::Expr::Continue(_) => Expr::Continue,
            syn::Expr::Range(range) => Expr::Tuple(
                range
                    .start
                    .iter()
                    .chain(range.end.iter())
                    .map(|bound| self.expr(bound))
                    .collect(),
            ),
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) => self.string_constant(&text.value()),
            _ => Expr::Lit,
        }
    }

    /// A string constant: a known host's URL says where a request built from it goes;
    /// any other carries nothing.
    fn string_constant(&self, text: &str) -> Expr {
        match self.policy.sink_for_url(text) {
            Some(sink) => Expr::Url {
                sink: std::sync::Arc::from(sink),
            },
            None => Expr::Lit,
        }
    }

    /// The sink of the first known host named by a string literal anywhere in a
    /// constant's initializer (`"https://api.openai.com/v1"`, `concat!(..)`, a match of
    /// them): the constant says where a request built from it goes.
    pub(super) fn constant_destination(&self, init: &syn::Expr) -> Option<std::sync::Arc<str>> {
        let mut pending = vec![quote::ToTokens::to_token_stream(init)];
        while let Some(tokens) = pending.pop() {
            for token in tokens {
                match token {
                    TokenTree::Group(group) => pending.push(group.stream()),
                    TokenTree::Literal(literal) => {
                        let Ok(text) =
                            syn::parse2::<syn::LitStr>(TokenTree::Literal(literal).into())
                        else {
                            continue;
                        };
                        if let Some(sink) = self.policy.sink_for_url(&text.value()) {
                            return Some(std::sync::Arc::from(sink));
                        }
                    }
                    TokenTree::Ident(_) | TokenTree::Punct(_) => {}
                }
            }
        }
        None
    }

    /// A macro call. The format family, `vec!`, `json!` and the tracing/log field
    /// syntax are understood; other macros whose arguments parse as expressions pass
    /// those on; anything else is counted as not understood.
    pub(super) fn macro_call(&mut self, mac: &syn::Macro) -> Expr {
        let path = ty::path(&mac.path);
        let name = path.segments.last().cloned().unwrap_or_default();
        let macro_pos = pos(mac
            .path
            .segments
            .last()
            .map_or_else(|| mac.path.span(), |segment| segment.ident.span()));
        // `tokio::select!` is code the workspace wrote, run as a `match` would.
        let is_select = matches!(name.as_str(), "select" | "select_biased")
            && path.segments.len() <= 2
            && path
                .segments
                .first()
                .is_some_and(|first| matches!(first.as_str(), "tokio" | "futures" | "select"));
        if let Some(expr) = is_select
            .then(|| super::select::select_as_match(mac.tokens.clone()))
            .flatten()
            .and_then(|stream| syn::parse2::<syn::Expr>(stream).ok())
        {
            return self.expr(&expr);
        }
        let args = match name.as_str() {
            "json" => MacroArgs::Expressions(self.json_values(mac.tokens.clone())),
            "vec" => match self
                .comma_exprs(mac.tokens.clone())
                .or_else(|| self.repeat_expr(mac.tokens.clone()))
            {
                Some(exprs) => MacroArgs::Expressions(exprs),
                None => MacroArgs::NotUnderstood,
            },
            _ => self.field_or_format_args(mac.tokens.clone()),
        };
        if matches!(args, MacroArgs::NotUnderstood) {
            self.macros_not_understood += 1;
        }
        Expr::Macro(Box::new(MacroCall {
            path,
            args,
            pos: macro_pos,
            tokens: std::sync::Arc::from(mac.tokens.to_string()),
        }))
    }

    fn comma_exprs(&mut self, tokens: TokenStream) -> Option<Vec<Expr>> {
        let parsed = Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated
            .parse2(tokens)
            .ok()?;
        Some(self.exprs(&parsed))
    }

    /// `vec![value; count]`
    fn repeat_expr(&mut self, tokens: TokenStream) -> Option<Vec<Expr>> {
        let chunks = split_top_level(tokens, ';');
        let value = syn::parse2::<syn::Expr>(chunks.into_iter().next()?).ok()?;
        Some(vec![self.expr(&value)])
    }

    /// The arguments of the format family and of tracing/log macros: each top-level
    /// comma-separated chunk, with `name = `, `target: `, `%` and `?` prefixes peeled
    /// off; a leading string literal is the format string, whose placeholders say which
    /// arguments are formatted with `Debug` and which names are captured implicitly.
    fn field_or_format_args(&mut self, tokens: TokenStream) -> MacroArgs {
        let mut args: Vec<FormatArg> = Vec::new();
        let mut named: Vec<(String, usize)> = Vec::new();
        // The format string, and how many arguments came before it (`write!`'s
        // destination): placeholders count from the argument after it.
        let mut format: Option<(String, proc_macro2::Span, usize)> = None;
        // tracing's `{ field, ?field, name = value }` block: its fields are arguments.
        let chunks = split_top_level(tokens, ',').into_iter().flat_map(|chunk| {
            let trees: Vec<TokenTree> = chunk.clone().into_iter().collect();
            match trees.as_slice() {
                [TokenTree::Group(group)] if group.delimiter() == Delimiter::Brace => {
                    split_top_level(group.stream(), ',')
                }
                _ => vec![chunk],
            }
        });
        for chunk in chunks {
            if chunk.is_empty() {
                continue;
            }
            let (name, debug_sigil, rest) = peel_field_prefix(chunk);
            if rest.is_empty() {
                continue;
            }
            let Ok(expr) = syn::parse2::<syn::Expr>(rest) else {
                return MacroArgs::NotUnderstood;
            };
            if let (
                None,
                true,
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(text),
                    ..
                }),
            ) = (&format, name.is_none(), &expr)
            {
                format = Some((text.value(), text.span(), args.len()));
                continue;
            }
            if let Some(name) = name {
                named.push((name, args.len()));
            }
            args.push(FormatArg {
                expr: self.expr(&expr),
                debug: debug_sigil,
            });
        }
        let Some((format, span, first)) = format else {
            return MacroArgs::Format { args };
        };
        let explicit = args.len();
        let mut next = first;
        for placeholder in placeholders(&format) {
            let (target, debug) = match placeholder {
                Placeholder::Next { debug } => {
                    next += 1;
                    (Some(next - 1), debug)
                }
                Placeholder::Index { index, debug } => (Some(first + index), debug),
                Placeholder::Name { name, debug } => {
                    match named.iter().find(|(named, _)| *named == name) {
                        Some((_, index)) => (Some(*index), debug),
                        None => {
                            // An implicit capture: `{email}` reads the local `email`.
                            args.push(FormatArg {
                                expr: Expr::Path {
                                    path: PathRef {
                                        segments: vec![name.into()],
                                        ..PathRef::default()
                                    },
                                    pos: pos(span),
                                },
                                debug,
                            });
                            (None, debug)
                        }
                    }
                }
            };
            if let Some(arg) = target
                .filter(|index| *index < explicit)
                .and_then(|index| args.get_mut(index))
            {
                arg.debug |= debug;
            }
        }
        // `format!("https://api.openai.com/{path}")`: the string it makes names the host.
        if let url @ Expr::Url { .. } = self.string_constant(&format) {
            args.push(FormatArg {
                expr: url,
                debug: false,
            });
        }
        MacroArgs::Format { args }
    }

    /// The values of `json!({...})`: every leaf that is not a key.
    fn json_values(&mut self, tokens: TokenStream) -> Vec<Expr> {
        let mut values = Vec::new();
        self.collect_json(tokens, &mut values);
        values
    }

    fn collect_json(&mut self, tokens: TokenStream, values: &mut Vec<Expr>) {
        let tokens: Vec<TokenTree> = tokens.into_iter().collect();
        if let [TokenTree::Group(group)] = tokens.as_slice()
            && matches!(group.delimiter(), Delimiter::Brace | Delimiter::Bracket)
        {
            let is_object = group.delimiter() == Delimiter::Brace;
            for entry in split_top_level(group.stream(), ',') {
                let value = if is_object {
                    split_top_level(entry, ':')
                        .into_iter()
                        .nth(1)
                        .unwrap_or_default()
                } else {
                    entry
                };
                self.collect_json(value, values);
            }
            return;
        }
        let stream: TokenStream = tokens.into_iter().collect();
        if stream.is_empty() {
            return;
        }
        match syn::parse2::<syn::Expr>(stream) {
            Ok(expr) => values.push(self.expr(&expr)),
            Err(_) => self.macros_not_understood += 1,
        }
    }
}

/// `a.b` and `a.0` as a field name.
fn member(member: &syn::Member) -> Name {
    match member {
        syn::Member::Named(ident) => name(ident),
        syn::Member::Unnamed(index) => smol_str::format_smolstr!("{}", index.index),
    }
}

fn is_compound_assignment(op: &syn::BinOp) -> bool {
    matches!(
        op,
        syn::BinOp::AddAssign(_)
            | syn::BinOp::SubAssign(_)
            | syn::BinOp::MulAssign(_)
            | syn::BinOp::DivAssign(_)
            | syn::BinOp::RemAssign(_)
            | syn::BinOp::BitXorAssign(_)
            | syn::BinOp::BitAndAssign(_)
            | syn::BinOp::BitOrAssign(_)
            | syn::BinOp::ShlAssign(_)
            | syn::BinOp::ShrAssign(_)
    )
}

/// Splits a token stream at top-level `separator` punctuation.
pub(super) fn split_top_level(tokens: TokenStream, separator: char) -> Vec<TokenStream> {
    let mut chunks = vec![Vec::new()];
    let mut previous_was_colon = false;
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    for (index, tree) in trees.iter().enumerate() {
        if let TokenTree::Punct(punct) = tree {
            let is_path_colon = separator == ':'
                && punct.as_char() == ':'
                && (previous_was_colon
                    || matches!(trees.get(index + 1), Some(TokenTree::Punct(next)) if next.as_char() == ':'));
            previous_was_colon = punct.as_char() == ':';
            if punct.as_char() == separator && !is_path_colon {
                chunks.push(Vec::new());
                continue;
            }
        } else {
            previous_was_colon = false;
        }
        if let Some(chunk) = chunks.last_mut() {
            chunk.push(tree.clone());
        }
    }
    chunks
        .into_iter()
        .map(|chunk| chunk.into_iter().collect())
        .collect()
}

/// Peels tracing/log prefixes off one argument: `name = %expr`, `name.sub = ?expr`,
/// `?expr`, `%expr`, `target: "x"`. Returns the field name, whether it is formatted
/// with `Debug` (`?`), and the expression's tokens.
fn peel_field_prefix(chunk: TokenStream) -> (Option<String>, bool, TokenStream) {
    let trees: Vec<TokenTree> = chunk.into_iter().collect();
    let mut start = 0;
    let mut name = None;
    // `ident (. ident)* =` but not `==`
    let mut cursor = 0;
    let mut dotted = Vec::new();
    while let Some(TokenTree::Ident(ident)) = trees.get(cursor) {
        dotted.push(ident.to_string());
        match trees.get(cursor + 1) {
            Some(TokenTree::Punct(punct)) if punct.as_char() == '.' => cursor += 2,
            _ => break,
        }
    }
    let after = cursor + 1;
    if !dotted.is_empty() {
        match (trees.get(after), trees.get(after + 1)) {
            (Some(TokenTree::Punct(eq)), next)
                if eq.as_char() == '='
                    && !matches!(next, Some(TokenTree::Punct(second)) if second.as_char() == '=') =>
            {
                name = Some(dotted.join("."));
                start = after + 1;
            }
            // `target: "..."`, `parent: span` in log/tracing: a key, not a path.
            (Some(TokenTree::Punct(colon)), next)
                if colon.as_char() == ':'
                    && dotted.len() == 1
                    && !matches!(next, Some(TokenTree::Punct(second)) if second.as_char() == ':') =>
            {
                return (Some(dotted.join(".")), false, TokenStream::new());
            }
            _ => {}
        }
    }
    let mut debug = false;
    if let Some(TokenTree::Punct(sigil)) = trees.get(start)
        && (sigil.as_char() == '?' || sigil.as_char() == '%')
    {
        debug = sigil.as_char() == '?';
        start += 1;
    }
    let rest: TokenStream = trees.into_iter().skip(start).collect();
    (name, debug, rest)
}

/// A closure with the names its body mentions filled in.
fn closure_def(mut def: ClosureDef) -> ClosureDef {
    let mut names = std::collections::BTreeSet::new();
    crate::index::free::names(&def.body, &mut names);
    def.mentions = names.into_iter().collect();
    def
}

impl Lowerer<'_> {
    /// `#[instrument(skip(a, b), skip_all, fields(k = %expr, ..), err, ret, ..)]`; the
    /// other options (`level`, `name`, `target`, ..) say nothing about data.
    pub(super) fn instrument(&mut self, attr: &syn::Attribute) -> super::super::ir::Instrument {
        let mut instrument = super::super::ir::Instrument {
            pos: super::pos(attr.pound_token.span),
            ..super::super::ir::Instrument::default()
        };
        let syn::Meta::List(list) = &attr.meta else {
            return instrument;
        };
        for option in split_top_level(list.tokens.clone(), ',') {
            let trees: Vec<TokenTree> = option.into_iter().collect();
            let (Some(TokenTree::Ident(name)), rest) = (trees.first(), trees.get(1)) else {
                continue;
            };
            let group = match rest {
                Some(TokenTree::Group(group)) => Some(group.stream()),
                _ => None,
            };
            match (name.to_string().as_str(), group) {
                ("skip_all", _) => instrument.skip_all = true,
                ("skip", Some(names)) => instrument.skip.extend(
                    split_top_level(names, ',')
                        .into_iter()
                        .map(|name| name.to_string().trim().to_owned()),
                ),
                ("fields", Some(fields)) => {
                    for field in split_top_level(fields, ',') {
                        if let Some(recorded) = self.instrument_field(field) {
                            instrument.fields.push(recorded);
                        }
                    }
                }
                ("err", _) => instrument.err = true,
                ("ret", _) => instrument.ret = true,
                _ => {}
            }
        }
        instrument
    }

    /// One `fields(...)` entry: `name = %expr`, `name = ?expr`, `name = expr`, `%name`,
    /// `?name`; `name` alone records nothing yet (an empty field).
    fn instrument_field(&mut self, field: TokenStream) -> Option<(Expr, bool)> {
        let trees: Vec<TokenTree> = field.into_iter().collect();
        let value_start = trees
            .iter()
            .position(|tree| matches!(tree, TokenTree::Punct(punct) if punct.as_char() == '='))
            .map_or(0, |equals| equals + 1);
        let mut value = &trees[value_start..];
        let mut debug = true;
        if let Some(TokenTree::Punct(sigil)) = value.first() {
            match sigil.as_char() {
                '%' => debug = false,
                '?' => {}
                _ => return None,
            }
            value = &value[1..];
        } else if value_start == 0 {
            return None;
        }
        let parsed = syn::parse2::<syn::Expr>(value.iter().cloned().collect()).ok()?;
        Some((self.expr(&parsed), debug))
    }
}
