//! Host semantics on small hand-written programs.

use super::*;

/// Increments the last byte of slot 0 and returns the new value. The first
/// argument byte picks the ending: 0 success, 1 revert, 2 `exit_early(1)`.
const COUNTER: &str = r#"(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (import "vm_hooks" "storage_load_bytes32" (func $load (param i32 i32)))
  (import "vm_hooks" "storage_cache_bytes32" (func $cache (param i32 i32)))
  (import "vm_hooks" "storage_flush_cache" (func $flush (param i32)))
  (import "vm_hooks" "exit_early" (func $exit (param i32)))
  (import "vm_hooks" "emit_log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 1)
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (call $read_args (i32.const 64))
    (call $load (i32.const 0) (i32.const 32))
    (i32.store8 (i32.const 63) (i32.add (i32.load8_u (i32.const 63)) (i32.const 1)))
    (call $cache (i32.const 0) (i32.const 32))
    (call $write_result (i32.const 32) (i32.const 32))
    (call $log (i32.const 32) (i32.const 32) (i32.const 1))
    (if (i32.eq (i32.load8_u (i32.const 64)) (i32.const 1)) (then (return (i32.const 1))))
    (if (i32.eq (i32.load8_u (i32.const 64)) (i32.const 2)) (then (call $exit (i32.const 1))))
    (call $flush (i32.const 0))
    (i32.const 0)))"#;

fn counter() -> (Chain, Address) {
    let mut chain = Chain::new();
    let address = chain.deploy(&wat::parse_str(COUNTER).unwrap()).unwrap();
    (chain, address)
}

fn word(n: u8) -> B256 {
    let mut w = B256::ZERO;
    w.0[31] = n;
    w
}

#[test]
fn storage_persists_on_success_and_counts_slots() {
    let (mut chain, c) = counter();
    let user = Address::with_last_byte(1);
    let out = chain.transact(user, c, &[0], U256::ZERO).unwrap();
    assert!(out.success);
    assert_eq!(out.output, word(1).to_vec());
    assert_eq!(out.slots_written, 1);
    assert_eq!(out.logs.len(), 1);
    assert_eq!(out.logs[0].topics, vec![word(1)]);
    assert!(out.instructions > 0);
    chain.transact(user, c, &[0], U256::ZERO).unwrap();
    assert_eq!(chain.storage(c, B256::ZERO), word(2));
}

#[test]
fn revert_and_exit_early_roll_back() {
    let (mut chain, c) = counter();
    let user = Address::with_last_byte(1);
    chain.transact(user, c, &[0], U256::ZERO).unwrap();
    for mode in [1u8, 2] {
        let out = chain.transact(user, c, &[mode], U256::ZERO).unwrap();
        assert!(!out.success, "mode {mode}");
        assert!(out.logs.is_empty());
        assert_eq!(chain.storage(c, B256::ZERO), word(1));
    }
    // The revert data is the program's output.
    let out = chain.transact(user, c, &[1], U256::ZERO).unwrap();
    assert_eq!(out.output, word(2).to_vec());
}

#[test]
fn views_discard_changes() {
    let (mut chain, c) = counter();
    let user = Address::with_last_byte(1);
    let out = chain.view(user, c, &[0]).unwrap();
    // A static call refuses the storage write: the program traps.
    assert!(!out.success);
    assert_eq!(chain.storage(c, B256::ZERO), B256::ZERO);
}

#[test]
fn value_moves_and_calls_to_plain_accounts_succeed() {
    let mut chain = Chain::new();
    let (a, b) = (Address::with_last_byte(1), Address::with_last_byte(2));
    chain.fund(a, U256::from(10));
    assert!(chain.transact(a, b, &[], U256::from(4)).unwrap().success);
    assert!(!chain.transact(a, b, &[], U256::from(7)).unwrap().success);
}

#[test]
fn deploy_refuses_what_activation_refuses() {
    let mut chain = Chain::new();
    let bad = COUNTER.replace("\"vm_hooks\" \"read_args\"", "\"env\" \"read_args\"");
    let err = chain.deploy(&wat::parse_str(bad).unwrap()).unwrap_err();
    assert!(err.to_string().contains("activation refused"), "{err}");
}

