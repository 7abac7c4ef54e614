//! The token-level grammar shared by every privflow attribute: a comma-separated list
//! of entries, each a string literal (`"contact.email"`), a flag (`nested`), or a key
//! with a string or a list of strings (`purposes = ["support"]`).

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned as _;
use syn::{Ident, LitStr, Token};

use super::{AttrError, Spanned};

pub(crate) enum Entry {
    Positional(Spanned<String>),
    Flag(Ident),
    Key { key: Ident, value: Value },
}

pub(crate) enum Value {
    Text(Spanned<String>),
    List {
        span: Span,
        items: Vec<Spanned<String>>,
    },
}

impl Value {
    /// A string, or a list of strings, as a list.
    pub fn into_list(self) -> Vec<Spanned<String>> {
        match self {
            Value::Text(text) => vec![text],
            Value::List { items, .. } => items,
        }
    }
}

fn text(literal: &LitStr) -> Spanned<String> {
    Spanned {
        value: literal.value(),
        span: literal.span(),
    }
}

fn string_or_error(input: ParseStream<'_>, expected: &str) -> syn::Result<Spanned<String>> {
    if input.peek(LitStr) {
        return Ok(text(&input.parse()?));
    }
    let found: proc_macro2::TokenTree = input.parse()?;
    Err(syn::Error::new(
        found.span(),
        format!("expected {expected} in double quotes, found `{found}`"),
    ))
}

impl Parse for Entry {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(Ident) {
            let key: Ident = input.parse()?;
            if !input.peek(Token![=]) {
                return Ok(Entry::Flag(key));
            }
            input.parse::<Token![=]>()?;
            let value = if input.peek(syn::token::Bracket) {
                let content;
                let bracket = syn::bracketed!(content in input);
                let mut items = Vec::new();
                while !content.is_empty() {
                    items.push(string_or_error(&content, "a string")?);
                    if content.is_empty() {
                        break;
                    }
                    content.parse::<Token![,]>()?;
                }
                Value::List {
                    span: bracket.span.join(),
                    items,
                }
            } else {
                Value::Text(string_or_error(input, "a string or a list of strings")?)
            };
            return Ok(Entry::Key { key, value });
        }
        string_or_error(input, "a string").map(Entry::Positional)
    }
}

struct Entries(Punctuated<Entry, Token![,]>);

impl Parse for Entries {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        Punctuated::parse_terminated(input).map(Entries)
    }
}

/// Parses an attribute's argument tokens (what stands between its parentheses).
pub(crate) fn entries(tokens: proc_macro2::TokenStream) -> Result<Vec<Entry>, AttrError> {
    syn::parse2::<Entries>(tokens)
        .map(|entries| entries.0.into_iter().collect())
        .map_err(|error| AttrError {
            span: error.span(),
            message: error.to_string(),
            help: Some("privflow attributes take strings, `key = \"...\"`, `key = [\"...\"]` and flags, separated by commas".into()),
        })
}

/// Keeps track of keys already seen in one attribute, to reject duplicates.
#[derive(Default)]
pub(crate) struct SeenKeys(Vec<String>);

impl SeenKeys {
    pub fn first_time(&mut self, key: &Ident, errors: &mut Vec<AttrError>) -> bool {
        let name = key.to_string();
        if self.0.contains(&name) {
            errors.push(AttrError {
                span: key.span(),
                message: format!("duplicate `{name}`"),
                help: Some(format!(
                    "give `{name}` once; a list takes several values: `{name} = [\"a\", \"b\"]`"
                )),
            });
            return false;
        }
        self.0.push(name);
        true
    }
}

/// The span of a whole token stream, for errors about an attribute as a whole.
pub(crate) fn span_of(tokens: &proc_macro2::TokenStream) -> Span {
    tokens.span()
}
