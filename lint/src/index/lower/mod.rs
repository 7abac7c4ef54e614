//! Lowering a parsed file to the item tree ([`super::ir`]), in the worker that parsed
//! it. Attributes are read with the shared grammar and validated against the policy
//! here, so that the linter reports exactly what the macros would.

mod expr;
mod format;
mod select;
pub(crate) use select::is_punct;
mod ty;

use privflow_model::Policy;
use privflow_model::attr::{self, AttrError};
use proc_macro2::{Span, TokenStream};
use syn::spanned::Spanned as _;

use super::ir::{
    AllowTag, DataTag, FieldDef, FileIr, FnDef, FnTags, GenericParam, ImplDef, Import, Item,
    ItemKind, Param, Pos, Receiver, SinkTag, TraitDef, TypeDef, TypeKind, VariantDef,
};
use crate::load::{FileContext, is_configured_out};

pub(crate) fn pos(span: Span) -> Pos {
    if let Some(at) = POS_OVERRIDE.with(std::cell::Cell::get) {
        return at;
    }
    let start = span.start();
    Pos {
        line: u32::try_from(start.line).unwrap_or(u32::MAX),
        column: u32::try_from(start.column + 1).unwrap_or(u32::MAX),
    }
}

/// Lowers one file. `policy` validates the ids in attributes.
pub fn lower_file(ast: &syn::File, context: &FileContext<'_>, policy: &Policy) -> (FileIr, usize) {
    let mut lowerer = Lowerer {
        policy,
        module: context.module_path.to_vec(),
        inherited: FnTags::default(),
        ir: FileIr::default(),
        macros_not_understood: 0,
    };
    lowerer.items(&ast.items);
    (lowerer.ir, lowerer.macros_not_understood)
}

pub(crate) struct Lowerer<'p> {
    policy: &'p Policy,
    /// The module being lowered (inline modules pushed on top of the file's).
    module: Vec<String>,
    /// Purposes and allows from enclosing inline modules.
    inherited: FnTags,
    ir: FileIr,
    pub(crate) macros_not_understood: usize,
}

/// Which privflow attribute an attribute is, if any.
/// An identifier as a [`Name`](super::ir::Name), written straight into its inline
/// storage (no `String` on the way).
fn name(ident: &proc_macro2::Ident) -> super::ir::Name {
    smol_str::format_smolstr!("{ident}")
}

fn privflow_attr(attribute: &syn::Attribute) -> Option<attr::AttrKind> {
    let segments: Vec<String> = attribute
        .path()
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    attr::AttrKind::from_path(&segments)
}

fn arguments(attribute: &syn::Attribute) -> TokenStream {
    match &attribute.meta {
        syn::Meta::List(list) => list.tokens.clone(),
        _ => TokenStream::new(),
    }
}

