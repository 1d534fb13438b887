//! Whether a transaction may be mined, with geth's refusals (its words
//! and error code, so that wallets classify them: ethers' `NONCE_EXPIRED`
//! and `INSUFFICIENT_FUNDS`, viem's `NonceTooLowError`…), and what it
//! pays: as on Arbitrum, the effective gas price is the base fee (a
//! priority fee is never charged), the sender pays gas used × that price
//! and the fee goes to [`crate::COINBASE`].

use alloy_consensus::{Transaction, TxEnvelope};
use alloy_primitives::{Address, U256};

use super::{RpcError, BLOCK_GAS_LIMIT, GAS_PRICE};

/// geth's code for a transaction the pool refuses.
const REFUSED: i64 = -32000;

fn refused(message: String) -> RpcError {
    RpcError(REFUSED, message, None)
}

/// The gas a transaction pays before it runs (EIP-2028 calldata, EIP-2930
/// access list, a creation's 32,000 and EIP-3860's 2 per word of init
/// code).
pub fn intrinsic_gas(tx: &TxEnvelope) -> u64 {
    let input = tx.input();
    let mut gas = crate::meter::intrinsic_gas(input);
    if tx.to().is_none() {
        gas += creation_gas(input.len());
    }
    if let Some(list) = tx.access_list() {
        for item in list.iter() {
            gas += 2_400 + 1_900 * item.storage_keys.len() as u64;
        }
    }
    gas
}

/// What a creation pays before it runs beyond a call's intrinsic gas:
/// 32,000 and EIP-3860's 2 per word of init code.
pub fn creation_gas(init_code_len: usize) -> u64 {
    32_000 + 2 * (init_code_len as u64).div_ceil(32)
}

/// The effective gas price of `tx` (the base fee: Arbitrum charges no
/// priority fee).
pub const fn effective_gas_price() -> u128 {
    GAS_PRICE as u128
}

/// What the sender must hold before it runs: gas limit × the most it
/// offers per gas, plus the value.
pub fn upfront_cost(tx: &TxEnvelope) -> U256 {
    U256::from(tx.gas_limit()) * U256::from(tx.max_fee_per_gas()) + tx.value()
}

/// The account's side of the checks.
pub struct Sender {
    /// Who signed it.
    pub address: Address,
    /// Its nonce now.
    pub nonce: u64,
    /// Its balance now, wei.
    pub balance: U256,
}

/// Refuses `tx` from `sender` as geth would, first reason first.
///
/// # Errors
/// The refusal, in geth's words.
pub fn admit(tx: &TxEnvelope, sender: &Sender, chain_id: u64) -> Result<(), RpcError> {
    if tx.is_eip4844() || tx.is_eip7702() {
        // Blobs and delegations would be mined without their effect.
        return Err(refused("transaction type not supported".into()));
    }
    match tx.chain_id() {
        None => {
            return Err(refused(
                "only replay-protected (EIP-155) transactions allowed over RPC".into(),
            ))
        }
        Some(id) if id != chain_id => {
            return Err(refused(format!(
                "invalid chain id for signer: have {id} want {chain_id}"
            )))
        }
        Some(_) => {}
    }
    let address = sender.address;
    if tx.nonce() < sender.nonce {
        return Err(refused(format!(
            "nonce too low: address {address}, tx: {} state: {}",
            tx.nonce(),
            sender.nonce
        )));
    }
    if tx.nonce() > sender.nonce {
        return Err(refused(format!(
            "nonce too high: address {address}, tx: {} state: {}",
            tx.nonce(),
            sender.nonce
        )));
    }
    if tx.gas_limit() > BLOCK_GAS_LIMIT {
        return Err(refused("exceeds block gas limit".into()));
    }
    if let Some(tip) = tx.max_priority_fee_per_gas() {
        if tip > tx.max_fee_per_gas() {
            return Err(refused(format!(
                "max priority fee per gas higher than max fee per gas: address {address}, \
                 maxPriorityFeePerGas: {tip}, maxFeePerGas: {}",
                tx.max_fee_per_gas()
            )));
        }
    }
    if tx.max_fee_per_gas() < effective_gas_price() {
        return Err(refused(format!(
            "max fee per gas less than block base fee: address {address}, \
             maxFeePerGas: {}, baseFee: {GAS_PRICE}",
            tx.max_fee_per_gas()
        )));
    }
    let want = upfront_cost(tx);
    if sender.balance < want {
        return Err(refused(format!(
            "insufficient funds for gas * price + value: address {address} have {} want {want}",
            sender.balance
        )));
    }
    let floor = intrinsic_gas(tx);
    if tx.gas_limit() < floor {
        return Err(refused(format!(
            "intrinsic gas too low: have {}, want {floor}",
            tx.gas_limit()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
