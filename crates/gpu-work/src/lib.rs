//! # The GPU-work challenge
//!
//! One `no_std` crate shared by the GPU-work verifier contract (which
//! checks an answer on-chain) and the probe (which computes it), so both
//! agree to the bit. For a challenge `seed` (32 bytes, fixed when the
//! challenge is mined) and a size `n` (a power of two, [`CHUNK`] ..=
//! [`MAX_N`]):
//!
//! 1. **Work** ([`tensor`]): A and B are `n × n` `int8` matrices generated
//!    entry by entry from the seed ([`Generator`]); C = A·B exactly in
//!    `int32` — what int8 tensor cores compute natively.
//! 2. **Commitment.** The node commits the keccak256 Merkle root
//!    ([`merkle`]) over C cut into chunks of [`CHUNK`] entries, within the
//!    challenge's deadline (seconds after the seed is known: the timed
//!    part, see `audits/challenges.md`).
//! 3. **Sampling.** The challenger then reveals a secret, which with the
//!    root gives a `sample_seed` the node could not know when it
//!    committed; it picks `k` distinct entries of C ([`sample_entries`]).
//! 4. **Check** ([`verify`]): the node opens each sampled entry's chunk
//!    with its Merkle proof; the verifier checks the proof and recomputes
//!    the entry from row i of A and column j of B (2n generated values).
//!
//! An honest prover always passes. An entry of the committed C that is
//! not the entry of A·B is caught whenever it is sampled; a prover that
//! committed a fraction `f` of wrong entries escapes `k` samples with
//! probability about (1 − f)^k, and guessing an entry it did not compute
//! is right with probability below 10⁻³ (an entry is a sum of `n`
//! products of uniform int8s).
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![warn(missing_docs)]

extern crate alloc;

#[cfg(feature = "std")]
pub mod cpu;
pub mod merkle;
pub mod tensor;

use alloc::vec::Vec;
use alloy_primitives::{keccak256, B256};

pub use merkle::{verify_proof, Tree};
pub use tensor::{
    dot, entry, entry_at, leaf, matrices, pack, product, tree, valid_size, CHUNK, MATRIX_A,
    MATRIX_B, MAX_N,
};

/// Why an answer fails the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// `n` is not a valid size ([`valid_size`]), or `k` is 0 or above `n`.
    BadSize,
    /// The answer's byte length does not fit `n` and `k`.
    Malformed,
    /// An entry's chunk does not lead to the committed root.
    WrongMerkleProof {
        /// The entry, `i·n + j`.
        entry: u64,
    },
    /// An entry is not that entry of A·B.
    WrongEntry {
        /// The entry, `i·n + j`.
        entry: u64,
    },
}

/// Gas-relevant work of one check, counted as it runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    /// `int8` products summed.
    pub multiplications: u64,
    /// Entries of A and B generated.
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

/// Siblings in the proof of a chunk of C for size `n`: log₂(n²/[`CHUNK`]).
pub const fn depth(n: u32) -> usize {
    2 * n.trailing_zeros() as usize - CHUNK.trailing_zeros() as usize
}

/// Bytes of an answer for `n` and `k`: `k` chunks of 32 bytes, then `k`
/// Merkle proofs of [`depth`] 32-byte siblings.
pub const fn answer_bytes(n: u32, k: u32) -> usize {
    k as usize * 32 * (1 + depth(n))
}

/// The most samples whose answer for `n` fits one transaction with the
/// rest of `proveGpuWork(uint64, bytes)`'s calldata (selector, id, offset
/// and length, and up to 31 bytes of padding); at least 1.
pub const fn max_samples(n: u32) -> u32 {
    let per_entry = answer_bytes(n, 1);
    let room = (MAX_TX_DATA - 4 - 3 * 32 - 31) / per_entry;
    if room == 0 {
        1
    } else {
        room as u32
    }
}

/// Whether `n` is a valid size and `k` a valid sample count (1 ..= `n`:
/// far below the n² entries, so drawing them distinct takes about `k`
/// draws).
pub const fn valid(n: u32, k: u32) -> bool {
    valid_size(n) && k >= 1 && k <= n
}

