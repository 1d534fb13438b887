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
        .simulate(&overrides, user, c, &[0], U256::ZERO)
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
        .simulate(&overrides, user, c, &[0], U256::ZERO)
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
        .simulate(&overrides, user, empty, &[0], U256::ZERO)
        .unwrap();
    assert_eq!(out.output, word(1).to_vec());
    assert!(chain.code(empty).is_empty());
    // Code that is not a Stylus program is refused by name.
    overrides.insert(
        empty,
        Override {
            code: Some(vec![0x60, 0x00]),
            ..Override::default()
        },
    );
    let err = chain
        .simulate(&overrides, user, empty, &[0], U256::ZERO)
        .unwrap_err();
    assert!(format!("{err}").contains("only Stylus programs"), "{err}");
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