impl Lowerer<'_> {
    /// What the grammar found wrong in `attribute`. One with no arguments
    /// (`#[privflow::sink]`) has no tokens to point at: its problems point at the
    /// attribute, as the compiler's would.
    fn attribute_problems(&mut self, mut errors: Vec<AttrError>, attribute: &syn::Attribute) {
        if arguments(attribute).is_empty() {
            let at = attribute.path().span();
            for error in &mut errors {
                error.span = at;
            }
        }
        self.problems(errors);
    }

    fn problems(&mut self, errors: Vec<AttrError>) {
        for error in errors {
            self.ir.problems.push(super::ir::AttrProblem {
                pos: pos(error.span),
                message: error.message,
                help: error.help,
            });
        }
    }

    fn items(&mut self, items: &[syn::Item]) {
        for item in items {
            if let Some(inner) = crate::load::items_in_macro(item) {
                self.items(&inner);
                continue;
            }
            if let Some(lowered) = self.item(item) {
                self.ir.items.push(lowered);
            }
        }
    }

    /// An item, at module level or inside a body; inline modules are flattened into
    /// the file's list with their module path.
    pub(super) fn item(&mut self, item: &syn::Item) -> Option<Item> {
        if item_attrs(item).is_some_and(is_configured_out) {
            return None;
        }
        let kind = match item {
            syn::Item::Use(item) => {
                let mut imports = Vec::new();
                let public = !matches!(item.vis, syn::Visibility::Inherited);
                flatten_use(&item.tree, &mut Vec::new(), public, &mut imports);
                ItemKind::Use(imports)
            }
            syn::Item::Struct(item) => ItemKind::Type(self.struct_def(item)),
            syn::Item::Enum(item) => ItemKind::Type(self.enum_def(item)),
            syn::Item::Fn(item) => {
                let tags = self.fn_tags(&item.attrs, &FnTags::default());
                ItemKind::Fn(self.fn_def(&item.sig, Some(&item.block), tags, &item.attrs))
            }
            syn::Item::Impl(item) => ItemKind::Impl(self.impl_def(item)),
            syn::Item::Trait(item) => ItemKind::Trait(self.trait_def(item)),
            syn::Item::Mod(item) => {
                if let Some((_, content)) = &item.content {
                    let outer = std::mem::take(&mut self.inherited);
                    self.inherited = self.fn_tags(&item.attrs, &outer);
                    self.module.push(item.ident.to_string());
                    self.items(content);
                    self.module.pop();
                    self.inherited = outer;
                }
                return None;
            }
            syn::Item::Static(item) => ItemKind::Static {
                name: item.ident.to_string(),
                ty: ty::type_ref(&item.ty),
                destination: self.constant_destination(&item.expr),
            },
            syn::Item::Const(item) => ItemKind::Destination {
                name: item.ident.to_string(),
                sink: self.constant_destination(&item.expr)?,
            },
            syn::Item::Type(item) => ItemKind::TypeAlias {
                name: item.ident.to_string(),
                generics: item
                    .generics
                    .type_params()
                    .map(|param| super::ir::AliasParam {
                        name: param.ident.to_string(),
                        default: param
                            .default
                            .as_ref()
                            .map(|(_, default)| ty::type_ref(default)),
                    })
                    .collect(),
                ty: ty::type_ref(&item.ty),
            },
            syn::Item::ExternCrate(item) => ItemKind::ExternCrate {
                name: item.ident.to_string(),
                macro_use: item
                    .attrs
                    .iter()
                    .any(|attribute| attribute.path().is_ident("macro_use")),
            },
            syn::Item::Macro(item) => match &item.ident {
                Some(name) => ItemKind::MacroRules(super::ir::MacroRules {
                    name: name.to_string(),
                    rules: macro_rules(&item.mac.tokens),
                    pos: pos(name.span()),
                }),
                None => return None,
            },
            _ => return None,
        };
        Some(Item {
            module: self.module.clone(),
            kind,
        })
    }

    /// The privflow attributes of a function, impl, trait or module, on top of `outer`.
    fn fn_tags(&mut self, attrs: &[syn::Attribute], outer: &FnTags) -> FnTags {
        let mut tags = FnTags {
            purposes: self
                .inherited
                .purposes
                .iter()
                .chain(&outer.purposes)
                .cloned()
                .collect(),
            allows: self
                .inherited
                .allows
                .iter()
                .chain(&outer.allows)
                .cloned()
                .collect(),
            ..FnTags::default()
        };
        for attribute in attrs {
            let Some(kind) = privflow_attr(attribute) else {
                continue;
            };
            let tokens = arguments(attribute);
            let policy = self.policy;
            match kind {
                attr::AttrKind::Sink => match attr::parse_sink(tokens) {
                    Ok(args) => {
                        self.problems(attr::validate::sink(&args, policy));
                        tags.sink = Some(SinkTag {
                            sink: args.sink.value,
                            args: args
                                .args
                                .map(|list| list.into_iter().map(|arg| arg.value).collect()),
                            pos: pos(attribute.path().span()),
                        });
                    }
                    Err(errors) => self.attribute_problems(errors, attribute),
                },
                attr::AttrKind::Purpose => match attr::parse_purpose(tokens) {
                    Ok(args) => {
                        self.problems(attr::validate::purpose(&args, policy));
                        tags.purposes
                            .extend(args.purposes.into_iter().map(|purpose| purpose.value));
                    }
                    Err(errors) => self.attribute_problems(errors, attribute),
                },
                attr::AttrKind::Declassify => match attr::parse_declassify(tokens) {
                    Ok(args) => {
                        self.problems(attr::validate::declassify(&args, policy));
                        tags.declassify = Some(args.to.into_iter().map(|to| to.value).collect());
                    }
                    Err(errors) => self.attribute_problems(errors, attribute),
                },
                attr::AttrKind::Allow => match attr::parse_allow(tokens) {
                    Ok(args) => {
                        self.problems(attr::validate::allow(&args, policy));
                        tags.allows.push(AllowTag {
                            flow: args.flow.value,
                            reason: args.reason.value,
                        });
                    }
                    Err(errors) => self.attribute_problems(errors, attribute),
                },
                attr::AttrKind::Data => {}
            }
        }
        tags.purposes.sort();
        tags.purposes.dedup();
        tags
    }

    fn data_tag(&mut self, attrs: &[syn::Attribute]) -> Option<DataTag> {
        let attribute = attrs
            .iter()
            .find(|attribute| privflow_attr(attribute) == Some(attr::AttrKind::Data))?;
        match attr::parse_data(arguments(attribute)) {
            Ok(args) => {
                self.problems(attr::validate::data(&args, self.policy));
                Some(DataTag {
                    categories: args
                        .categories
                        .into_iter()
                        .map(|category| category.value)
                        .collect(),
                    purposes: args.purposes.map(|purposes| {
                        purposes.into_iter().map(|purpose| purpose.value).collect()
                    }),
                    subject: args.subject.map(|subject| subject.value),
                    retention: args.retention.map(|retention| retention.value),
                    nested: args.nested.is_some(),
                    pos: pos(attribute.path().span()),
                })
            }
            Err(errors) => {
                self.attribute_problems(errors, attribute);
                None
            }
        }
    }

    fn fields(&mut self, fields: &syn::Fields) -> Vec<FieldDef> {
        fields
            .iter()
            .enumerate()
            .map(|(index, field)| FieldDef {
                name: field
                    .ident
                    .as_ref()
                    .map_or_else(|| index.to_string(), ToString::to_string),
                ty: ty::type_ref(&field.ty),
                tag: self.data_tag(&field.attrs),
                serde_skip: serde_skips(&field.attrs),
                from: field
                    .attrs
                    .iter()
                    .any(|attribute| attribute.path().is_ident("from")),
                pos: pos(field
                    .ident
                    .as_ref()
                    .map_or_else(|| field.ty.span(), |ident| ident.span())),
            })
            .collect()
    }

    fn struct_def(&mut self, item: &syn::ItemStruct) -> TypeDef {
        TypeDef {
            name: item.ident.to_string(),
            kind: TypeKind::Struct,
            generics: generic_params(&item.generics),
            fields: self.fields(&item.fields),
            variants: Vec::new(),
            tag: self.data_tag(&item.attrs),
            derives: derives(&item.attrs),
            pos: pos(item.ident.span()),
        }
    }

    fn enum_def(&mut self, item: &syn::ItemEnum) -> TypeDef {
        let variants = item
            .variants
            .iter()
            .map(|variant| VariantDef {
                name: variant.ident.to_string(),
                fields: self.fields(&variant.fields),
                tag: self.data_tag(&variant.attrs),
            })
            .collect();
        TypeDef {
            name: item.ident.to_string(),
            kind: TypeKind::Enum,
            generics: generic_params(&item.generics),
            fields: Vec::new(),
            variants,
            tag: self.data_tag(&item.attrs),
            derives: derives(&item.attrs),
            pos: pos(item.ident.span()),
        }
    }

    fn fn_def(
        &mut self,
        sig: &syn::Signature,
        body: Option<&syn::Block>,
        tags: FnTags,
        attrs: &[syn::Attribute],
    ) -> FnDef {
        let mut receiver = None;
        let mut params = Vec::new();
        for input in &sig.inputs {
            match input {
                syn::FnArg::Receiver(recv) => {
                    receiver = Some(match &recv.kind {
                        syn::ReceiverKind::Reference(_, _, Some(_)) => Receiver::RefMut,
                        syn::ReceiverKind::Reference(_, _, None) => Receiver::Ref,
                        _ => Receiver::Value,
                    });
                }
                syn::FnArg::Typed(typed) => params.push(Param {
                    pattern: self.pattern(&typed.pat),
                    ty: ty::type_ref(&typed.ty),
                }),
            }
        }
        FnDef {
            name: sig.ident.to_string(),
            generics: generic_params(&sig.generics),
            receiver,
            params,
            ret: match &sig.output {
                syn::ReturnType::Type(_, ty) => Some(ty::type_ref(ty)),
                syn::ReturnType::Default => None,
            },
            body: body.map(|block| crate::index::ir::Body::new(self.block(block))),
            tags,
            is_async: sig.asyncness.is_some(),
            pos: pos(sig.ident.span()),
            instrument: attrs
                .iter()
                .find(|attr| {
                    attr.path()
                        .segments
                        .last()
                        .is_some_and(|last| last.ident == "instrument")
                })
                .map(|attr| Box::new(self.instrument(attr))),
        }
    }

    fn impl_def(&mut self, item: &syn::ItemImpl) -> ImplDef {
        let block_tags = self.fn_tags(&item.attrs, &FnTags::default());
        let functions = item
            .items
            .iter()
            .filter_map(|member| match member {
                syn::ImplItem::Fn(function) if !is_configured_out(&function.attrs) => {
                    let tags = self.fn_tags(&function.attrs, &block_tags);
                    Some(self.fn_def(&function.sig, Some(&function.block), tags, &function.attrs))
                }
                _ => None,
            })
            .collect();
        let destinations = item
            .items
            .iter()
            .filter_map(|member| match member {
                syn::ImplItem::Const(constant) => Some((
                    constant.ident.to_string(),
                    self.constant_destination(&constant.expr)?,
                )),
                _ => None,
            })
            .collect();
        ImplDef {
            self_ty: ty::type_ref(&item.self_ty),
            trait_path: item.trait_.as_ref().map(|(path, _)| ty::path(path)),
            generics: generic_params(&item.generics),
            functions,
            destinations,
        }
    }

    fn trait_def(&mut self, item: &syn::ItemTrait) -> TraitDef {
        let trait_tags = self.fn_tags(&item.attrs, &FnTags::default());
        let functions = item
            .items
            .iter()
            .filter_map(|member| match member {
                syn::TraitItem::Fn(function) if !is_configured_out(&function.attrs) => {
                    let tags = self.fn_tags(&function.attrs, &trait_tags);
                    Some(self.fn_def(
                        &function.sig,
                        function.default.as_ref(),
                        tags,
                        &function.attrs,
                    ))
                }
                _ => None,
            })
            .collect();
        TraitDef {
            name: item.ident.to_string(),
            functions,
        }
    }
}

