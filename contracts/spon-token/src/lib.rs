//! # SPON token
//!
//! The ERC-20 of the SPON compute market: 18 decimals, a fixed supply minted
//! once at construction to the treasury, and EIP-2612 `permit` so wallets can
//! approve by signature. There is no mint after construction and no owner:
//! nothing can change the supply.
//!
//! SPON is used for provider stake and delegation, challenge bonds, governance
//! votes and fee-free payment for compute.
//!
//! Errors are the OpenZeppelin ERC-20 / ERC-2612 / ECDSA custom errors
//! (`ERC20InsufficientBalance`, `ERC20InvalidReceiver`, `ERC2612ExpiredSignature`,
//! `ERC2612InvalidSigner`, `ECDSAInvalidSignature`, ...). Events are the standard
//! `Transfer` and `Approval`.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
// `#[entrypoint]` exports an undocumented `user_entrypoint` to the WASM
// host (and, for the ABI export, a `main`); every item of ours is
// documented (checked by the native build).
#![cfg_attr(
    any(target_arch = "wasm32", feature = "export-abi"),
    allow(missing_docs)
)]
extern crate alloc;

use alloc::{string::String, vec::Vec};

use alloy_primitives::{aliases::B32, Address, B256, U256, U8};
use openzeppelin_stylus::{
    token::erc20::{
        extensions::{permit, Erc20Metadata, Erc20Permit, IErc20Metadata},
        Erc20, IErc20,
    },
    utils::{
        cryptography::eip712::IEip712,
        introspection::erc165::IErc165,
        nonces::{INonces, Nonces},
    },
};
use stylus_sdk::prelude::*;

/// Token name; also the EIP-712 domain name used by `permit`.
pub const NAME: &str = "SPON";
/// Token symbol.
pub const SYMBOL: &str = "SPON";
/// Decimals of the token.
pub const DECIMALS: u8 = 18;

/// The events the token emits, as human-readable ABI (for the JSON ABI; the
/// Solidity interface that stylus-sdk exports lists no events). A test checks
/// each against the event type the contract emits.
pub const EVENTS: &[&str] = &[
    "event Transfer(address indexed from, address indexed to, uint256 value)",
    "event Approval(address indexed owner, address indexed spender, uint256 value)",
];

/// The error type of every SPON entry point: the ERC-20 errors plus the
/// ERC-2612 and ECDSA errors of `permit`.
pub type Error = permit::Error;

/// Storage of the SPON token.
#[entrypoint]
#[storage]
pub struct SponToken {
    erc20: Erc20,
    nonces: Nonces,
    erc20_permit: Erc20Permit<Eip712Domain>,
}

/// Half the secp256k1 order: a larger `s` is malleable.
const HALF_ORDER: B256 =
    alloy_primitives::b256!("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0");

/// EIP-712 domain of SPON permits: name `SPON`, version `1`, this chain and
/// this contract.
#[storage]
pub struct Eip712Domain;

impl IEip712 for Eip712Domain {
    const NAME: &'static str = NAME;
    const VERSION: &'static str = "1";
}

// One inherent `#[public]` block (not trait impls): stylus-sdk 0.9 exports
// the ABI of inherent methods only, and deployers and wallets need all of it.
#[public]
impl SponToken {
    /// Mints the whole fixed `supply` to `treasury`, once, at deployment.
    ///
    /// # Errors
    /// * `ERC20InvalidReceiver` if `treasury` is the zero address.
    ///
    /// # Events
    /// * `Transfer(0, treasury, supply)`.
    #[constructor]
    pub fn constructor(&mut self, treasury: Address, supply: U256) -> Result<(), Error> {
        self.erc20._mint(treasury, supply)?;
        Ok(())
    }

    /// Token name: `SPON`.
    pub fn name(&self) -> String {
        NAME.into()
    }

    /// Token symbol: `SPON`.
    pub fn symbol(&self) -> String {
        SYMBOL.into()
    }

    /// Decimals: 18.
    pub fn decimals(&self) -> U8 {
        U8::from(DECIMALS)
    }

    /// The fixed supply minted at construction.
    pub fn total_supply(&self) -> U256 {
        self.erc20.total_supply()
    }

    /// Balance of `account`.
    pub fn balance_of(&self, account: Address) -> U256 {
        self.erc20.balance_of(account)
    }

