use proptest::prelude::*;

use super::*;
use crate::{
    hardware::{compute, gpu},
    probe::FLAG_GPU,
};

const NOW: u64 = 1_767_225_600;

fn spec() -> Hardware {
    Hardware {
        gpu_model: gpu::HOPPER,
        gpu_count: 8,
        vram_mib: 81_559,
        cpu_cores: 224,
        ram_gib: 2_048,
        storage_gib: 30_720,
        region: *b"DE",
        bandwidth_mbps: 100_000,
        compute_types: compute::CUDA,
    }
}

fn verified(gemm_gflops: u32) -> ProbeSummary {
    ProbeSummary {
        timestamp: NOW - 3_600,
        gemm_gflops,
        mem_bandwidth_gbps: 26_800,
        vram_mib: 8 * 80_000,
        gpu_count: 8,
        net_bandwidth_mbps: 95_000,
        latency_us: 900,
        flags: FLAG_GPU,
    }
}

fn provider() -> TierInput {
    TierInput {
        class: NodeClass::Provider,
        standing: true,
        self_stake: spon(10_000),
        total_stake: spon(10_000),
        spec: spec(),
        probe: verified(5_000_000),
        now: NOW,
        uptime_eras: 0,
        leases_completed: 0,
        leases_faulted: 0,
        challenges_lost: 0,
    }
}

fn t() -> Thresholds {
    DEFAULT_THRESHOLDS
}

#[test]
fn untrusted_without_standing_stake_or_fresh_verified_probe() {
    assert_eq!(tier(&provider(), &t()), 4);
    let breaks: [fn(&mut TierInput); 6] = [
        |i| i.standing = false,
        |i| i.self_stake = spon(10_000) - 1,
        |i| i.probe = ProbeSummary::default(),
        |i| i.probe.flags = 0,
        |i| i.now += 3 * 86_400,
        |i| i.probe.vram_mib = 1,
    ];
    for b in breaks {
        let mut i = provider();
        b(&mut i);
        assert_eq!(tier(&i, &t()), UNTRUSTED, "{i:?}");
    }
}

#[test]
fn provider_bars_give_tiers_one_to_three() {
    let mut i = provider();
    i.total_stake = spon(25_000);
    i.uptime_eras = 14;
    i.leases_completed = 3;
    assert_eq!(tier(&i, &t()), 3);
    i.total_stake = spon(100_000);
    i.uptime_eras = 60;
    i.leases_completed = 25;
    assert_eq!(tier(&i, &t()), 2);
    i.total_stake = spon(250_000);
    i.uptime_eras = 180;
    i.leases_completed = 100;
    assert_eq!(tier(&i, &t()), 1);
    i.probe.gemm_gflops = 1_999_999;
    assert_eq!(tier(&i, &t()), 2, "the GEMM bar of tier 1 is 2 PFLOP/s");
}

#[test]
fn fizz_nodes_rank_five_or_six() {
    let mut i = provider();
    i.class = NodeClass::Fizz;
    i.self_stake = spon(500);
    i.total_stake = spon(500);
    assert_eq!(tier(&i, &t()), 6);
    i.total_stake = spon(1_000_000);
    i.uptime_eras = 1_000;
    i.leases_completed = 1_000;
    assert_eq!(tier(&i, &t()), 5, "a Fizz node never ranks with providers");
    i.self_stake = spon(499);
    assert_eq!(tier(&i, &t()), UNTRUSTED);
}

#[test]
fn penalties_move_down_but_never_out_of_the_class() {
    let mut i = provider();
    i.total_stake = spon(1_000_000_000);
    i.uptime_eras = 10_000;
    i.leases_completed = 10_000;
    assert_eq!(tier(&i, &t()), 1);
    i.challenges_lost = 1;
    assert_eq!(tier(&i, &t()), 2);
    i.leases_completed = 19;
    i.leases_faulted = 1; // exactly 5%: no penalty (and tier 1's lease bar missed)
    let base = tier(&i, &t());
    i.leases_faulted = 2; // 9.5% > 5%
    assert_eq!(tier(&i, &t()), (base + 1).min(LOWEST_PROVIDER));
    // A Provider node never falls into the Fizz tiers 5 and 6.
    i.challenges_lost = u64::MAX;
    assert_eq!(tier(&i, &t()), LOWEST_PROVIDER);
    let mut f = i;
    f.class = NodeClass::Fizz;
    f.challenges_lost = 1;
    f.leases_faulted = 0;
    f.leases_completed = 1_000;
    assert_eq!(tier(&f, &t()), 6);
    f.challenges_lost = u64::MAX;
    assert_eq!(tier(&f, &t()), 6);
}

fn arb_summary() -> impl Strategy<Value = ProbeSummary> {
    (
        (NOW - 10 * 86_400)..=NOW,
        any::<u32>(),
        0u32..=800_000,
        0u16..=10,
        0u32..=200_000,
        0u16..=1,
    )
        .prop_map(|(timestamp, gemm, vram, gpus, net, flags)| ProbeSummary {
            timestamp,
            gemm_gflops: gemm,
            mem_bandwidth_gbps: 1,
            vram_mib: vram,
            gpu_count: gpus,
            net_bandwidth_mbps: net,
            latency_us: 1,
            flags,
        })
}

