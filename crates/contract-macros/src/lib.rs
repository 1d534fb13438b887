//! `sol_abi!`: a contract's Solidity errors, events and view structs, declared once.
//!
//! The block is Solidity, as `alloy_sol_types::sol!` takes it, and is
//! handed to `sol!` unchanged (the Rust types, selectors, signatures and
//! decoders off-chain code and tests use). From the same declarations the
//! macro adds:
//!
//! - for every error, `spon_contract_kit::encode::Revert`: its revert data.
//!   An error whose parameters all fit a word (`address`, `bool`,
//!   `uintN`, `bytesN`) is encoded as its selector and one word per
//!   parameter by one shared function, not by alloy's generic encoder
//!   instantiated once per error (that costs contract code bytes); any
//!   other error falls back to alloy's encoding.
//! - for every event, `spon_contract_kit::encode::Emit`: the log, compact
//!   in the same way when every parameter fits a word (indexed ones as
//!   topics), through alloy otherwise.
//! - for every struct (a view's named result; elementary fields only),
//!   stylus-sdk's `AbiType`, so that a `#[public]` function returns it,
//!   and with the crate's `export-abi` feature its `struct` declaration in
//!   the exported interface (which `stylus-artifact abi` turns into named
//!   JSON ABI components).
//! - if the block declares events, `pub const EVENTS: &[&str]`: each event
//!   as human-readable ABI (`event Name(uint64 indexed id, …)`), for the
//!   JSON ABI export; it is printed from the same tokens `sol!` reads, so
//!   the two cannot differ.
//!
//! A block of `interface`s (and nothing else) declares the calls a
//! contract makes to others instead: for each interface, a struct of the
//! callee's address with one method per function, `nodeOf(address)` as
//! `node_of(&self, context, node)`, as stylus-sdk's `sol_interface!` has
//! them (same context traits and `stylus_sdk::call::Error`), but with the
//! calldata written as the selector and one word per argument and the
//! result read back word by word ([`word_at`]), each value checked as
//! alloy's validating decoder checks it. Arguments and results must be
//! word types; that is all the contracts exchange, and it spares each call
//! alloy's generic encoder and decoder.
//!
//! [`word_at`]: ../spon_contract_kit/encode/fn.word_at.html
//!
//! The generated code names `::spon_contract_kit`, `::alloy_sol_types`
//! and `::stylus_sdk`; a crate using the macro depends on all three.
#![warn(missing_docs)]

mod entry_points;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn_solidity::{File, Item, Type};

