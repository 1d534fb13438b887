//! The best CPU prover we have for the tensor-core GPU-work challenge
//! (`spon_gpu_work::tensor`): every core, AVX2 where the CPU has it, B
//! transposed and blocked for the caches. Prints, per `n`, the time to
//! generate A and B, to multiply, to hash C into its Merkle root, the
//! total (the time to a committed root) and the int8 throughput, so the
//! deadline of the challenge can be set against it:
//! `cargo bench -p spon-gpu-work --bench tensor_cpu [-- N...]`.

use std::time::{Duration, Instant};

use alloy_primitives::keccak256;
use spon_gpu_work::tensor::{self, dot, entry, matrices, tree};

/// Columns of Bᵀ per block: 256 × n int8 stays in L2 up to n = 4,096.
const COLUMN_BLOCK: usize = 256;

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn rows_avx2(a: &[i8], bt: &[i8], n: usize, c: &mut [i32]) {
    rows_portable(a, bt, n, c)
}

/// C's rows for `a`'s rows (`n` columns each) into `c`, block by block
/// of Bᵀ's rows.
#[inline(always)]
fn rows_portable(a: &[i8], bt: &[i8], n: usize, c: &mut [i32]) {
    for (block, cols) in bt.chunks(COLUMN_BLOCK * n).enumerate() {
        for (row, out) in a.chunks_exact(n).zip(c.chunks_exact_mut(n)) {
            let at = block * COLUMN_BLOCK;
            for (k, col) in cols.chunks_exact(n).enumerate() {
                out[at + k] = dot(row, col);
            }
        }
    }
}

fn rows(a: &[i8], bt: &[i8], n: usize, c: &mut [i32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2 (checked just above).
        return unsafe { rows_avx2(a, bt, n, c) };
    }
    rows_portable(a, bt, n, c)
}

/// C = A·B on every core.
fn product(a: &[i8], bt: &[i8], n: usize) -> Vec<i32> {
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get());
    let mut c = vec![0i32; n * n];
    let per = n.div_ceil(threads);
    std::thread::scope(|s| {
        for (a_rows, c_rows) in a.chunks(per * n).zip(c.chunks_mut(per * n)) {
            s.spawn(move || rows(a_rows, bt, n, c_rows));
        }
    });
    c
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
        let root = tree(&c).root();
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