fn arb_input() -> impl Strategy<Value = TierInput> {
    (
        any::<bool>(),
        any::<bool>(),
        0u128..=spon(1_000_000),
        0u128..=spon(1_000_000),
        arb_summary(),
        0u64..=400,
        0u64..=300,
        0u64..=30,
        0u64..=3,
    )
        .prop_map(
            |(fizz, standing, own, delegated, probe, eras, done, faulted, lost)| TierInput {
                class: if fizz {
                    NodeClass::Fizz
                } else {
                    NodeClass::Provider
                },
                standing,
                self_stake: own,
                total_stake: own + delegated,
                spec: spec(),
                probe,
                now: NOW,
                uptime_eras: eras,
                leases_completed: done,
                leases_faulted: faulted,
                challenges_lost: lost,
            },
        )
}

fn arb_thresholds() -> impl Strategy<Value = Thresholds> {
    let bar = (0u64..=500_000, 0u64..=3_000_000, 0u64..=300, 0u64..=200).prop_map(
        |(stake_spon, gemm_gflops, uptime_eras, leases)| Bar {
            stake_spon,
            gemm_gflops,
            uptime_eras,
            leases,
        },
    );
    (
        [bar.clone(), bar.clone(), bar.clone()],
        bar,
        0u64..=50_000,
        0u64..=5_000,
        3_600u64..=30 * 86_400,
        0u64..=10_000,
    )
        .prop_map(|(provider, fizz, minp, minf, age, fault)| Thresholds {
            provider,
            fizz,
            min_provider_stake_spon: minp,
            min_fizz_stake_spon: minf,
            probe_max_age: age,
            max_fault_bps: fault,
        })
}

/// Ways of making a node better: more stake, a better or fresher probe,
/// more uptime, more completed leases.
#[derive(Debug, Clone)]
enum Better {
    SelfStake(u128),
    Delegation(u128),
    Gemm(u32),
    Vram(u32),
    Gpus(u16),
    Network(u32),
    OnGpu,
    Fresher(u64),
    Uptime(u64),
    Leases(u64),
}

fn arb_better() -> impl Strategy<Value = Better> {
    prop_oneof![
        (0u128..=spon(500_000)).prop_map(Better::SelfStake),
        (0u128..=spon(500_000)).prop_map(Better::Delegation),
        any::<u32>().prop_map(Better::Gemm),
        any::<u32>().prop_map(Better::Vram),
        any::<u16>().prop_map(Better::Gpus),
        any::<u32>().prop_map(Better::Network),
        Just(Better::OnGpu),
        (0u64..=10 * 86_400).prop_map(Better::Fresher),
        (0u64..=400).prop_map(Better::Uptime),
        (0u64..=300).prop_map(Better::Leases),
    ]
}

fn improve(i: &TierInput, b: &Better) -> TierInput {
    let mut j = *i;
    let p = &mut j.probe;
    match *b {
        Better::SelfStake(x) => {
            j.self_stake += x;
            j.total_stake += x;
        }
        Better::Delegation(x) => j.total_stake += x,
        Better::Gemm(x) => p.gemm_gflops = p.gemm_gflops.saturating_add(x),
        Better::Vram(x) => p.vram_mib = p.vram_mib.saturating_add(x),
        Better::Gpus(x) => p.gpu_count = p.gpu_count.saturating_add(x),
        Better::Network(x) => p.net_bandwidth_mbps = p.net_bandwidth_mbps.saturating_add(x),
        Better::OnGpu => p.flags |= FLAG_GPU,
        Better::Fresher(x) => p.timestamp = (p.timestamp + x).min(j.now),
        Better::Uptime(x) => j.uptime_eras += x,
        Better::Leases(x) => j.leases_completed += x,
    }
    j
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(512)))]

    /// More stake, a better probe, more uptime or more completed leases
    /// never lower the tier (a higher number is a lower tier).
    #[test]
    fn tier_is_monotone(i in arb_input(), th in arb_thresholds(), b in arb_better()) {
        let before = tier(&i, &th);
        let after = tier(&improve(&i, &b), &th);
        prop_assert!(after <= before, "{before} -> {after} after {b:?}");
    }

    /// Losing a challenge or faulting a lease never raises the tier; tiers
    /// stay in 1..=7 and Fizz nodes never rank above 5.
    #[test]
    fn penalties_never_help_and_range_holds(i in arb_input(), th in arb_thresholds(), lost in 0u64..3, faulted in 0u64..3) {
        let before = tier(&i, &th);
        let mut j = i;
        j.challenges_lost += lost;
        j.leases_faulted += faulted;
        let after = tier(&j, &th);
        prop_assert!(after >= before);
        prop_assert!((1..=UNTRUSTED).contains(&before));
        if i.class == NodeClass::Fizz {
            prop_assert!(before >= 5);
        }
    }

    /// The shortfall against a bar is empty exactly when the tier function
    /// counts the bar cleared, and a node with no penalty that clears the
    /// next bar of its tier has that tier or better.
    #[test]
    fn shortfall_agrees_with_the_tier_function(i in arb_input(), th in arb_thresholds()) {
        for bar in th.provider.iter().chain([&th.fizz]) {
            prop_assert_eq!(shortfall(bar, &i).iter().all(Option::is_none), clears(bar, &i));
        }
        let t = tier(&i, &th);
        if let Some((better, bar)) = next_bar(i.class, t, &th) {
            prop_assert!(better < t);
            if i.challenges_lost == 0 && i.leases_faulted == 0 {
                prop_assert!(shortfall(&bar, &i).iter().any(Option::is_some));
            }
        }
    }
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
