//! # Test USD
//!
//! A 6-decimal ERC-20, as a stablecoin is, with an **open faucet**: anyone
//! may `mint` any amount to anyone. It exists so that tests and the demo
//! can pay for compute in a non-SPON token (the market's 2% fee path) on
//! the devnet. It has no value and must never be allow-listed where value
//! is at stake; `scripts/deploy` does not deploy it.
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

use alloy_primitives::{Address, U256, U8};
use openzeppelin_stylus::token::erc20::{self, Erc20, IErc20};
use stylus_sdk::prelude::*;

/// Decimals of the token.
pub const DECIMALS: u8 = 6;

/// The events the token emits, as human-readable ABI.
pub const EVENTS: &[&str] = &[
    "event Transfer(address indexed from, address indexed to, uint256 value)",
    "event Approval(address indexed owner, address indexed spender, uint256 value)",
];

/// Storage of Test USD.
#[entrypoint]
#[storage]
pub struct TestUsd {
    erc20: Erc20,
}

#[public]
impl TestUsd {
    /// Token name: `Test USD`.
    pub fn name(&self) -> String {
        "Test USD".into()
    }

    /// Token symbol: `tUSD`.
    pub fn symbol(&self) -> String {
        "tUSD".into()
    }

    /// Decimals: 6.
    pub fn decimals(&self) -> U8 {
        U8::from(DECIMALS)
    }

    /// The faucet: mints `value` to `to`, for anyone.
    ///
    /// # Errors
    /// * `ERC20InvalidReceiver` if `to` is the zero address.
    ///
    /// # Events
    /// * `Transfer(0, to, value)`.
    pub fn mint(&mut self, to: Address, value: U256) -> Result<(), erc20::Error> {
        self.erc20._mint(to, value)
    }

    /// Everything minted so far.
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
    /// * `ERC20InvalidReceiver`, `ERC20InsufficientBalance`.
    pub fn transfer(&mut self, to: Address, value: U256) -> Result<bool, erc20::Error> {
        self.erc20.transfer(to, value)
    }

    /// What `spender` may still move from `owner`'s balance.
    pub fn allowance(&self, owner: Address, spender: Address) -> U256 {
        self.erc20.allowance(owner, spender)
    }

    /// Lets `spender` move up to `value` of the caller's tokens.
    ///
    /// # Errors
    /// * `ERC20InvalidSpender`.
    pub fn approve(&mut self, spender: Address, value: U256) -> Result<bool, erc20::Error> {
        self.erc20.approve(spender, value)
    }

    /// Moves `value` from `from` to `to` against the caller's allowance.
    ///
    /// # Errors
    /// * `ERC20InsufficientAllowance`, `ERC20InsufficientBalance`,
    ///   `ERC20InvalidReceiver`.
    pub fn transfer_from(
        &mut self,
        from: Address,
        to: Address,
        value: U256,
    ) -> Result<bool, erc20::Error> {
        self.erc20.transfer_from(from, to, value)
    }
}

#[cfg(test)]
mod tests {
    use motsu::prelude::*;

    use super::*;

    #[motsu::test]
    fn six_decimals_and_an_open_faucet(usd: Contract<TestUsd>, alice: Address, bob: Address) {
        assert_eq!(usd.sender(alice).decimals(), U8::from(6));
        usd.sender(bob)
            .mint(alice, U256::from(5_000_000))
            .motsu_unwrap();
        usd.sender(alice)
            .transfer(bob, U256::from(1_500_000))
            .motsu_unwrap();
        assert_eq!(usd.sender(alice).balance_of(alice), U256::from(3_500_000));
        assert_eq!(usd.sender(alice).total_supply(), U256::from(5_000_000));
        let err = usd
            .sender(bob)
            .transfer(alice, U256::from(2_000_000))
            .motsu_unwrap_err();
        assert!(matches!(err, erc20::Error::InsufficientBalance(_)));
    }
}
