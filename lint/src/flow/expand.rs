//! Expanding a workspace `macro_rules!` at its call: match the call's tokens against each
//! rule's matcher, substitute the bindings into the transcriber. Fragments are matched
//! by token shape (an `expr` runs to the next top-level separator), which is what
//! logging and helper macros need; a call no rule matches is not expanded.

use std::collections::BTreeMap;
use std::rc::Rc;
use std::str::FromStr;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

use crate::index::ir::MacroRule;
use crate::index::lower::is_punct;

/// What a `$name` matched: one token stream, or one per repetition (shared by every
/// name the repetition binds: a tt-muncher repeats over long inputs).
#[derive(Debug, Clone)]
enum Binding {
    One(TokenStream),
    Many(Rc<Vec<Bindings>>),
}

type Bindings = BTreeMap<String, Binding>;

/// `name` in the innermost of `scopes` (a repetition's bindings over the outer ones).
fn find<'a>(scopes: &[&'a Bindings], name: &str) -> Option<&'a Binding> {
    scopes.iter().rev().find_map(|scope| scope.get(name))
}

/// The most tokens one expansion may produce. A recursive macro can grow its input at
/// every step (`grow!($($t)* $($t)*)`); past this the call is left unexpanded (a macro
/// not understood) rather than built up to millions of tokens.
pub const MAX_EXPANSION_TOKENS: usize = 20_000;

/// The expansion of the first rule that matches `input`, as tokens, with how many tokens
/// it has (groups counted with their contents); `$crate` becomes `defining_crate`, the
/// name of the crate that defines the macro (as rustc resolves it). `None` when no rule
/// matches or the expansion would have more than [`MAX_EXPANSION_TOKENS`].
pub fn expand(
    rules: &[MacroRule],
    input: &str,
    defining_crate: &str,
) -> Option<(TokenStream, usize)> {
    let input: Vec<TokenTree> = TokenStream::from_str(input).ok()?.into_iter().collect();
    let parsed = parsed_rules(rules);
    // A rule whose text does not parse as tokens ends the search, as it would end
    // rustc's reading of the definition.
    for (matcher, transcriber) in parsed.iter() {
        let mut bindings = BTreeMap::new();
        if let Some(rest) = match_sequence(matcher.as_ref()?, &input, &mut bindings)
            && rest == input.len()
        {
            let crate_ident =
                proc_macro2::Ident::new(defining_crate, proc_macro2::Span::call_site());
            let mut left = MAX_EXPANSION_TOKENS;
            let tokens = transcribe(transcriber.as_ref()?, &[&bindings], &crate_ident, &mut left)?;
            return Some((tokens, MAX_EXPANSION_TOKENS - left));
        }
    }
    None
}

/// Each rule's matcher and transcriber as token trees (`None`: the text does not parse).
type ParsedRules = Rc<Vec<(Option<Vec<TokenTree>>, Option<Vec<TokenTree>>)>>;

thread_local! {
    /// The rules last parsed on this thread, by the address of their definition: a
    /// recursive macro expands itself many times, and parsing its rules each time cost
    /// more than matching them. Tokens cannot leave their thread, hence per thread; the
    /// rules' text is kept to tell a definition from another at a reused address.
    static PARSED: std::cell::RefCell<foldhash::HashMap<usize, (Vec<MacroRule>, ParsedRules)>> =
        std::cell::RefCell::new(foldhash::HashMap::default());
}

fn parsed_rules(rules: &[MacroRule]) -> ParsedRules {
    let key = rules.as_ptr() as usize;
    let known = PARSED.with(|cache| {
        cache
            .borrow()
            .get(&key)
            .filter(|(text, _)| text.as_slice() == rules)
            .map(|(_, parsed)| parsed.clone())
    });
    if let Some(parsed) = known {
        return parsed;
    }
    let tokens = |text: &str| -> Option<Vec<TokenTree>> {
        Some(TokenStream::from_str(text).ok()?.into_iter().collect())
    };
    let parsed: ParsedRules = Rc::new(
        rules
            .iter()
            .map(|rule| (tokens(&rule.matcher), tokens(&rule.transcriber)))
            .collect(),
    );
    PARSED.with(|cache| {
        cache
            .borrow_mut()
            .insert(key, (rules.to_vec(), parsed.clone()))
    });
    parsed
}

