use proptest::prelude::*;
use spon_node::{
    hardware::{compute, gpu},
    tier::WEI_PER_SPON,
    Hardware,
};

use crate::{score::*, *};

/// Spoils one field.
type Breaker<T> = fn(&mut T);

fn hopper() -> Hardware {
    Hardware {
        gpu_model: gpu::HOPPER,
        gpu_count: 8,
        vram_mib: 81_559,
        cpu_cores: 224,
        ram_gib: 2_048,
        storage_gib: 30_720,
        region: *b"DE",
        bandwidth_mbps: 100_000,
        compute_types: compute::CUDA | compute::FP64,
    }
}

fn wants_hopper() -> Requirements {
    Requirements {
        gpu_model: gpu::HOPPER,
        gpu_count: 4,
        min_vram_mib: 80_000,
        regions: [*b"FR", *b"DE", [0, 0], [0, 0]],
        min_bandwidth_mbps: 10_000,
        compute_types: compute::CUDA,
        max_tier: 3,
        flags: AUTO_ACCEPT,
    }
}

fn candidate(price: u128, tier: u8) -> Candidate {
    Candidate {
        price,
        tier,
        hardware: hopper(),
        leases_completed: 10,
        leases_faulted: 0,
        stake_wei: 50_000 * WEI_PER_SPON,
    }
}

#[test]
fn requirements_round_trip_at_documented_offsets() {
    let r = wants_hopper();
    let w = r.pack();
    assert_eq!(Requirements::parse(&w), Ok(r));
    assert_eq!(&w[30..], &[0, 1], "gpu model in the lowest bytes");
    assert_eq!(&w[22..24], b"FR", "first region at bits 64..80");
    assert_eq!(w[31 - 24], 3, "max tier at bits 192..200");
    assert_eq!(w[31 - 25], AUTO_ACCEPT, "flags at bits 200..208");
    assert!(r.has(AUTO_ACCEPT));
}

#[test]
fn parse_names_the_first_invalid_field() {
    let cases: [(Breaker<Requirements>, RequirementsError); 6] = [
        (|r| r.gpu_count = 0, RequirementsError::GpuCount),
        (|r| r.regions[2] = *b"de", RequirementsError::Region),
        (
            |r| r.compute_types = 1 << 20,
            RequirementsError::ComputeTypes,
        ),
        (|r| r.max_tier = 0, RequirementsError::MaxTier),
        (|r| r.max_tier = 7, RequirementsError::MaxTier),
        (|r| r.flags = 2, RequirementsError::Flags),
    ];
    for (break_it, expected) in cases {
        let mut r = wants_hopper();
        break_it(&mut r);
        assert_eq!(Requirements::parse(&r.pack()), Err(expected));
    }
    let mut w = wants_hopper().pack();
    w[0] = 1;
    assert_eq!(Requirements::parse(&w), Err(RequirementsError::Reserved));
}

#[test]
fn check_names_the_first_unmet_requirement() {
    let r = wants_hopper();
    assert_eq!(r.check(&hopper(), 3), Ok(()));
    assert_eq!(r.check(&hopper(), 1), Ok(()));
    let cases: [(Breaker<Hardware>, Unmet); 6] = [
        (|h| h.gpu_model = gpu::MI300, Unmet::GpuModel),
        (|h| h.gpu_count = 3, Unmet::GpuCount),
        (|h| h.vram_mib = 40_000, Unmet::Vram),
        (|h| h.region = *b"US", Unmet::Region),
        (|h| h.bandwidth_mbps = 9_999, Unmet::Bandwidth),
        (|h| h.compute_types = compute::ROCM, Unmet::ComputeTypes),
    ];
    for (break_it, expected) in cases {
        let mut h = hopper();
        break_it(&mut h);
        assert_eq!(r.check(&h, 1), Err(expected));
    }
    assert_eq!(r.check(&hopper(), 4), Err(Unmet::Tier));
    assert_eq!(r.check(&hopper(), 7), Err(Unmet::Tier));
    assert_eq!(r.check(&hopper(), 0), Err(Unmet::Tier));

    // Zero means "any" for the model, VRAM and the region set.
    let any = Requirements {
        gpu_count: 1,
        max_tier: 6,
        ..Default::default()
    };
    let mut h = hopper();
    h.region = *b"JP";
    h.gpu_model = gpu::APPLE;
    assert_eq!(any.check(&h, 6), Ok(()));
}

#[test]
fn score_parts_follow_the_published_weights() {
    let r = wants_hopper();
    // Free, tier 1, first region, full bandwidth, perfect record, capped stake.
    let mut best = candidate(0, 1);
    best.hardware.region = *b"FR";
    best.stake_wei = 1_000_000 * WEI_PER_SPON;
    best.leases_completed = u64::MAX - 1;
    assert_eq!(
        score(&r, 100, &best),
        MAX_SCORE - 1,
        "reputation never reaches 1"
    );

    // Price at the maximum, tier 3, second region (3/4), bandwidth capped at
    // 20,000 Mbit/s (full), 11/12 reputation, half the stake cap.
    let c = candidate(100, 3);
    // The price part is 0.
    let expected = 200_000 * 4 / 6 + 75_000 + 100_000 + 100_000 * 11 / 12 + 50_000;
    assert_eq!(score(&r, 100, &c), expected);

    // Any region scores the region part in full.
    let mut anywhere = r;
    anywhere.regions = [[0, 0]; REGION_SLOTS];
    assert_eq!(score(&anywhere, 100, &c), expected + 25_000);
}

