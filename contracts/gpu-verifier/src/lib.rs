//! # SPON GPU-work verifier
//!
//! Checks a GPU-work answer for the challenges contract: the sampled
//! entries of C = A·B (int8 A and B from the challenge's seed), their
//! chunks' Merkle proofs against the committed root, and each entry
//! recomputed from its row of A and column of B (see `spon_gpu_work`;
//! 2n generated values an entry). It holds no
//! state and no funds, has no roles and nothing to pause, and answers the
//! same to anyone: `check` is a view.
//!
//! It is a contract of its own so that the challenges contract stays within
//! Stylus's size limit: the verification is about 1,700 bytes of code.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
// `#[entrypoint]` exports an undocumented `user_entrypoint` to the WASM
// host (and, for the ABI export, a `main`); every item of ours is
// documented (checked by the native build).
#![cfg_attr(
    any(target_arch = "wasm32", feature = "export-abi"),
    allow(missing_docs)
)]
extern crate alloc;

use alloy_primitives::B256;
use spon_gpu_work::Failure;
use stylus_sdk::{abi::Bytes, prelude::*};

/// The events this contract emits: none.
pub const EVENTS: &[&str] = &[];

/// Outcomes of `check`.
pub mod outcome {
    /// The answer proves the work.
    pub const PASSED: u8 = 0;
    /// `n` or `k` is not a valid size, or the answer's length does not fit.
    pub const MALFORMED: u8 = 1;
    /// An entry's chunk does not lead to the root.
    pub const WRONG_MERKLE_PROOF: u8 = 2;
    /// An entry is not that entry of A·B.
    pub const WRONG_ENTRY: u8 = 3;
}

spon_contract_kit::sol_abi! {
    /// The verdict of `check`.
    #[derive(Debug, Default, PartialEq)]
    struct Verdict {
        /// An outcome of [`outcome`].
        uint8 outcome;
        /// For a wrong proof or entry, the entry (`i·n + j`).
        uint64 entry;
    }
}

/// The verifier (no storage).
#[entrypoint]
#[storage]
pub struct GpuVerifier {}

#[spon_contract_kit::entry_points]
impl GpuVerifier {
    /// Sets nothing (there is no state); present so that every contract
    /// deploys the same way, creation, activation and constructor.
    #[constructor]
    pub fn constructor(&mut self) {}

    /// Checks `answer` for the challenge with matrix seed `seed`, sample
    /// seed `sample_seed`, size `n`, `k` sampled entries and committed
    /// `root`: the chunks holding the sampled entries of C in sampling
    /// order, 32 bytes each (8 big-endian `int32`s), then their Merkle
    /// proofs, `log2(n²/8)` 32-byte siblings each, leaf level first.
    pub fn check(
        &self,
        seed: B256,
        sample_seed: B256,
        n: u32,
        k: u32,
        root: B256,
        answer: Bytes,
    ) -> Verdict {
        let (outcome, entry) =
            match spon_gpu_work::verify(&seed, &sample_seed, n, k, &root, &answer) {
                Ok(_) => (outcome::PASSED, 0),
                Err(Failure::BadSize | Failure::Malformed) => (outcome::MALFORMED, 0),
                Err(Failure::WrongMerkleProof { entry }) => (outcome::WRONG_MERKLE_PROOF, entry),
                Err(Failure::WrongEntry { entry }) => (outcome::WRONG_ENTRY, entry),
            };
        Verdict { outcome, entry }
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{Address, B256};
    use motsu::prelude::*;
    use spon_gpu_work::{open, product, sample_entries, tree, Work};

    use super::*;

    fn answer(seed: B256, sample: B256, n: u32, k: u32, tamper: bool) -> (B256, Vec<u8>) {
        let mut c = product(&seed, n);
        let cells = sample_entries(&sample, n, k, &mut Work::default());
        if tamper {
            c[cells[0] as usize] ^= 1;
        }
        let tree = tree(&c);
        (tree.root(), open(&tree, &c, &cells))
    }

    #[motsu::test]
    fn honest_passes_and_each_failure_is_named(v: Contract<GpuVerifier>) {
        let (seed, sample) = (B256::repeat_byte(1), B256::repeat_byte(2));
        let (n, k) = (16, 4);
        let x = v.sender(Address::with_last_byte(1));
        let (root, good) = answer(seed, sample, n, k, false);
        let passed = Verdict {
            outcome: outcome::PASSED,
            entry: 0,
        };
        let malformed = Verdict {
            outcome: outcome::MALFORMED,
            entry: 0,
        };
        assert_eq!(
            x.check(seed, sample, n, k, root, good.clone().into()),
            passed
        );
        let (bad_root, bad) = answer(seed, sample, n, k, true);
        let entry = sample_entries(&sample, n, k, &mut Work::default())[0];
        assert_eq!(
            x.check(seed, sample, n, k, bad_root, bad.into()),
            Verdict {
                outcome: outcome::WRONG_ENTRY,
                entry
            }
        );
        assert_eq!(
            x.check(seed, sample, n, k, B256::ZERO, good.clone().into()),
            Verdict {
                outcome: outcome::WRONG_MERKLE_PROOF,
                entry
            }
        );
        assert_eq!(
            x.check(seed, sample, n, k, root, good[1..].to_vec().into()),
            malformed
        );
        assert_eq!(x.check(seed, sample, 12, k, root, good.into()), malformed);
    }
}