/// The attributes of the items the item tree keeps.
fn item_attrs(item: &syn::Item) -> Option<&[syn::Attribute]> {
    Some(match item {
        syn::Item::Use(item) => &item.attrs,
        syn::Item::Struct(item) => &item.attrs,
        syn::Item::Enum(item) => &item.attrs,
        syn::Item::Fn(item) => &item.attrs,
        syn::Item::Impl(item) => &item.attrs,
        syn::Item::Trait(item) => &item.attrs,
        syn::Item::Mod(item) => &item.attrs,
        syn::Item::Static(item) => &item.attrs,
        syn::Item::Type(item) => &item.attrs,
        syn::Item::ExternCrate(item) => &item.attrs,
        syn::Item::Macro(item) => &item.attrs,
        _ => return None,
    })
}

fn flatten_use(tree: &syn::UseTree, prefix: &mut Vec<String>, public: bool, out: &mut Vec<Import>) {
    match tree {
        syn::UseTree::Path(path) => {
            prefix.push(path.ident.to_string());
            flatten_use(&path.tree, prefix, public, out);
            prefix.pop();
        }
        syn::UseTree::Name(name) => {
            let ident = name.ident.to_string();
            // `use a::b::{self}` imports `b`.
            let (alias, path) = if ident == "self" {
                (prefix.last().cloned().unwrap_or_default(), prefix.clone())
            } else {
                (
                    ident.clone(),
                    prefix.iter().cloned().chain([ident]).collect(),
                )
            };
            out.push(Import {
                alias,
                path,
                glob: false,
                public,
            });
        }
        syn::UseTree::Rename(rename) => {
            let ident = rename.ident.to_string();
            let path = if ident == "self" {
                prefix.clone()
            } else {
                prefix.iter().cloned().chain([ident]).collect()
            };
            out.push(Import {
                alias: rename.rename.to_string(),
                path,
                glob: false,
                public,
            });
        }
        syn::UseTree::Glob(_) => out.push(Import {
            alias: String::new(),
            path: prefix.clone(),
            glob: true,
            public,
        }),
        syn::UseTree::Group(group) => {
            for tree in &group.items {
                flatten_use(tree, prefix, public, out);
            }
        }
    }
}