    /// Moves `value` from the caller to `to`.
    ///
    /// # Errors
    /// * `ERC20InvalidReceiver` if `to` is the zero address.
    /// * `ERC20InsufficientBalance` if the caller has less than `value`.
    ///
    /// # Events
    /// * `Transfer(caller, to, value)`.
    pub fn transfer(&mut self, to: Address, value: U256) -> Result<bool, Error> {
        Ok(self.erc20.transfer(to, value)?)
    }

    /// What `spender` may still move from `owner`'s balance.
    pub fn allowance(&self, owner: Address, spender: Address) -> U256 {
        self.erc20.allowance(owner, spender)
    }

    /// Lets `spender` move up to `value` of the caller's tokens
    /// (`U256::MAX`: unlimited, never spent down).
    ///
    /// # Errors
    /// * `ERC20InvalidSpender` if `spender` is the zero address.
    ///
    /// # Events
    /// * `Approval(caller, spender, value)`.
    pub fn approve(&mut self, spender: Address, value: U256) -> Result<bool, Error> {
        Ok(self.erc20.approve(spender, value)?)
    }

    /// Moves `value` from `from` to `to` against the caller's allowance.
    ///
    /// # Errors
    /// * `ERC20InsufficientAllowance` if the allowance is below `value`.
    /// * `ERC20InsufficientBalance` if `from` has less than `value`.
    /// * `ERC20InvalidReceiver` if `to` is the zero address.
    ///
    /// # Events
    /// * `Transfer(from, to, value)`.
    pub fn transfer_from(
        &mut self,
        from: Address,
        to: Address,
        value: U256,
    ) -> Result<bool, Error> {
        Ok(self.erc20.transfer_from(from, to, value)?)
    }

    /// The next permit nonce of `owner`.
    pub fn nonces(&self, owner: Address) -> U256 {
        self.nonces.nonces(owner)
    }

    /// EIP-712 domain separator of permits (name `SPON`, version `1`).
    #[selector(name = "DOMAIN_SEPARATOR")]
    pub fn domain_separator(&self) -> B256 {
        self.erc20_permit.domain_separator()
    }

    /// EIP-2612: sets `owner`'s allowance for `spender` to `value` with
    /// `owner`'s signature `(v, r, s)` over the permit and its next nonce.
    ///
    /// # Errors
    /// * `ERC2612ExpiredSignature` if the block time is past `deadline`.
    /// * `ERC2612InvalidSigner` if the signature is not `owner`'s (wrong
    ///   signer, altered fields, or a nonce already used).
    /// * `ECDSAInvalidSignature` / `ECDSAInvalidSignatureS` if the signature
    ///   is malformed or malleable.
    /// * `ERC20InvalidSpender` if `spender` is the zero address.
    ///
    /// # Events
    /// * `Approval(owner, spender, value)`.
    #[allow(clippy::too_many_arguments)]
    pub fn permit(
        &mut self,
        owner: Address,
        spender: Address,
        value: U256,
        deadline: U256,
        v: u8,
        r: B256,
        s: B256,
    ) -> Result<(), Error> {
        // openzeppelin-stylus 0.3 slices the precompile's output unchecked:
        // a signature that recovers no key (r not an x-coordinate of the
        // curve, r or s zero, v not 27 or 28) would revert with no data.
        // Whether a key is recovered depends on (v, r, s) alone — for the
        // zero digest exactly, for any other but a negligible set — so test
        // it first and name the refusal (finding F-25); a malleable `s` is
        // left to its own named error.
        if s <= HALF_ORDER && spon_contract_kit::calls::ecrecover(B256::ZERO, v, r, s).is_none() {
            return Err(permit::Error::InvalidSignature(
                openzeppelin_stylus::utils::cryptography::ecdsa::ECDSAInvalidSignature {},
            ));
        }
        self.erc20_permit.permit(
            owner,
            spender,
            value,
            deadline,
            v,
            r,
            s,
            &mut self.erc20,
            &mut self.nonces,
        )
    }

    /// ERC-165: true for IERC20, IERC20Metadata and IERC165.
    pub fn supports_interface(&self, interface_id: B32) -> bool {
        <Erc20 as IErc20>::interface_id() == interface_id
            || <Erc20Metadata as IErc20Metadata>::interface_id() == interface_id
            || <Erc20 as IErc165>::interface_id() == interface_id
    }
}

#[cfg(test)]
mod tests;
