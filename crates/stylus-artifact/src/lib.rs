//! Turns rustc's `wasm32-unknown-unknown` output into a module that Arbitrum
//! Stylus activates, and measures it.
//!
//! The steps, in the order the `stylus-artifact` binary runs them:
//!
//! 1. [`reencode`]: parse and write the module back. LLVM encodes
//!    `call_indirect` with the reference-types (multi-table) form even when
//!    the feature is off; Stylus refuses that encoding. Writing the module
//!    back gives the canonical MVP encodings. Custom sections (names,
//!    producers, target features) are dropped: they are not needed on chain.
//! 2. Optionally `wasm-opt -Oz` (Debian's `binaryen`), run by the caller.
//! 3. [`check`]: the refusals of Nitro's activation that can be decided
//!    offline (features, imports, exports, limits), so a module that passes
//!    here is not refused for its shape when it is activated.
//! 4. [`compress`]: brotli at quality 11, the compression Stylus deploys, and
//!    the size limits.
//!
//! Facts come from the public Stylus documentation and the behaviour of
//! Nitro's activation; no Nitro code is used.

use anyhow::{Context, Result};
use wasm_encoder::reencode::Reencode;
use wasmparser::{
    ExternalKind, FuncType, Parser, Payload, TypeRef, ValType, Validator, WasmFeatures,
};

/// Largest deployable code: the 4-byte Stylus prefix plus the brotli stream.
pub const MAX_CODE_BYTES: usize = 24_576;
/// Largest uncompressed module Stylus activates.
pub const MAX_WASM_BYTES: usize = 128 * 1024;
/// Prefix of deployed Stylus code: `0xEF 0xF0 0x00` (Stylus discriminant)
/// followed by the dictionary byte `0x00` (no dictionary).
pub const STYLUS_PREFIX: [u8; 4] = [0xEF, 0xF0, 0x00, 0x00];
/// Brotli quality used for deployment.
pub const BROTLI_QUALITY: i32 = 11;
/// Brotli window (log2) used for deployment.
pub const BROTLI_WINDOW: i32 = 22;

/// Limits of Nitro's activation on the module's shape.
pub mod limits {
    /// Initial memory pages a program may ask for.
    pub const MAX_MEMORY_PAGES: u64 = 128;
    /// Data segments.
    pub const MAX_DATA_SEGMENTS: u32 = 128;
    /// Element segments.
    pub const MAX_ELEMENT_SEGMENTS: u32 = 128;
    /// Exports.
    pub const MAX_EXPORTS: u32 = 1_024;
    /// Functions, imported and defined.
    pub const MAX_FUNCTIONS: u32 = 4_096;
    /// Locals of one function (parameters included).
    pub const MAX_LOCALS: u32 = 348;
    /// Entries of a table.
    pub const MAX_TABLE_ENTRIES: u64 = 4_096;
    /// Length of an import, export or module name.
    pub const MAX_NAME_LEN: usize = 512;
}

/// Host modules a Stylus program may import from.
pub const HOST_MODULES: [&str; 2] = ["vm_hooks", "console"];

/// The WebAssembly features Stylus accepts: the MVP plus bulk memory,
/// multi-value, sign extension, non-trapping float-to-int and mutable
/// globals. Not SIMD, reference types, threads, multi-memory, memory64,
/// tail calls, exceptions or GC.
pub fn stylus_features() -> WasmFeatures {
    WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::FLOATS
        // Needed for MVP `funcref` tables; reference *types* stay off.
        | WasmFeatures::GC_TYPES
}

/// Parses `wasm` and writes it back with canonical encodings, without custom
/// sections.
///
/// # Errors
/// If `wasm` is not a WebAssembly module wasmparser can read.
pub fn reencode(wasm: &[u8]) -> Result<Vec<u8>> {
    let mut module = wasm_encoder::Module::new();
    let mut reencoder = DropCustomSections;
    reencoder
        .parse_core_module(&mut module, Parser::new(0), wasm)
        .map_err(|e| anyhow::anyhow!("re-encoding failed: {e:?}"))?;
    let out = module.finish();
    // The result must still be a module of the same meaning: validate it.
    Validator::new_with_features(WasmFeatures::all())
        .validate_all(&out)
        .context("re-encoded module is invalid")?;
    Ok(out)
}