/// Matches `pattern` at the start of `input`; returns how many input trees it used.
fn match_sequence(
    pattern: &[TokenTree],
    input: &[TokenTree],
    bindings: &mut BTreeMap<String, Binding>,
) -> Option<usize> {
    let mut position = 0;
    let mut index = 0;
    while index < pattern.len() {
        let tree = &pattern[index];
        if is_punct(Some(tree), '$') {
            match pattern.get(index + 1) {
                // `$name:fragment`
                Some(TokenTree::Ident(name)) if is_punct(pattern.get(index + 2), ':') => {
                    let fragment = match pattern.get(index + 3) {
                        Some(TokenTree::Ident(fragment)) => fragment.to_string(),
                        _ => return None,
                    };
                    let terminator = pattern.get(index + 4);
                    let used = match_fragment(&fragment, &input[position..], terminator)?;
                    let matched: TokenStream =
                        input[position..position + used].iter().cloned().collect();
                    bindings.insert(name.to_string(), Binding::One(matched));
                    position += used;
                    index += 4;
                    continue;
                }
                // `$( ... ) sep? rep`
                Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Parenthesis => {
                    let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                    let (separator, repetition, consumed) =
                        match (pattern.get(index + 2), pattern.get(index + 3)) {
                            (Some(TokenTree::Punct(op)), _)
                                if matches!(op.as_char(), '*' | '+' | '?') =>
                            {
                                (None, op.as_char(), 3)
                            }
                            (Some(separator), Some(TokenTree::Punct(op)))
                                if matches!(op.as_char(), '*' | '+' | '?') =>
                            {
                                (Some(separator.to_string()), op.as_char(), 4)
                            }
                            _ => return None,
                        };
                    let mut iterations = Vec::new();
                    loop {
                        if repetition == '?' && !iterations.is_empty() {
                            break;
                        }
                        let mut inner_bindings = BTreeMap::new();
                        let Some(used) =
                            match_sequence(&inner, &input[position..], &mut inner_bindings)
                        else {
                            break;
                        };
                        if used == 0 {
                            break;
                        }
                        position += used;
                        iterations.push(inner_bindings);
                        if let Some(separator) = &separator {
                            match input.get(position) {
                                Some(next) if next.to_string() == *separator => position += 1,
                                _ => break,
                            }
                        }
                    }
                    if repetition == '+' && iterations.is_empty() {
                        return None;
                    }
                    let iterations = Rc::new(iterations);
                    for name in repetition_names(&inner) {
                        bindings.insert(name, Binding::Many(iterations.clone()));
                    }
                    index += consumed;
                    continue;
                }
                _ => return None,
            }
        }
        let candidate = input.get(position)?;
        match (tree, candidate) {
            (TokenTree::Group(expected), TokenTree::Group(found))
                if expected.delimiter() == found.delimiter() =>
            {
                let expected: Vec<TokenTree> = expected.stream().into_iter().collect();
                let found: Vec<TokenTree> = found.stream().into_iter().collect();
                let used = match_sequence(&expected, &found, bindings)?;
                if used != found.len() {
                    return None;
                }
            }
            (expected, found) if expected.to_string() == found.to_string() => {}
            _ => return None,
        }
        position += 1;
        index += 1;
    }
    Some(position)
}

/// The `$name`s bound inside a repetition.
fn repetition_names(pattern: &[TokenTree]) -> Vec<String> {
    let mut names = Vec::new();
    for (index, tree) in pattern.iter().enumerate() {
        if is_punct(Some(tree), '$')
            && let Some(TokenTree::Ident(name)) = pattern.get(index + 1)
        {
            names.push(name.to_string());
        }
        if let TokenTree::Group(group) = tree {
            names.extend(repetition_names(
                &group.stream().into_iter().collect::<Vec<_>>(),
            ));
        }
    }
    names
}

/// How many trees a fragment takes: one for `ident`, `tt`, `literal`, `lifetime`,
/// `block`; for the others, up to the token that follows it in the matcher (or `,` `;`
/// `=>`) at the top level.
fn match_fragment(
    fragment: &str,
    input: &[TokenTree],
    terminator: Option<&TokenTree>,
) -> Option<usize> {
    match fragment {
        "ident" | "tt" | "literal" | "lifetime" | "block" | "vis" if fragment != "vis" => {
            if input.is_empty() { None } else { Some(1) }
        }
        _ => {
            let stop = terminator.map(ToString::to_string);
            let used = input
                .iter()
                .position(|tree| {
                    let text = tree.to_string();
                    matches!(tree, TokenTree::Punct(_))
                        && (Some(&text) == stop.as_ref()
                            || (stop.is_none() && (text == "," || text == ";")))
                })
                .unwrap_or(input.len());
            if used == 0 && fragment != "vis" {
                return None;
            }
            Some(used)
        }
    }
}

/// Tokens in `tokens`, the contents of groups included.
fn deep_len(tokens: &TokenStream) -> usize {
    tokens
        .clone()
        .into_iter()
        .map(|tree| match tree {
            TokenTree::Group(group) => 1 + deep_len(&group.stream()),
            _ => 1,
        })
        .sum()
}

/// Takes `count` tokens from what an expansion may still produce; `None` past it.
fn spend(left: &mut usize, count: usize) -> Option<()> {
    *left = left.checked_sub(count)?;
    Some(())
}

