//! The fastest CPU prover we can write (feature `std`): every core, AVX2
//! where the CPU has it, A and Bᵀ widened to int16 (LLVM's `vpmaddwd`, 16
//! multiply-adds an instruction), Bᵀ blocked for the caches, C's leaves
//! hashed on every core. The probe answers with it when it has no GPU;
//! the `tensor_cpu` bench and the timed challenge's tests measure it, as
//! the CPU a deadline must exclude. Built at `opt-level = 3` in the dev
//! and bench profiles (the workspace's release profile is built for size).

use std::{collections::BTreeMap, thread, vec, vec::Vec};

use alloy_primitives::{keccak256, B256};

use crate::{
    answer_bytes, depth, entry_at, leaf, matrices, pack, sample_entries, Tree, Work, CHUNK,
};

/// Columns of Bᵀ per block: 256 × n int16 stays in L2 up to n = 2,048.
const COLUMN_BLOCK: usize = 256;

fn threads() -> usize {
    thread::available_parallelism().map_or(1, |p| p.get())
}

/// The dot product of two int8 vectors widened to int16, in int32.
#[inline(always)]
fn dot16(a: &[i16], b: &[i16]) -> i32 {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| i32::from(x) * i32::from(y))
        .sum()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn rows_avx2(a: &[i16], bt: &[i16], n: usize, c: &mut [i32]) {
    rows_portable(a, bt, n, c)
}

/// C's rows for `a`'s rows (`n` columns each) into `c`, block by block
/// of Bᵀ's rows.
#[inline(always)]
fn rows_portable(a: &[i16], bt: &[i16], n: usize, c: &mut [i32]) {
    for (block, cols) in bt.chunks(COLUMN_BLOCK * n).enumerate() {
        for (row, out) in a.chunks_exact(n).zip(c.chunks_exact_mut(n)) {
            let at = block * COLUMN_BLOCK;
            for (k, col) in cols.chunks_exact(n).enumerate() {
                out[at + k] = dot16(row, col);
            }
        }
    }
}

fn rows(a: &[i16], bt: &[i16], n: usize, c: &mut [i32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe { rows_avx2(a, bt, n, c) };
    }
    rows_portable(a, bt, n, c)
}

/// The SIMD the prover runs with on this CPU.
pub fn simd() -> &'static str {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        return "AVX2";
    }
    "portable"
}

/// C = A·B on every core from A and Bᵀ as [`matrices`] lays them out
/// (widened to int16 once: O(n²) beside the O(n³) product).
pub fn multiply(a: &[i8], bt: &[i8], n: usize) -> Vec<i32> {
    let widen = |m: &[i8]| m.iter().map(|&v| i16::from(v)).collect::<Vec<i16>>();
    let (a, bt) = (widen(a), widen(bt));
    let mut c = vec![0i32; n * n];
    let per = n.div_ceil(threads());
    thread::scope(|s| {
        for (a_rows, c_rows) in a.chunks(per * n).zip(c.chunks_mut(per * n)) {
            let bt = &bt;
            s.spawn(move || rows(a_rows, bt, n, c_rows));
        }
    });
    c
}

/// C = A·B for `seed` and `n`, on every core.
pub fn product(seed: &B256, n: u32) -> Vec<i32> {
    let (a, bt) = matrices(seed, n);
    multiply(&a, &bt, n as usize)
}

/// The Merkle tree of C ([`crate::tree`]), its leaves hashed on every
/// core (the inner levels, as many hashes again, on one).
pub fn tree(c: &[i32]) -> Tree {
    let chunks = c.len() / CHUNK;
    let per = chunks.div_ceil(threads());
    let mut leaves = vec![Default::default(); chunks];
    thread::scope(|s| {
        for (t, out) in leaves.chunks_mut(per).enumerate() {
            s.spawn(move || {
                for (k, slot) in out.iter_mut().enumerate() {
                    let index = t * per + k;
                    *slot = leaf(index as u32, &pack(&c[index * CHUNK..(index + 1) * CHUNK]));
                }
            });
        }
    });
    Tree::new(leaves)
}

/// An answer that passes [`crate::verify`] for a `sample_seed` known
/// before the root, without computing C: the sampled chunks computed
/// entry by entry ([`crate::entry`]) under the root of a tree whose other
/// leaves are zero words. For measuring the check at sizes whose C does
/// not fit a test machine; it does the same work as a full answer. It is
/// why the challenge draws the sample seed from the committed root: on
/// chain, a root chosen after the sample is known cannot be committed.
pub fn sampled_answer(seed: &B256, sample_seed: &B256, n: u32, k: u32) -> (B256, Vec<u8>) {
    let sampled = sample_entries(sample_seed, n, k, &mut Work::default());
    let mut answer = Vec::with_capacity(answer_bytes(n, k));
    let mut level = BTreeMap::new();
    for &cell in &sampled {
        let start = cell / CHUNK as u64 * CHUNK as u64;
        let chunk: Vec<i32> = (start..start + CHUNK as u64)
            .map(|x| entry_at(seed, n, x))
            .collect();
        let index = start / CHUNK as u64;
        level.insert(index, leaf(index as u32, &pack(&chunk)));
        answer.extend_from_slice(&pack(&chunk));
    }
    // Level by level, leaves first: the known nodes, and the hash of an
    // all-empty subtree of that height.
    let mut levels = Vec::with_capacity(depth(n));
    let mut empty = B256::ZERO;
    for _ in 0..depth(n) {
        let mut up = BTreeMap::new();
        for &index in level.keys() {
            let parent = index / 2;
            let left = level.get(&(parent * 2)).unwrap_or(&empty);
            let right = level.get(&(parent * 2 + 1)).unwrap_or(&empty);
            up.insert(parent, keccak256([left.0, right.0].concat()));
        }
        levels.push((level, empty));
        empty = keccak256([empty.0, empty.0].concat());
        level = up;
    }
    for &cell in &sampled {
        let mut index = cell / CHUNK as u64;
        for (nodes, empty) in &levels {
            answer.extend_from_slice(nodes.get(&(index ^ 1)).unwrap_or(empty).as_slice());
            index /= 2;
        }
    }
    (level[&0], answer)
}
