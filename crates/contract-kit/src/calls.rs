//! # Calls every SPON contract makes to contracts it does not own
//!
//! * [`safe_transfer`] / [`safe_transfer_from`] / [`safe_approve`]: ERC-20
//!   calls that accept a token returning `true` or nothing, and refuse
//!   everything else (a revert, `false`, an account without code) with
//!   `SafeErc20FailedOperation(token)`; [`balance_of`] and
//!   [`total_supply`], its views;
//! * [`ecrecover`]: the signer of a digest, by the `ecrecover` precompile,
//!   refusing malleable (high-`s`) signatures.
//!
//! They are written here rather than taken from openzeppelin-stylus so that
//! the protocol contracts do not depend on it: its dependency on
//! alloy-primitives enables the `tiny-keccak` feature, which replaces the
//! host's `native_keccak256` (used by every storage map) with keccak
//! compiled into the module, about 830 bytes of code per contract and far
//! more gas per hash.

#![allow(deprecated)] // RawCall and AddressVM: the SDK's raw call API.

use alloc::vec::Vec;

use alloy_primitives::{address, b256, Address, B256, U256};
use alloy_sol_types::SolCall;

use crate::encode::{revert_words as calldata, Word};
use stylus_sdk::{call::RawCall, types::AddressVM};

crate::sol_abi! {
    /// A token transfer to or from `token` failed: it reverted, returned
    /// something other than `true`, or `token` has no code.
    #[derive(Debug, PartialEq)]
    error SafeErc20FailedOperation(address token);
}

alloy_sol_types::sol! {
    /// The ERC-20 functions the contracts call (their selectors: the
    /// calldata is written word by word below).
    interface IErc20 {
        function transfer(address to, uint256 value) external returns (bool);
        function transferFrom(address from, address to, uint256 value) external returns (bool);
        function approve(address spender, uint256 value) external returns (bool);
        function balanceOf(address account) external view returns (uint256);
        function totalSupply() external view returns (uint256);
    }
}

/// Moves `value` of `token` from this contract to `to`.
///
/// # Errors
/// `SafeErc20FailedOperation`.
pub fn safe_transfer(
    token: Address,
    to: Address,
    value: U256,
) -> Result<(), SafeErc20FailedOperation> {
    call_optional_return(
        token,
        calldata(IErc20::transferCall::SELECTOR, &[to.word(), value.word()]),
    )
}

/// Moves `value` of `token` from `from` (who approved this contract) to
/// `to`.
///
/// # Errors
/// `SafeErc20FailedOperation`.
pub fn safe_transfer_from(
    token: Address,
    from: Address,
    to: Address,
    value: U256,
) -> Result<(), SafeErc20FailedOperation> {
    call_optional_return(
        token,
        calldata(
            IErc20::transferFromCall::SELECTOR,
            &[from.word(), to.word(), value.word()],
        ),
    )
}

/// Lets `spender` move `value` of this contract's `token`.
///
/// # Errors
/// `SafeErc20FailedOperation`.
pub fn safe_approve(
    token: Address,
    spender: Address,
    value: U256,
) -> Result<(), SafeErc20FailedOperation> {
    call_optional_return(
        token,
        calldata(
            IErc20::approveCall::SELECTOR,
            &[spender.word(), value.word()],
        ),
    )
}

/// `account`'s balance of `token`.
///
/// # Errors
/// `SafeErc20FailedOperation` if the token does not answer with a word.
pub fn balance_of(token: Address, account: Address) -> Result<U256, SafeErc20FailedOperation> {
    view_word(
        token,
        calldata(IErc20::balanceOfCall::SELECTOR, &[account.word()]),
    )
}

/// Moves `value` of `token` from `from` (who approved this contract) to
/// this contract, and checks that this contract's balance grew by exactly
/// `value`: a token that takes a fee on transfer, or rebases during it,
/// would leave escrow accounting short (finding F-23).
///
/// # Errors
/// `SafeErc20FailedOperation`, also when less (or more) arrived.
pub fn pull_exact(
    token: Address,
    from: Address,
    this: Address,
    value: U256,
) -> Result<(), SafeErc20FailedOperation> {
    let before = balance_of(token, this)?;
    safe_transfer_from(token, from, this, value)?;
    let after = balance_of(token, this)?;
    if after.checked_sub(before) != Some(value) {
        return Err(SafeErc20FailedOperation { token });
    }
    Ok(())
}

/// The total supply of `token`.
///
/// # Errors
/// `SafeErc20FailedOperation` if the token does not answer with a word.
pub fn total_supply(token: Address) -> Result<U256, SafeErc20FailedOperation> {
    view_word(token, calldata(IErc20::totalSupplyCall::SELECTOR, &[]))
}

fn view_word(token: Address, data: Vec<u8>) -> Result<U256, SafeErc20FailedOperation> {
    // SAFETY: a static call cannot change state.
    let out = unsafe {
        RawCall::new_static()
            .flush_storage_cache()
            .call(token, &data)
    };
    match out {
        Ok(w) if w.len() == 32 => Ok(U256::from_be_slice(&w)),
        _ => Err(SafeErc20FailedOperation { token }),
    }
}

fn call_optional_return(token: Address, data: Vec<u8>) -> Result<(), SafeErc20FailedOperation> {
    let failed = SafeErc20FailedOperation { token };
    if !token.has_code() {
        return Err(failed);
    }
    // SAFETY: reentrant calls are refused by the entrypoint; pending
    // storage writes are flushed first so the token sees them.
    let out = unsafe {
        RawCall::new()
            .limit_return_data(0, 32)
            .flush_storage_cache()
            .call(token, &data)
    }
    .map_err(|_| failed.clone())?;
    let mut t = [0u8; 32];
    t[31] = 1;
    if out.is_empty() || out[..] == t {
        Ok(())
    } else {
        Err(failed)
    }
}

/// The `ecrecover` precompile.
const ECRECOVER: Address = address!("0000000000000000000000000000000000000001");

/// Half the order of secp256k1: a larger `s` is the malleable twin of a
/// valid signature (EIP-2).
const HALF_N: B256 = b256!("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0");

/// The signer of `digest` by signature `(v, r, s)`, or `None` if the
/// signature is invalid or malleable (`v` not 27 or 28, `s` in the upper
/// half of the curve order, or no address recovered).
pub fn ecrecover(digest: B256, v: u8, r: B256, s: B256) -> Option<Address> {
    if s > HALF_N || !(v == 27 || v == 28) {
        return None;
    }
    let mut input = [0u8; 128];
    input[..32].copy_from_slice(digest.as_slice());
    input[63] = v;
    input[64..96].copy_from_slice(r.as_slice());
    input[96..].copy_from_slice(s.as_slice());
    // SAFETY: a static call to a precompile touches no storage.
    let out = unsafe { RawCall::new_static().call(ECRECOVER, &input) }.ok()?;
    (out.len() == 32)
        .then(|| Address::from_slice(&out[12..]))
        .filter(|a| !a.is_zero())
}
