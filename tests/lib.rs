//! Helpers of the end-to-end tests: the deployable modules from
//! `target/stylus/` (written by `scripts/build-contracts`), bindings
//! generated from the exported ABIs in `deployments/abi/` (`spon-bindings`), and calls through
//! the in-process chain as a wallet would make them.

use std::path::PathBuf;

use alloy_primitives::{keccak256, uint, Address, U256};
use alloy_sol_types::{SolCall, SolConstructor};
use anyhow::{bail, Context, Result};
use spon_devnet::{Chain, Outcome};

pub use spon_bindings::{
    Challenges as SponChallenges, Governance as SponGovernance, GpuVerifier as SponGpuVerifier,
    Leases as SponLeases, Market as SponMarket, Registry as SponRegistry, Rewards as SponRewards,
    Staking as SponStaking, TestUsd as SponTestUsd, Token as SponToken,
};

pub mod browser;
pub mod gpu_work;
pub mod processes;
pub mod rpc;

/// One SPON, in wei.
pub const SPON: U256 = uint!(1_000000000000000000_U256);

/// The test account numbered `n`.
pub fn a(n: u64) -> Address {
    Address::left_padding_from(&n.to_be_bytes())
}

/// `n` whole SPON, in wei.
pub fn spon(n: u64) -> U256 {
    SPON * U256::from(n)
}

/// An 8 × Hopper node in Germany with 10 Gbit/s, as the tests declare it.
pub const HOPPER: spon_node::Hardware = spon_node::Hardware {
    gpu_model: spon_node::hardware::gpu::HOPPER,
    gpu_count: 8,
    vram_mib: 81_559,
    cpu_cores: 224,
    ram_gib: 2_048,
    storage_gib: 30_720,
    region: *b"DE",
    bandwidth_mbps: 10_000,
    compute_types: spon_node::hardware::compute::CUDA,
};

/// A home node with one RTX 4090 in `region`, 1 Gbit/s, as the tests
/// declare a Fizz node.
pub fn rtx40(region: [u8; 2]) -> spon_node::Hardware {
    spon_node::Hardware {
        gpu_model: spon_node::hardware::gpu::RTX_40,
        gpu_count: 1,
        vram_mib: 24_564,
        cpu_cores: 16,
        ram_gib: 64,
        storage_gib: 2_000,
        region,
        bandwidth_mbps: 1_000,
        compute_types: spon_node::hardware::compute::CUDA,
    }
}

/// `wei` as SPON by alloy's formatter, trailing zeros dropped: how the
/// console must show an amount (checked against it, so not its own code).
pub fn spon_text(wei: U256) -> String {
    let s = alloy_primitives::utils::format_units(wei, 18).expect("18 decimals");
    format!("{} SPON", s.trim_end_matches('0').trim_end_matches('.'))
}

/// What the tests' Fizz orders ask: one RTX 40 of 20,000 MiB anywhere,
/// 500 Mbit/s, CUDA, tier 6 or better, packed.
pub fn rtx_order() -> U256 {
    let r = spon_scoring::Requirements {
        gpu_model: spon_node::hardware::gpu::RTX_40,
        gpu_count: 1,
        min_vram_mib: 20_000,
        regions: [[0; 2]; 4],
        min_bandwidth_mbps: 500,
        compute_types: spon_node::hardware::compute::CUDA,
        max_tier: 6,
        flags: 0,
    };
    U256::from_be_bytes(r.pack())
}

/// What the tests' orders ask: 4 Hopper GPUs of 80,000 MiB in Germany,
/// 1 Gbit/s, CUDA, tier 6 or better, packed.
pub fn hopper_order() -> U256 {
    let r = spon_scoring::Requirements {
        gpu_model: spon_node::hardware::gpu::HOPPER,
        gpu_count: 4,
        min_vram_mib: 80_000,
        regions: [*b"DE", [0; 2], [0; 2], [0; 2]],
        min_bandwidth_mbps: 1_000,
        compute_types: spon_node::hardware::compute::CUDA,
        max_tier: 6,
        flags: 0,
    };
    U256::from_be_bytes(r.pack())
}

/// Sends `call`; its decoded result, or its refusal named as an error.
///
/// # Errors
/// Host failures, and the call's refusal.
pub fn ok<C: SolCall>(
    chain: &mut Chain,
    from: Address,
    to: Address,
    call: &C,
) -> Result<C::Return> {
    send(chain, from, to, call)?
        .result
        .map_err(|e| anyhow::anyhow!("{} refused: {e}", C::SIGNATURE))
}

