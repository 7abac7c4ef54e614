//! The proc macros of `privflow`. Each works in layers: parse the attribute with the
//! shared grammar (`privflow_model::attr`), check the item it stands on, validate ids
//! against the policy in force, then emit. On any error the item is emitted unchanged
//! next to the `compile_error!`s, so users see our message and not a cascade.

mod classified;
mod item_attrs;
mod policy;

use proc_macro::TokenStream;

/// `#[derive(Classified)]`: implements `privflow::Classified` from `#[data(...)]`
/// attributes on the container, its fields, and enum variants and their fields.
#[proc_macro_derive(Classified, attributes(data))]
pub fn derive_classified(input: TokenStream) -> TokenStream {
    classified::derive(input.into()).into()
}

/// `#[privflow::sink("id")]`, `#[privflow::sink("id", args = ["param"])]`: calling the
/// function sends the (listed) arguments to the sink.
#[proc_macro_attribute]
pub fn sink(args: TokenStream, item: TokenStream) -> TokenStream {
    item_attrs::expand(item_attrs::Kind::Sink, args.into(), item.into()).into()
}

/// `#[privflow::purpose("id", ...)]`: code in this function, impl or inline module
/// runs under these purposes.
#[proc_macro_attribute]
pub fn purpose(args: TokenStream, item: TokenStream) -> TokenStream {
    item_attrs::expand(item_attrs::Kind::Purpose, args.into(), item.into()).into()
}

/// `#[privflow::declassify]`, `#[privflow::declassify(to = "category")]`: the
/// function's result carries nothing, or only `to`.
#[proc_macro_attribute]
pub fn declassify(args: TokenStream, item: TokenStream) -> TokenStream {
    item_attrs::expand(item_attrs::Kind::Declassify, args.into(), item.into()).into()
}

/// `#[privflow::allow("category -> sink", reason = "...")]`: accepts that flow inside
/// this item.
#[proc_macro_attribute]
pub fn allow(args: TokenStream, item: TokenStream) -> TokenStream {
    item_attrs::expand(item_attrs::Kind::Allow, args.into(), item.into()).into()
}