fn generic_params(generics: &syn::Generics) -> Vec<GenericParam> {
    let mut params: Vec<GenericParam> = generics
        .type_params()
        .map(|param| GenericParam {
            name: param.ident.to_string(),
            bounds: ty::trait_bounds(param.bounds.iter()),
        })
        .collect();
    for predicate in generics
        .where_clause
        .iter()
        .flat_map(|clause| &clause.predicates)
    {
        let syn::WherePredicate::Type(predicate) = predicate else {
            continue;
        };
        let syn::Type::Path(bounded) = &predicate.bounded_ty else {
            continue;
        };
        let Some(name) = bounded.path.get_ident().map(ToString::to_string) else {
            continue;
        };
        if let Some(param) = params.iter_mut().find(|param| param.name == name) {
            param
                .bounds
                .extend(ty::trait_bounds(predicate.bounds.iter()));
        }
    }
    params
}

/// `#[derive(A, b::B)]` → `["A", "B"]`.
fn derives(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut names = Vec::new();
    for attribute in attrs
        .iter()
        .filter(|attribute| attribute.path().is_ident("derive"))
    {
        let _ = attribute.parse_nested_meta(|meta| {
            if let Some(last) = meta.path.segments.last() {
                names.push(last.ident.to_string());
            }
            Ok(())
        });
    }
    names
}