#[test]
fn ecrecover_precompile_recovers_the_signer() {
    use k256::ecdsa::SigningKey;
    let key = SigningKey::from_slice(&[7u8; 32]).unwrap();
    let point = key.verifying_key().to_encoded_point(false);
    let signer = Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..]);
    let hash = keccak256(b"probe result");
    let (sig, id) = key.sign_prehash_recoverable(hash.as_slice()).unwrap();
    let mut input = Vec::new();
    input.extend_from_slice(hash.as_slice());
    input.extend_from_slice(&U256::from(27 + id.to_byte()).to_be_bytes::<32>());
    input.extend_from_slice(&sig.to_bytes());

    let mut chain = Chain::new();
    let out = chain
        .transact(Address::ZERO, ECRECOVER, &input, U256::ZERO)
        .unwrap();
    assert!(out.success);
    assert_eq!(
        out.output,
        B256::left_padding_from(signer.as_slice()).to_vec()
    );

    // A bad v, or a tampered hash: no signer / another signer.
    let mut bad_v = input.clone();
    bad_v[63] = 29;
    assert!(chain
        .transact(Address::ZERO, ECRECOVER, &bad_v, U256::ZERO)
        .unwrap()
        .output
        .is_empty());
    let mut other = input;
    other[0] ^= 1;
    let out = chain
        .transact(Address::ZERO, ECRECOVER, &other, U256::ZERO)
        .unwrap();
    assert_ne!(
        out.output,
        B256::left_padding_from(signer.as_slice()).to_vec()
    );
}

#[test]
fn operators_are_priced_in_ink_by_the_published_table() {
    // 1,000 turns of a loop of 8 operators: local.get 75, i32.const 1,
    // i32.add 70, local.set 210, local.get 75, i32.const 1, i32.lt_u 170,
    // br_if 765 = 1,367 ink a turn; plus loop, its end, the result and the
    // function's end (1 each).
    let looping = r#"(module
      (memory (export "memory") 1)
      (func (export "user_entrypoint") (param i32) (result i32) (local $i i32)
        (loop $l
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 1000))))
        (i32.const 0)))"#;
    let mut chain = Chain::new();
    let c = chain.deploy(&wat::parse_str(looping).unwrap()).unwrap();
    let out = chain
        .transact(Address::with_last_byte(1), c, &[0], U256::ZERO)
        .unwrap();
    assert!(out.success);
    assert_eq!(out.ink, 1 + 1_000 * 1_367 + 1 + 2);
    // Intrinsic 21,000 + one zero calldata byte (4) + ⌈1,367,004 / 10,000⌉.
    assert_eq!(out.gas, 21_004 + 137);
}

#[test]
fn storage_is_priced_as_the_evm_prices_it() {
    let (mut chain, c) = counter();
    let user = Address::with_last_byte(1);
    // Slot 0 goes 0 → 1 (set: 20,000 after a cold read of 2,100), then
    // 1 → 2 (reset: 2,900 after a cold read); everything else is the same.
    let set = chain.transact(user, c, &[0], U256::ZERO).unwrap();
    let reset = chain.transact(user, c, &[0], U256::ZERO).unwrap();
    assert_eq!(set.ink, reset.ink);
    assert_eq!(set.gas - reset.gas, 20_000 - 2_900);
    // Host calls: read_args, load, cache, write_result, log, flush (8,400
    // ink each) = 5.04 gas, rounded up with the operators' ink.
    let state = 2_100 + 2_900 + 375 + 375;
    let host_and_ink = (6 * 8_400 + reset.ink).div_ceil(meter::INK_PER_GAS);
    assert_eq!(reset.gas, 21_004 + host_and_ink + state);
}

