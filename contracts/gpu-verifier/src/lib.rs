//! # SPON GPU-work verifier
//!
//! Checks a GPU-work answer for the challenges contract: the sampled rows
//! of C = A·B, their Merkle proofs against the committed root, and
//! Freivalds' identity for each row (see `spon_gpu_work`). It holds no
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
    /// A row's Merkle proof does not lead to the root.
    pub const WRONG_MERKLE_PROOF: u8 = 2;
    /// A row is not that row of A·B.
    pub const WRONG_ROW: u8 = 3;
}

spon_contract_kit::sol_abi! {
    /// The verdict of `check`.
    #[derive(Debug, Default, PartialEq)]
    struct Verdict {
        /// An outcome of [`outcome`].
        uint8 outcome;
        /// For a wrong proof or row, the row.
        uint32 row;
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
    /// seed `sample_seed`, size `n`, `k` sampled rows and committed `root`:
    /// the rows of C in sampling order, each `n` big-endian `uint32`s, then
    /// their Merkle proofs, `log2 n` 32-byte siblings each, leaf level
    /// first.
    pub fn check(
        &self,
        seed: B256,
        sample_seed: B256,
        n: u32,
        k: u32,
        root: B256,
        answer: Bytes,
    ) -> Verdict {
        let (outcome, row) = match spon_gpu_work::verify(&seed, &sample_seed, n, k, &root, &answer)
        {
            Ok(_) => (outcome::PASSED, 0),
            Err(Failure::BadSize | Failure::Malformed) => (outcome::MALFORMED, 0),
            Err(Failure::WrongMerkleProof { row }) => (outcome::WRONG_MERKLE_PROOF, row),
            Err(Failure::WrongRow { row }) => (outcome::WRONG_ROW, row),
        };
        Verdict { outcome, row }
    }
}

#[cfg(test)]
mod tests {
    use alloy_primitives::{Address, B256};
    use motsu::prelude::*;
    use spon_gpu_work::{open, product, sample_rows, Tree, Work};

    use super::*;

    fn answer(seed: B256, sample: B256, n: u32, k: u32, tamper: bool) -> (B256, Vec<u8>) {
        let mut c = product(&seed, n);
        let rows = sample_rows(&sample, n, k, &mut Work::default());
        if tamper {
            c[rows[0] as usize * n as usize] ^= 1;
        }
        let tree = Tree::of_rows(&c, n);
        (tree.root(), open(&tree, &c, n, &rows))
    }

    #[motsu::test]
    fn honest_passes_and_each_failure_is_named(v: Contract<GpuVerifier>) {
        let (seed, sample) = (B256::repeat_byte(1), B256::repeat_byte(2));
        let (n, k) = (16, 4);
        let x = v.sender(Address::with_last_byte(1));
        let (root, good) = answer(seed, sample, n, k, false);
        assert_eq!(
            x.check(seed, sample, n, k, root, good.clone().into()),
            Verdict {
                outcome: outcome::PASSED,
                row: 0
            }
        );
        let (bad_root, bad) = answer(seed, sample, n, k, true);
        let row = sample_rows(&sample, n, k, &mut Work::default())[0];
        assert_eq!(
            x.check(seed, sample, n, k, bad_root, bad.into()),
            Verdict {
                outcome: outcome::WRONG_ROW,
                row
            }
        );
        assert_eq!(
            x.check(seed, sample, n, k, B256::ZERO, good.clone().into())
                .outcome,
            outcome::WRONG_MERKLE_PROOF
        );
        assert_eq!(
            x.check(seed, sample, n, k, root, good[1..].to_vec().into()),
            Verdict {
                outcome: outcome::MALFORMED,
                row: 0
            }
        );
        assert_eq!(
            x.check(seed, sample, 12, k, root, good.into()),
            Verdict {
                outcome: outcome::MALFORMED,
                row: 0
            }
        );
    }
}
