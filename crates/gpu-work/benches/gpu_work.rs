//! The on-chain check of a GPU-work answer, for the sizes governance may
//! choose: `cargo bench -p spon-gpu-work --bench gpu_work`.
//!
//! Prints, per `n` and `k`, the gas-relevant work of `verify` (int8
//! products, generated entries, keccak256 calls, answer bytes) and its
//! native time; then the measured rate at which a prover that left a
//! fraction of C wrong is caught, against `k`. The prover's time is the
//! other bench, `tensor_cpu`.

use std::time::Instant;

use alloy_primitives::{keccak256, B256};
use spon_gpu_work::{answer_bytes, cpu, open, product, sample_entries, tree, verify, Tree, Work};

fn main() {
    println!("| n | k | int8 products | entries generated | keccak256 | answer bytes | verify (native) |");
    println!("|---|---|---|---|---|---|---|");
    for n in [256u32, 1_024, 4_096, 16_384, 65_536] {
        let seed = keccak256(n.to_be_bytes());
        for k in [16u32, 32] {
            let sample_seed = B256::repeat_byte(k as u8);
            let (root, answer) = cpu::sampled_answer(&seed, &sample_seed, n, k);
            let runs = 5;
            let t = Instant::now();
            let mut work = Work::default();
            for _ in 0..runs {
                work = verify(&seed, &sample_seed, n, k, &root, &answer).expect("honest answer");
            }
            let per = t.elapsed() / runs;
            assert_eq!(answer.len(), answer_bytes(n, k));
            println!(
                "| {n} | {k} | {} | {} | {} | {} | {per:.2?} |",
                work.multiplications,
                work.generated,
                work.keccaks,
                answer.len(),
            );
        }
    }
    catch_rate();
}

/// A prover that left a fraction `f` of C's entries wrong (committed, so
/// their proofs hold) is caught when a sample hits one.
fn catch_rate() {
    let (n, trials) = (64u32, 2_000u64);
    let ks = [1u32, 2, 4, 8, 16, 32];
    println!();
    println!("| f (n = {n}, {trials} trials) | k = 1 | 2 | 4 | 8 | 16 | 32 |");
    println!("|---|---|---|---|---|---|---|");
    for wrong_in in [100u64, 10, 4] {
        let mut caught = [0u32; 6];
        for t in 0..trials {
            let seed = keccak256(t.to_be_bytes());
            let mut c = product(&seed, n);
            for (cell, v) in (0u64..).zip(c.iter_mut()) {
                let h = keccak256([t.to_be_bytes(), cell.to_be_bytes()].concat());
                if u64::from(u16::from_be_bytes([h[0], h[1]])) % wrong_in == 0 {
                    *v = v.wrapping_add(1);
                }
            }
            let tree: Tree = tree(&c);
            let sample_seed = keccak256((t + trials).to_be_bytes());
            for (&k, caught) in ks.iter().zip(&mut caught) {
                let sampled = sample_entries(&sample_seed, n, k, &mut Work::default());
                let answer = open(&tree, &c, &sampled);
                if verify(&seed, &sample_seed, n, k, &tree.root(), &answer).is_err() {
                    *caught += 1;
                }
            }
        }
        let f = 1.0 / wrong_in as f64;
        let cells: Vec<String> = ks
            .iter()
            .zip(caught)
            .map(|(&k, caught)| {
                format!(
                    "{:.1}% ({:.1}%)",
                    100.0 * f64::from(caught) / trials as f64,
                    100.0 * (1.0 - (1.0 - f).powi(k as i32))
                )
            })
            .collect();
        println!("| {:.0}% | {} |", 100.0 * f, cells.join(" | "));
    }
    println!("(measured, and in parentheses 1 − (1 − f)^k)");
}
