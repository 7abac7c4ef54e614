//! Macro calls: the `format!` family, `tracing`/`log` fields, `json!`, `vec!`, macros a
//! policy declares sinks, and the workspace's own `macro_rules!`, expanded at the call
//! (once per call site) and analysed with every position pointing at the call.

use std::sync::Arc;

use super::frame::Frame;
use super::places::collection_of;
use super::types::Mode;
use super::value::{Step, Taint, Value};
use crate::index::ir::{Expr, MacroArgs, PathRef, Pos};
use crate::index::ty::Ty;

/// How deep workspace macros may expand into workspace macros.
const MAX_EXPANSION_DEPTH: usize = 8;

/// The most expanded tokens one analysis of a function may take in, over all its macro
/// calls and their nested calls: each expansion is bounded
/// ([`super::expand::MAX_EXPANSION_TOKENS`]), but one can hold many calls that expand
/// in turn. Past it, further calls are left unexpanded (macros not understood).
pub const MAX_EXPANDED_TOKENS_PER_FUNCTION: usize = 200_000;

/// A workspace macro call, expanded and lowered, with the trace note that says a sink
/// was reached inside it.
pub(crate) struct Expansion {
    pub expr: Expr,
    pub note: Arc<str>,
    /// Its tokens, groups' contents included.
    pub size: usize,
}

/// Workspace macro expansions by (call site, address of the call's tokens).
pub type ExpansionCache = std::sync::RwLock<foldhash::HashMap<Pos, Vec<CachedExpansion>>>;

/// One call's expansion, by what it expands: the macro and its tokens (at a position,
/// calls nested in an expansion share the outer call's).
pub struct CachedExpansion {
    name: Box<str>,
    tokens: Box<str>,
    expansion: Option<Arc<Expansion>>,
}

