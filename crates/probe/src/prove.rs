//! Answers to a GPU-work challenge: C = A·B for the challenge's seed, the
//! Merkle root committed before the deadline, and the sampled rows opened
//! once the challenger reveals the sample seed (see `spon_gpu_work`).

use alloy_primitives::B256;
use anyhow::Result;
use spon_gpu_work::{open, sample_rows, Tree, Work};

use crate::gpu::Cuda;

/// A computed product and its Merkle tree, kept between the commitment
/// and the opening.
pub struct Answer {
    /// Matrix size.
    pub n: u32,
    /// C = A·B, row-major.
    pub c: Vec<u32>,
    /// The tree of C's rows.
    pub tree: Tree,
    /// Where C was computed: "cuda" or "cpu".
    pub backend: &'static str,
}

impl Answer {
    /// Computes C for `seed` and `n` on `gpu`, or on the CPU without one.
    ///
    /// # Errors
    /// A CUDA error on the GPU.
    pub fn compute(seed: &B256, n: u32, gpu: Option<&Cuda>) -> Result<Self> {
        let (c, backend) = match gpu {
            Some(gpu) => (gpu.gpu_work_product(seed, n)?, "cuda"),
            None => (spon_gpu_work::product(seed, n), "cpu"),
        };
        let tree = Tree::of_rows(&c, n);
        Ok(Self {
            n,
            c,
            tree,
            backend,
        })
    }

    /// The root to commit.
    pub fn root(&self) -> B256 {
        self.tree.root()
    }

    /// The answer to `proveGpuWork` once `sample_seed` is revealed: the `k`
    /// sampled rows with their proofs.
    pub fn open(&self, sample_seed: &B256, k: u32) -> Vec<u8> {
        let rows = sample_rows(sample_seed, self.n, k, &mut Work::default());
        open(&self.tree, &self.c, self.n, &rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;
    use spon_gpu_work::{verify, Generator, MATRIX_A};

    #[test]
    fn the_kernels_formula_gives_the_generators_entries() {
        let seed = keccak256("seed");
        let (k0, k1) = Generator::new(&seed).keys();
        // Re-derive one entry with the documented formula from the keys.
        let mix = |mut z: u64| {
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let ctr = 3u64 << 24 | 5;
        let v =
            (mix(mix(k0.wrapping_add(ctr.wrapping_mul(0x9e37_79b9_7f4a_7c15))) ^ k1) >> 33) as u32;
        let v = if v >= spon_gpu_work::P {
            v - spon_gpu_work::P
        } else {
            v
        };
        assert_eq!(v, Generator::new(&seed).at(MATRIX_A, 3, 5));
    }

    #[test]
    fn an_honest_cpu_answer_passes_the_contracts_verifier_and_a_tampered_one_fails() {
        let (seed, sample_seed, n, k) = (keccak256("work"), keccak256("sample"), 32, 4);
        let answer = Answer::compute(&seed, n, None).unwrap();
        let opened = answer.open(&sample_seed, k);
        assert!(verify(&seed, &sample_seed, n, k, &answer.root(), &opened).is_ok());

        let mut wrong = Answer::compute(&seed, n, None).unwrap();
        for row in 0..n {
            wrong.c[(row * n) as usize] ^= 1;
        }
        wrong.tree = Tree::of_rows(&wrong.c, n);
        let opened = wrong.open(&sample_seed, k);
        let refused = verify(&seed, &sample_seed, n, k, &wrong.root(), &opened);
        assert!(
            matches!(refused, Err(spon_gpu_work::Failure::WrongRow { .. })),
            "{refused:?}"
        );
    }
}
