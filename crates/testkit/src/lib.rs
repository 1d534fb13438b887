//! # Helpers shared by the contracts' motsu tests
//!
//! Addresses, SPON amounts, the motsu clock, proptest case counts, what a
//! node needs to commit a probe (its probe key, a reference 8-GPU Hopper
//! node, a measured summary, the 65-byte signature the registry checks),
//! and [`Core`]: an approved, staked Provider node and its signed probes
//! on the real token, staking and registry contracts.

use alloy_primitives::{uint, Address, B256, U256};
use alloy_signer::SignerSync;
use motsu::prelude::{Account, Contract, ResultExt};
use spon_node::{
    hardware::{compute, gpu},
    probe::FLAG_GPU,
    Hardware, ProbeSummary,
};
use spon_registry::{errors::Error as RegistryError, signing, Registry};
use spon_staking::Staking;
use spon_token::SponToken;

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

/// The token, staking and registry of a test, with the account holding
/// the SPON supply and governance.
pub struct Core<'a> {
    /// SPON.
    pub token: &'a Contract<SponToken>,
    /// Staking.
    pub staking: &'a Contract<Staking>,
    /// The registry.
    pub registry: &'a Contract<Registry>,
    /// Holds the SPON supply.
    pub bank: Address,
    /// Governance of staking and the registry.
    pub gov: Address,
}

impl Core<'_> {
    /// Makes `node` an approved Provider node declaring `hw`, with `stake`
    /// SPON (from the bank) self-staked and [`probe_key`] as probe key.
    pub fn provider(&self, node: Address, stake: u64, hw: &Hardware) {
        self.token
            .sender(self.bank)
            .transfer(node, spon(stake))
            .motsu_unwrap();
        self.token
            .sender(node)
            .approve(self.staking.address(), U256::MAX)
            .motsu_unwrap();
        self.staking.sender(node).stake(spon(stake)).motsu_unwrap();
        self.registry
            .sender(node)
            .propose_provider(
                U256::from_be_bytes(hw.pack()),
                "https://node.example/manifests".into(),
                B256::repeat_byte(7),
                probe_key(node).address(),
            )
            .motsu_unwrap();
        self.registry
            .sender(self.gov)
            .approve_provider(node, U256::from_be_bytes(hw.pack()))
            .motsu_unwrap();
    }

    /// Commits `node`'s next probe of `hw` measured at `timestamp`,
    /// answering `challenge` (0 for none; a liveness challenge's seed),
    /// signed by `signer`; the registry's answer.
    pub fn commit_probe(
        &self,
        node: Address,
        hw: &Hardware,
        timestamp: u64,
        challenge: U256,
        signer: &Account,
    ) -> Result<(), RegistryError> {
        let signed = self.sign_probe(node, hw, timestamp, challenge, signer);
        self.relay_probe(node, signed)
    }

    /// `node`'s next probe of `hw` measured at `timestamp`, answering
    /// `challenge`, signed by `signer` but not committed.
    pub fn sign_probe(
        &self,
        node: Address,
        hw: &Hardware,
        timestamp: u64,
        challenge: U256,
        signer: &Account,
    ) -> SignedProbe {
        let nonce = self.registry.sender(node).probe_of(node).nextNonce;
        let (report, summary) = (B256::repeat_byte(0xAB), measured(hw, timestamp));
        let digest = signing::digest(
            self.registry.sender(node).domain_separator(),
            signing::struct_hash(node, report, summary, challenge, nonce),
        );
        SignedProbe {
            report,
            summary,
            challenge,
            nonce,
            signature: sign(signer, &digest),
        }
    }

    /// Commits a signed probe of `node` (anyone may relay it).
    pub fn relay_probe(&self, node: Address, p: SignedProbe) -> Result<(), RegistryError> {
        self.registry
            .sender(self.bank)
            .commit_probe(
                node,
                p.report,
                p.summary,
                p.challenge,
                p.nonce,
                p.signature.into(),
            )
            .motsu_res()
    }
}

/// A probe result signed by a probe key, as the registry's `commitProbe`
/// takes it.
#[derive(Debug, Clone)]
pub struct SignedProbe {
    /// Hash of the full report.
    pub report: B256,
    /// Packed summary.
    pub summary: U256,
    /// The challenge it answers.
    pub challenge: U256,
    /// The node's probe nonce it was signed for.
    pub nonce: u64,
    /// `r ‖ s ‖ v`.
    pub signature: Vec<u8>,
}