struct DropCustomSections;

impl Reencode for DropCustomSections {
    type Error = std::convert::Infallible;

    fn parse_custom_section(
        &mut self,
        _module: &mut wasm_encoder::Module,
        _section: wasmparser::CustomSectionReader<'_>,
    ) -> Result<(), wasm_encoder::reencode::Error<Self::Error>> {
        Ok(())
    }
}

/// Every reason Nitro's activation would refuse `wasm` for its shape.
/// Empty means the module passes.
pub fn check(wasm: &[u8]) -> Vec<String> {
    let mut why = Vec::new();
    if wasm.len() > MAX_WASM_BYTES {
        why.push(format!(
            "module is {} bytes, over the {} byte limit",
            wasm.len(),
            MAX_WASM_BYTES
        ));
    }
    if let Err(e) = Validator::new_with_features(stylus_features()).validate_all(wasm) {
        why.push(format!("uses a feature or encoding Stylus refuses: {e}"));
        return why;
    }
    if let Err(e) = check_shape(wasm, &mut why) {
        why.push(format!("unreadable module: {e}"));
    }
    why
}

fn check_shape(wasm: &[u8], why: &mut Vec<String>) -> Result<()> {
    let mut types: Vec<Option<FuncType>> = Vec::new();
    let mut func_types: Vec<u32> = Vec::new();
    let mut functions: u32 = 0;
    let mut memory_exports = Vec::new();
    let mut entrypoint: Option<u32> = None;
    let mut exports = 0u32;

    let name_ok = |why: &mut Vec<String>, what: &str, name: &str| {
        if name.len() > limits::MAX_NAME_LEN {
            why.push(format!(
                "{what} name of {} characters is over {}",
                name.len(),
                limits::MAX_NAME_LEN
            ));
        }
    };

    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::TypeSection(reader) => {
                for rec in reader {
                    for sub in rec?.into_types() {
                        types.push(match sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => Some(f),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader {
                    let import = import?;
                    name_ok(why, "import", import.name);
                    name_ok(why, "import module", import.module);
                    match import.ty {
                        TypeRef::Func(ty) => {
                            functions += 1;
                            func_types.push(ty);
                        }
                        _ => why.push(format!(
                            "import {}::{} is not a function",
                            import.module, import.name
                        )),
                    }
                    if !HOST_MODULES.contains(&import.module) {
                        why.push(format!(
                            "import {}::{} is from a module other than {}",
                            import.module,
                            import.name,
                            HOST_MODULES.join("/")
                        ));
                    }
                    if import.name.starts_with("stylus") {
                        why.push(format!(
                            "import name {} starts with \"stylus\" (reserved)",
                            import.name
                        ));
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    functions += 1;
                    func_types.push(ty?);
                }
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    let table = table?;
                    if table.ty.initial > limits::MAX_TABLE_ENTRIES {
                        why.push(format!(
                            "table of {} entries is over {}",
                            table.ty.initial,
                            limits::MAX_TABLE_ENTRIES
                        ));
                    }
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    let memory = memory?;
                    if memory.initial > limits::MAX_MEMORY_PAGES {
                        why.push(format!(
                            "memory asks for {} pages initially, over {}",
                            memory.initial,
                            limits::MAX_MEMORY_PAGES
                        ));
                    }
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    exports += 1;
                    name_ok(why, "export", export.name);
                    match export.kind {
                        ExternalKind::Memory => memory_exports.push(export.name.to_string()),
                        ExternalKind::Func if export.name == "user_entrypoint" => {
                            entrypoint = Some(export.index)
                        }
                        _ => {}
                    }
                }
            }
            Payload::StartSection { .. } => {
                why.push("has a start function (Stylus refuses one)".into());
            }
            Payload::ElementSection(reader) if reader.count() > limits::MAX_ELEMENT_SEGMENTS => {
                why.push(format!(
                    "{} element segments, over {}",
                    reader.count(),
                    limits::MAX_ELEMENT_SEGMENTS
                ));
            }
            Payload::DataSection(reader) if reader.count() > limits::MAX_DATA_SEGMENTS => {
                why.push(format!(
                    "{} data segments, over {}",
                    reader.count(),
                    limits::MAX_DATA_SEGMENTS
                ));
            }
            Payload::CodeSectionEntry(body) => {
                let mut locals = 0u32;
                for local in body.get_locals_reader()? {
                    locals = locals.saturating_add(local?.0);
                }
                if locals > limits::MAX_LOCALS {
                    why.push(format!(
                        "a function has {locals} locals, over {}",
                        limits::MAX_LOCALS
                    ));
                }
            }
            _ => {}
        }
    }

    if functions > limits::MAX_FUNCTIONS {
        why.push(format!(
            "{functions} functions, over {}",
            limits::MAX_FUNCTIONS
        ));
    }
    if exports > limits::MAX_EXPORTS {
        why.push(format!("{exports} exports, over {}", limits::MAX_EXPORTS));
    }
    if memory_exports != ["memory"] {
        why.push(format!(
            "must export exactly one memory, named \"memory\"; exports {memory_exports:?}"
        ));
    }
    match entrypoint {
        None => why.push("does not export the function user_entrypoint".into()),
        Some(index) => {
            let ty = func_types
                .get(index as usize)
                .and_then(|t| types.get(*t as usize))
                .and_then(Option::as_ref);
            let ok =
                ty.is_some_and(|t| t.params() == [ValType::I32] && t.results() == [ValType::I32]);
            if !ok {
                why.push("user_entrypoint must have type (i32) -> i32".into());
            }
        }
    }
    Ok(())
}

/// Brotli-compresses `wasm` at quality 11 (what Stylus deploys).
pub fn compress(wasm: &[u8]) -> Vec<u8> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: BROTLI_QUALITY,
        lgwin: BROTLI_WINDOW,
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &wasm[..], &mut out, &params)
        .expect("compressing into memory cannot fail");
    out
}

