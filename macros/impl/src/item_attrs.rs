//! `#[privflow::sink]`, `purpose`, `declassify` and `allow`: parse the arguments with
//! the shared grammar, check the item they stand on, validate ids against the policy,
//! and emit the item unchanged — plus, on a generic sink, a const check that refuses
//! instantiation with a type the policy never lets into the sink.

use privflow_model::Policy;
use privflow_model::attr::{self, AttrError};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::spanned::Spanned as _;
use syn::{FnArg, GenericParam, Generics, Item, Pat, Signature, TypeParamBound, WherePredicate};

use crate::policy;

#[derive(Clone, Copy, PartialEq)]
pub enum Kind {
    Sink,
    Purpose,
    Declassify,
    Allow,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Sink => "sink",
            Kind::Purpose => "purpose",
            Kind::Declassify => "declassify",
            Kind::Allow => "allow",
        }
    }

    fn accepts(self, item: &Annotated) -> bool {
        match item {
            Annotated::Fn(_) | Annotated::TraitFn(_) => true,
            Annotated::Impl(_) | Annotated::Mod(_) => matches!(self, Kind::Purpose | Kind::Allow),
            Annotated::Trait(_) => self == Kind::Allow,
            Annotated::Other(..) => false,
        }
    }

    fn placement_help(self) -> &'static str {
        match self {
            Kind::Sink => {
                "`#[privflow::sink]` goes on a function or method (trait methods included)"
            }
            Kind::Declassify => "`#[privflow::declassify]` goes on the function that declassifies",
            Kind::Purpose => {
                "`#[privflow::purpose]` goes on a function, an impl block or an inline module"
            }
            Kind::Allow => {
                "`#[privflow::allow]` goes on a function, impl block, trait or inline module"
            }
        }
    }
}

/// The item an attribute stands on.
enum Annotated {
    /// A free function, an inherent or trait-impl method, or a trait method with a body.
    Fn(syn::ItemFn),
    /// A trait method without a body.
    TraitFn(syn::TraitItemFn),
    Impl(syn::ItemImpl),
    Mod(syn::ItemMod),
    Trait(syn::ItemTrait),
    /// Anything else: kept as tokens, with what it is and where.
    Other(TokenStream, &'static str, Span),
}

impl Annotated {
    fn parse(tokens: TokenStream) -> Self {
        match syn::parse2::<Item>(tokens.clone()) {
            Ok(Item::Fn(function)) => return Annotated::Fn(function),
            Ok(Item::Impl(block)) => return Annotated::Impl(block),
            Ok(Item::Mod(module)) => return Annotated::Mod(module),
            Ok(Item::Trait(definition)) => return Annotated::Trait(definition),
            Ok(Item::Verbatim(_)) | Err(_) => {}
            Ok(other) => {
                let what = item_noun(&other);
                let span = other.span();
                return Annotated::Other(tokens, what, span);
            }
        }
        match syn::parse2::<syn::TraitItemFn>(tokens.clone()) {
            Ok(function) => Annotated::TraitFn(function),
            Err(_) => {
                let span = tokens.span();
                Annotated::Other(tokens, "this item", span)
            }
        }
    }

    fn signature(&self) -> Option<&Signature> {
        match self {
            Annotated::Fn(function) => Some(&function.sig),
            Annotated::TraitFn(function) => Some(&function.sig),
            _ => None,
        }
    }

    fn attrs(&self) -> &[syn::Attribute] {
        match self {
            Annotated::Fn(function) => &function.attrs,
            Annotated::TraitFn(function) => &function.attrs,
            Annotated::Impl(block) => &block.attrs,
            Annotated::Mod(module) => &module.attrs,
            Annotated::Trait(definition) => &definition.attrs,
            Annotated::Other(..) => &[],
        }
    }

