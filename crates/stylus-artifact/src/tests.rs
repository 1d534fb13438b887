use super::*;

/// The smallest module Stylus activates: one vm_hooks import, the entry
/// point, one memory named "memory".
const GOOD: &str = r#"(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (memory (export "memory") 1)
  (func (export "user_entrypoint") (param i32) (result i32)
    i32.const 0
    call $read_args
    i32.const 0))"#;

fn module(src: &str) -> Vec<u8> {
    wat::parse_str(src).expect("valid wat")
}

fn refused(src: &str, needle: &str) {
    let why = check(&module(src));
    assert!(
        why.iter().any(|w| w.contains(needle)),
        "expected a refusal containing {needle:?}, got {why:?}"
    );
}

#[test]
fn minimal_program_passes() {
    assert_eq!(check(&module(GOOD)), Vec::<String>::new());
}

#[test]
fn reencode_keeps_a_passing_module_passing_and_drops_custom_sections() {
    let mut wasm = module(GOOD);
    // A custom section ("name" = 4 bytes, payload "x").
    wasm.extend_from_slice(&[0, 6, 4, b'n', b'a', b'm', b'e', b'x']);
    let out = reencode(&wasm).unwrap();
    assert!(out.len() < wasm.len());
    assert_eq!(check(&out), Vec::<String>::new());
}

#[test]
fn reencode_refuses_garbage() {
    assert!(reencode(b"\0asm\x01\0\0\0garbage").is_err());
}

#[test]
fn import_from_other_module_is_refused() {
    refused(
        &GOOD.replace("\"vm_hooks\" \"read_args\"", "\"env\" \"read_args\""),
        "other than vm_hooks/console",
    );
}

#[test]
fn reserved_import_name_is_refused() {
    refused(
        &GOOD.replace("\"read_args\"", "\"stylus_magic\""),
        "reserved",
    );
}

#[test]
fn non_function_import_is_refused() {
    refused(
        &GOOD.replace(
            "(memory (export \"memory\") 1)",
            "(import \"vm_hooks\" \"g\" (global i32)) (memory (export \"memory\") 1)",
        ),
        "not a function",
    );
}

#[test]
fn missing_entrypoint_is_refused() {
    refused(&GOOD.replace("user_entrypoint", "main"), "user_entrypoint");
}

#[test]
fn entrypoint_of_wrong_type_is_refused() {
    refused(
        &GOOD.replace("(param i32) (result i32)", "(param i64) (result i32)"),
        "(i32) -> i32",
    );
    refused(
        r#"(module
          (memory (export "memory") 1)
          (func (export "user_entrypoint") (param i32 i32) (result i32) i32.const 0))"#,
        "(i32) -> i32",
    );
}

#[test]
fn memory_must_be_exported_as_memory() {
    refused(
        &GOOD.replace("(export \"memory\")", "(export \"mem\")"),
        "exactly one memory",
    );
    refused(
        &GOOD.replace("(memory (export \"memory\") 1)", "(memory 1)"),
        "exactly one memory",
    );
}

#[test]
fn too_much_initial_memory_is_refused() {
    refused(&GOOD.replace("\"memory\") 1)", "\"memory\") 129)"), "pages");
}

#[test]
fn start_function_is_refused() {
    refused(
        &GOOD.replace("(memory", "(func $s) (start $s) (memory"),
        "start function",
    );
}

#[test]
fn reference_types_are_refused() {
    refused(
        &GOOD.replace("(memory", "(table 1 funcref) (table 1 funcref) (memory"),
        "feature or encoding",
    );
    refused(
        &GOOD.replace("(memory", "(func (param externref)) (memory"),
        "feature or encoding",
    );
}

#[test]
fn simd_is_refused() {
    refused(
        &GOOD.replace(
            "(memory",
            "(func (result v128) v128.const i64x2 0 0) (memory",
        ),
        "feature or encoding",
    );
}

#[test]
fn too_many_locals_is_refused() {
    refused(
        &GOOD.replace(
            "(memory",
            &format!("(func {}) (memory", "(local i32) ".repeat(349)),
        ),
        "locals",
    );
}

#[test]
fn mvp_funcref_table_and_call_indirect_pass() {
    let src = GOOD.replace(
        "(memory",
        "(type $t (func)) (func $f) (table 1 funcref) (elem (i32.const 0) $f) \
         (func $g i32.const 0 call_indirect (type $t)) (memory",
    );
    assert_eq!(check(&module(&src)), Vec::<String>::new());
}

#[test]
fn sizes_and_limits() {
    let wasm = module(GOOD);
    let s = sizes(&wasm).unwrap();
    assert_eq!(s.raw, wasm.len());
    assert_eq!(s.code(), s.compressed + 4);
    assert_eq!(s.headroom(), MAX_CODE_BYTES as i64 - s.code() as i64);
    assert!(s.violations().is_empty());
    let over = Sizes {
        raw: MAX_WASM_BYTES + 1,
        compressed: MAX_CODE_BYTES,
        cargo_stylus: MAX_CODE_BYTES + 1,
    };
    assert_eq!(over.violations().len(), 3);
    let edge = Sizes {
        raw: MAX_WASM_BYTES,
        compressed: MAX_CODE_BYTES - 4,
        cargo_stylus: MAX_CODE_BYTES,
    };
    assert!(edge.violations().is_empty());
}

