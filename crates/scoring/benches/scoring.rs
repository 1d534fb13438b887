//! Scoring throughput: how many bids per second the shared scoring code
//! checks and scores, as the matcher does for every open order.
//!
//! `cargo bench -p spon-scoring` prints the figure; nothing is asserted.

use std::{hint::black_box, time::Instant};

use spon_node::{
    hardware::{compute, gpu},
    tier::WEI_PER_SPON,
    Hardware,
};
use spon_scoring::{score, Candidate, Ranked, Requirements};

fn main() {
    let requirements = Requirements {
        gpu_model: gpu::HOPPER,
        gpu_count: 2,
        min_vram_mib: 40_000,
        regions: [*b"DE", *b"FR", *b"NL", [0, 0]],
        min_bandwidth_mbps: 1_000,
        compute_types: compute::CUDA,
        max_tier: 6,
        flags: 0,
    };
    let packed = requirements.pack();
    let regions = [*b"DE", *b"FR", *b"NL", *b"US"];
    let bids: Vec<Candidate> = (0..4_096u64)
        .map(|i| Candidate {
            price: u128::from(1_000 + i % 997),
            tier: 1 + (i % 6) as u8,
            hardware: Hardware {
                gpu_model: gpu::HOPPER,
                gpu_count: 1 + (i % 8) as u16,
                vram_mib: 80_000,
                cpu_cores: 64,
                ram_gib: 512,
                storage_gib: 4_000,
                region: regions[(i % 4) as usize],
                bandwidth_mbps: 500 + (i % 50_000) as u32,
                compute_types: compute::CUDA,
            },
            leases_completed: i % 300,
            leases_faulted: i % 7,
            stake_wei: u128::from(10_000 + i) * WEI_PER_SPON,
        })
        .collect();

    let rounds = 500;
    let start = Instant::now();
    let mut best = None;
    for _ in 0..rounds {
        // What the matcher does per order: parse its requirements, check and
        // score every bid, keep the best.
        let r = Requirements::parse(black_box(&packed)).expect("valid requirements");
        best = bids
            .iter()
            .enumerate()
            .filter(|(_, c)| r.check(&c.hardware, c.tier).is_ok())
            .map(|(id, c)| Ranked {
                score: score(&r, 2_000, c),
                price: c.price,
                bid_id: id as u64,
            })
            .max();
        black_box(best);
    }
    let elapsed = start.elapsed();
    let n = rounds * bids.len();
    println!(
        "scoring: {n} bids checked and scored in {:.1} ms: {:.1} M bids/s ({:.0} ns per bid); best {:?}",
        elapsed.as_secs_f64() * 1e3,
        n as f64 / elapsed.as_secs_f64() / 1e6,
        elapsed.as_nanos() as f64 / n as f64,
        best.expect("some bid qualifies"),
    );
}
