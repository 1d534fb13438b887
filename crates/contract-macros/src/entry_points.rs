//! `#[entry_points]`: a contract's `#[public]` block, routed compactly.

use convert_case::{Case, Casing};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{FnArg, ImplItem, ItemImpl, ReturnType, Type};

/// Whether `ty` is one of the Rust types the ABI encodes as one word.
fn is_word(ty: &Type) -> bool {
    let Type::Path(p) = ty else { return false };
    let Some(last) = p.path.segments.last() else {
        return false;
    };
    matches!(
        last.ident.to_string().as_str(),
        "u8" | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "bool"
            | "Address"
            | "U8"
            | "U16"
            | "U32"
            | "U64"
            | "U128"
            | "U256"
            | "B256"
            | "FixedBytes"
            | "Uint"
    )
}

/// The last path segment of `ty`, if it is a path.
fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(p) => p.path.segments.last(),
        _ => None,
    }
}

/// The one type argument of `ty` (`T` of `Vec<T>`).
fn type_argument(seg: &syn::PathSegment) -> Option<&Type> {
    match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) => match a.args.first() {
            Some(syn::GenericArgument::Type(t)) if a.args.len() == 1 => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// How `encode::Args` reads argument `i` of type `ty` (`args` the
/// reader), if it reads that type: a word, `String`, `Bytes`, an array of
/// words or `Vec<Bytes>`.
fn read_arg(ty: &Type, i: usize) -> Option<TokenStream> {
    if is_word(ty) {
        return Some(quote! { args.word::<#ty>(#i)? });
    }
    let seg = last_segment(ty)?;
    match seg.ident.to_string().as_str() {
        "String" if seg.arguments.is_empty() => Some(quote! { args.string(#i)? }),
        "Bytes" if seg.arguments.is_empty() => {
            Some(quote! { ::stylus_sdk::abi::Bytes(args.bytes(#i)?.to_vec()) })
        }
        "Vec" => {
            let inner = type_argument(seg)?;
            if is_word(inner) {
                return Some(quote! { args.words::<#inner>(#i)? });
            }
            let inner_seg = last_segment(inner)?;
            (inner_seg.ident == "Bytes" && inner_seg.arguments.is_empty()).then(|| {
                quote! {
                    args.bytes_array(#i)?
                        .into_iter()
                        .map(|b| ::stylus_sdk::abi::Bytes(b.to_vec()))
                        .collect()
                }
            })
        }
        _ => None,
    }
}

/// Whether a result of type `ty` is encoded by `encode::Output` (words,
/// nothing, the `sol_abi!` view structs, and `Result`s of those) rather
/// than by the SDK's generic encoder (dynamic types and tuples).
fn is_output(ty: &Type) -> bool {
    match ty {
        Type::Tuple(t) => t.elems.is_empty(),
        Type::Path(p) => {
            let Some(last) = p.path.segments.last() else {
                return false;
            };
            match last.ident.to_string().as_str() {
                "Vec" | "String" | "Bytes" => false,
                "Result" => match &last.arguments {
                    syn::PathArguments::AngleBracketed(a) => match a.args.first() {
                        Some(syn::GenericArgument::Type(t)) => is_output(t),
                        _ => false,
                    },
                    _ => false,
                },
                _ => true,
            }
        }
        _ => false,
    }
}

/// Removes the flag attribute `name` from `attrs`; whether it was there.
fn take_flag(attrs: &mut Vec<syn::Attribute>, name: &str) -> bool {
    let before = attrs.len();
    attrs.retain(|a| !a.path().is_ident(name));
    attrs.len() != before
}

/// Removes `#[selector(name = "…")]` from `attrs`; the name.
fn take_selector(attrs: &mut Vec<syn::Attribute>) -> syn::Result<Option<String>> {
    let mut name = None;
    let mut err = None;
    attrs.retain(|a| {
        if !a.path().is_ident("selector") {
            return true;
        }
        let parsed = a.parse_nested_meta(|m| {
            if m.path.is_ident("name") {
                let s: syn::LitStr = m.value()?.parse()?;
                name = Some(s.value());
                Ok(())
            } else {
                Err(m.error("expected `name = \"…\"`"))
            }
        });
        if let Err(e) = parsed {
            err = Some(e);
        }
        false
    });
    match err {
        Some(e) => Err(e),
        None => Ok(name),
    }
}

pub fn expand(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    if !attr.is_empty() {
        return Err(syn::Error::new_spanned(
            attr,
            "#[entry_points] takes no arguments",
        ));
    }
    let original: ItemImpl = syn::parse2(item)?;
    if original.trait_.is_some() || !original.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &original.self_ty,
            "#[entry_points]: an inherent impl without generics",
        ));
    }
    let mut imp = original.clone();
    let self_ty = imp.self_ty.clone();

    let mut inherits: Vec<syn::Path> = Vec::new();
    let mut keep = Vec::new();
    for a in imp.attrs.drain(..) {
        if a.path().is_ident("inherit") {
            let list = a.parse_args_with(
                syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated,
            )?;
            inherits.extend(list);
        } else {
            keep.push(a);
        }
    }
    imp.attrs = keep;

    let mut arms = Vec::new();
    let mut constructor = quote! { None };
    for item in &mut imp.items {
        let ImplItem::Fn(f) = item else { continue };
        let payable = take_flag(&mut f.attrs, "payable");
        let is_constructor = take_flag(&mut f.attrs, "constructor");
        let selector = take_selector(&mut f.attrs)?;
        for flag in ["fallback", "receive"] {
            if f.attrs.iter().any(|a| a.path().is_ident(flag)) {
                return Err(syn::Error::new_spanned(
                    &f.sig.ident,
                    format!("#[entry_points]: #[{flag}] is not supported"),
                ));
            }
        }
        let name = &f.sig.ident;
        let rust_name = name.to_string();
        let sol_name = selector.unwrap_or_else(|| rust_name.to_case(Case::Camel));
        let mut has_self = false;
        let mut tys = Vec::new();
        for input in &f.sig.inputs {
            match input {
                FnArg::Receiver(_) => has_self = true,
                FnArg::Typed(t) => tys.push((*t.ty).clone()),
            }
        }
        let n = tys.len();
        let storage = if has_self {
            quote! { ::core::borrow::BorrowMut::borrow_mut(storage), }
        } else {
            quote! {}
        };
        let deny = if payable {
            quote! {}
        } else {
            quote! {
                if let Err(e) = storage.deny_value(#rust_name) {
                    return Some(Err(e));
                }
            }
        };
        let reads: Option<Vec<TokenStream>> = tys
            .iter()
            .enumerate()
            .map(|(i, ty)| read_arg(ty, i))
            .collect();
        let decode = if tys.iter().all(is_word) {
            let reads = tys.iter().enumerate().map(|(i, ty)| {
                quote! { ::spon_contract_kit::encode::word_at::<#ty>(input, #n, #i)? }
            });
            let check = if n == 0 {
                quote! { input.is_empty().then_some(())?; }
            } else {
                quote! {}
            };
            quote! { (|| { #check Some((#(#reads,)*)) })() }
        } else if let Some(reads) = reads {
            let names = (0..n).map(|i| format_ident!("a{}", i));
            let names2 = names.clone();
            quote! {
                (|| {
                    let mut args = ::spon_contract_kit::encode::Args::new(input, #n);
                    #(let #names = #reads;)*
                    args.finish()?;
                    Some((#(#names2,)*))
                })()
            }
        } else {
            quote! {
                <<(#(#tys,)*) as ::stylus_sdk::abi::AbiType>::SolType as ::alloy_sol_types::SolType>
                    ::abi_decode_params(input, true).ok()
            }
        };
        let args = (0..n).map(syn::Index::from);
        let cargs = args.clone();
        let output = match &f.sig.output {
            ReturnType::Default => true,
            ReturnType::Type(_, ty) => is_output(ty),
        };
        let encode = if output {
            quote! { ::spon_contract_kit::encode::Output::output(result) }
        } else {
            quote! { ::stylus_sdk::abi::internal::EncodableReturnType::encode(result) }
        };
        let body = quote! {
            #deny
            let Some(args) = #decode else {
                return Some(Err(::alloc::vec::Vec::new()));
            };
            let result = Self::#name(#storage #(args.#args,)*);
            return Some(#encode);
        };
        if is_constructor {
            // As the SDK's: value refused first, then a second call.
            constructor = quote! {
                #deny
                if let Err(e) = storage.check_constructor_slot() {
                    return Some(Err(e));
                }
                let Some(args) = #decode else {
                    return Some(Err(::alloc::vec::Vec::new()));
                };
                let result = Self::#name(#storage #(args.#cargs,)*);
                Some(#encode)
            };
            continue;
        }
        let selector = format_ident!("__SELECTOR_{}", name);
        arms.push(quote! {
            #[allow(non_upper_case_globals)]
            const #selector: u32 =
                u32::from_be_bytes(::stylus_sdk::function_selector!(#sol_name #(, #tys)*));
            if selector == #selector {
                #body
            }
        });
    }
    let inherited = inherits.iter().map(|ty| {
        quote! {
            if let Some(result) = <#ty as ::stylus_sdk::abi::Router<S>>::route(storage, selector, input) {
                return Some(result);
            }
        }
    });
    let bounds = inherits
        .iter()
        .map(|ty| quote! { S: ::core::borrow::BorrowMut<#ty>, });

    Ok(quote! {
        #[cfg(feature = "export-abi")]
        #[::stylus_sdk::prelude::public]
        #original

        #[cfg(not(feature = "export-abi"))]
        #imp

        /// The entry points' router: each word argument is read as one word
        /// and checked as alloy's validating decoder checks it, each word
        /// result written as one word (other types go through the SDK's
        /// generic encoding), so that no function instantiates alloy's
        /// generic decoder and encoder for its own tuple of types.
        #[cfg(not(feature = "export-abi"))]
        impl<S> ::stylus_sdk::abi::Router<S> for #self_ty
        where
            S: ::stylus_sdk::stylus_core::storage::TopLevelStorage
                + ::core::borrow::BorrowMut<Self>
                + ::stylus_sdk::stylus_core::ValueDenier
                + ::stylus_sdk::stylus_core::ConstructorGuard,
            #(#bounds)*
        {
            type Storage = Self;

            #[inline(always)]
            fn route(storage: &mut S, selector: u32, input: &[u8]) -> Option<::stylus_sdk::ArbResult> {
                #(#arms)*
                #(#inherited)*
                None
            }

            #[inline(always)]
            fn fallback(_: &mut S, _: &[u8]) -> Option<::stylus_sdk::ArbResult> {
                None
            }

            #[inline(always)]
            fn receive(_: &mut S) -> Option<Result<(), ::alloc::vec::Vec<u8>>> {
                None
            }

            #[inline(always)]
            fn constructor(storage: &mut S, input: &[u8]) -> Option<::stylus_sdk::ArbResult> {
                #constructor
            }
        }

        #[cfg(not(feature = "export-abi"))]
        impl #self_ty {
            #[doc(hidden)]
            pub const fn __stylus_allow_override(
                _: u32,
                _: ::stylus_sdk::methods::Purity,
            ) -> bool {
                true
            }

            #[doc(hidden)]
            pub const fn __stylus_assert_overrides() {}
        }
    })
}
