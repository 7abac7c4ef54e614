//! `#[derive(Classified)]`: read every `#[data(...)]` with the shared grammar, check
//! where each stands, validate ids against the policy, then implement the trait.

use privflow_model::attr::{self, AttrError, DataArgs};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::spanned::Spanned as _;
use syn::{Attribute, Data, DeriveInput, Meta};

use crate::policy;

/// One element that may carry `#[data]`: the container, a variant or a field.
struct Tagged {
    /// `email`, `0`, `Reply`, `Reply::text`; empty for the container.
    name: String,
    args: DataArgs,
    /// The field's type, for `nested`.
    ty: Option<syn::Type>,
}

#[derive(Clone, Copy, PartialEq)]
enum Place {
    Container,
    Variant,
    Field,
}

pub fn derive(input: TokenStream) -> TokenStream {
    let input: DeriveInput = match syn::parse2(input) {
        Ok(input) => input,
        Err(error) => return error.to_compile_error(),
    };
    let mut errors = Vec::new();
    let tagged = collect(&input, &mut errors);
    let loaded = policy::in_force();
    let tracking = policy::tracking(match &loaded {
        Ok(in_force) => in_force.file.as_deref(),
        Err((_, file)) => file.as_deref(),
    });
    match &loaded {
        Ok(in_force) => {
            for element in &tagged {
                errors.extend(attr::validate::data(&element.args, &in_force.policy));
            }
        }
        Err((message, file)) => {
            if policy::first_report(file.as_deref()) {
                errors.push(policy_error(message));
            }
        }
    }
    if let Some(combined) = attr::combine(&errors) {
        let fallback = fallback_impl(&input);
        let error = combined.to_compile_error();
        return quote! { #error #fallback #tracking };
    }
    let implementation = implementation(&input, &tagged);
    quote! { #implementation #tracking }
}

pub fn policy_error(message: &str) -> AttrError {
    AttrError::new(
        Span::call_site(),
        format!("privflow: the policy in force is invalid:\n{message}"),
        "fix privflow.toml (`cargo privflow check` shows each problem with its source line)",
    )
}

fn collect(input: &DeriveInput, errors: &mut Vec<AttrError>) -> Vec<Tagged> {
    let mut tagged = Vec::new();
    let mut visit = |name: String, attrs: &[Attribute], place: Place, ty: Option<&syn::Type>| {
        if let Some(args) = data_args(attrs, place, errors) {
            tagged.push(Tagged {
                name,
                args,
                ty: ty.cloned(),
            });
        }
    };
    visit(String::new(), &input.attrs, Place::Container, None);
    match &input.data {
        Data::Struct(data) => {
            for (index, field) in data.fields.iter().enumerate() {
                visit(
                    field_name(field, index),
                    &field.attrs,
                    Place::Field,
                    Some(&field.ty),
                );
            }
        }
        Data::Enum(data) => {
            for variant in &data.variants {
                let variant_name = variant.ident.to_string();
                visit(variant_name.clone(), &variant.attrs, Place::Variant, None);
                for (index, field) in variant.fields.iter().enumerate() {
                    let name = format!("{variant_name}::{}", field_name(field, index));
                    visit(name, &field.attrs, Place::Field, Some(&field.ty));
                }
            }
        }
        Data::Union(data) => errors.push(AttrError::new(
            data.union_token.span,
            "`Classified` cannot be derived for a union",
            "privflow cannot know which field a union holds; wrap it in a struct and tag that",
        )),
    }
    tagged
}

fn field_name(field: &syn::Field, index: usize) -> String {
    match &field.ident {
        Some(ident) => ident.to_string(),
        None => index.to_string(),
    }
}

/// The element's `#[data(...)]`, parsed; at most one per element.
fn data_args(attrs: &[Attribute], place: Place, errors: &mut Vec<AttrError>) -> Option<DataArgs> {
    let mut found: Option<DataArgs> = None;
    for attribute in attrs
        .iter()
        .filter(|attribute| attribute.path().is_ident("data"))
    {
        let tokens = match &attribute.meta {
            Meta::List(list) if list.tokens.is_empty() => {
                errors.push(AttrError::new(
                    list.delimiter.span().join(),
                    "`data` needs at least one category or key",
                    "write `#[data(\"contact.email\")]`, or remove the attribute",
                ));
                continue;
            }
            Meta::List(list) => list.tokens.clone(),
            other => {
                errors.push(AttrError::new(
                    other.span(),
                    "`data` takes its arguments in parentheses",
                    "write `#[data(\"contact.email\")]`",
                ));
                continue;
            }
        };
        if found.is_some() {
            errors.push(AttrError::new(
                attribute.path().span(),
                "duplicate `#[data]` attribute",
                "put every category and key of this element in one `#[data(...)]`",
            ));
            continue;
        }
        match attr::parse_data(tokens) {
            Ok(args) => {
                if let (Some(span), false) = (args.nested, place == Place::Field) {
                    errors.push(AttrError::new(
                        span,
                        "`nested` belongs on a field",
                        "mark the field whose type is itself `Classified`: `#[data(nested)] address: Address`",
                    ));
                }
                found = Some(args);
            }
            Err(mut problems) => errors.append(&mut problems),
        }
    }
    found
}

fn strings(values: &[attr::Spanned<String>]) -> TokenStream {
    let values = values.iter().map(|value| &value.value);
    quote! { &[#(#values),*] }
}

fn option_string(value: &Option<attr::Spanned<String>>) -> TokenStream {
    match value {
        Some(value) => {
            let value = &value.value;
            quote! { ::core::option::Option::Some(#value) }
        }
        None => quote! { ::core::option::Option::None },
    }
}

fn implementation(input: &DeriveInput, tagged: &[Tagged]) -> TokenStream {
    let container = tagged.iter().find(|element| element.name.is_empty());
    let empty = DataArgs::default();
    let container_args = container.map_or(&empty, |element| &element.args);
    let type_name = input.ident.to_string();
    let categories = strings(&container_args.categories);
    let purposes = strings(container_args.purposes.as_deref().unwrap_or_default());
    let subject = option_string(&container_args.subject);
    let retention = option_string(&container_args.retention);
    let mut nested_bounds = Vec::new();
    let fields = tagged
        .iter()
        .filter(|element| !element.name.is_empty())
        .map(|element| {
            let name = &element.name;
            let args = &element.args;
            let categories = strings(&args.categories);
            let purposes = strings(args.purposes.as_deref().unwrap_or_default());
            let subject = option_string(&args.subject);
            let retention = option_string(&args.retention);
            let nested = match (&args.nested, &element.ty) {
                (Some(_), Some(ty)) => {
                    nested_bounds.push(quote! { #ty: ::privflow::Classified });
                    quote! { ::core::option::Option::Some(&<#ty as ::privflow::Classified>::CLASSIFICATION) }
                }
                _ => quote! { ::core::option::Option::None },
            };
            quote! {
                ::privflow::Field {
                    name: #name,
                    categories: #categories,
                    purposes: #purposes,
                    subject: #subject,
                    retention: #retention,
                    nested: #nested,
                }
            }
        })
        .collect::<Vec<_>>();
    let name = &input.ident;
    let (impl_generics, type_generics, where_clause) = input.generics.split_for_impl();
    let mut predicates: Vec<TokenStream> = where_clause
        .map(|clause| {
            clause
                .predicates
                .iter()
                .map(ToTokens::to_token_stream)
                .collect()
        })
        .unwrap_or_default();
    predicates.extend(nested_bounds);
    quote! {
        #[automatically_derived]
        impl #impl_generics ::privflow::Classified for #name #type_generics
        where #(#predicates,)*
        {
            const CLASSIFICATION: ::privflow::Classification = ::privflow::Classification {
                type_name: #type_name,
                categories: #categories,
                purposes: #purposes,
                subject: #subject,
                retention: #retention,
                fields: &[#(#fields),*],
            };
        }
    }
}

/// An impl with nothing in it, emitted with the errors so that uses of the type as
/// `Classified` do not add errors of their own.
fn fallback_impl(input: &DeriveInput) -> TokenStream {
    if matches!(input.data, Data::Union(_)) {
        return TokenStream::new();
    }
    implementation(input, &[])
}