#[inline(always)]
const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The counter-based generator of the matrices, keyed once by a seed.
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

    /// The 64-bit word behind entry `(i, j)` of matrix `matrix`:
    /// `mix(mix(k0 + ctr·φ) ^ k1)`, where `ctr = matrix << 48 | i << 24 |
    /// j`, `φ = 0x9e3779b97f4a7c15` and `mix` is SplitMix64's finaliser.
    #[inline(always)]
    pub fn word(&self, matrix: u8, i: u32, j: u32) -> u64 {
        let ctr = u64::from(matrix) << 48 | u64::from(i) << 24 | u64::from(j);
        let z = mix(self
            .k0
            .wrapping_add(ctr.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
        mix(z ^ self.k1)
    }
}

/// The `k` distinct entries of C (as `i·n + j`) that `sample_seed` picks,
/// in order of drawing: draw `t` is the first 8 bytes (big-endian) of
/// `keccak256(sample_seed ‖ uint32 t)` mod n², skipped if already drawn.
/// Requires [`valid`].
pub fn sample_entries(sample_seed: &B256, n: u32, k: u32, work: &mut Work) -> Vec<u64> {
    let cells = u64::from(n) * u64::from(n);
    let mut picked: Vec<u64> = Vec::with_capacity(k as usize);
    let mut buf = [0u8; 36];
    buf[..32].copy_from_slice(sample_seed.as_slice());
    let mut t = 0u32;
    while picked.len() < k as usize {
        buf[32..].copy_from_slice(&t.to_be_bytes());
        let h = keccak256(buf);
        work.keccaks += 1;
        t += 1;
        let mut w = [0u8; 8];
        w.copy_from_slice(&h[..8]);
        // n² is a power of two: the low bits are uniform.
        let cell = u64::from_be_bytes(w) & (cells - 1);
        if !picked.contains(&cell) {
            picked.push(cell);
        }
    }
    picked
}

/// Checks an `answer` against the committed `root`: the chunks holding
/// the `k` entries of [`sample_entries`], in that order, 32 bytes each
/// (8 big-endian `int32`s), then their Merkle proofs, [`depth`] 32-byte
/// siblings each, leaf level first ([`answer_bytes`]; see [`open`]).
/// Returns the work done.
pub fn verify(
    seed: &B256,
    sample_seed: &B256,
    n: u32,
    k: u32,
    root: &B256,
    answer: &[u8],
) -> Result<Work, Failure> {
    if !valid(n, k) {
        return Err(Failure::BadSize);
    }
    if answer.len() != answer_bytes(n, k) {
        return Err(Failure::Malformed);
    }
    let (chunks, proofs) = answer.split_at(32 * k as usize);
    let mut work = Work::default();
    let sampled = sample_entries(sample_seed, n, k, &mut work);
    let depth = depth(n);
    for ((&cell, chunk), proof) in sampled
        .iter()
        .zip(chunks.chunks_exact(32))
        .zip(proofs.chunks_exact(32 * depth))
    {
        // Below n²/CHUNK ≤ 2^29.
        let index = (cell / CHUNK as u64) as u32;
        work.keccaks += 1 + depth as u64;
        if !verify_proof(root, index, &leaf(index, chunk), proof) {
            return Err(Failure::WrongMerkleProof { entry: cell });
        }
        let at = 4 * (cell % CHUNK as u64) as usize;
        let opened = i32::from_be_bytes([chunk[at], chunk[at + 1], chunk[at + 2], chunk[at + 3]]);
        work.generated += 2 * u64::from(n);
        work.multiplications += u64::from(n);
        if opened != entry_at(seed, n, cell) {
            return Err(Failure::WrongEntry { entry: cell });
        }
    }
    Ok(work)
}

/// The answer a prover sends: the chunks of row-major `c` holding the
/// `sampled` entries and their proofs from `tree`, packed as [`verify`]
/// reads them.
pub fn open(tree: &Tree, c: &[i32], sampled: &[u64]) -> Vec<u8> {
    let mut answer = Vec::with_capacity(sampled.len() * 32 * (1 + tree.depth()));
    for &cell in sampled {
        let start = cell as usize / CHUNK * CHUNK;
        answer.extend_from_slice(&pack(&c[start..start + CHUNK]));
    }
    for &cell in sampled {
        for sibling in tree.proof((cell / CHUNK as u64) as u32) {
            answer.extend_from_slice(sibling.as_slice());
        }
    }
    answer
}

#[cfg(test)]
mod tests;
