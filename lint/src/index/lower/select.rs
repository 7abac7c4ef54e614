//! `tokio::select!` / `futures::select!` read as the `match` they behave like: one branch
//! runs, binding its pattern to what its future resolves to, then its handler. The
//! branches' own tokens keep their spans, so a sink in a handler is reported at its line.

use proc_macro2::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};

/// `pat = fut, if cond => handler, ... else => handler` (after an optional `biased;`)
/// as `match () { _ => { let _ = cond; let pat = (fut).await; handler }, ... }`. `None`
/// when the input is not in that shape.
pub fn select_as_match(input: TokenStream) -> Option<TokenStream> {
    let trees: Vec<TokenTree> = input.into_iter().collect();
    let mut arms: Vec<TokenTree> = Vec::new();
    let mut at = 0;
    if matches!(trees.first(), Some(TokenTree::Ident(ident)) if ident == "biased")
        && is_punct(trees.get(1), ';')
    {
        at = 2;
    }
    while at < trees.len() {
        let mut body: Vec<TokenTree> = Vec::new();
        if matches!(&trees[at], TokenTree::Ident(ident) if ident == "else") {
            at += 1;
        } else {
            let pattern_end = (at..trees.len()).find(|index| is_binding_eq(&trees, *index))?;
            let pattern = &trees[at..pattern_end];
            at = pattern_end + 1;
            let future_end = (at..trees.len())
                .find(|index| is_fat_arrow(&trees, *index) || is_comma_if(&trees, *index))?;
            let future = &trees[at..future_end];
            at = future_end;
            if is_comma_if(&trees, at) {
                let condition_end = (at..trees.len()).find(|index| is_fat_arrow(&trees, *index))?;
                body.extend(let_binding(&[ident("_")], &trees[at + 2..condition_end]));
                at = condition_end;
            }
            let awaited = [
                group(Delimiter::Parenthesis, future),
                punct('.', Spacing::Alone),
                ident("await"),
            ];
            body.extend(let_binding(pattern, &awaited));
        }
        if !is_fat_arrow(&trees, at) {
            return None;
        }
        at += 2;
        let handler_end = match trees.get(at) {
            Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Brace => at + 1,
            _ => (at..trees.len())
                .find(|index| is_punct(trees.get(*index), ','))
                .unwrap_or(trees.len()),
        };
        body.extend(trees[at..handler_end].iter().cloned());
        at = handler_end;
        if is_punct(trees.get(at), ',') {
            at += 1;
        }
        arms.extend([
            ident("_"),
            punct('=', Spacing::Joint),
            punct('>', Spacing::Alone),
            group(Delimiter::Brace, &body),
            punct(',', Spacing::Alone),
        ]);
    }
    if arms.is_empty() {
        return None;
    }
    Some(
        [
            ident("match"),
            group(Delimiter::Parenthesis, &[]),
            group(Delimiter::Brace, &arms),
        ]
        .into_iter()
        .collect(),
    )
}

/// `let <pattern> = <value>;`
fn let_binding(pattern: &[TokenTree], value: &[TokenTree]) -> Vec<TokenTree> {
    let mut tokens = vec![ident("let")];
    tokens.extend(pattern.iter().cloned());
    tokens.push(punct('=', Spacing::Alone));
    tokens.extend(value.iter().cloned());
    tokens.push(punct(';', Spacing::Alone));
    tokens
}

fn ident(name: &str) -> TokenTree {
    TokenTree::Ident(Ident::new(name, Span::call_site()))
}

fn punct(c: char, spacing: Spacing) -> TokenTree {
    TokenTree::Punct(Punct::new(c, spacing))
}

fn group(delimiter: Delimiter, trees: &[TokenTree]) -> TokenTree {
    TokenTree::Group(Group::new(delimiter, trees.iter().cloned().collect()))
}

/// Whether `tree` is the punctuation `c` (shared with the `macro_rules!` matcher).
pub(crate) fn is_punct(tree: Option<&TokenTree>, c: char) -> bool {
    matches!(tree, Some(TokenTree::Punct(punct)) if punct.as_char() == c)
}

/// A lone `=` (not part of `==`, `=>`, `<=`, `>=`, `!=`): a branch's binding.
fn is_binding_eq(trees: &[TokenTree], index: usize) -> bool {
    let TokenTree::Punct(punct) = &trees[index] else {
        return false;
    };
    let after_joint = index > 0
        && matches!(&trees[index - 1], TokenTree::Punct(before) if before.spacing() == Spacing::Joint);
    punct.as_char() == '=' && punct.spacing() == Spacing::Alone && !after_joint
}

fn is_fat_arrow(trees: &[TokenTree], index: usize) -> bool {
    matches!(trees.get(index), Some(TokenTree::Punct(punct))
        if punct.as_char() == '=' && punct.spacing() == Spacing::Joint)
        && is_punct(trees.get(index + 1), '>')
}

fn is_comma_if(trees: &[TokenTree], index: usize) -> bool {
    is_punct(trees.get(index), ',')
        && matches!(trees.get(index + 1), Some(TokenTree::Ident(ident)) if ident == "if")
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::select_as_match;

    fn tokens(text: &str) -> proc_macro2::TokenStream {
        proc_macro2::TokenStream::from_str(text).unwrap_or_default()
    }

    #[test]
    fn select_branches_become_match_arms() {
        let input = tokens(
            "biased; _ = &mut timeout => { stop() }, v = rx.recv(), if a <= b => handle(v), else => idle()",
        );
        let text = select_as_match(input).map(|stream| stream.to_string());
        let text = text.unwrap_or_default();
        assert!(text.starts_with("match ()"), "{text}");
        assert!(text.contains("let _ = (& mut timeout) . await ;"), "{text}");
        assert!(
            text.contains("let _ = a <= b ; let v = (rx . recv ()) . await ; handle (v)"),
            "{text}"
        );
        assert!(text.contains("_ => { idle () }"), "{text}");
        assert!(syn::parse_str::<syn::Expr>(&text).is_ok(), "{text}");
    }

    #[test]
    fn other_shapes_are_not_selects() {
        assert!(select_as_match(tokens("a, b, c")).is_none());
        assert!(select_as_match(tokens("")).is_none());
    }
}