#[test]
fn overrides_change_a_simulated_call_and_are_forgotten() {
    let (mut chain, c) = counter();
    let user = Address::with_last_byte(1);
    chain.transact(user, c, &[0], U256::ZERO).unwrap();
    // A slot changed for the call: the counter reads 41 and returns 42.
    let mut overrides = HashMap::new();
    overrides.insert(
        c,
        Override {
            state_diff: [(B256::ZERO, word(41))].into(),
            ..Override::default()
        },
    );
    let out = chain
        .simulate(&overrides, user, Some(c), &[0], U256::ZERO)
        .unwrap();
    assert_eq!(out.output, word(42).to_vec());
    assert_eq!(chain.storage(c, B256::ZERO), word(1), "forgotten");
    // Storage replaced by nothing, and a balance.
    overrides.insert(
        c,
        Override {
            state: Some(HashMap::new()),
            balance: Some(U256::from(7)),
            ..Override::default()
        },
    );
    let out = chain
        .simulate(&overrides, user, Some(c), &[0], U256::ZERO)
        .unwrap();
    assert_eq!(out.output, word(1).to_vec());
    assert_eq!(chain.balance(c), U256::ZERO);
    // Code put at an empty address runs there, and is gone after.
    let empty = Address::with_last_byte(0x77);
    let mut overrides = HashMap::new();
    overrides.insert(
        empty,
        Override {
            code: Some(chain.code(c)),
            ..Override::default()
        },
    );
    let out = chain
        .simulate(&overrides, user, Some(empty), &[0], U256::ZERO)
        .unwrap();
    assert_eq!(out.output, word(1).to_vec());
    assert!(chain.code(empty).is_empty());
    // EVM code runs too.
    overrides.insert(
        empty,
        Override {
            code: Some(evm_counter()),
            ..Override::default()
        },
    );
    let out = chain
        .simulate(&overrides, user, Some(empty), &[], U256::ZERO)
        .unwrap();
    assert_eq!(out.output, word(1).to_vec());
}

/// `cargo stylus check`'s question, as Nitro answers it: code given as an
/// override is stored, not activated; calling it reverts
/// `ProgramNotActivated()`, and `activateProgram` of it quotes the fee
/// (or names what activation refuses), all forgotten after the call.
#[test]
fn overridden_stylus_code_is_not_activated_but_quoted() {
    use alloy_sol_types::{SolCall, SolError};
    use arbwasm::ArbWasm;
    let mut chain = Chain::new();
    let user = Address::with_last_byte(1);
    let rich = Address::with_last_byte(2);
    let code = stylus_artifact::deployable_code(&wat::parse_str(COUNTER).unwrap());
    let empty = Address::with_last_byte(0x77);
    let overrides: HashMap<_, _> = [
        (
            empty,
            Override {
                code: Some(code.clone()),
                ..Override::default()
            },
        ),
        (
            rich,
            Override {
                balance: Some(U256::MAX),
                ..Override::default()
            },
        ),
    ]
    .into();
    let out = chain
        .simulate(&overrides, user, Some(empty), &[0], U256::ZERO)
        .unwrap();
    assert!(!out.success);
    assert_eq!(out.output, ArbWasm::ProgramNotActivated {}.abi_encode());

    let activate = ArbWasm::activateProgramCall { program: empty }.abi_encode();
    let one_eth = U256::from(10u64.pow(18));
    let out = chain
        .simulate(&overrides, rich, Some(arbwasm::ADDRESS), &activate, one_eth)
        .unwrap();
    assert!(out.success, "{:?}", out.output);
    let quoted = ArbWasm::activateProgramCall::abi_decode_returns(&out.output, true).unwrap();
    assert_eq!(
        (quoted.version, quoted.dataFee),
        (arbwasm::STYLUS_VERSION, arbwasm::data_fee(&code))
    );
    // Nothing stays: no code, no activation.
    assert!(chain.code(empty).is_empty());
    let deployed = create(&mut chain, user, &code);
    assert!(!chain.is_activated(deployed));

    // A module the activation checks refuse: the reason, by name.
    let bad = COUNTER.replace("\"vm_hooks\" \"read_args\"", "\"env\" \"read_args\"");
    let bad_code = stylus_artifact::deployable_code(&wat::parse_str(bad).unwrap());
    let mut overrides = overrides;
    overrides.get_mut(&empty).unwrap().code = Some(bad_code);
    let out = chain
        .simulate(&overrides, rich, Some(arbwasm::ADDRESS), &activate, one_eth)
        .unwrap();
    assert!(!out.success);
    let reason = alloy_sol_types::Revert::abi_decode(&out.output, true).unwrap();
    assert!(reason.reason.contains("activation refused"), "{reason:?}");
}

