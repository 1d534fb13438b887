use alloy_consensus::{SignableTransaction, TxEip1559};
use alloy_eips::eip2930::{AccessList, AccessListItem};
use alloy_network::TxSignerSync;
use alloy_primitives::{TxKind, B256};
use alloy_signer_local::PrivateKeySigner;

use super::*;
use crate::CHAIN_ID;

fn tx(edit: impl FnOnce(&mut TxEip1559)) -> TxEnvelope {
    let mut t = TxEip1559 {
        chain_id: CHAIN_ID,
        nonce: 5,
        gas_limit: 100_000,
        max_fee_per_gas: 2 * u128::from(GAS_PRICE),
        max_priority_fee_per_gas: 0,
        to: TxKind::Call(Address::with_last_byte(9)),
        value: U256::from(1_000),
        access_list: AccessList::default(),
        input: vec![0, 1, 2].into(),
    };
    edit(&mut t);
    let signer = PrivateKeySigner::from_bytes(&B256::with_last_byte(1)).unwrap();
    let signature = signer.sign_transaction_sync(&mut t).unwrap();
    TxEnvelope::from(t.into_signed(signature))
}

fn rich() -> Sender {
    Sender {
        address: Address::with_last_byte(1),
        nonce: 5,
        balance: U256::from(10u64).pow(U256::from(18)),
    }
}

fn refusal(t: &TxEnvelope, s: &Sender) -> String {
    match admit(t, s, CHAIN_ID) {
        Err(RpcError(code, message, _)) => {
            assert_eq!(code, -32000);
            message
        }
        Ok(()) => panic!("admitted"),
    }
}

#[test]
fn a_well_formed_transaction_is_admitted() {
    assert!(admit(&tx(|_| {}), &rich(), CHAIN_ID).is_ok());
}

#[test]
fn refusals_read_as_geths() {
    let s = rich();
    let m = refusal(&tx(|t| t.nonce = 4), &s);
    assert!(m.starts_with("nonce too low: address"), "{m}");
    assert!(m.ends_with("tx: 4 state: 5"), "{m}");
    let m = refusal(&tx(|t| t.nonce = 6), &s);
    assert!(m.starts_with("nonce too high"), "{m}");
    let m = refusal(&tx(|t| t.chain_id = 1), &s);
    assert_eq!(
        m,
        format!("invalid chain id for signer: have 1 want {CHAIN_ID}")
    );
    let m = refusal(&tx(|t| t.gas_limit = BLOCK_GAS_LIMIT + 1), &s);
    assert_eq!(m, "exceeds block gas limit");
    let m = refusal(&tx(|t| t.max_fee_per_gas = u128::from(GAS_PRICE) - 1), &s);
    assert!(
        m.starts_with("max fee per gas less than block base fee"),
        "{m}"
    );
    let m = refusal(
        &tx(|t| t.max_priority_fee_per_gas = t.max_fee_per_gas + 1),
        &s,
    );
    assert!(
        m.starts_with("max priority fee per gas higher than max fee per gas"),
        "{m}"
    );
    let m = refusal(&tx(|t| t.gas_limit = 21_000), &s);
    assert_eq!(m, "intrinsic gas too low: have 21000, want 21036");
    let poor = Sender {
        balance: U256::from(100_000u64 * 2 * GAS_PRICE + 999),
        ..rich()
    };
    let m = refusal(&tx(|_| {}), &poor);
    assert!(
        m.starts_with("insufficient funds for gas * price + value: address"),
        "{m}"
    );
    assert!(
        m.ends_with(&format!(
            "have {} want {}",
            poor.balance,
            poor.balance + U256::from(1)
        )),
        "{m}"
    );
}

#[test]
fn intrinsic_gas_counts_calldata_creation_and_access_list() {
    // 21,000 + two non-zero bytes (16 each) + one zero byte (4).
    assert_eq!(intrinsic_gas(&tx(|_| {})), 21_036);
    // A creation: + 32,000 + 2 per word of init code.
    assert_eq!(
        intrinsic_gas(&tx(|t| t.to = TxKind::Create)),
        21_036 + 32_000 + 2
    );
    // An access list: 2,400 per address, 1,900 per slot.
    let list = AccessList(vec![AccessListItem {
        address: Address::with_last_byte(3),
        storage_keys: vec![B256::ZERO, B256::with_last_byte(1)],
    }]);
    assert_eq!(
        intrinsic_gas(&tx(|t| t.access_list = list)),
        21_036 + 2_400 + 3_800
    );
}

#[test]
fn the_upfront_cost_is_the_limit_at_the_fee_cap_plus_value() {
    let t = tx(|_| {});
    assert_eq!(
        upfront_cost(&t),
        U256::from(100_000u64) * U256::from(2 * GAS_PRICE) + U256::from(1_000)
    );
}
