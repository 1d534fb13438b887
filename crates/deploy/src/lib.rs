//! # Deploying the SPON protocol
//!
//! [`plan`] lists what a deployment does, in dependency order: the eight
//! contracts (each `cargo stylus deploy`ed with its constructor), the roles
//! they give each other, and the hand-over of every contract's governance
//! role to the governor. [`run::Deployer`] carries the plan out on a
//! [`Backend`] — a real RPC endpoint ([`rpc::Rpc`]), or the in-process chain
//! in tests — checking on chain before each step whether it is done already,
//! so a re-run resumes instead of deploying twice. [`record::Record`] is
//! `deployments/<chainId>.json`.

pub mod cli;
pub mod plan;
pub mod rpc;
pub mod run;

pub use spon_bindings::{self as bindings, record};

use alloy_primitives::{Address, B256};
use anyhow::Result;

/// What a transaction left on chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Receipt {
    /// Its hash.
    pub tx_hash: B256,
    /// The block that holds it.
    pub block: u64,
}

impl From<Receipt> for record::Sent {
    fn from(r: Receipt) -> Self {
        record::Sent {
            tx_hash: r.tx_hash,
            block: r.block,
        }
    }
}

/// A chain the deployment runs on.
pub trait Backend {
    /// The chain's id.
    fn chain_id(&mut self) -> Result<u64>;
    /// The account that deploys and, until the hand-over, governs.
    fn deployer(&self) -> Address;
    /// The code at `address` (empty if none).
    fn code(&mut self, address: Address) -> Result<Vec<u8>>;
    /// Deploys the module `wasm` of `package` and runs its constructor
    /// (`signature` such as `constructor(address,uint256)`, `args` as
    /// text for cargo-stylus, `encoded` as ABI words).
    fn deploy(
        &mut self,
        package: &str,
        wasm: &[u8],
        signature: &str,
        args: &[String],
        encoded: &[u8],
    ) -> Result<(Address, Receipt)>;
    /// A read-only call.
    fn call(&mut self, to: Address, data: &[u8]) -> Result<Vec<u8>>;
    /// A transaction from the deployer; an error if it reverts.
    fn send(&mut self, to: Address, data: &[u8]) -> Result<Receipt>;
}
