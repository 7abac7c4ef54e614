//! The names a closure body mentions: what it captures (an over-approximation that
//! ignores shadowing, which only makes the capture larger).

use std::collections::BTreeSet;

use crate::index::ir::{Block, Expr, MacroArgs, Stmt};

pub fn names(expr: &Expr, out: &mut BTreeSet<String>) {
    match expr {
        Expr::Path { path, .. } => {
            if let [name] = path.segments.as_slice() {
                out.insert(name.clone());
            }
        }
        Expr::Field { base, .. } => names(base, out),
        Expr::Index { base, index } => {
            names(base, out);
            names(index, out);
        }
        Expr::MethodCall { receiver, args, .. } => {
            names(receiver, out);
            args.iter().for_each(|arg| names(arg, out));
        }
        Expr::Call { callee, args, .. } => {
            names(callee, out);
            args.iter().for_each(|arg| names(arg, out));
        }
        Expr::Macro(call) => match &call.args {
            MacroArgs::Format { args } => args.iter().for_each(|arg| names(&arg.expr, out)),
            MacroArgs::Expressions(exprs) => exprs.iter().for_each(|expr| names(expr, out)),
            MacroArgs::NotUnderstood => {}
        },
        Expr::Struct(literal) => {
            literal
                .fields
                .iter()
                .for_each(|(_, field)| names(field, out));
            if let Some(rest) = &literal.rest {
                names(rest, out);
            }
        }
        Expr::Tuple(elems) | Expr::Array(elems) => elems.iter().for_each(|elem| names(elem, out)),
        Expr::Wrap { inner, .. } => names(inner, out),
        Expr::Binary { left, right, .. } => {
            names(left, out);
            names(right, out);
        }
        Expr::Closure(closure) => names(&closure.body, out),
        Expr::Block(block) | Expr::Async(block) | Expr::Loop(block) => block_names(block, out),
        Expr::If {
            cond,
            then,
            otherwise,
        } => {
            names(cond, out);
            block_names(then, out);
            if let Some(otherwise) = otherwise {
                names(otherwise, out);
            }
        }
        Expr::Let { value, .. } => names(value, out),
        Expr::Match { scrutinee, arms } => {
            names(scrutinee, out);
            for arm in arms {
                if let Some(guard) = &arm.guard {
                    names(guard, out);
                }
                names(&arm.body, out);
            }
        }
        Expr::While { cond, body } => {
            names(cond, out);
            block_names(body, out);
        }
        Expr::For { iter, body, .. } => {
            names(iter, out);
            block_names(body, out);
        }
        Expr::Assign { target, value, .. } => {
            names(target, out);
            names(value, out);
        }
        Expr::Return(value) | Expr::Break(value) => {
            if let Some(value) = value {
                names(value, out);
            }
        }
        Expr::Continue | Expr::Lit => {}
    }
}

fn block_names(block: &Block, out: &mut BTreeSet<String>) {
    for stmt in &block.stmts {
        match stmt {
            Stmt::Let(local) => {
                let (init, otherwise) = (&local.init, &local.otherwise);
                if let Some(init) = init {
                    names(init, out);
                }
                if let Some(otherwise) = otherwise {
                    block_names(otherwise, out);
                }
            }
            Stmt::Expr(expr) => names(expr, out),
            Stmt::Item(_) => {}
        }
    }
}