/// The custom section `cargo stylus deploy` adds to every module: the hash
/// of the project's sources, for reproducible verification.
pub const PROJECT_HASH_SECTION: &str = "project_hash";

/// The module as `cargo stylus` (0.10) rewrites it before compressing and
/// deploying it: printed to WebAssembly text and parsed back (its removal
/// of dangling reference-type encodings), custom sections dropped, and a
/// [`PROJECT_HASH_SECTION`] of 32 bytes appended. The hash is of the
/// project's sources; any 32 bytes measure the same once compressed, so
/// keccak256 of the module stands for it here.
///
/// # Errors
/// If the module cannot be printed or parsed back.
pub fn cargo_stylus_module(wasm: &[u8]) -> Result<Vec<u8>> {
    let text = wasmprinter::print_bytes(wasm).context("printing the module as text")?;
    let parsed = wat::parse_str(&text).context("parsing the printed module back")?;
    let mut module = without_custom_sections(&parsed)?;
    let hash = alloy_primitives::keccak256(wasm);
    module.section(&wasm_encoder::CustomSection {
        name: PROJECT_HASH_SECTION.into(),
        data: hash.as_slice().into(),
    });
    Ok(module.finish())
}

/// `wasm`'s sections but its custom (and unknown) ones, as a module to
/// add to or finish.
fn without_custom_sections(wasm: &[u8]) -> Result<wasm_encoder::Module> {
    let mut module = wasm_encoder::Module::new();
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload?;
        if matches!(
            payload,
            Payload::CustomSection(_) | Payload::UnknownSection { .. }
        ) {
            continue;
        }
        if let Some((id, range)) = payload.as_section() {
            module.section(&wasm_encoder::RawSection {
                id,
                data: &wasm[range],
            });
        }
    }
    Ok(module)
}

