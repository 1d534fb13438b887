//! # The GPU-work challenge
//!
//! One `no_std` crate shared by the challenges contract (which checks an
//! answer on-chain) and the probe (which computes it), so both agree to
//! the bit. Version 1 of the protocol, for a challenge `seed` (32 bytes)
//! and a size `n` (a power of two, 2..=[`MAX_N`]):
//!
//! 1. **Matrices.** A and B are `n × n` over the prime field
//!    F<sub>p</sub>, p = 2<sup>31</sup> − 1 ([`P`]); entry `(i, j)` of
//!    matrix `m` (0 = A, 1 = B) is [`element`]`(seed, m, i, j)`, a
//!    counter-based generator (two SplitMix64 finalisations keyed by the
//!    first 16 bytes of the seed), so a GPU computes any entry
//!    independently.
//! 2. **Commitment.** The node computes C = A·B (mod p) and commits the
//!    Merkle root ([`merkle`]) of its rows: leaf `i` is
//!    `keccak256(uint32 i ‖ C[i][0] ‖ … ‖ C[i][n−1])`, every entry a
//!    big-endian `uint32`; an inner node is `keccak256(left ‖ right)`.
//! 3. **Sampling.** A later `sample_seed`, unknown to the node when it
//!    committed, picks `k` distinct rows ([`sample_rows`], a partial
//!    Fisher–Yates shuffle) and a random vector `r` ([`element`] with
//!    matrix id 2).
//! 4. **Check.** The node opens the sampled rows with their Merkle proofs;
//!    the verifier ([`verify`]) checks each proof and Freivalds' identity
//!    `A_i · (B·r) = C_i · r` on each sampled row.
//!
//! An honest prover always passes. If a sampled row of the committed C
//! differs from the row of A·B, the identity holds for at most one value
//! of `r`'s last differing coordinate, so the check fails with
//! probability at least 1 − 1/p; a prover that got `m` of `n` rows wrong
//! escapes only if none of them is sampled (probability
//! C(n−m, k)/C(n, k), ≤ (1 − k/n) for one wrong row).
#![cfg_attr(not(test), no_std)]
#![warn(missing_docs)]

extern crate alloc;

pub mod merkle;
pub mod tensor;

use alloc::vec::Vec;
use alloy_primitives::{keccak256, B256};

pub use merkle::{leaf, root, verify_proof, Tree};

/// The field's prime, 2^31 − 1.
pub const P: u32 = 0x7fff_ffff;
/// Largest matrix size.
pub const MAX_N: u32 = 1 << 12;
/// Matrix id of A in [`element`].
pub const MATRIX_A: u8 = 0;
/// Matrix id of B in [`element`].
pub const MATRIX_B: u8 = 1;
/// Id of Freivalds' vector `r` in [`element`] (row 0).
pub const VECTOR_R: u8 = 2;

/// Why an answer fails the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// `n` is not a power of two in 2..=[`MAX_N`], or `k` is 0 or above `n`.
    BadSize,
    /// The answer's byte lengths do not fit `n` and `k`.
    Malformed,
    /// A row's Merkle proof does not lead to the committed root.
    WrongMerkleProof {
        /// The row.
        row: u32,
    },
    /// A row fails Freivalds' identity: it is not that row of A·B.
    WrongRow {
        /// The row.
        row: u32,
    },
}

/// Gas-relevant work of one check, counted as it runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    /// Field multiplications.
    pub multiplications: u64,
    /// Entries of A, B and `r` generated.
    pub generated: u64,
    /// keccak256 calls.
    pub keccaks: u64,
}

/// The commitment a GPU-work challenger bonds with:
/// `keccak256(challenger ‖ secret)`. Bound to its challenger, a commitment
/// copied from someone else's challenge cannot be revealed once that
/// secret is public (finding F-24).
pub fn commitment(challenger: alloy_primitives::Address, secret: B256) -> B256 {
    let mut buf = [0u8; 52];
    buf[..20].copy_from_slice(challenger.as_slice());
    buf[20..].copy_from_slice(secret.as_slice());
    keccak256(buf)
}

/// Most bytes of data Nitro's sequencer takes in one transaction (its
/// `max-tx-data-size` default): a GPU-work answer must fit.
pub const MAX_TX_DATA: usize = 95_000;

/// Bytes of an answer for `n` and `k`: `k` rows of `n` big-endian
/// `uint32`s, then `k` Merkle proofs of `log2 n` 32-byte siblings.
pub const fn answer_bytes(n: u32, k: u32) -> usize {
    k as usize * (4 * n as usize + 32 * n.trailing_zeros() as usize)
}