/// `#[serde(skip)]`, `#[serde(skip_serializing)]` (and `skip_serializing_if`, which may
/// skip: the value may still be serialized, so it does not count).
fn serde_skips(attrs: &[syn::Attribute]) -> bool {
    let mut skipped = false;
    for attribute in attrs
        .iter()
        .filter(|attribute| attribute.path().is_ident("serde"))
    {
        let _ = attribute.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") || meta.path.is_ident("skip_serializing") {
                skipped = true;
            }
            if meta.input.peek(syn::Token![=]) {
                let _ = meta.value()?.parse::<syn::Expr>()?;
            }
            Ok(())
        });
    }
    skipped
}

#[cfg(test)]
mod tests;

/// The rules of a `macro_rules!` body: `(matcher) => {transcriber};`...
fn macro_rules(tokens: &TokenStream) -> Vec<super::ir::MacroRule> {
    use proc_macro2::TokenTree;
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut rules = Vec::new();
    let mut index = 0;
    while index < trees.len() {
        let (Some(TokenTree::Group(matcher)), Some(TokenTree::Group(transcriber))) =
            (trees.get(index), trees.get(index + 3))
        else {
            break;
        };
        rules.push(super::ir::MacroRule {
            matcher: matcher.stream().to_string(),
            transcriber: transcriber.stream().to_string(),
        });
        index += 4;
        if matches!(trees.get(index), Some(TokenTree::Punct(punct)) if punct.as_char() == ';') {
            index += 1;
        }
    }
    rules
}

thread_local! {
    /// Where every node lowered from a macro expansion points: the call (the expansion's
    /// own spans belong to re-parsed text, not to the file).
    static POS_OVERRIDE: std::cell::Cell<Option<Pos>> = const { std::cell::Cell::new(None) };
}

/// Lowers an expression from a macro expansion, every position set to `at`.
pub fn lower_expansion(
    expr: &syn::Expr,
    at: Pos,
    policy: &Policy,
    module: &[String],
) -> (super::ir::Expr, usize) {
    POS_OVERRIDE.with(|cell| cell.set(Some(at)));
    let mut lowerer = Lowerer {
        policy,
        module: module.to_vec(),
        inherited: FnTags::default(),
        ir: FileIr::default(),
        macros_not_understood: 0,
    };
    let lowered = lowerer.expr(expr);
    POS_OVERRIDE.with(|cell| cell.set(None));
    (lowered, lowerer.macros_not_understood)
}