    /// Statements to run first in the body, when there is one.
    fn prepend(&mut self, statements: TokenStream) {
        if statements.is_empty() {
            return;
        }
        let block = match self {
            Annotated::Fn(function) => &mut function.block,
            Annotated::TraitFn(function) => match &mut function.default {
                Some(block) => block,
                None => return,
            },
            _ => return,
        };
        if let Ok(parsed) = syn::parse2::<syn::Block>(quote! { { #statements } }) {
            let rest = std::mem::take(&mut block.stmts);
            block.stmts = parsed.stmts.into_iter().chain(rest).collect();
        }
    }

    /// The item, followed by `trailing` where an item may follow it.
    fn emit(self, tracking: TokenStream) -> TokenStream {
        match self {
            Annotated::Fn(mut function) => {
                let block = &mut function.block;
                if let Ok(parsed) = syn::parse2::<syn::Block>(quote! { { #tracking } }) {
                    let rest = std::mem::take(&mut block.stmts);
                    block.stmts = parsed.stmts.into_iter().chain(rest).collect();
                }
                function.into_token_stream()
            }
            Annotated::TraitFn(function) => function.into_token_stream(),
            Annotated::Impl(block) => quote! { #block #tracking },
            Annotated::Trait(definition) => quote! { #definition #tracking },
            Annotated::Mod(mut module) => {
                if let Some((_, items)) = &mut module.content
                    && let Ok(item) = syn::parse2::<Item>(tracking)
                {
                    items.push(item);
                }
                module.into_token_stream()
            }
            Annotated::Other(tokens, ..) => tokens,
        }
    }
}

fn item_noun(item: &Item) -> &'static str {
    match item {
        Item::Struct(_) => "a struct",
        Item::Enum(_) => "an enum",
        Item::Union(_) => "a union",
        Item::Const(_) => "a const",
        Item::Static(_) => "a static",
        Item::Type(_) => "a type alias",
        Item::Use(_) => "a `use`",
        Item::Macro(_) => "a macro invocation",
        Item::ExternCrate(_) => "an `extern crate`",
        Item::ForeignMod(_) => "an `extern` block",
        Item::TraitAlias(_) => "a trait alias",
        _ => "this item",
    }
}

/// Arguments that parsed, by attribute.
enum Parsed {
    Sink(attr::SinkArgs),
    Purpose(attr::PurposeArgs),
    Declassify(attr::DeclassifyArgs),
    Allow(attr::AllowArgs),
}

fn parse_args(kind: Kind, args: TokenStream) -> Result<Parsed, Vec<AttrError>> {
    match kind {
        Kind::Sink => attr::parse_sink(args).map(Parsed::Sink),
        Kind::Purpose => attr::parse_purpose(args).map(Parsed::Purpose),
        Kind::Declassify => attr::parse_declassify(args).map(Parsed::Declassify),
        Kind::Allow => attr::parse_allow(args).map(Parsed::Allow),
    }
}

fn validate(parsed: &Parsed, policy: &Policy) -> Vec<AttrError> {
    match parsed {
        Parsed::Sink(args) => attr::validate::sink(args, policy),
        Parsed::Purpose(args) => attr::validate::purpose(args, policy),
        Parsed::Declassify(args) => attr::validate::declassify(args, policy),
        Parsed::Allow(args) => attr::validate::allow(args, policy),
    }
}

pub fn expand(kind: Kind, args: TokenStream, item: TokenStream) -> TokenStream {
    let mut annotated = Annotated::parse(item);
    let mut errors = Vec::new();
    let parsed = parse_args(kind, args)
        .map_err(|mut problems| errors.append(&mut problems))
        .ok();
    check_placement(kind, &annotated, &mut errors);
    let loaded = policy::in_force();
    let tracking = policy::tracking(match &loaded {
        Ok(in_force) => in_force.file.as_deref(),
        Err((_, file)) => file.as_deref(),
    });
    match (&loaded, &parsed) {
        (Ok(in_force), Some(parsed)) => {
            errors.extend(validate(parsed, &in_force.policy));
            if let (Parsed::Sink(args), Some(signature)) = (parsed, annotated.signature()) {
                errors.extend(check_sink_params(args, signature));
            }
        }
        (Err((message, file)), _) => {
            if policy::first_report(file.as_deref()) {
                errors.push(crate::classified::policy_error(message));
            }
        }
        (Ok(_), None) => {}
    }
    if let Some(combined) = attr::combine(&errors) {
        let error = combined.to_compile_error();
        let item = annotated.emit(tracking);
        return quote! { #error #item };
    }
    if let (Ok(in_force), Some(Parsed::Sink(args))) = (&loaded, &parsed) {
        let checks = annotated
            .signature()
            .map(|signature| generic_sink_checks(args, signature, &in_force.policy))
            .unwrap_or_default();
        annotated.prepend(checks);
    }
    annotated.emit(tracking)
}

fn check_placement(kind: Kind, annotated: &Annotated, errors: &mut Vec<AttrError>) {
    if let Annotated::Other(_, what, span) = annotated {
        errors.push(AttrError::new(
            *span,
            format!("`#[privflow::{}]` cannot be used on {what}", kind.name()),
            kind.placement_help(),
        ));
        return;
    }
    if !kind.accepts(annotated) {
        errors.push(AttrError::new(
            Span::call_site(),
            format!("`#[privflow::{}]` cannot be used here", kind.name()),
            kind.placement_help(),
        ));
        return;
    }
    if let Annotated::Mod(module) = annotated
        && module.content.is_none()
    {
        errors.push(AttrError::new(
                module.ident.span(),
                format!("`#[privflow::{}]` needs an inline module", kind.name()),
                "a module in its own file cannot be read by this attribute; tag the items inside that file",
            ));
    }
    if kind == Kind::Allow {
        return;
    }
    for duplicate in annotated
        .attrs()
        .iter()
        .filter(|other| is_privflow_attr(other, kind))
    {
        errors.push(AttrError::new(
            duplicate
                .path()
                .segments
                .last()
                .map_or_else(|| duplicate.span(), |segment| segment.ident.span()),
            format!("duplicate `#[privflow::{}]`", kind.name()),
            match kind {
                Kind::Purpose => {
                    "list every purpose in one attribute: `#[privflow::purpose(\"a\", \"b\")]`"
                }
                _ => "keep one",
            },
        ));
    }
}

/// `#[privflow::sink]`, or `#[sink]` after `use privflow::sink`.
fn is_privflow_attr(attribute: &syn::Attribute, kind: Kind) -> bool {
    let segments: Vec<String> = attribute
        .path()
        .segments
        .iter()
        .map(|segment| segment.ident.to_string())
        .collect();
    attr::AttrKind::from_path(&segments).is_some_and(|found| found.name() == kind.name())
}

/// The parameters of a signature by name; `self` for the receiver.
fn parameter_names(signature: &Signature) -> Vec<(String, Option<&syn::Type>)> {
    signature
        .inputs
        .iter()
        .filter_map(|input| match input {
            FnArg::Receiver(_) => Some(("self".to_owned(), None)),
            FnArg::Typed(typed) => match &*typed.pat {
                Pat::Ident(ident) => Some((ident.ident.to_string(), Some(&*typed.ty))),
                _ => None,
            },
        })
        .collect()
}

fn check_sink_params(args: &attr::SinkArgs, signature: &Signature) -> Vec<AttrError> {
    let names = parameter_names(signature);
    args.args
        .iter()
        .flatten()
        .filter(|arg| !names.iter().any(|(name, _)| *name == arg.value))
        .map(|arg| {
            let known = names.iter().map(|(name, _)| name.as_str());
            let help = match privflow_model::suggest::closest(&arg.value, known) {
                Some(close) => format!("did you mean `{close}`?"),
                None => format!(
                    "the parameters of `{}` are: {}",
                    signature.ident,
                    names
                        .iter()
                        .map(|(name, _)| name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            AttrError::new(
                arg.span,
                format!(
                    "`{}` is not a parameter of `{}`",
                    arg.value, signature.ident
                ),
                help,
            )
        })
        .collect()
}

/// `const { refuse_forbidden(&<T as Classified>::CLASSIFICATION, sink, forbidden) };`
/// for each type parameter bounded by `Classified` that a checked parameter mentions.
fn generic_sink_checks(
    args: &attr::SinkArgs,
    signature: &Signature,
    policy: &Policy,
) -> TokenStream {
    let classified = classified_type_params(&signature.generics);
    if classified.is_empty() {
        return TokenStream::new();
    }
    let checked: Vec<&syn::Type> = parameter_names(signature)
        .into_iter()
        .filter(|(name, _)| {
            args.args
                .as_ref()
                .is_none_or(|listed| listed.iter().any(|arg| arg.value == *name))
        })
        .filter_map(|(_, ty)| ty)
        .collect();
    let sink = &args.sink.value;
    let forbidden = attr::validate::forbidden_categories(policy, sink);
    classified
        .into_iter()
        .filter(|param| {
            checked
                .iter()
                .any(|ty| mentions(ty.to_token_stream(), param))
        })
        .map(|param| {
            quote! {
                const {
                    ::privflow::__private::refuse_forbidden(
                        &<#param as ::privflow::Classified>::CLASSIFICATION,
                        #sink,
                        &[#(#forbidden),*],
                    )
                };
            }
        })
        .collect()
}

fn is_classified_bound(bound: &TypeParamBound) -> bool {
    matches!(bound, TypeParamBound::Trait(trait_bound)
        if trait_bound.path.segments.last().is_some_and(|segment| segment.ident == "Classified"))
}

fn classified_type_params(generics: &Generics) -> Vec<syn::Ident> {
    let mut params: Vec<syn::Ident> = generics
        .params
        .iter()
        .filter_map(|param| match param {
            GenericParam::Type(ty) if ty.bounds.iter().any(is_classified_bound) => {
                Some(ty.ident.clone())
            }
            _ => None,
        })
        .collect();
    for predicate in generics
        .where_clause
        .iter()
        .flat_map(|clause| &clause.predicates)
    {
        if let WherePredicate::Type(predicate) = predicate
            && let (Some(ident), true) = (
                single_ident(&predicate.bounded_ty),
                predicate.bounds.iter().any(is_classified_bound),
            )
            && !params.contains(&ident)
        {
            params.push(ident);
        }
    }
    params
}

fn single_ident(ty: &syn::Type) -> Option<syn::Ident> {
    match ty {
        syn::Type::Path(path) if path.qself.is_none() => path.path.get_ident().cloned(),
        _ => None,
    }
}

fn mentions(tokens: TokenStream, ident: &syn::Ident) -> bool {
    tokens.into_iter().any(|token| match token {
        proc_macro2::TokenTree::Ident(found) => found == *ident,
        proc_macro2::TokenTree::Group(group) => mentions(group.stream(), ident),
        _ => false,
    })
}
