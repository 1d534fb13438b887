//! # Helpers shared by the contracts' motsu tests
//!
//! Addresses, SPON amounts, the motsu clock, proptest case counts, and what
//! a node needs to commit a probe: its probe key, a reference 8-GPU
//! Hopper node, a measured summary and the 65-byte signature the registry
//! checks.

use alloy_primitives::{uint, Address, B256, U256};
use alloy_signer::SignerSync;
use motsu::prelude::Account;
use spon_node::{
    hardware::{compute, gpu},
    probe::FLAG_GPU,
    Hardware, ProbeSummary,
};

/// One SPON, in wei.
pub const SPON: U256 = uint!(1_000000000000000000_U256);
/// The SPON supply the tests mint: one billion.
pub const SUPPLY: U256 = uint!(1_000_000_000_000000000000000000_U256);
/// motsu's fixed block timestamp.
pub const MOTSU_TIME: u64 = 1_735_689_600;

/// The address ending in byte `n`.
pub fn a(n: u8) -> Address {
    Address::with_last_byte(n)
}

/// `n` SPON in wei.
pub fn spon(n: u64) -> U256 {
    SPON * U256::from(n)
}

/// Proptest cases: `PROPTEST_CASES` if set, else `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The probe key of `node` (a deterministic test key).
pub fn probe_key(node: Address) -> Account {
    Account::from_seed(&format!("probe key {node}"))
}

/// An 8 × Hopper node in `region` with `bandwidth_mbps`.
pub fn hopper(region: [u8; 2], bandwidth_mbps: u32) -> Hardware {
    Hardware {
        gpu_model: gpu::HOPPER,
        gpu_count: 8,
        vram_mib: 81_559,
        cpu_cores: 224,
        ram_gib: 2_048,
        storage_gib: 30_720,
        region,
        bandwidth_mbps,
        compute_types: compute::CUDA | compute::FP64,
    }
}

/// A probe summary of `hw` measured at `timestamp`, packed as the
/// registry stores it.
pub fn measured(hw: &Hardware, timestamp: u64) -> U256 {
    let summary = ProbeSummary {
        timestamp,
        gemm_gflops: 600_000 * u32::from(hw.gpu_count),
        mem_bandwidth_gbps: 3_000,
        vram_mib: hw.vram_mib * u32::from(hw.gpu_count),
        gpu_count: hw.gpu_count,
        net_bandwidth_mbps: hw.bandwidth_mbps,
        latency_us: 2_000,
        flags: FLAG_GPU,
    };
    U256::from_be_bytes(summary.pack())
}

/// `key`'s signature of `digest` as the registry takes it: `r ‖ s ‖ v`
/// with `v` 27 or 28.
pub fn sign(key: &Account, digest: &B256) -> Vec<u8> {
    let sig = key.signer().sign_hash_sync(digest).expect("signing a hash");
    let mut bytes = Vec::with_capacity(65);
    bytes.extend_from_slice(&sig.r().to_be_bytes::<32>());
    bytes.extend_from_slice(&sig.s().to_be_bytes::<32>());
    bytes.push(27 + u8::from(sig.v()));
    bytes
}
