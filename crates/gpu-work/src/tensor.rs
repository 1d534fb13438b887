//! The work of the GPU-work challenge, shaped for int8 tensor cores (its
//! design and figures: `audits/challenges.md`). For a challenge `seed` and
//! a size `n` (a power of two, [`CHUNK`] to [`MAX_N`]):
//!
//! 1. **Matrices.** A and B are `n × n` of `int8` entries: entry `(i, j)`
//!    of A is the low byte of [`Generator::word`]`(MATRIX_A, i, j)`, of B
//!    the same with [`MATRIX_B`]. Every entry is independent of the others, so
//!    a GPU generates them where it uses them.
//! 2. **Product.** C = A·B exactly, in `int32`: no entry can overflow,
//!    since |C<sub>ij</sub>| ≤ n · 128 · 128 = n · 2<sup>14</sup> <
//!    2<sup>31</sup> for n ≤ [`MAX_N`]. This is what int8 tensor-core GEMM
//!    (cuBLASLt, `mma.sync` s8) computes natively.
//! 3. **Commitment.** C, row-major, is cut into chunks of [`CHUNK`]
//!    entries; leaf `c` is `keccak256(uint32 c ‖ entries as big-endian
//!    int32)` and the root is the keccak256 Merkle root over the n²/CHUNK
//!    leaves ([`crate::merkle::Tree`]).
//! 4. **Check** ([`crate::verify`]). A sampled entry `(i, j)` is opened
//!    with its chunk and the chunk's proof; the verifier recomputes
//!    C<sub>ij</sub> from row i of A and column j of B ([`entry`]: 2n
//!    generated values, n products).

use alloc::vec::Vec;
use alloy_primitives::{keccak256, B256};

use crate::{merkle::Tree, Generator};

/// Matrix id of A in [`Generator::word`] (ids 0 to 2 were the retired
/// field-based challenge's).
pub const MATRIX_A: u8 = 3;
/// Matrix id of B in [`Generator::word`].
pub const MATRIX_B: u8 = 4;
/// Entries of C per Merkle leaf (one 32-byte word of `int32`s).
pub const CHUNK: usize = 8;
/// Largest size: |C<sub>ij</sub>| ≤ n · 2<sup>14</sup> must stay below
/// 2<sup>31</sup>, and the generator's counter takes 24-bit indices.
pub const MAX_N: u32 = 1 << 16;

impl Generator {
    /// Entry `(i, j)` of the `int8` matrix `matrix` ([`MATRIX_A`] or
    /// [`MATRIX_B`]).
    #[inline(always)]
    pub fn int8(&self, matrix: u8, i: u32, j: u32) -> i8 {
        self.word(matrix, i, j) as u8 as i8
    }
}

/// Whether `n` is a size the challenge takes.
pub const fn valid_size(n: u32) -> bool {
    n >= CHUNK as u32 && n <= MAX_N && n.is_power_of_two()
}

/// A, row-major, and B transposed (column `j` of B contiguous): the
/// layout a CPU prover reads fastest.
pub fn matrices(seed: &B256, n: u32) -> (Vec<i8>, Vec<i8>) {
    let g = Generator::new(seed);
    let n = n as usize;
    let mut a = Vec::with_capacity(n * n);
    let mut bt = Vec::with_capacity(n * n);
    for i in 0..n as u32 {
        for j in 0..n as u32 {
            a.push(g.int8(MATRIX_A, i, j));
            // Row j of Bᵀ is column j of B: entry (i, j) of Bᵀ is B(j, i).
            bt.push(g.int8(MATRIX_B, j, i));
        }
    }
    (a, bt)
}

/// The dot product of two `int8` vectors in `int32` (exact for lengths
/// up to [`MAX_N`]).
#[inline]
pub fn dot(a: &[i8], b: &[i8]) -> i32 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| i32::from(x) * i32::from(y))
        .sum()
}

/// C = A·B, row-major (the reference: one thread, no blocking).
pub fn product(seed: &B256, n: u32) -> Vec<i32> {
    let (a, bt) = matrices(seed, n);
    let n = n as usize;
    let mut c = Vec::with_capacity(n * n);
    for row in a.chunks_exact(n) {
        c.extend(bt.chunks_exact(n).map(|col| dot(row, col)));
    }
    c
}

/// C<sub>ij</sub> as the verifier computes it: row `i` of A and column
/// `j` of B generated (2n values) and dotted.
pub fn entry(seed: &B256, n: u32, i: u32, j: u32) -> i32 {
    let g = Generator::new(seed);
    (0..n)
        .map(|l| i32::from(g.int8(MATRIX_A, i, l)) * i32::from(g.int8(MATRIX_B, l, j)))
        .sum()
}

/// C's entry `cell` (row-major, `i·n + j`) as the verifier computes it
/// ([`entry`]).
pub fn entry_at(seed: &B256, n: u32, cell: u64) -> i32 {
    let n64 = u64::from(n);
    entry(seed, n, (cell / n64) as u32, (cell % n64) as u32)
}

/// A chunk of C as its leaf hashes it: 8 big-endian `int32`s.
pub fn pack(chunk: &[i32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (word, v) in out.chunks_exact_mut(4).zip(chunk) {
        word.copy_from_slice(&v.to_be_bytes());
    }
    out
}

/// Leaf `index` of the commitment: `keccak256(uint32 index ‖ chunk)`, the
/// chunk [`pack`]ed.
pub fn leaf(index: u32, chunk: &[u8]) -> B256 {
    let mut buf = [0u8; 36];
    buf[..4].copy_from_slice(&index.to_be_bytes());
    buf[4..].copy_from_slice(chunk);
    keccak256(buf)
}

/// The Merkle tree over C's chunks (`c` row-major, its length a power of
/// two and a multiple of [`CHUNK`]).
pub fn tree(c: &[i32]) -> Tree {
    Tree::new(
        c.chunks_exact(CHUNK)
            .enumerate()
            .map(|(index, chunk)| leaf(index as u32, &pack(chunk)))
            .collect(),
    )
}
