//! Answers to a GPU-work challenge: C = A·B for the challenge's seed, the
//! Merkle root committed before the (timed) deadline, and the sampled
//! entries opened once the challenger reveals the sample seed (see
//! `spon_gpu_work`).

use std::time::{Duration, Instant};

use alloy_primitives::B256;
use anyhow::Result;
use spon_gpu_work::{open, sample_entries, Tree, Work};

use crate::gpu::Cuda;

/// How long a prover took: C = A·B (generation included; on a GPU, with
/// the copy back), then C's Merkle tree.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    /// Generating A and B and multiplying.
    pub product: Duration,
    /// Hashing C into its Merkle tree.
    pub hashing: Duration,
}

/// A computed product and its Merkle tree, kept between the commitment
/// and the opening.
pub struct Answer {
    /// Matrix size.
    pub n: u32,
    /// C = A·B, row-major.
    pub c: Vec<i32>,
    /// The tree of C's chunks.
    pub tree: Tree,
    /// Where C was computed: "cuda" or "cpu".
    pub backend: &'static str,
}

impl Answer {
    /// Computes C for `seed` and `n` on `gpu`, or on the CPU without one
    /// (every core, SIMD: `spon_gpu_work::cpu`).
    ///
    /// # Errors
    /// A CUDA error on the GPU.
    pub fn compute(seed: &B256, n: u32, gpu: Option<&Cuda>) -> Result<Self> {
        Ok(Self::timed(seed, n, gpu)?.0)
    }

    /// [`Answer::compute`], with the time of each part.
    ///
    /// # Errors
    /// A CUDA error on the GPU.
    pub fn timed(seed: &B256, n: u32, gpu: Option<&Cuda>) -> Result<(Self, Timing)> {
        let started = Instant::now();
        let (c, backend) = match gpu {
            Some(gpu) => (gpu.gpu_work_product(seed, n)?, "cuda"),
            None => (spon_gpu_work::cpu::product(seed, n), "cpu"),
        };
        let product = started.elapsed();
        // C's leaves hashed on every core (on the GPU next: see
        // `audits/challenges.md`).
        let tree = spon_gpu_work::cpu::tree(&c);
        let hashing = started.elapsed() - product;
        let answer = Self {
            n,
            c,
            tree,
            backend,
        };
        Ok((answer, Timing { product, hashing }))
    }

    /// Whether C holds the entries the verifier computes: `samples`
    /// entries drawn from `seed` (and every entry when n ≤ 1,024).
    pub fn agrees_with_the_verifier(&self, seed: &B256, samples: u32) -> bool {
        let n = self.n;
        if n <= 1_024 {
            return self.c == spon_gpu_work::product(seed, n);
        }
        let cells = sample_entries(seed, n, samples.min(n), &mut Work::default());
        cells
            .iter()
            .all(|&cell| self.c[cell as usize] == spon_gpu_work::entry_at(seed, n, cell))
    }

    /// The root to commit.
    pub fn root(&self) -> B256 {
        self.tree.root()
    }

    /// The answer to `proveGpuWork` once `sample_seed` is revealed: the
    /// chunks of the `k` sampled entries with their proofs.
    pub fn open(&self, sample_seed: &B256, k: u32) -> Vec<u8> {
        let cells = sample_entries(sample_seed, self.n, k, &mut Work::default());
        open(&self.tree, &self.c, &cells)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;
    use spon_gpu_work::{verify, Generator, MATRIX_B};

    #[test]
    fn the_kernels_formula_gives_the_generators_entries() {
        let seed = keccak256("seed");
        let (k0, k1) = Generator::new(&seed).keys();
        // Re-derive entries with the kernel's formula from the keys.
        let mix = |mut z: u64| {
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        for (i, j) in [(3u64, 5u64), (65_535, 65_535), (0, 40_000)] {
            let ctr = u64::from(MATRIX_B) << 48 | i << 24 | j;
            let z = mix(k0.wrapping_add(ctr.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
            let v = (mix(z ^ k1) & 0xff) as u8 as i8;
            assert_eq!(v, Generator::new(&seed).int8(MATRIX_B, i as u32, j as u32));
        }
    }

    #[test]
    fn an_honest_cpu_answer_passes_the_contracts_verifier_and_a_tampered_one_fails() {
        let (seed, sample_seed, n, k) = (keccak256("work"), keccak256("sample"), 32, 4);
        let answer = Answer::compute(&seed, n, None).unwrap();
        let opened = answer.open(&sample_seed, k);
        assert!(verify(&seed, &sample_seed, n, k, &answer.root(), &opened).is_ok());
        assert!(answer.agrees_with_the_verifier(&seed, 16));

        let mut wrong = Answer::compute(&seed, n, None).unwrap();
        for v in &mut wrong.c {
            *v ^= 1;
        }
        wrong.tree = spon_gpu_work::tree(&wrong.c);
        assert!(!wrong.agrees_with_the_verifier(&seed, 16));
        let opened = wrong.open(&sample_seed, k);
        let refused = verify(&seed, &sample_seed, n, k, &wrong.root(), &opened);
        assert!(
            matches!(refused, Err(spon_gpu_work::Failure::WrongEntry { .. })),
            "{refused:?}"
        );
    }
}
