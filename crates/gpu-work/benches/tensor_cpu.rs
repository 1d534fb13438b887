//! The best CPU prover we have for the tensor-core GPU-work challenge
//! (`spon_gpu_work::tensor`): every core, AVX2 where the CPU has it, A and
//! Bᵀ widened to int16 (LLVM's `vpmaddwd`), Bᵀ blocked for the caches,
//! C's leaves hashed on every core. Prints, per `n`, the time to
//! generate A and B, to multiply, to hash C into its Merkle root, the
//! total (the time to a committed root) and the int8 throughput, so the
//! deadline of the challenge can be set against it:
//! `cargo bench -p spon-gpu-work --bench tensor_cpu [-- N...]`.

use std::time::{Duration, Instant};

use alloy_primitives::keccak256;
use spon_gpu_work::{
    merkle::Tree,
    tensor::{self, entry, leaf, matrices, CHUNK},
};

/// Columns of Bᵀ per block: 256 × n int16 stays in L2 up to n = 2,048.
const COLUMN_BLOCK: usize = 256;

/// The dot product of two int8 vectors widened to int16, in int32: the
/// shape LLVM turns into `vpmaddwd` (16 multiply-adds an instruction).
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

/// C = A·B on every core, from A and Bᵀ widened to int16 once (O(n²)
/// beside the O(n³) product).
fn product(a: &[i8], bt: &[i8], n: usize) -> Vec<i32> {
    let widen = |m: &[i8]| m.iter().map(|&v| i16::from(v)).collect::<Vec<i16>>();
    let (a, bt) = (widen(a), widen(bt));
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
    let mut c = vec![0i32; n * n];
    let per = n.div_ceil(threads);
    std::thread::scope(|s| {
        for (a_rows, c_rows) in a.chunks(per * n).zip(c.chunks_mut(per * n)) {
            let bt = &bt;
            s.spawn(move || rows(a_rows, bt, n, c_rows));
        }
    });
    c
}

/// The Merkle tree of C, its leaves hashed on every core (the inner
/// levels, as many hashes again, on one).
fn commit(c: &[i32]) -> Tree {
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
    let chunks = c.len() / CHUNK;
    let per = chunks.div_ceil(threads);
    let mut leaves = vec![Default::default(); chunks];
    std::thread::scope(|s| {
        for (t, out) in leaves.chunks_mut(per).enumerate() {
            s.spawn(move || {
                for (k, slot) in out.iter_mut().enumerate() {
                    let index = t * per + k;
                    *slot = leaf(index as u32, &c[index * CHUNK..(index + 1) * CHUNK]);
                }
            });
        }
    });
    Tree::new(leaves)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let sizes: Vec<u32> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![256, 512, 1024, 2048, 4096]
    } else {
        sizes
    };
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
    #[cfg(target_arch = "x86_64")]
    let simd = if std::arch::is_x86_feature_detected!("avx2") {
        "AVX2"
    } else {
        "SSE2"
    };
    #[cfg(not(target_arch = "x86_64"))]
    let simd = "portable";
    println!("CPU prover: {threads} threads, {simd}");
    println!("| n | generate A, B | int8 GEMM | GOPS | Merkle root of C | to a committed root |");
    println!("|---|---|---|---|---|---|");
    for n in sizes {
        assert!(tensor::valid_size(n), "n = {n} is not a challenge size");
        let seed = keccak256(n.to_be_bytes());
        let t0 = Instant::now();
        let (a, bt) = matrices(&seed, n);
        let generated = t0.elapsed();
        let t1 = Instant::now();
        let c = product(&a, &bt, n as usize);
        let multiplied = t1.elapsed();
        let t2 = Instant::now();
        let root = commit(&c).root();
        if n <= 512 {
            assert_eq!(root, tensor::tree(&c).root());
        }
        let hashed = t2.elapsed();
        // The fast prover must be right: spot checks against the verifier.
        for (i, j) in [(0, 0), (n - 1, n - 1), (n / 3, n / 2 + 1)] {
            assert_eq!(c[(i * n + j) as usize], entry(&seed, n, i, j));
        }
        if n <= 512 {
            assert_eq!(c, tensor::product(&seed, n));
        }
        let ops = 2.0 * f64::from(n).powi(3);
        println!(
            "| {n} | {} | {} | {:.1} | {} | {} |",
            ms(generated),
            ms(multiplied),
            ops / multiplied.as_secs_f64() / 1e9,
            ms(hashed),
            ms(generated + multiplied + hashed),
        );
        std::hint::black_box(root);
    }
}