#[test]
fn cargo_stylus_module_is_the_same_code_with_its_project_hash() {
    let wasm = module(GOOD);
    let theirs = cargo_stylus_module(&wasm).unwrap();
    let mut customs = Vec::new();
    let mut rest = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(&theirs) {
        match payload.unwrap() {
            wasmparser::Payload::CustomSection(c) => {
                customs.push((c.name().to_string(), c.data().len()))
            }
            p => {
                if let Some((id, range)) = p.as_section() {
                    rest.push((id, theirs[range].to_vec()));
                }
            }
        }
    }
    assert_eq!(customs, [(PROJECT_HASH_SECTION.to_string(), 32)]);
    // The same module once the hash (and the test module's names) are
    // left out.
    let mut ours = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(&wasm) {
        match payload.unwrap() {
            wasmparser::Payload::CustomSection(_) => {}
            p => {
                if let Some((id, range)) = p.as_section() {
                    ours.push((id, wasm[range].to_vec()));
                }
            }
        }
    }
    assert_eq!(rest, ours);
    assert!(sizes(&wasm).unwrap().cargo_stylus > sizes(&wasm).unwrap().code());
}

#[test]
fn same_program_sees_through_reencoding_and_custom_sections() {
    let wasm = module(GOOD);
    let theirs = cargo_stylus_module(&wasm).unwrap();
    assert_ne!(theirs, wasm);
    assert!(same_program(&wasm, &theirs));
    // One instruction changed is another program.
    let other = module(&GOOD.replacen("i32.const 0))", "i32.const 1))", 1));
    assert_ne!(other, wasm);
    assert!(!same_program(&wasm, &other));
    assert!(!same_program(&wasm, b"not wasm"));
}

#[test]
fn deployable_code_has_prefix_and_decompresses() {
    let wasm = module(GOOD);
    let code = deployable_code(&wasm);
    assert_eq!(&code[..4], &STYLUS_PREFIX);
    assert_eq!(module_of(&code).unwrap(), wasm);
    assert!(module_of(&wasm).is_err());
    let mut with_dictionary = code.clone();
    with_dictionary[3] = 1;
    assert!(module_of(&with_dictionary).is_err());
}

#[test]
fn json_abi_from_exported_interface() {
    let interface = r#"
// SPDX-License-Identifier: MIT-OR-APACHE-2.0
pragma solidity ^0.8.23;

interface IToken  {
    function balanceOf(address account) external view returns (uint256);

    function transfer(address to, uint256 value) external returns (bool);

    error InsufficientBalance(address sender, uint256 balance, uint256 needed);

    error InsufficientBalance(address sender, uint256 balance, uint256 needed);
}"#;
    let abi = json_abi(
        interface,
        "constructor(address treasury, uint256 supply)\n",
        "event Transfer(address indexed from, address indexed to, uint256 value)\n",
    )
    .unwrap();
    assert_eq!(abi.functions().count(), 2);
    let balance = &abi.function("balanceOf").unwrap()[0];
    assert_eq!(balance.selector().to_string(), "0x70a08231");
    assert_eq!(abi.errors().count(), 1);
    assert_eq!(abi.events().count(), 1);
    assert!(abi.events().next().unwrap().inputs[0].indexed);
    assert_eq!(abi.constructor.as_ref().unwrap().inputs.len(), 2);
}

#[test]
fn json_abi_names_struct_outputs_and_their_fields() {
    let interface = r#"
interface IAdmin {
    function paused() external view returns (bool);
}

interface IBook is IAdmin {
    function orderOf(uint64 id) external view returns (Order memory);

    function endpointOf(address node) external view returns (Endpoint memory);

    function all() external view returns (Order[] memory);

    struct Order { address tenant; uint8 state; Endpoint at; }

    struct Endpoint { string uri; bytes32 tls_cert_hash; }
}"#;
    let abi = json_abi(interface, "", "").unwrap();
    let order = &abi.function("orderOf").unwrap()[0];
    let out = &order.outputs[0];
    assert_eq!(out.name, "order");
    assert_eq!(out.ty, "tuple");
    assert_eq!(
        out.internal_type.as_ref().unwrap().to_string(),
        "struct Order"
    );
    let fields: Vec<_> = out
        .components
        .iter()
        .map(|c| (c.name.as_str(), c.ty.as_str()))
        .collect();
    assert_eq!(
        fields,
        [("tenant", "address"), ("state", "uint8"), ("at", "tuple")]
    );
    assert_eq!(out.components[2].components[0].name, "uri");
    assert_eq!(order.signature(), "orderOf(uint64)");
    assert_eq!(
        abi.function("endpointOf").unwrap()[0].signature_with_outputs(),
        "endpointOf(address)((string,bytes32))"
    );
    let all = &abi.function("all").unwrap()[0].outputs[0];
    assert_eq!((all.ty.as_str(), all.name.as_str()), ("tuple[]", "all"));
    assert_eq!(abi.function("paused").unwrap()[0].outputs[0].name, "paused");
    assert_eq!(
        abi.function("paused").unwrap()[0].state_mutability,
        alloy_json_abi::StateMutability::View
    );
    assert!(json_abi(
        "interface I {\n function f() external returns (Missing memory);\n}",
        "",
        ""
    )
    .is_err());
}

#[test]
fn event_signature_is_canonical() {
    assert_eq!(
        event_signature("event Transfer(address indexed from, address indexed to, uint256 value)")
            .unwrap(),
        "Transfer(address,address,uint256)"
    );
    assert!(event_signature("function f()").is_err());
}
