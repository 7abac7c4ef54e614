//! Types and paths, as written.

use super::super::ir::{PathRef, TypeRef};

pub fn path(path: &syn::Path) -> PathRef {
    let segments = path
        .segments
        .iter()
        .map(|segment| super::name(&segment.ident))
        .collect();
    let args = path
        .segments
        .last()
        .map(|segment| generic_types(&segment.arguments))
        .unwrap_or_default();
    PathRef {
        segments,
        args,
        absolute: path.leading_colon.is_some(),
    }
}

fn generic_types(arguments: &syn::PathArguments) -> Vec<TypeRef> {
    match arguments {
        syn::PathArguments::AngleBracketed(angle) => angle
            .args
            .iter()
            .filter_map(|arg| match arg {
                syn::GenericArgument::Type(ty) => Some(type_ref(ty)),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

pub fn type_ref(ty: &syn::Type) -> TypeRef {
    match ty {
        syn::Type::Path(type_path) if type_path.qself.is_none() => {
            TypeRef::Path(path(&type_path.path))
        }
        syn::Type::Reference(reference) => TypeRef::Ref {
            mutable: reference.mutability.is_some(),
            inner: Box::new(type_ref(&reference.elem)),
        },
        syn::Type::Ptr(pointer) => TypeRef::Ref {
            mutable: matches!(pointer.mutability, syn::PointerMutability::Mut(_)),
            inner: Box::new(type_ref(&pointer.elem)),
        },
        syn::Type::Paren(paren) => type_ref(&paren.elem),
        syn::Type::Group(group) => type_ref(&group.elem),
        syn::Type::Tuple(tuple) => TypeRef::Tuple(tuple.elems.iter().map(type_ref).collect()),
        syn::Type::Slice(slice) => TypeRef::Slice(Box::new(type_ref(&slice.elem))),
        syn::Type::Array(array) => TypeRef::Slice(Box::new(type_ref(&array.elem))),
        syn::Type::ImplTrait(bounds) => TypeRef::Bounds(trait_bounds(bounds.bounds.iter())),
        syn::Type::TraitObject(bounds) => TypeRef::Bounds(trait_bounds(bounds.bounds.iter())),
        _ => TypeRef::Opaque,
    }
}

pub fn trait_bounds<'a>(bounds: impl Iterator<Item = &'a syn::TypeParamBound>) -> Vec<PathRef> {
    bounds
        .filter_map(|bound| match bound {
            syn::TypeParamBound::Trait(trait_bound) => Some(path(&trait_bound.path)),
            _ => None,
        })
        .collect()
}
