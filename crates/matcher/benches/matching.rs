//! Matching throughput: 10,000 open orders with 1,000, 10,000 and 100,000
//! bids from 20,000 nodes, built from events, every bid ranked with the
//! shared scoring crate, then three assignments. Prints times, the peak
//! memory of the process, and how the assignments compare.
//!
//! `cargo bench -p spon-matcher`

use std::time::Instant;

use alloy_primitives::Address;
use spon_matcher::{assign, Book, Event, Node};
use spon_node::{
    hardware::{compute, gpu},
    Hardware,
};
use spon_scoring::Requirements;

const ORDERS: u64 = 10_000;
const NODES: u64 = 20_000;
const REGIONS: [[u8; 2]; 4] = [*b"DE", *b"FR", *b"US", *b"JP"];

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn node_address(i: u64) -> Address {
    Address::left_padding_from(&(i + 1).to_be_bytes())
}

fn book(bids: u64, rng: &mut Rng) -> Book {
    let mut b = Book::new();
    for i in 0..NODES {
        b.set_node(
            node_address(i),
            Node {
                eligible: rng.below(20) != 0,
                tier: 1 + rng.below(7) as u8,
                hardware: Hardware {
                    gpu_model: gpu::HOPPER,
                    gpu_count: [1, 2, 4, 8][rng.below(4) as usize],
                    vram_mib: 81_559,
                    cpu_cores: 64,
                    ram_gib: 512,
                    storage_gib: 4_096,
                    region: REGIONS[rng.below(4) as usize],
                    bandwidth_mbps: 1_000 + rng.below(20_000) as u32,
                    compute_types: compute::CUDA,
                },
                leases_completed: rng.below(100),
                leases_faulted: rng.below(5),
                stake_wei: u128::from(rng.below(200_000)) * 10u128.pow(18),
            },
        );
    }
    for o in 0..ORDERS {
        b.apply(
            1,
            &Event::OrderCreated {
                order_id: o,
                requirements: Requirements {
                    gpu_model: gpu::HOPPER,
                    gpu_count: [1, 2, 4][rng.below(3) as usize],
                    min_vram_mib: 40_000,
                    regions: [
                        REGIONS[rng.below(4) as usize],
                        REGIONS[rng.below(4) as usize],
                        [0; 2],
                        [0; 2],
                    ],
                    min_bandwidth_mbps: 1_000,
                    compute_types: compute::CUDA,
                    max_tier: 6,
                    flags: 0,
                },
                max_price: 10_000_000,
                bid_deadline: u64::MAX,
            },
        );
    }
    for id in 0..bids {
        b.apply(
            2,
            &Event::BidPlaced {
                order_id: rng.below(ORDERS),
                bid_id: id,
                node: node_address(rng.below(NODES)),
                price: 1_000_000 + u128::from(rng.below(9_000_000)),
            },
        );
    }
    b.finalize(2);
    b
}

/// Peak resident memory of this process, KiB (Linux).
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    println!("orders  bids     build ms  per-order ms  in-order ms  global ms  auction ms | matched per-order / in-order / global / auction, double-booked per-order, total score in-order / global / auction");
    for bids in [1_000, 10_000, 100_000] {
        let mut rng = Rng(7);
        let t = Instant::now();
        let b = book(bids, &mut rng);
        let build = t.elapsed();
        let open = b.open_orders();
        let t = Instant::now();
        let each = assign::per_order(&b, &open);
        let per_order = t.elapsed();
        let t = Instant::now();
        let first = assign::in_order(&b, &open);
        let in_order = t.elapsed();
        let t = Instant::now();
        let global = assign::global(&b, &open);
        let global_t = t.elapsed();
        let t = Instant::now();
        let auction = assign::auction(&b, &open);
        let auction_t = t.elapsed();
        println!(
            "{ORDERS}  {bids:>7}  {:>8.1}  {:>12.1}  {:>11.1}  {:>9.1}  {:>10.1} | {} / {} / {} / {}, {}, {} / {} / {}",
            build.as_secs_f64() * 1e3,
            per_order.as_secs_f64() * 1e3,
            in_order.as_secs_f64() * 1e3,
            global_t.as_secs_f64() * 1e3,
            auction_t.as_secs_f64() * 1e3,
            each.matched(),
            first.matched(),
            global.matched(),
            auction.matched(),
            each.double_booked(&b),
            first.total_score(),
            global.total_score(),
            auction.total_score(),
        );
    }
    if let Some(kib) = peak_kib() {
        println!("peak memory: {:.1} MiB", kib as f64 / 1024.0);
    }
}