#[test]
fn transient_storage_lives_for_one_transaction() {
    // Argument byte 1: store 5 in transient slot 0 first; then load slot 0
    // and return it.
    let module = r#"(module
      (import "vm_hooks" "read_args" (func $read_args (param i32)))
      (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
      (import "vm_hooks" "transient_load_bytes32" (func $tload (param i32 i32)))
      (import "vm_hooks" "transient_store_bytes32" (func $tstore (param i32 i32)))
      (memory (export "memory") 1)
      (func (export "user_entrypoint") (param i32) (result i32)
        (call $read_args (i32.const 128))
        (if (i32.eq (i32.load8_u (i32.const 128)) (i32.const 1))
          (then
            (i32.store8 (i32.const 63) (i32.const 5))
            (call $tstore (i32.const 0) (i32.const 32))))
        (call $tload (i32.const 0) (i32.const 64))
        (call $write_result (i32.const 64) (i32.const 32))
        (i32.const 0)))"#;
    let mut chain = Chain::new();
    let c = chain.deploy(&wat::parse_str(module).unwrap()).unwrap();
    let user = Address::with_last_byte(1);
    let first = chain.transact(user, c, &[1], U256::ZERO).unwrap();
    assert_eq!(first.output, word(5).to_vec());
    // A new transaction starts with it empty; nothing reached storage.
    let second = chain.transact(user, c, &[0], U256::ZERO).unwrap();
    assert_eq!(second.output, word(0).to_vec());
    assert_eq!(first.slots_written, 0);
    // Writes are refused in a static call (the program traps).
    assert!(!chain.view(user, c, &[1]).unwrap().success);
}