/// Whether two modules are the same program: equal once custom sections
/// are dropped and both are printed as WebAssembly text. Tools re-encode
/// a module before deploying it (`cargo stylus` prints it to text and
/// parses it back, and drops or adds custom sections), so the deployed
/// bytes need not equal the built ones; what they do must.
pub fn same_program(a: &[u8], b: &[u8]) -> bool {
    let text = |wasm: &[u8]| -> Option<String> {
        let module = without_custom_sections(wasm).ok()?.finish();
        wasmprinter::print_bytes(module).ok()
    };
    a == b || matches!((text(a), text(b)), (Some(x), Some(y)) if x == y)
}

/// The code a Stylus deployment stores: [`STYLUS_PREFIX`] then the brotli
/// stream of the module.
pub fn deployable_code(wasm: &[u8]) -> Vec<u8> {
    let mut code = STYLUS_PREFIX.to_vec();
    code.extend(compress(wasm));
    code
}

/// Whether `code` is Stylus code: it starts with `0xEFF000` (any
/// dictionary byte follows). The EVM refuses to store code starting with
/// `0xEF` (EIP-3541); Arbitrum makes this prefix the exception.
pub fn is_stylus_code(code: &[u8]) -> bool {
    code.starts_with(&STYLUS_PREFIX[..3])
}

/// EVM init code that stores `code` as the new contract's code: the data
/// of a creation transaction that deploys a Stylus program (the layout
/// `cargo stylus deploy` sends). A 42-byte prelude copies the code that
/// follows its version byte (0) into memory and returns it:
/// `PUSH32 len, DUP1, PUSH1 43, PUSH1 0, CODECOPY, PUSH1 0, RETURN`.
pub fn init_code(code: &[u8]) -> Vec<u8> {
    const PRELUDE: u8 = 42;
    let mut init = Vec::with_capacity(code.len() + usize::from(PRELUDE) + 1);
    init.push(0x7f); // PUSH32 the length
    let mut len = [0u8; 32];
    len[24..].copy_from_slice(&(code.len() as u64).to_be_bytes());
    init.extend_from_slice(&len);
    init.extend_from_slice(&[0x80, 0x60, PRELUDE + 1, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3]);
    init.push(0x00); // version
    init.extend_from_slice(code);
    init
}

/// The calldata that runs a stylus-sdk contract's constructor: the
/// selector of `stylus_constructor()` then the ABI-encoded `args`.
pub fn constructor_call(args: &[u8]) -> Vec<u8> {
    let mut data = alloy_primitives::keccak256("stylus_constructor()")[..4].to_vec();
    data.extend_from_slice(args);
    data
}

/// The module inside deployed Stylus `code` (the inverse of
/// [`deployable_code`], for code without a brotli dictionary).
///
/// # Errors
/// If `code` is not Stylus code or its stream does not decompress.
pub fn module_of(code: &[u8]) -> Result<Vec<u8>> {
    if code.len() < STYLUS_PREFIX.len() || !is_stylus_code(code) {
        anyhow::bail!("not Stylus code");
    }
    if code[3] != 0 {
        anyhow::bail!(
            "Stylus code with brotli dictionary {} is not supported",
            code[3]
        );
    }
    let mut wasm = Vec::new();
    brotli::BrotliDecompress(&mut &code[4..], &mut wasm)
        .map_err(|e| anyhow::anyhow!("brotli: {e}"))?;
    Ok(wasm)
}

/// Sizes of one processed contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sizes {
    /// Bytes of the final (uncompressed) module.
    pub raw: usize,
    /// Bytes of its brotli-11 stream.
    pub compressed: usize,
    /// Bytes of the deployed code when `cargo stylus` encodes the module
    /// ([`cargo_stylus_module`]): prefix plus brotli stream.
    pub cargo_stylus: usize,
}

impl Sizes {
    /// Bytes of the deployed code: prefix plus brotli stream.
    pub fn code(&self) -> usize {
        self.compressed + STYLUS_PREFIX.len()
    }

    /// Bytes left under [`MAX_CODE_BYTES`] (negative when over).
    pub fn headroom(&self) -> i64 {
        MAX_CODE_BYTES as i64 - self.code() as i64
    }