#[test]
fn huge_prices_keep_the_ratio() {
    let r = wants_hopper();
    let max = u128::MAX;
    let half = score(&r, max, &candidate(max / 2, 1));
    let none = score(&r, max, &candidate(max, 1));
    assert_eq!(half - none, W_PRICE / 2);
    assert_eq!(score(&r, max, &candidate(0, 1)) - none, W_PRICE);
}

#[test]
fn ties_break_on_price_then_bid_id() {
    let a = Ranked {
        score: 10,
        price: 5,
        bid_id: 2,
    };
    assert!(Ranked { score: 11, ..a } > a);
    assert!(Ranked { price: 4, ..a } > a);
    assert!(Ranked { bid_id: 1, ..a } > a);
    assert!(
        Ranked {
            score: 11,
            price: 9,
            bid_id: 9
        } > a
    );
}

fn arb_hardware() -> impl Strategy<Value = Hardware> {
    (1u16..=16, 1u32..200_000, 0usize..4, 1u32..400_000).prop_map(|(count, vram, region, bw)| {
        Hardware {
            gpu_count: count,
            vram_mib: vram,
            region: [*b"DE", *b"FR", *b"US", *b"JP"][region],
            bandwidth_mbps: bw,
            ..hopper()
        }
    })
}

fn arb_candidate() -> impl Strategy<Value = Candidate> {
    (
        0u128..=1_000_000,
        1u8..=7,
        arb_hardware(),
        0u64..1_000,
        0u64..1_000,
        0u128..(1u128 << 100),
    )
        .prop_map(|(price, tier, hardware, done, faulted, stake)| Candidate {
            price,
            tier,
            hardware,
            leases_completed: done,
            leases_faulted: faulted,
            stake_wei: stake,
        })
}

proptest! {
    #[test]
    fn requirements_pack_round_trips(
        model in any::<u16>(), count in 1u16.., vram in any::<u32>(), bw in any::<u32>(),
        regions in proptest::array::uniform4(0usize..4), compute_bits in 0u32..=compute::ALL,
        max_tier in 1u8..=6, auto in any::<bool>(),
    ) {
        let codes = [[0, 0], *b"DE", *b"US", *b"BR"];
        let r = Requirements {
            gpu_model: model,
            gpu_count: count,
            min_vram_mib: vram,
            regions: regions.map(|i| codes[i]),
            min_bandwidth_mbps: bw,
            compute_types: compute_bits,
            max_tier,
            flags: if auto { AUTO_ACCEPT } else { 0 },
        };
        prop_assert_eq!(Requirements::parse(&r.pack()), Ok(r));
    }

    /// The score is bounded, and never falls when a bid gets cheaper, its
    /// node a better tier, more stake or more completed leases, or rises
    /// with more faults.
    #[test]
    fn score_is_bounded_and_monotone(c in arb_candidate(), cut in 0u128..1_000, better in 0u8..6,
                                     more in 0u128..(1u128 << 100), done in 0u64..100) {
        let r = wants_hopper();
        let max = 1_000_000;
        let s = score(&r, max, &c);
        prop_assert!(s <= MAX_SCORE);
        let cheaper = Candidate { price: c.price.saturating_sub(cut), ..c };
        prop_assert!(score(&r, max, &cheaper) >= s);
        let tier = Candidate { tier: c.tier.saturating_sub(better).max(1), ..c };
        prop_assert!(score(&r, max, &tier) >= s);
        let staked = Candidate { stake_wei: c.stake_wei + more, ..c };
        prop_assert!(score(&r, max, &staked) >= s);
        let proven = Candidate { leases_completed: c.leases_completed + done, ..c };
        prop_assert!(score(&r, max, &proven) >= s);
        let faulty = Candidate { leases_faulted: c.leases_faulted + done, ..c };
        prop_assert!(score(&r, max, &faulty) <= s);
    }

    /// `Ranked` is a total order: exactly one of <, =, > holds, and it is
    /// consistent with equality of all fields.
    #[test]
    fn ranking_is_a_total_order(a in (0u64..4, 0u128..4, 0u64..4), b in (0u64..4, 0u128..4, 0u64..4)) {
        let ra = Ranked { score: a.0, price: a.1, bid_id: a.2 };
        let rb = Ranked { score: b.0, price: b.1, bid_id: b.2 };
        prop_assert_eq!(ra.cmp(&rb), rb.cmp(&ra).reverse());
        prop_assert_eq!(ra == rb, ra.cmp(&rb).is_eq());
    }
}