/// Forwards to another contract. Argument byte 0 picks the way: 0
/// `call_contract`, 1 `delegate_call_contract` (to the 20-byte address
/// that follows, with the rest as calldata, returning the callee's
/// output and status), 2 `create1` (the rest is init code; returns the new
/// address, zero if it failed).
const PROXY: &str = r#"(module
  (import "vm_hooks" "read_args" (func $read_args (param i32)))
  (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
  (import "vm_hooks" "call_contract" (func $call (param i32 i32 i32 i32 i64 i32) (result i32)))
  (import "vm_hooks" "delegate_call_contract" (func $delegate (param i32 i32 i32 i64 i32) (result i32)))
  (import "vm_hooks" "create1" (func $create1 (param i32 i32 i32 i32 i32)))
  (import "vm_hooks" "read_return_data" (func $return_data (param i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (local $status i32)
    (call $read_args (i32.const 1024))
    (if (i32.eq (i32.load8_u (i32.const 1024)) (i32.const 2))
      (then
        (call $create1 (i32.const 1025) (i32.sub (local.get $len) (i32.const 1))
          (i32.const 0) (i32.const 96) (i32.const 64))
        (call $write_result (i32.const 96) (i32.const 20))
        (return (i32.const 0))))
    (if (i32.eq (i32.load8_u (i32.const 1024)) (i32.const 1))
      (then (local.set $status (call $delegate (i32.const 1025) (i32.const 1045)
        (i32.sub (local.get $len) (i32.const 21)) (i64.const -1) (i32.const 64))))
      (else (local.set $status (call $call (i32.const 1025) (i32.const 1045)
        (i32.sub (local.get $len) (i32.const 21)) (i32.const 0) (i64.const -1) (i32.const 64)))))
    (drop (call $return_data (i32.const 4096) (i32.const 0) (i32.load (i32.const 64))))
    (call $write_result (i32.const 4096) (i32.load (i32.const 64)))
    (local.get $status)))"#;

/// EVM: adds one to slot 0 and returns the new value.
fn evm_counter() -> Vec<u8> {
    // PUSH1 0 SLOAD PUSH1 1 ADD DUP1 PUSH1 0 SSTORE
    // PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN
    vec![
        0x60, 0x00, 0x54, 0x60, 0x01, 0x01, 0x80, 0x60, 0x00, 0x55, 0x60, 0x00, 0x52, 0x60, 0x20,
        0x60, 0x00, 0xf3,
    ]
}

/// EVM: forwards its calldata to `to` with `CALL` and returns (or reverts
/// with) what it answered.
fn evm_forwarder(to: Address) -> Vec<u8> {
    // CALLDATASIZE PUSH1 0 PUSH1 0 CALLDATACOPY
    let mut code = vec![0x36, 0x60, 0x00, 0x60, 0x00, 0x37];
    // CALL(gas, to, 0, 0, CALLDATASIZE, 0, 0)
    code.extend([0x60, 0x00, 0x60, 0x00, 0x36, 0x60, 0x00, 0x60, 0x00, 0x73]);
    code.extend(to.as_slice());
    code.extend([0x5a, 0xf1]);
    // RETURNDATASIZE PUSH1 0 PUSH1 0 RETURNDATACOPY
    code.extend([0x3d, 0x60, 0x00, 0x60, 0x00, 0x3e]);
    // PUSH1 ok JUMPI; RETURNDATASIZE PUSH1 0 REVERT; ok: JUMPDEST RETURNDATASIZE PUSH1 0 RETURN
    let ok = code.len() as u8 + 7;
    code.extend([
        0x60, ok, 0x57, 0x3d, 0x60, 0x00, 0xfd, 0x5b, 0x3d, 0x60, 0x00, 0xf3,
    ]);
    code
}

/// Creates `runtime` with a creation transaction from `from`.
fn create(chain: &mut Chain, from: Address, runtime: &[u8]) -> Address {
    let out = chain
        .create(from, &stylus_artifact::init_code(runtime), U256::ZERO)
        .unwrap();
    assert!(out.success);
    out.created.expect("created")
}

fn proxy_call(kind: u8, to: Address, data: &[u8]) -> Vec<u8> {
    let mut args = vec![kind];
    args.extend(to.as_slice());
    args.extend(data);
    args
}

#[test]
fn creation_by_transaction_runs_init_code_at_the_nonce_address() {
    let mut chain = Chain::new();
    let user = Address::with_last_byte(1);
    let first = create(&mut chain, user, &evm_counter());
    assert_eq!(first, user.create(0));
    assert_eq!(chain.nonce(user), 1);
    assert_eq!(chain.nonce(first), 1);
    assert_eq!(chain.code(first), evm_counter());
    let second = create(&mut chain, user, &evm_counter());
    assert_eq!(second, user.create(1));
    // Set a slot (cold read, 20,000), then reset it (2,900).
    for (expected, state_gas) in [(1, 2_100 + 20_000), (2, 2_100 + 2_900)] {
        let out = chain.transact(user, first, &[], U256::ZERO).unwrap();
        assert!(out.success);
        assert_eq!(out.output, word(expected).to_vec());
        assert!(out.gas > 21_000 + state_gas, "{}", out.gas);
        assert!(out.gas < 21_000 + state_gas + 200, "{}", out.gas);
    }
    assert_eq!(chain.storage(first, B256::ZERO), word(2));
    assert_eq!(chain.storage(second, B256::ZERO), B256::ZERO);
    // Init code that reverts creates nothing and gives its revert data;
    // the nonce is spent all the same.
    let out = chain
        .create(
            user,
            &[0x60, 0x2a, 0x60, 0x00, 0x52, 0x60, 0x20, 0x60, 0x00, 0xfd],
            U256::ZERO,
        )
        .unwrap();
    assert!(!out.success);
    assert_eq!(out.created, None);
    assert_eq!(out.output, word(42).to_vec());
    assert!(chain.code(user.create(2)).is_empty());
    assert_eq!(chain.nonce(user), 3);
    // EIP-3541: code starting with 0xEF is refused, unless it is Stylus code.
    let out = chain
        .create(user, &stylus_artifact::init_code(&[0xEF, 0x00]), U256::ZERO)
        .unwrap();
    assert!(!out.success);
}

#[test]
fn stylus_code_runs_once_arbwasm_activated_it() {
    use alloy_sol_types::{SolCall, SolError, SolEvent};
    use arbwasm::ArbWasm;
    let mut chain = Chain::new();
    let user = Address::with_last_byte(1);
    chain.fund(user, U256::from(10u64.pow(18)));
    let code = stylus_artifact::deployable_code(&wat::parse_str(COUNTER).unwrap());
    let program = create(&mut chain, user, &code);
    assert_eq!(chain.code(program), code);
    assert!(!chain.is_activated(program));
    let out = chain.transact(user, program, &[0], U256::ZERO).unwrap();
    assert!(!out.success);
    assert_eq!(out.output, ArbWasm::ProgramNotActivated {}.abi_encode());

    let activate = ArbWasm::activateProgramCall { program }.abi_encode();
    let fee = arbwasm::data_fee(&code);
    let out = chain
        .transact(user, arbwasm::ADDRESS, &activate, U256::ZERO)
        .unwrap();
    assert!(!out.success);
    let refused = ArbWasm::ProgramInsufficientValue {
        have: U256::ZERO,
        want: fee,
    };
    assert_eq!(out.output, refused.abi_encode());

    // More than the fee: the rest comes back, the fee goes to the network.
    let before = chain.balance(user);
    let out = chain
        .transact(user, arbwasm::ADDRESS, &activate, fee * U256::from(3))
        .unwrap();
    assert!(out.success);
    let back = ArbWasm::activateProgramCall::abi_decode_returns(&out.output, true).unwrap();
    assert_eq!((back.version, back.dataFee), (arbwasm::STYLUS_VERSION, fee));
    assert_eq!(chain.balance(user), before - fee);
    assert_eq!(chain.balance(arbwasm::NETWORK_FEE_ACCOUNT), fee);
    assert_eq!(chain.balance(arbwasm::ADDRESS), U256::ZERO);
    assert_eq!(out.logs.len(), 1);
    assert_eq!(
        out.logs[0].topics[0],
        ArbWasm::ProgramActivated::SIGNATURE_HASH
    );
    assert_eq!(out.logs[0].topics[1], keccak256(&code));
    assert!(chain.is_activated(program));
    let out = chain.transact(user, program, &[0], U256::ZERO).unwrap();
    assert!(out.success);
    assert_eq!(out.output, word(1).to_vec());

    // Once is enough; versions are readable; EVM code is not a program.
    let out = chain
        .transact(user, arbwasm::ADDRESS, &activate, fee)
        .unwrap();
    assert_eq!(out.output, ArbWasm::ProgramUpToDate {}.abi_encode());
    let version = ArbWasm::programVersionCall { program }.abi_encode();
    let out = chain.view(user, arbwasm::ADDRESS, &version).unwrap();
    assert_eq!(
        ArbWasm::programVersionCall::abi_decode_returns(&out.output, true)
            .unwrap()
            .version,
        arbwasm::STYLUS_VERSION
    );
    // Only activation takes value.
    let before = chain.balance(user);
    let version = ArbWasm::stylusVersionCall {}.abi_encode();
    let out = chain
        .transact(user, arbwasm::ADDRESS, &version, U256::from(1))
        .unwrap();
    assert!(!out.success);
    assert_eq!(chain.balance(user), before);
    let evm = create(&mut chain, user, &evm_counter());
    let activate_evm = ArbWasm::activateProgramCall { program: evm }.abi_encode();
    let out = chain
        .transact(user, arbwasm::ADDRESS, &activate_evm, fee)
        .unwrap();
    assert_eq!(out.output, ArbWasm::ProgramNotWasm {}.abi_encode());

    // A module the activation checks refuse: a named reason, nothing kept.
    let bad = COUNTER.replace("\"vm_hooks\" \"read_args\"", "\"env\" \"read_args\"");
    let bad_code = stylus_artifact::deployable_code(&wat::parse_str(bad).unwrap());
    let bad_program = create(&mut chain, user, &bad_code);
    let activate_bad = ArbWasm::activateProgramCall {
        program: bad_program,
    }
    .abi_encode();
    let before = chain.balance(user);
    let out = chain
        .transact(
            user,
            arbwasm::ADDRESS,
            &activate_bad,
            arbwasm::data_fee(&bad_code),
        )
        .unwrap();
    assert!(!out.success);
    let reason = alloy_sol_types::Revert::abi_decode(&out.output, true).unwrap();
    assert!(
        reason.reason.contains("activation refused"),
        "{}",
        reason.reason
    );
    assert_eq!(chain.balance(user), before);
    assert!(!chain.is_activated(bad_program));
}

#[test]
fn calls_go_both_ways_between_evm_and_stylus() {
    let (mut chain, counter) = counter();
    let user = Address::with_last_byte(1);
    // EVM → Stylus.
    let forwarder = create(&mut chain, user, &evm_forwarder(counter));
    let out = chain.transact(user, forwarder, &[0], U256::ZERO).unwrap();
    assert!(out.success);
    assert_eq!(out.output, word(1).to_vec());
    assert_eq!(out.logs.len(), 1);
    assert_eq!(out.logs[0].address, counter);
    assert_eq!(chain.storage(counter, B256::ZERO), word(1));
    // A revert below comes up as the EVM caller's revert, data and all,
    // and nothing is kept.
    let out = chain.transact(user, forwarder, &[1], U256::ZERO).unwrap();
    assert!(!out.success);
    assert_eq!(out.output, word(2).to_vec());
    assert_eq!(chain.storage(counter, B256::ZERO), word(1));
    // Stylus → EVM, and Stylus → EVM → Stylus.
    let proxy = chain.deploy(&wat::parse_str(PROXY).unwrap()).unwrap();
    let evm = create(&mut chain, user, &evm_counter());
    let out = chain
        .transact(user, proxy, &proxy_call(0, evm, &[]), U256::ZERO)
        .unwrap();
    assert!(out.success);
    assert_eq!(out.output, word(1).to_vec());
    assert_eq!(chain.storage(evm, B256::ZERO), word(1));
    let out = chain
        .transact(user, proxy, &proxy_call(0, forwarder, &[0]), U256::ZERO)
        .unwrap();
    assert!(out.success);
    assert_eq!(out.output, word(2).to_vec());
    assert_eq!(chain.storage(counter, B256::ZERO), word(2));
}

#[test]
fn delegate_calls_run_the_callee_code_on_the_caller_storage() {
    let (mut chain, counter) = counter();
    let user = Address::with_last_byte(1);
    let proxy = chain.deploy(&wat::parse_str(PROXY).unwrap()).unwrap();
    let evm = create(&mut chain, user, &evm_counter());
    // Stylus code delegated to: the proxy's slot 0 counts, not the counter's.
    let out = chain
        .transact(user, proxy, &proxy_call(1, counter, &[0]), U256::ZERO)
        .unwrap();
    assert!(out.success);
    assert_eq!(out.output, word(1).to_vec());
    assert_eq!(out.logs[0].address, proxy);
    // EVM code delegated to, on the same storage.
    let out = chain
        .transact(user, proxy, &proxy_call(1, evm, &[]), U256::ZERO)
        .unwrap();
    assert_eq!(out.output, word(2).to_vec());
    assert_eq!(chain.storage(proxy, B256::ZERO), word(2));
    assert_eq!(chain.storage(counter, B256::ZERO), B256::ZERO);
    assert_eq!(chain.storage(evm, B256::ZERO), B256::ZERO);
}

#[test]
fn programs_create_contracts() {
    let mut chain = Chain::new();
    let user = Address::with_last_byte(1);
    let proxy = chain.deploy(&wat::parse_str(PROXY).unwrap()).unwrap();
    let mut args = vec![2];
    args.extend(stylus_artifact::init_code(&evm_counter()));
    let out = chain.transact(user, proxy, &args, U256::ZERO).unwrap();
    assert!(out.success);
    // A contract's nonce starts at 1.
    let created = proxy.create(1);
    assert_eq!(out.output, created.to_vec());
    assert_eq!(chain.code(created), evm_counter());
    assert_eq!(chain.nonce(proxy), 2);
    let out = chain.transact(user, created, &[], U256::ZERO).unwrap();
    assert_eq!(out.output, word(1).to_vec());
}
