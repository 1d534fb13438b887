//! The best CPU prover we have for the GPU-work challenge
//! (`spon_gpu_work::cpu`: every core, AVX2 where the CPU has it, A and
//! Bᵀ widened to int16, Bᵀ blocked for the caches, C's leaves hashed on
//! every core). Prints, per `n`, the time to
//! generate A and B, to multiply, to hash C into its Merkle root, the
//! total (the time to a committed root) and the int8 throughput, so the
//! deadline of the challenge can be set against it:
//! `cargo bench -p spon-gpu-work --bench tensor_cpu [-- N...]`.

use std::time::{Duration, Instant};

use alloy_primitives::keccak256;
use spon_gpu_work::{cpu, entry, matrices, tensor};

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
    println!("CPU prover: {threads} threads, {}", cpu::simd());
    println!("| n | generate A, B | int8 GEMM | GOPS | Merkle root of C | to a committed root |");
    println!("|---|---|---|---|---|---|");
    for n in sizes {
        assert!(tensor::valid_size(n), "n = {n} is not a challenge size");
        let seed = keccak256(n.to_be_bytes());
        let t0 = Instant::now();
        let (a, bt) = matrices(&seed, n);
        let generated = t0.elapsed();
        let t1 = Instant::now();
        let c = cpu::multiply(&a, &bt, n as usize);
        let multiplied = t1.elapsed();
        let t2 = Instant::now();
        let root = cpu::tree(&c).root();
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