    /// Why these sizes are refused; empty when within the limits.
    pub fn violations(&self) -> Vec<String> {
        let mut why = Vec::new();
        if self.code() > MAX_CODE_BYTES {
            why.push(format!(
                "deployed code is {} bytes, over the {MAX_CODE_BYTES} byte limit",
                self.code()
            ));
        }
        if self.cargo_stylus > MAX_CODE_BYTES {
            why.push(format!(
                "deployed code is {} bytes as cargo stylus encodes it, over the \
                 {MAX_CODE_BYTES} byte limit",
                self.cargo_stylus
            ));
        }
        if self.raw > MAX_WASM_BYTES {
            why.push(format!(
                "module is {} bytes, over the {MAX_WASM_BYTES} byte limit",
                self.raw
            ));
        }
        why
    }
}

/// Measures a final module.
///
/// # Errors
/// If `cargo stylus`'s rewriting of the module fails.
pub fn sizes(wasm: &[u8]) -> Result<Sizes> {
    Ok(Sizes {
        raw: wasm.len(),
        compressed: compress(wasm).len(),
        cargo_stylus: STYLUS_PREFIX.len() + compress(&cargo_stylus_module(wasm)?).len(),
    })
}

/// Builds a contract's JSON ABI from what its `export-abi` binary prints: the
/// Solidity interface (functions, errors and the structs views return), the
/// constructor signature, and the events in human-readable form, one per
/// line.
///
/// The interface is parsed with `syn-solidity` (alloy's Solidity parser).
/// A struct becomes a `tuple` with named components and
/// `internalType: "struct Name"`, so that wallets and generated bindings
/// show field names. A function's single unnamed output is named (see
/// [`output_name`]), so that bindings read `orderOf(id).order.state` and
/// `tierOf(node).tier` rather than `._0`.
///
/// # Errors
/// If an item does not parse or names a struct the interface does not
/// declare.
pub fn json_abi(
    interface: &str,
    constructor: &str,
    events: &str,
) -> Result<alloy_json_abi::JsonAbi> {
    let human: Vec<&str> = constructor
        .lines()
        .chain(events.lines())
        .map(|l| l.trim().trim_end_matches(';'))
        .filter(|l| !l.is_empty())
        .collect();
    let mut abi = alloy_json_abi::JsonAbi::parse(human)
        .map_err(|e| anyhow::anyhow!("parsing exported constructor and events: {e}"))?;
    // The generated header (a doc comment, the pragma) is not needed.
    let body = interface
        .find("interface ")
        .map_or("", |start| &interface[start..]);
    let file: syn_solidity::File = syn::parse_str(body)
        .map_err(|e| anyhow::anyhow!("parsing exported Solidity interface: {e}"))?;
    let interfaces: Vec<&syn_solidity::ItemContract> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn_solidity::Item::Contract(c) => Some(c),
            _ => None,
        })
        .collect();
    let mut structs = std::collections::BTreeMap::new();
    for item in interfaces.iter().flat_map(|c| &c.body) {
        if let syn_solidity::Item::Struct(s) = item {
            structs.insert(s.name.to_string(), s);
        }
    }
    for item in interfaces.iter().flat_map(|c| &c.body) {
        match item {
            syn_solidity::Item::Function(f) => {
                let name = f.name.as_ref().map(ToString::to_string).unwrap_or_default();
                let inputs = abi_params(f.parameters.iter(), &structs)?;
                let mut outputs = match &f.returns {
                    Some(r) => abi_params(r.returns.iter(), &structs)?,
                    None => Vec::new(),
                };
                if let [only] = &mut outputs[..] {
                    if only.name.is_empty() {
                        only.name = output_name(&name, only);
                    }
                }
                let state_mutability = f
                    .attributes
                    .iter()
                    .find_map(|a| match a {
                        syn_solidity::FunctionAttribute::Mutability(m) => Some(match m {
                            syn_solidity::Mutability::Pure(_) => {
                                alloy_json_abi::StateMutability::Pure
                            }
                            syn_solidity::Mutability::View(_)
                            | syn_solidity::Mutability::Constant(_) => {
                                alloy_json_abi::StateMutability::View
                            }
                            syn_solidity::Mutability::Payable(_) => {
                                alloy_json_abi::StateMutability::Payable
                            }
                        }),
                        _ => None,
                    })
                    .unwrap_or(alloy_json_abi::StateMutability::NonPayable);
                let function = alloy_json_abi::Function {
                    name: name.clone(),
                    inputs,
                    outputs,
                    state_mutability,
                };
                abi.functions.entry(name).or_default().push(function);
            }
            syn_solidity::Item::Error(e) => {
                let error = alloy_json_abi::Error {
                    name: e.name.to_string(),
                    inputs: abi_params(e.parameters.iter(), &structs)?,
                };
                let same = abi.errors.entry(e.name.to_string()).or_default();
                // Interfaces repeat errors shared by several traits: keep one.
                if !same.contains(&error) {
                    same.push(error);
                }
            }
            _ => {}
        }
    }
    Ok(abi)
}