/// The most samples whose answer for `n` fits one transaction with the
/// rest of `proveGpuWork(uint64, bytes)`'s calldata (selector, id, offset
/// and length, and up to 31 bytes of padding); at least 1.
pub const fn max_samples(n: u32) -> u32 {
    let per_row = answer_bytes(n, 1);
    let room = (MAX_TX_DATA - 4 - 3 * 32 - 31) / per_row;
    if room == 0 {
        1
    } else {
        room as u32
    }
}

/// Whether `n` is a valid matrix size and `k` a valid sample count.
pub const fn valid_size(n: u32, k: u32) -> bool {
    n.is_power_of_two() && n >= 2 && n <= MAX_N && k >= 1 && k <= n
}

#[inline(always)]
const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The generator of [`element`] keyed once by a seed, for many entries.
#[derive(Debug, Clone, Copy)]
pub struct Generator {
    k0: u64,
    k1: u64,
}

impl Generator {
    /// The generator keyed by the first two little-endian 64-bit words of
    /// `seed`.
    pub fn new(seed: &B256) -> Self {
        let word = |i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&seed[8 * i..8 * i + 8]);
            u64::from_le_bytes(w)
        };
        Self {
            k0: word(0),
            k1: word(1),
        }
    }

    /// The keys `(k0, k1)`, for a prover that generates entries itself
    /// (the probe's GPU kernel).
    pub fn keys(&self) -> (u64, u64) {
        (self.k0, self.k1)
    }

    /// Row `i` of matrix `matrix` (entries 0..`v.len()`) dotted with `v`,
    /// mod p.
    pub fn row_dot(&self, matrix: u8, i: u32, v: &[u32]) -> u32 {
        let mut acc = 0u64;
        for (j, &x) in (0u32..).zip(v) {
            acc += mul_fold(self.at(matrix, i, j), x);
        }
        reduce(acc)
    }

    /// The 64-bit word behind entry `(i, j)` of matrix `matrix`:
    /// `mix(mix(k0 + ctr·φ) ^ k1)`, see [`element`].
    #[inline(always)]
    pub fn word(&self, matrix: u8, i: u32, j: u32) -> u64 {
        let ctr = u64::from(matrix) << 48 | u64::from(i) << 24 | u64::from(j);
        let z = mix(self
            .k0
            .wrapping_add(ctr.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
        mix(z ^ self.k1)
    }

    /// Entry `(i, j)` of matrix `matrix`: see [`element`].
    #[inline(always)]
    pub fn at(&self, matrix: u8, i: u32, j: u32) -> u32 {
        let v = (self.word(matrix, i, j) >> 33) as u32;
        if v >= P {
            v - P
        } else {
            v
        }
    }
}

/// Entry `(i, j)` of matrix `matrix` (see [`MATRIX_A`], [`MATRIX_B`],
/// [`VECTOR_R`]) for `seed`: `mix(mix(k0 + ctr·φ) ^ k1) >> 33`, reduced
/// mod p, where `k0`, `k1` are the seed's first two little-endian 64-bit
/// words, `ctr = matrix << 48 | i << 24 | j`, `φ = 0x9e3779b97f4a7c15` and
/// `mix` is SplitMix64's finaliser.
pub fn element(seed: &B256, matrix: u8, i: u32, j: u32) -> u32 {
    Generator::new(seed).at(matrix, i, j)
}

/// `a·b` reduced below 2^32 (congruent mod p; Mersenne folding).
#[inline(always)]
fn mul_fold(a: u32, b: u32) -> u64 {
    let x = u64::from(a) * u64::from(b);
    (x & u64::from(P)) + (x >> 31)
}

/// `x` mod p.
#[inline]
pub fn reduce(x: u64) -> u32 {
    (x % u64::from(P)) as u32
}

/// The dot product of two vectors mod p (`n` ≤ [`MAX_N`], so the folded
/// sum stays below 2^44).
pub fn dot(a: impl Iterator<Item = u32>, b: &[u32]) -> u32 {
    reduce(a.zip(b).map(|(x, &y)| mul_fold(x, y)).sum())
}

/// Row `i` of A·B for `seed`, as the prover computes it (reference CPU
/// implementation; a GPU computes the same numbers).
pub fn product_row(seed: &B256, n: u32, i: u32, b: &[u32]) -> Vec<u32> {
    let g = Generator::new(seed);
    let a: Vec<u32> = (0..n).map(|l| g.at(MATRIX_A, i, l)).collect();
    (0..n as usize)
        .map(|j| {
            reduce(
                a.iter()
                    .enumerate()
                    .map(|(l, &x)| mul_fold(x, b[l * n as usize + j]))
                    .sum(),
            )
        })
        .collect()
}

/// B for `seed`, row-major.
pub fn matrix_b(seed: &B256, n: u32) -> Vec<u32> {
    let g = Generator::new(seed);
    (0..n)
        .flat_map(|i| (0..n).map(move |j| g.at(MATRIX_B, i, j)))
        .collect()
}

/// C = A·B for `seed`, row-major (reference CPU implementation).
pub fn product(seed: &B256, n: u32) -> Vec<u32> {
    let b = matrix_b(seed, n);
    (0..n).flat_map(|i| product_row(seed, n, i, &b)).collect()
}

/// The `k` distinct rows of an `n`-row matrix that `sample_seed` picks, in
/// order of drawing: step `t` swaps position `t` with `t + (w_t mod (n − t))`
/// where `w_t` is the first 8 bytes (big-endian) of
/// `keccak256(sample_seed ‖ uint32 t)`. Requires [`valid_size`].
pub fn sample_rows(sample_seed: &B256, n: u32, k: u32, work: &mut Work) -> Vec<u32> {
    let mut order: Vec<u32> = (0..n).collect();
    let mut buf = [0u8; 36];
    buf[..32].copy_from_slice(sample_seed.as_slice());
    for t in 0..k {
        buf[32..].copy_from_slice(&t.to_be_bytes());
        let h = keccak256(buf);
        work.keccaks += 1;
        let mut w = [0u8; 8];
        w.copy_from_slice(&h[..8]);
        let pick = t + (u64::from_be_bytes(w) % u64::from(n - t)) as u32;
        order.swap(t as usize, pick as usize);
    }
    order.truncate(k as usize);
    order
}

/// Checks an `answer` against the committed `root`. The answer is the `k`
/// sampled rows of C in the order of [`sample_rows`], each `n` big-endian
/// `uint32`s, then their Merkle proofs, `log2 n` 32-byte siblings each,
/// leaf level first: `4·n·k + 32·k·log2 n` bytes (see [`open`]). Returns
/// the work done.
pub fn verify(
    seed: &B256,
    sample_seed: &B256,
    n: u32,
    k: u32,
    root: &B256,
    answer: &[u8],
) -> Result<Work, Failure> {
    if !valid_size(n, k) {
        return Err(Failure::BadSize);
    }
    let depth = n.trailing_zeros() as usize;
    let row_bytes = 4 * n as usize;
    if answer.len() != (row_bytes + 32 * depth) * k as usize {
        return Err(Failure::Malformed);
    }
    let (rows, proofs) = answer.split_at(row_bytes * k as usize);
    let mut work = Work::default();
    let sampled = sample_rows(sample_seed, n, k, &mut work);
    for ((&i, row), proof) in sampled
        .iter()
        .zip(rows.chunks_exact(row_bytes))
        .zip(proofs.chunks_exact(32 * depth))
    {
        work.keccaks += 1 + depth as u64;
        if !verify_proof(root, i, &leaf(i, row), proof) {
            return Err(Failure::WrongMerkleProof { row: i });
        }
    }
    let nn = n as usize;
    let (g, sampling) = (Generator::new(seed), Generator::new(sample_seed));
    let r: Vec<u32> = (0..n).map(|j| sampling.at(VECTOR_R, 0, j)).collect();
    let br: Vec<u32> = (0..n).map(|l| g.row_dot(MATRIX_B, l, &r)).collect();
    work.generated += u64::from(n) + u64::from(n) * u64::from(n);
    work.multiplications += u64::from(n) * u64::from(n);
    for (&i, row) in sampled.iter().zip(rows.chunks_exact(row_bytes)) {
        let lhs = g.row_dot(MATRIX_A, i, &br);
        let c = row
            .chunks_exact(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
        let rhs = dot(c, &r);
        work.generated += u64::from(n);
        work.multiplications += 2 * nn as u64;
        if lhs != rhs {
            return Err(Failure::WrongRow { row: i });
        }
    }
    Ok(work)
}

/// The answer a prover sends: the `sampled` rows of row-major `c` and
/// their proofs from `tree`, packed as [`verify`] reads them.
pub fn open(tree: &Tree, c: &[u32], n: u32, sampled: &[u32]) -> Vec<u8> {
    let mut answer = Vec::new();
    for &i in sampled {
        let start = i as usize * n as usize;
        answer.extend(pack_row(&c[start..start + n as usize]));
    }
    for &i in sampled {
        for sibling in tree.proof(i) {
            answer.extend_from_slice(sibling.as_slice());
        }
    }
    answer
}

/// `rows` packed as big-endian `uint32`s (leaf encoding).
pub fn pack_row(row: &[u32]) -> Vec<u8> {
    row.iter().flat_map(|v| v.to_be_bytes()).collect()
}

#[cfg(test)]
mod tests;
