//! The on-chain check of a GPU-work answer and the prover's work, for the
//! sizes governance may choose: `cargo bench -p spon-gpu-work`.
//!
//! Prints, per `n` and `k`, the gas-relevant work of `verify` (field
//! multiplications, generated entries, keccak256 calls, calldata bytes)
//! and the native time of the check and of the reference CPU prover; then
//! the measured rate at which a prover with one wrong row of C is caught,
//! against `k`.

use std::time::Instant;

use alloy_primitives::{keccak256, B256};
use spon_gpu_work::{open, product, sample_rows, verify, Tree, Work, P};

fn main() {
    println!("| n | k | multiplications | entries generated | keccak256 | calldata bytes | verify (native) | CPU prover (native) |");
    println!("|---|---|---|---|---|---|---|---|");
    for n in [64u32, 128, 256] {
        let seed = keccak256(n.to_be_bytes());
        let t0 = Instant::now();
        let c = product(&seed, n);
        let tree = Tree::of_rows(&c, n);
        let prover = t0.elapsed();
        for k in [8u32, 16] {
            let sample_seed = B256::repeat_byte(k as u8);
            let sampled = sample_rows(&sample_seed, n, k, &mut Work::default());
            let answer = open(&tree, &c, n, &sampled);
            let runs = 20;
            let t1 = Instant::now();
            let mut work = Work::default();
            for _ in 0..runs {
                work = verify(&seed, &sample_seed, n, k, &tree.root(), &answer)
                    .expect("honest answer");
            }
            let per = t1.elapsed() / runs;
            println!(
                "| {n} | {k} | {} | {} | {} | {} | {per:.2?} | {prover:.2?} |",
                work.multiplications,
                work.generated,
                work.keccaks,
                answer.len(),
            );
        }
    }
    catch_rate();
}

/// One wrong entry in a uniformly placed row of C; the prover commits
/// and opens honestly otherwise. Caught exactly when that row is sampled.
fn catch_rate() {
    let (n, trials) = (64u32, 10_000u64);
    let ks = [1u32, 2, 4, 8, 16, 32];
    let mut caught = [0u32; 6];
    for t in 0..trials {
        let seed = keccak256(t.to_be_bytes());
        let mut c = product(&seed, n);
        let bad = (t % u64::from(n)) as usize * n as usize;
        c[bad] = (c[bad] + 1) % P;
        let tree = Tree::of_rows(&c, n);
        let sample_seed = keccak256((t + trials).to_be_bytes());
        for (&k, caught) in ks.iter().zip(&mut caught) {
            let sampled = sample_rows(&sample_seed, n, k, &mut Work::default());
            let answer = open(&tree, &c, n, &sampled);
            if verify(&seed, &sample_seed, n, k, &tree.root(), &answer).is_err() {
                *caught += 1;
            }
        }
    }
    println!();
    println!("| k (n = {n}, one wrong row, {trials} trials) | caught | expected k/n |");
    println!("|---|---|---|");
    for (k, caught) in ks.iter().zip(caught) {
        println!(
            "| {k} | {:.1}% | {:.1}% |",
            100.0 * f64::from(caught) / trials as f64,
            100.0 * f64::from(*k) / f64::from(n)
        );
    }
}