/// The name given to function `function`'s single unnamed output (in the
/// JSON ABI only; the Solidity interface names no outputs): a
/// struct's name, first letter lowered (`Order` → `order`); otherwise the
/// function's name less a trailing `Of` (`tierOf` → `tier`, `paused` →
/// `paused`).
fn output_name(function: &str, output: &alloy_json_abi::Param) -> String {
    let struct_name = output.internal_type.as_ref().and_then(|t| t.as_struct());
    match (output.ty.as_str(), struct_name) {
        ("tuple", Some((_, s))) => {
            let mut named = s.to_string();
            named[..1].make_ascii_lowercase();
            named
        }
        _ => match function.strip_suffix("Of") {
            Some(stem) if !stem.is_empty() => stem.to_string(),
            _ => function.to_string(),
        },
    }
}

/// JSON ABI parameters of Solidity declarations, structs expanded.
fn abi_params<'a>(
    decls: impl Iterator<Item = &'a syn_solidity::VariableDeclaration>,
    structs: &std::collections::BTreeMap<String, &syn_solidity::ItemStruct>,
) -> Result<Vec<alloy_json_abi::Param>> {
    decls
        .map(|d| {
            let name = d.name.as_ref().map(ToString::to_string).unwrap_or_default();
            abi_param(&name, &d.ty, structs)
        })
        .collect()
}

fn abi_param(
    name: &str,
    ty: &syn_solidity::Type,
    structs: &std::collections::BTreeMap<String, &syn_solidity::ItemStruct>,
) -> Result<alloy_json_abi::Param> {
    use alloy_json_abi::{InternalType, Param};
    let param = match ty {
        syn_solidity::Type::Custom(path) => {
            let struct_name = path.last().to_string();
            let s = structs.get(&struct_name).ok_or_else(|| {
                anyhow::anyhow!("type {struct_name} is not a struct of the interface")
            })?;
            let components = abi_params(s.fields.iter(), structs)?;
            let internal = InternalType::Struct {
                contract: None,
                ty: struct_name,
            };
            Param::new(name, "tuple", components, Some(internal))
        }
        syn_solidity::Type::Array(array) => {
            let inner = abi_param(name, &array.ty, structs)?;
            let suffix = match array.size() {
                Some(n) => format!("[{n}]"),
                None => "[]".to_string(),
            };
            let internal = inner
                .internal_type
                .as_ref()
                .and_then(|t| t.as_struct())
                .map(|(_, s)| InternalType::Struct {
                    contract: None,
                    ty: format!("{s}{suffix}"),
                });
            Param::new(
                name,
                &format!("{}{suffix}", inner.ty),
                inner.components,
                internal,
            )
        }
        elementary => Param::new(name, &elementary.to_string(), Vec::new(), None),
    };
    param.map_err(|e| anyhow::anyhow!("parameter {name:?} of type {ty}: {e}"))
}

/// Canonical signature (`Name(type,...)`) of an event written in
/// human-readable ABI form, for checking a contract's exported `EVENTS`
/// against the event types it emits.
///
/// # Errors
/// If `event` does not parse as an event.
pub fn event_signature(event: &str) -> Result<String> {
    let event = alloy_json_abi::Event::parse(event).map_err(|e| anyhow::anyhow!("{event}: {e}"))?;
    Ok(event.signature())
}

#[cfg(test)]
mod tests;