/// `template` with its bindings substituted; `None` once it would produce more than
/// `left` tokens.
fn transcribe(
    template: &[TokenTree],
    scopes: &[&Bindings],
    crate_ident: &proc_macro2::Ident,
    left: &mut usize,
) -> Option<TokenStream> {
    let mut out: Vec<TokenTree> = Vec::new();
    let mut index = 0;
    while index < template.len() {
        spend(left, 1)?;
        let tree = &template[index];
        if is_punct(Some(tree), '$') {
            match template.get(index + 1) {
                Some(TokenTree::Ident(name)) if name == "crate" => {
                    out.push(TokenTree::Ident(crate_ident.clone()));
                    index += 2;
                    continue;
                }
                Some(TokenTree::Ident(name)) => {
                    match find(scopes, &name.to_string()) {
                        // A single tree goes in as it is (so `name = %x` stays readable to
                        // the macros it is forwarded to); longer fragments keep their
                        // grouping, as rustc does for `$e:expr`.
                        Some(Binding::One(tokens)) => {
                            spend(left, deep_len(tokens))?;
                            if tokens.clone().into_iter().count() == 1 {
                                out.extend(tokens.clone());
                            } else {
                                out.push(TokenTree::Group(proc_macro2::Group::new(
                                    Delimiter::None,
                                    tokens.clone(),
                                )));
                            }
                        }
                        _ => {
                            out.push(tree.clone());
                            out.push(TokenTree::Ident(name.clone()));
                        }
                    }
                    index += 2;
                    continue;
                }
                Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Parenthesis => {
                    let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                    let (separator, consumed) =
                        match (template.get(index + 2), template.get(index + 3)) {
                            (Some(TokenTree::Punct(op)), _)
                                if matches!(op.as_char(), '*' | '+' | '?') =>
                            {
                                (None, 3)
                            }
                            (Some(separator), Some(TokenTree::Punct(op)))
                                if matches!(op.as_char(), '*' | '+' | '?') =>
                            {
                                (Some(separator.clone()), 4)
                            }
                            _ => (None, 2),
                        };
                    let iterations = repetition_names(&inner)
                        .iter()
                        .find_map(|name| match find(scopes, name) {
                            Some(Binding::Many(iterations)) => Some(iterations.clone()),
                            _ => None,
                        })
                        .unwrap_or_default();
                    let mut nested = scopes.to_vec();
                    for (count, iteration) in iterations.iter().enumerate() {
                        if count > 0
                            && let Some(separator) = &separator
                        {
                            out.push(separator.clone());
                        }
                        nested.push(iteration);
                        out.extend(transcribe(&inner, &nested, crate_ident, left)?);
                        nested.pop();
                    }
                    index += consumed;
                    continue;
                }
                _ => {}
            }
        }
        match tree {
            TokenTree::Group(group) => {
                let inner: Vec<TokenTree> = group.stream().into_iter().collect();
                out.push(TokenTree::Group(proc_macro2::Group::new(
                    group.delimiter(),
                    transcribe(&inner, scopes, crate_ident, left)?,
                )));
            }
            other => out.push(other.clone()),
        }
        index += 1;
    }
    Some(out.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(matcher: &str, transcriber: &str) -> MacroRule {
        MacroRule {
            matcher: matcher.into(),
            transcriber: transcriber.into(),
        }
    }

    fn expanded(rules: &[MacroRule], input: &str) -> String {
        expand(rules, input, "defining")
            .map(|(tokens, _)| tokens.to_string())
            .unwrap_or_else(|| "<no match>".into())
    }

    #[test]
    fn an_expansion_that_grows_past_the_budget_is_not_made() {
        // Every token of the input comes back with a hundred more: a few steps of a
        // recursive call would build millions of tokens.
        let filler = "x ".repeat(100);
        let rules = [rule(
            "$ ($ t : tt) *",
            &format!("grow ! ($ ({filler} $ t) *)"),
        )];
        let small = expand(&rules, "a", "defining").map(|(_, size)| size);
        assert!(small.is_some_and(|size| size > 100), "{small:?}");
        let input = "a ".repeat(300);
        assert!(
            expand(&rules, &input, "defining").is_none(),
            "30,000 tokens are past the budget"
        );
    }

    #[test]
    fn expression_fragments_and_repetitions() {
        let rules = [rule(
            "$ c : expr , $ ($ rest : tt) *",
            "println ! (\"{}\" , $ c . email) ; $ ($ rest) *",
        )];
        assert_eq!(
            expanded(&rules, "contact , a b"),
            "println ! (\"{}\" , contact . email) ; a b"
        );
    }

    #[test]
    fn dollar_crate_is_the_defining_crate() {
        let rules = [rule("$ e : expr", "$ crate :: error :: Error :: new ($ e)")];
        assert_eq!(
            expanded(&rules, "msg"),
            "defining :: error :: Error :: new (msg)"
        );
    }

    #[test]
    fn first_matching_rule_wins() {
        let rules = [rule("quiet", "()"), rule("$ e : expr", "log ($ e)")];
        assert_eq!(expanded(&rules, "quiet"), "()");
        assert_eq!(expanded(&rules, "x . y"), "log (x . y)");
    }

    #[test]
    fn forwarding_token_trees() {
        let rules = [rule("$ ($ arg : tt) *", "tracing :: info ! ($ ($ arg) *)")];
        assert_eq!(
            expanded(&rules, "user = % c . email , \"hi\""),
            "tracing :: info ! (user = % c . email , \"hi\")"
        );
    }

    #[test]
    fn no_rule_no_expansion() {
        let rules = [rule("only", "()")];
        assert_eq!(expanded(&rules, "other"), "<no match>");
    }
}