/// The token, staking, registry and leases contracts, deployed.
pub struct Core {
    /// SPON (the whole supply of 1,000,000,000 at `bank`).
    pub token: Address,
    /// Staking.
    pub staking: Address,
    /// The registry.
    pub registry: Address,
    /// The leases contract.
    pub leases: Address,
}

/// Deploys [`Core`] with `gov` as governance of each and `treasury` as
/// the treasury.
///
/// # Errors
/// A deployment or constructor that fails.
pub fn deploy_core(
    chain: &mut Chain,
    bank: Address,
    gov: Address,
    treasury: Address,
) -> Result<Core> {
    let token = deploy(
        chain,
        "spon-token",
        bank,
        &SponToken::constructorCall {
            treasury: bank,
            supply: spon(1_000_000_000),
        },
    )?;
    let staking = deploy(
        chain,
        "spon-staking",
        gov,
        &SponStaking::constructorCall {
            spon: token,
            governance: gov,
            treasury,
        },
    )?;
    let registry = deploy(
        chain,
        "spon-registry",
        gov,
        &SponRegistry::constructorCall {
            staking,
            governance: gov,
        },
    )?;
    let leases = deploy(
        chain,
        "spon-leases",
        gov,
        &SponLeases::constructorCall {
            spon: token,
            registry,
            governance: gov,
            treasury,
        },
    )?;
    Ok(Core {
        token,
        staking,
        registry,
        leases,
    })
}

/// The deployable module of `contract` (its package name).
///
/// # Errors
/// If `scripts/build-contracts` has not written it.
pub fn artifact(contract: &str) -> Result<Vec<u8>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../target/stylus")
        .join(format!("{contract}.wasm"));
    std::fs::read(&path).with_context(|| {
        format!(
            "{} is missing: run scripts/build-contracts first",
            path.display()
        )
    })
}

/// Deploys `contract` and runs its Stylus constructor with `args`.
///
/// # Errors
/// If deployment or the constructor fails.
pub fn deploy<C: SolConstructor>(
    chain: &mut Chain,
    contract: &str,
    from: Address,
    args: &C,
) -> Result<Address> {
    let address = chain.deploy(&artifact(contract)?)?;
    let calldata = stylus_artifact::constructor_call(&args.abi_encode());
    let out = chain.transact(from, address, &calldata, U256::ZERO)?;
    if !out.success {
        bail!(
            "constructor of {contract} reverted: {}",
            alloy_primitives::hex::encode(&out.output)
        );
    }
    Ok(address)
}

/// A call's outcome and its decoded result.
pub struct Sent<R> {
    /// What the chain reported (instructions, slots, logs).
    pub outcome: Outcome,
    /// The decoded return value, or the contract's decoded custom error.
    pub result: Result<R, String>,
}

/// The custom error revert data encodes, named from the exported ABIs
/// (as the deployer names them).
pub use spon_bindings::error_name;

/// Sends `call` from `from` to `to`; decodes the return value, or names the
/// custom error of a revert.
///
/// # Errors
/// Host failures only.
pub fn send<C: SolCall>(
    chain: &mut Chain,
    from: Address,
    to: Address,
    call: &C,
) -> Result<Sent<C::Return>> {
    let outcome = chain.transact(from, to, &call.abi_encode(), U256::ZERO)?;
    let result = if outcome.success {
        Ok(C::abi_decode_returns(&outcome.output, true)?)
    } else {
        Err(error_name(&outcome.output))
    };
    Ok(Sent { outcome, result })
}

pub use spon_probe::sign::ProbeResult;

/// `key`'s EIP-712 signature of `message` for the registry at `registry`
/// on the devnet, as the probe signs it: `r ‖ s ‖ v` with `v` 27 or 28.
pub fn sign_probe(
    key: &k256::ecdsa::SigningKey,
    registry: Address,
    message: &ProbeResult,
) -> Vec<u8> {
    use alloy_sol_types::{eip712_domain, Eip712Domain};
    let domain: Eip712Domain = eip712_domain! {
        name: "SPON Registry",
        version: "1",
        chain_id: spon_devnet::CHAIN_ID,
        verifying_contract: registry,
    };
    let signer = alloy_signer_local::PrivateKeySigner::from_signing_key(key.clone());
    message
        .sign(&signer, domain.hash_struct())
        .expect("a local key signs")
        .to_vec()
}

/// The address of `key`.
pub fn address_of(key: &k256::ecdsa::SigningKey) -> Address {
    let point = key.verifying_key().to_encoded_point(false);
    Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..])
}