impl Frame<'_, '_> {
    /// Expands a call of a workspace `macro_rules!` and analyses the expansion, every
    /// position in it pointing at the call. `None` when there is no such macro or no
    /// rule matches.
    pub(super) fn expand_workspace_macro(
        &mut self,
        name: &str,
        tokens: &str,
        pos: Pos,
    ) -> Option<Value> {
        if !self.cx.index.macros.contains_key(name) || self.expanding.len() >= MAX_EXPANSION_DEPTH {
            return None;
        }
        // Keyed by the tokens themselves, not their address: tokens also live in
        // closures read back from the previous run, which may be freed and their
        // memory reused for other tokens.
        let known = self
            .cx
            .expansions
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&pos)
            .and_then(|calls| {
                calls
                    .iter()
                    .find(|call| &*call.name == name && &*call.tokens == tokens)
                    .map(|call| call.expansion.clone())
            });
        let expansion = match known {
            Some(known) => known,
            None => {
                let expansion = self.expand(name, tokens, pos).map(Arc::new);
                // The copy in the cache is the one analysed, whichever thread made it
                // (all threads then see the same expansion).
                let mut cache = self
                    .cx
                    .expansions
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let calls = cache.entry(pos).or_default();
                match calls
                    .iter()
                    .find(|call| &*call.name == name && &*call.tokens == tokens)
                {
                    Some(call) => call.expansion.clone(),
                    None => {
                        calls.push(CachedExpansion {
                            name: name.into(),
                            tokens: tokens.into(),
                            expansion: expansion.clone(),
                        });
                        expansion
                    }
                }
            }
        }?;
        self.expanded_tokens_left = self.expanded_tokens_left.checked_sub(expansion.size)?;
        self.expanding.push(expansion.note.clone());
        let value = self.expr(&expansion.expr);
        self.expanding.pop();
        Some(value)
    }

    /// The expansion of a workspace macro call, lowered (positions at the call).
    pub(super) fn expand(&self, name: &str, tokens: &str, pos: Pos) -> Option<Expansion> {
        let definitions = self.cx.index.macros.get(name)?;
        let definition = definitions
            .iter()
            .find(|definition| definition.crate_index == self.crate_index)
            .or_else(|| definitions.first())?;
        let defining_crate = self.cx.index.crate_names.get(definition.crate_index)?;
        let (expansion, size) =
            super::expand::expand(&definition.rules.rules, tokens, defining_crate)?;
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
        let defined = &definition.location;
        let note = format!(
            "inside `{name}!` ({}:{})",
            self.cx.index.files[defined.file].relative, defined.pos.line
        );
        Some(Expansion {
            expr: lowered,
            note: Arc::from(note),
            size,
        })
    }

    pub fn macro_call(
        &mut self,
        path: &PathRef,
        args: &MacroArgs,
        pos: Pos,
        tokens: &str,
    ) -> Value {
        let (policy, index) = (self.cx.policy, self.cx.index);
        let resolved = index.resolve_macro(
            self.crate_index,
            &self.module,
            &path.segments,
            &|candidate| {
                policy.sink_for_macro(candidate).is_some()
                    || index.catalogued_macro(candidate).next().is_some()
            },
        );
        let name = path.segments.last().map(AsRef::as_ref).unwrap_or_default();
        let sink = policy.sink_for_macro(&resolved).map(|sink| sink.id.clone());
        // (sink, what the trace says of the call): the policy's sink, and the sinks that
        // installed code sends the macro's output on to (sentry-tracing's layer).
        let mut hits: Vec<(String, Arc<str>)> = Vec::new();
        if let Some(sink) = &sink {
            hits.push((sink.clone(), Arc::from(format!("formatted by `{name}!`"))));
        }
        for entry in index.catalogued_macro(&resolved) {
            let note = format!(
                "formatted by `{name}!`, sent on by {} (sink catalog: {})",
                entry.krate, entry.sink
            );
            hits.push((entry.sink.clone(), Arc::from(note)));
        }
        let mut counted = false;
        // A sink's macro (the policy's, or one a catalogued crate sends on) is not the
        // workspace's macro of the same name.
        if hits.is_empty() {
            if let Some(value) = self.expand_workspace_macro(name, tokens, pos) {
                return value;
            }
            // A workspace macro that did not expand (no rule matched, the expansion does
            // not parse, or expansions nest too deep): a coverage gap, counted, and read
            // as a call of its arguments below.
            if self.cx.index.macros.contains_key(name) {
                self.coverage.macros_not_understood += 1;
                counted = true;
            }
        }
        if matches!(args, MacroArgs::NotUnderstood) && !counted {
            self.coverage.macros_not_understood += 1;
        }
        let site = self.location(pos);
        match args {
            MacroArgs::Format { args } => {
                let mut values: Vec<(Value, bool)> = Vec::new();
                for arg in args {
                    let value = self.expr(&arg.expr);
                    self.hand_out_callable(&value, pos);
                    values.push((value, arg.debug));
                }
                let is_write = matches!(name, "write" | "writeln") && !args.is_empty();
                let skip = usize::from(is_write);
                let mut taint = Taint::default();
                for (value, debug) in values.iter().skip(skip) {
                    let formatted = self.formatted(value, *debug, pos);
                    taint.join(&formatted);
                }
                for (sink, note) in &hits {
                    let step = Step {
                        location: site,
                        note: note.clone(),
                    };
                    self.hit(sink, site, taint.with_step(&step));
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
                    self.return_error(made_by(&resolved, Value::tainted(taint.clone())));
                    // Its own value is `()` (or never: it returned).
                    return Value::default();
                }
                made_by(&resolved, Value::tainted(taint))
            }
            MacroArgs::Expressions(exprs) => {
                let mut element = Value::default();
                let mut taint = Taint::default();
                for expr in exprs {
                    let value = self.expr(expr);
                    if name != "vec" {
                        self.hand_out_callable(&value, pos);
                    }
                    let mode = if name == "json" {
                        Mode::Serialize
                    } else {
                        Mode::All
                    };
                    taint.join(&self.full(&value, mode));
                    element.join(&value);
                }
                for (sink, _) in &hits {
                    self.hit(sink, site, taint.clone());
                }
                match name {
                    "vec" => collection_of(element),
                    _ => made_by(&resolved, Value::tainted(taint)),
                }
            }
            MacroArgs::NotUnderstood => Value::default(),
        }
    }
}

/// What an outside crate's macro made (`sqlx::query!`, `anyhow!`) is that crate's.
fn made_by(macro_path: &str, mut value: Value) -> Value {
    if let Some((krate, _)) = macro_path.split_once("::") {
        value.ty = Some(Ty::Outside(Arc::from(krate)));
    }
    value
}