/// Declares Solidity errors, events and view structs (see the crate docs).
#[proc_macro]
pub fn sol_abi(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let input = TokenStream::from(input);
    match expand(input) {
        Ok(out) => out.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// Routes a contract's `#[public]` block compactly: put it instead of
/// `#[public]` (with `#[inherit(…)]`, `#[payable]`, `#[constructor]` and
/// `#[selector(name = …)]` as before). With the `export-abi` feature the
/// block is stylus-sdk's `#[public]` unchanged, so the exported interface
/// is the SDK's own; otherwise the macro writes the `Router` itself:
/// arguments that are all word types are read word by word
/// (`encode::word_at`, checked as alloy's validating decoder checks
/// them), results that are words, nothing or `sol_abi!` structs are
/// written by `encode::Output`, and anything else goes through the SDK's
/// generic decoding and encoding as `#[public]` does.
#[proc_macro_attribute]
pub fn entry_points(
    attr: proc_macro::TokenStream,
    item: proc_macro::TokenStream,
) -> proc_macro::TokenStream {
    match entry_points::expand(attr.into(), item.into()) {
        Ok(out) => out.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let file: File = syn::parse2(input.clone())?;
    if file.items.iter().any(|i| matches!(i, Item::Contract(_))) {
        return interfaces(&file);
    }
    let mut impls = TokenStream::new();
    let mut events = Vec::new();
    for item in &file.items {
        match item {
            Item::Error(e) => {
                let params: Vec<_> = e
                    .parameters
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (&p.ty, field(p.name.as_ref(), i)))
                    .collect();
                impls.extend(revert_impl(&e.name.0, &params));
            }
            Item::Event(e) => {
                if e.anonymous.is_some() {
                    return Err(syn::Error::new(
                        e.name.0.span(),
                        "sol_abi!: anonymous events are not supported",
                    ));
                }
                let mut human = format!("event {}(", e.name);
                for (i, p) in e.parameters.iter().enumerate() {
                    if i > 0 {
                        human.push_str(", ");
                    }
                    human.push_str(&p.ty.to_string());
                    if p.indexed.is_some() {
                        human.push_str(" indexed");
                    }
                    if let Some(n) = &p.name {
                        human.push(' ');
                        human.push_str(&n.to_string());
                    }
                }
                human.push(')');
                events.push(human);
                let params: Vec<(&Type, bool, syn::Ident)> = e
                    .parameters
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (&p.ty, p.indexed.is_some(), field(p.name.as_ref(), i)))
                    .collect();
                impls.extend(emit_impl(&e.name.0, &params));
            }
            Item::Struct(st) => impls.extend(view_impl(st)?),
            _ => {}
        }
    }
    let events_const = if events.is_empty() {
        TokenStream::new()
    } else {
        quote! {
            /// The events declared here, as human-readable ABI (for the
            /// JSON ABI export; the Solidity interface stylus-sdk exports
            /// lists no events).
            pub const EVENTS: &[&str] = &[#(#events),*];
        }
    };
    Ok(quote! {
        ::alloy_sol_types::sol! { #input }
        #impls
        #events_const
    })
}

/// The Rust field `sol!` gives a parameter: its name, or `_i` if unnamed.
fn field(name: Option<&syn_solidity::SolIdent>, i: usize) -> syn::Ident {
    match name {
        Some(n) => n.0.clone(),
        None => format_ident!("_{}", i),
    }
}

/// `AbiType` (so that a `#[public]` function may return it) and, with the
/// crate's `export-abi` feature, its declaration in the exported interface.
fn view_impl(st: &syn_solidity::ItemStruct) -> syn::Result<TokenStream> {
    let name = &st.name.0;
    let mut tuple = Vec::new();
    let mut fields = Vec::new();
    let mut words = Vec::new();
    for (i, f) in st.fields.iter().enumerate() {
        if is_word(&f.ty) {
            let name = field(f.name.as_ref(), i);
            words.push(quote! { ::spon_contract_kit::encode::Word::word(&self.#name) });
        }
        if matches!(
            f.ty,
            Type::Custom(_) | Type::Tuple(_) | Type::Function(_) | Type::Mapping(_)
        ) {
            return Err(syn::Error::new(
                name.span(),
                "sol_abi!: a view struct's fields are elementary types or arrays of them",
            ));
        }
        let field = f.name.as_ref().map(|n| n.to_string()).unwrap_or_default();
        tuple.push(f.ty.to_string());
        fields.push(format!("{} {field};", f.ty));
    }
    let output = if words.len() == st.fields.len() {
        quote! { ::spon_contract_kit::encode::words_output(&[#(#words),*]) }
    } else {
        quote! { Ok(<Self as ::alloy_sol_types::SolType>::abi_encode(&self)) }
    };
    let abi = format!("({})", tuple.join(","));
    let memory = format!("{name} memory");
    let decl = format!("struct {name} {{ {} }}", fields.join(" "));
    Ok(quote! {
        impl ::spon_contract_kit::encode::Output for #name {
            fn output(self) -> ::stylus_sdk::ArbResult {
                #output
            }
        }

        impl ::stylus_sdk::abi::AbiType for #name {
            type SolType = Self;
            const ABI: ::stylus_sdk::abi::ConstString = ::stylus_sdk::abi::ConstString::new(#abi);
            const EXPORT_ABI_ARG: ::stylus_sdk::abi::ConstString =
                ::stylus_sdk::abi::ConstString::new(#memory);
            const EXPORT_ABI_RET: ::stylus_sdk::abi::ConstString =
                ::stylus_sdk::abi::ConstString::new(#memory);
        }

        #[cfg(feature = "export-abi")]
        impl ::stylus_sdk::abi::export::internal::InnerTypes for #name {
            fn inner_types() -> ::std::vec::Vec<::stylus_sdk::abi::export::internal::InnerType> {
                ::std::vec![::stylus_sdk::abi::export::internal::InnerType {
                    name: ::std::string::String::from(#decl),
                    id: ::core::any::TypeId::of::<#name>(),
                }]
            }
        }
    })
}

/// Whether `ty` is encoded as one word.
fn is_word(ty: &Type) -> bool {
    matches!(
        ty,
        Type::Address(..) | Type::Bool(_) | Type::Uint(..) | Type::FixedBytes(..)
    )
}

fn revert_impl(name: &syn::Ident, params: &[(&Type, syn::Ident)]) -> TokenStream {
    let fields = params.iter().map(|p| &p.1);
    let body = if params.iter().all(|(ty, _)| is_word(ty)) {
        quote! {
            ::spon_contract_kit::encode::revert_words(
                <Self as ::alloy_sol_types::SolError>::SELECTOR,
                &[#(::spon_contract_kit::encode::Word::word(&self.#fields)),*],
            )
        }
    } else {
        quote! { ::alloy_sol_types::SolError::abi_encode(self) }
    };
    quote! {
        impl ::spon_contract_kit::encode::Revert for #name {
            fn revert_data(&self) -> ::spon_contract_kit::encode::Vec<u8> {
                #body
            }
        }
    }
}

fn emit_impl(name: &syn::Ident, params: &[(&Type, bool, syn::Ident)]) -> TokenStream {
    let topics = params.iter().filter(|p| p.1).map(|p| &p.2);
    let data = params.iter().filter(|p| !p.1).map(|p| &p.2);
    let body = if params.iter().all(|p| is_word(p.0)) {
        quote! {
            ::spon_contract_kit::encode::log_words(
                vm,
                &[
                    <Self as ::alloy_sol_types::SolEvent>::SIGNATURE_HASH,
                    #(::spon_contract_kit::encode::Word::word(&self.#topics)),*
                ],
                &[#(::spon_contract_kit::encode::Word::word(&self.#data)),*],
            )
        }
    } else {
        quote! { ::stylus_sdk::stylus_core::log(vm, ::core::clone::Clone::clone(self)) }
    };
    quote! {
        impl ::spon_contract_kit::encode::Emit for #name {
            fn emit(&self, vm: &dyn ::stylus_sdk::stylus_core::Host) {
                #body
            }
        }
    }
}

/// The Rust type a word-sized Solidity type is called with (as alloy and
/// `sol_interface!` map it), or `None` for another type.
fn rust_word(ty: &Type) -> Option<TokenStream> {
    let prim = quote! { ::stylus_sdk::alloy_primitives };
    Some(match ty {
        Type::Address(..) => quote! { #prim::Address },
        Type::Bool(_) => quote! { bool },
        Type::Uint(_, size) => match size.map_or(256, |s| s.get()) {
            8 => quote! { u8 },
            16 => quote! { u16 },
            32 => quote! { u32 },
            64 => quote! { u64 },
            128 => quote! { u128 },
            256 => quote! { #prim::U256 },
            _ => return None,
        },
        Type::FixedBytes(_, size) => {
            let n = usize::from(size.get());
            quote! { #prim::FixedBytes<#n> }
        }
        _ => return None,
    })
}

/// `nodeOf` → `node_of`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if !out.is_empty() {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Callers of the interfaces of `file` (see the crate docs).
fn interfaces(file: &File) -> syn::Result<TokenStream> {
    let mut out = TokenStream::new();
    for item in &file.items {
        let Item::Contract(c) = item else {
            return Err(syn::Error::new(
                proc_macro2::Span::call_site(),
                "sol_abi!: a block with interfaces declares interfaces only",
            ));
        };
        if !c.is_interface() {
            return Err(syn::Error::new(
                c.name.0.span(),
                "sol_abi!: interfaces only",
            ));
        }
        let name = &c.name.0;
        let mut methods = TokenStream::new();
        for f in &c.body {
            let Item::Function(f) = f else { continue };
            let Some(fname) = &f.name else { continue };
            let word_err = |span| {
                syn::Error::new(
                    span,
                    "sol_abi!: interface arguments and results are word types",
                )
            };
            let mut sig = Vec::new();
            let mut args = Vec::new();
            let mut arg_names = Vec::new();
            for (i, p) in f.parameters.iter().enumerate() {
                let ty = rust_word(&p.ty).ok_or_else(|| word_err(fname.0.span()))?;
                let arg = field(p.name.as_ref(), i);
                sig.push(p.ty.to_string());
                args.push(quote! { #arg: #ty });
                arg_names.push(arg);
            }
            let returns: Vec<TokenStream> = f
                .returns
                .iter()
                .flat_map(|r| r.returns.iter())
                .map(|p| rust_word(&p.ty).ok_or_else(|| word_err(fname.0.span())))
                .collect::<syn::Result<_>>()?;
            let n = returns.len();
            let (ret_ty, decode) = match n {
                0 => (quote! { () }, quote! { returned.is_empty().then_some(()) }),
                1 => (
                    returns[0].clone(),
                    quote! { ::spon_contract_kit::encode::word_at(&returned, 1, 0) },
                ),
                _ => {
                    let reads = (0..n).map(|i| {
                        quote! { ::spon_contract_kit::encode::word_at(&returned, #n, #i)? }
                    });
                    (
                        quote! { (#(#returns),*) },
                        quote! { (|| Some((#(#reads),*)))() },
                    )
                }
            };
            let signature = format!("{}({})", fname, sig.join(","));
            let (context, call) = match f.attributes.mutability() {
                Some(syn_solidity::Mutability::View(_) | syn_solidity::Mutability::Pure(_)) => (
                    quote! { ::stylus_sdk::call::StaticCallContext },
                    quote! { ::stylus_sdk::call::static_call },
                ),
                Some(syn_solidity::Mutability::Payable(_)) => (
                    quote! { ::stylus_sdk::call::MutatingCallContext },
                    quote! { ::stylus_sdk::call::call },
                ),
                _ => (
                    quote! { ::stylus_sdk::call::NonPayableCallContext },
                    quote! { ::stylus_sdk::call::call },
                ),
            };
            let method = format_ident!("{}", snake(&fname.to_string()));
            let doc = format!("Calls `{signature}`.");
            let attrs = &f.attrs;
            methods.extend(quote! {
                #(#attrs)*
                #[doc = #doc]
                #[allow(deprecated, clippy::too_many_arguments)]
                pub fn #method(
                    &self,
                    context: impl #context,
                    #(#args),*
                ) -> ::core::result::Result<#ret_ty, ::stylus_sdk::call::Error> {
                    const DIGEST: [u8; 32] = ::stylus_sdk::keccak_const::Keccak256::new()
                        .update(#signature.as_bytes())
                        .finalize();
                    let calldata = ::spon_contract_kit::encode::revert_words(
                        [DIGEST[0], DIGEST[1], DIGEST[2], DIGEST[3]],
                        &[#(::spon_contract_kit::encode::Word::word(&#arg_names)),*],
                    );
                    let returned = #call(context, self.address, &calldata)?;
                    #decode.ok_or(::stylus_sdk::call::Error::AbiDecodingFailed(
                        ::alloy_sol_types::Error::Overrun,
                    ))
                }
            });
        }
        let doc = format!("Calls to a contract implementing `{name}`.");
        let attrs = &c.attrs;
        out.extend(quote! {
            #(#attrs)*
            #[doc = #doc]
            #[derive(Debug, Clone, Copy, PartialEq, Eq)]
            pub struct #name {
                /// The contract called.
                pub address: ::stylus_sdk::alloy_primitives::Address,
            }

            impl #name {
                /// Calls to the contract at `address`.
                pub fn new(address: ::stylus_sdk::alloy_primitives::Address) -> Self {
                    Self { address }
                }

                #methods
            }
        });
    }
    Ok(out)
}
