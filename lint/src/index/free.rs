//! Walking the item tree of a body: every expression inside an expression or a block,
//! with an explicit stack (bodies nest as deep as the source does). Two readers: the
//! names a closure body mentions (what it captures — an over-approximation that ignores
//! shadowing, which only makes the capture larger), and the calls a body makes (the
//! call graph the flow analysis orders itself by).

use std::collections::BTreeSet;

use crate::index::ir::{Block, Expr, MacroArgs, Name, Stmt};

/// The names `expr` mentions as single-segment paths.
pub fn names(expr: &Expr, out: &mut BTreeSet<Name>) {
    each_expr(Walk::Expr(expr), |inner| {
        if let Expr::Path { path, .. } = inner
            && let [name] = path.segments.as_slice()
        {
            out.insert(name.clone());
        }
    });
}

/// Where a walk starts.
#[derive(Clone, Copy)]
pub enum Walk<'a> {
    Expr(&'a Expr),
    Block(&'a Block),
}

/// Calls `visit` on every expression under `start` (closure bodies included, items
/// declared inside a body not), parents before their parts.
pub fn each_expr<'a>(start: Walk<'a>, mut visit: impl FnMut(&'a Expr)) {
    let mut stack = vec![start];
    while let Some(next) = stack.pop() {
        let expr = match next {
            Walk::Block(block) => {
                for stmt in block.stmts.iter().rev() {
                    match stmt {
                        Stmt::Let(local) => {
                            if let Some(otherwise) = &local.otherwise {
                                stack.push(Walk::Block(otherwise));
                            }
                            if let Some(init) = &local.init {
                                stack.push(Walk::Expr(init));
                            }
                        }
                        Stmt::Expr(expr) | Stmt::Semi(expr) => stack.push(Walk::Expr(expr)),
                        Stmt::Item(_) => {}
                    }
                }
                continue;
            }
            Walk::Expr(expr) => expr,
        };
        visit(expr);
        let mut push = |walk: Walk<'a>| stack.push(walk);
        let (ex, bl) = (Walk::Expr, Walk::Block);
        match expr {
            Expr::Path { .. } | Expr::Continue | Expr::Lit | Expr::Url { .. } => {}
            Expr::Field { base, .. } => push(ex(base)),
            Expr::Index { base, index, .. } => {
                push(ex(base));
                push(ex(index));
            }
            Expr::MethodCall { receiver, args, .. } => {
                push(ex(receiver));
                args.iter().for_each(|arg| push(ex(arg)));
            }
            Expr::Call { callee, args, .. } => {
                push(ex(callee));
                args.iter().for_each(|arg| push(ex(arg)));
            }
            Expr::Macro(call) => match &call.args {
                MacroArgs::Format { args } => args.iter().for_each(|arg| push(ex(&arg.expr))),
                MacroArgs::Expressions(exprs) => exprs.iter().for_each(|expr| push(ex(expr))),
                MacroArgs::NotUnderstood => {}
            },
            Expr::Struct(literal) => {
                literal.fields.iter().for_each(|(_, field)| push(ex(field)));
                if let Some(rest) = &literal.rest {
                    push(ex(rest));
                }
            }
            Expr::Tuple(elems) | Expr::Array(elems) => elems.iter().for_each(|elem| push(ex(elem))),
            Expr::Wrap { inner, .. } => push(ex(inner)),
            Expr::Binary { left, right, .. } => {
                push(ex(left));
                push(ex(right));
            }
            Expr::Closure(closure) => push(ex(&closure.body)),
            Expr::Block(block) | Expr::Async(block) | Expr::Loop(block) => {
                push(bl(block));
            }
            Expr::If {
                cond,
                then,
                otherwise,
            } => {
                push(ex(cond));
                if let Some(otherwise) = otherwise {
                    push(ex(otherwise));
                }
                push(bl(then));
            }
            Expr::Let { value, .. } => push(ex(value)),
            Expr::Match { scrutinee, arms } => {
                push(ex(scrutinee));
                for arm in arms {
                    if let Some(guard) = &arm.guard {
                        push(ex(guard));
                    }
                    push(ex(&arm.body));
                }
            }
            Expr::While { cond, body } => {
                push(ex(cond));
                push(bl(body));
            }
            Expr::For { iter, body, .. } => {
                push(ex(iter));
                push(bl(body));
            }
            Expr::Assign { target, value, .. } => {
                push(ex(target));
                push(ex(value));
            }
            Expr::Return(value) | Expr::Break(value) => {
                if let Some(value) = value {
                    push(ex(value));
                }
            }
        }
    }
}
