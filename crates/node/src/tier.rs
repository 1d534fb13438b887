//! The tier of a node: 1 (best) … 6 (verified, lowest), 7 (untrusted).
//!
//! A node is **untrusted** (tier 7) unless all of these hold:
//! * it is in good standing (the registry passes `standing`: active or in
//!   maintenance, not jailed, and for a Fizz node, behind a gateway that
//!   is);
//! * its own stake is at least its class minimum (`minProviderStake`,
//!   `minFizzStake`);
//! * its latest probe summary is fresh (at most `probeMaxAge` old) and
//!   verifies its declared hardware ([`ProbeSummary::verifies`]).
//!
//! A trusted Provider node then takes the best tier `t` of 1, 2, 3 whose
//! [`Bar`] it clears — total stake (self plus delegations), measured GEMM
//! rate, uptime eras and leases completed, each at least the bar's — or 4
//! if none. A trusted Fizz node takes 5 if it clears the Fizz bar, else 6.
//! Then each challenge lost moves it one tier down, and so does a fault
//! rate (`faulted ÷ (completed + faulted)`) above `maxFaultBps`; no penalty
//! moves a Provider node past 4 (the Fizz tiers are for Fizz nodes) or a
//! Fizz node past 6.
//!
//! Every bar is a lower bound and every penalty counts something bad, so
//! more stake, a better probe, more uptime or more completed leases never
//! give a worse tier (property-tested in `tier/tests.rs`).

use crate::{hardware::Hardware, probe::ProbeSummary};

/// The tier of a node that is not trusted.
pub const UNTRUSTED: u8 = 7;
/// The lowest tier of a trusted node.
pub const LOWEST_TRUSTED: u8 = 6;
/// The lowest tier of a trusted Provider node.
pub const LOWEST_PROVIDER: u8 = 4;
pub use spon_protocol::WEI_PER_SPON;

/// Provider node (governance approved) or Fizz node (permissionless).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeClass {
    /// Enterprise node, approved by governance: tiers 1–4 (6 at worst).
    Provider,
    /// Home node behind a gateway: tiers 5–6.
    Fizz,
}

/// What a node must have for one tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bar {
    /// Total stake of the node's pool, whole SPON.
    pub stake_spon: u64,
    /// Verified dense GEMM rate, GFLOP/s.
    pub gemm_gflops: u64,
    /// Uptime eras credited.
    pub uptime_eras: u64,
    /// Leases completed.
    pub leases: u64,
}

/// The governance-set thresholds of the tier function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// Bars of tiers 1, 2 and 3 (Provider nodes).
    pub provider: [Bar; 3],
    /// Bar of tier 5 (Fizz nodes).
    pub fizz: Bar,
    /// Least self-stake of a trusted Provider node, whole SPON.
    pub min_provider_stake_spon: u64,
    /// Least self-stake of a trusted Fizz node, whole SPON.
    pub min_fizz_stake_spon: u64,
    /// Seconds a probe summary counts.
    pub probe_max_age: u64,
    /// Fault rate above which a node drops one tier, bps.
    pub max_fault_bps: u64,
}

/// The defaults, published in the README.
pub const DEFAULT_THRESHOLDS: Thresholds = Thresholds {
    provider: [
        Bar {
            stake_spon: 250_000,
            gemm_gflops: 2_000_000,
            uptime_eras: 180,
            leases: 100,
        },
        Bar {
            stake_spon: 100_000,
            gemm_gflops: 500_000,
            uptime_eras: 60,
            leases: 25,
        },
        Bar {
            stake_spon: 25_000,
            gemm_gflops: 100_000,
            uptime_eras: 14,
            leases: 3,
        },
    ],
    fizz: Bar {
        stake_spon: 2_500,
        gemm_gflops: 20_000,
        uptime_eras: 14,
        leases: 3,
    },
    min_provider_stake_spon: 10_000,
    min_fizz_stake_spon: 500,
    probe_max_age: 3 * 86_400,
    max_fault_bps: 500,
};

/// Everything the tier depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierInput {
    /// Provider or Fizz.
    pub class: NodeClass,
    /// Active or in maintenance, not jailed (and, for Fizz, its gateway
    /// in good standing too).
    pub standing: bool,
    /// The node's own active stake, wei.
    pub self_stake: u128,
    /// Active stake of the node's pool (self plus delegations), wei.
    pub total_stake: u128,
    /// The declared (approved) hardware.
    pub spec: Hardware,
    /// The latest committed probe summary (all zero if none).
    pub probe: ProbeSummary,
    /// Current block time.
    pub now: u64,
    /// Uptime eras credited.
    pub uptime_eras: u64,
    /// Leases completed.
    pub leases_completed: u64,
    /// Leases ended by a fault.
    pub leases_faulted: u64,
    /// Challenges lost.
    pub challenges_lost: u64,
}

fn spon(whole: u64) -> u128 {
    u128::from(whole) * WEI_PER_SPON
}

fn clears(bar: &Bar, input: &TierInput) -> bool {
    input.total_stake >= spon(bar.stake_spon)
        && u64::from(input.probe.gemm_gflops) >= bar.gemm_gflops
        && input.uptime_eras >= bar.uptime_eras
        && input.leases_completed >= bar.leases
}

/// One criterion of a [`Bar`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Criterion {
    /// Total stake of the pool, wei (the bar's whole SPON × 10¹⁸).
    Stake,
    /// Measured dense GEMM rate, GFLOP/s.
    Gemm,
    /// Uptime eras credited.
    UptimeEras,
    /// Leases completed.
    Leases,
}

/// A criterion of a bar a node is below: what it has and what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Missing {
    /// Which criterion.
    pub criterion: Criterion,
    /// What the node has.
    pub has: u128,
    /// The bar.
    pub needs: u128,
}

/// The criteria of `bar` that `input` is below, in the bar's order; all
/// `None` exactly when the node clears it (off chain, for explaining a
/// tier; the tier function itself reads the bar directly).
pub fn shortfall(bar: &Bar, input: &TierInput) -> [Option<Missing>; 4] {
    let check = |criterion, has: u128, needs: u128| {
        (has < needs).then_some(Missing {
            criterion,
            has,
            needs,
        })
    };
    [
        check(Criterion::Stake, input.total_stake, spon(bar.stake_spon)),
        check(
            Criterion::Gemm,
            input.probe.gemm_gflops.into(),
            bar.gemm_gflops.into(),
        ),
        check(
            Criterion::UptimeEras,
            input.uptime_eras.into(),
            bar.uptime_eras.into(),
        ),
        check(
            Criterion::Leases,
            input.leases_completed.into(),
            bar.leases.into(),
        ),
    ]
}

/// The bar of the next better tier than `tier` for a node of `class`, and
/// that tier: tiers 2–4 of a Provider node look to 1–3, tier 6 of a Fizz
/// node to 5; `None` at the top of its class or when untrusted (tier 7
/// is about standing, stake and probe, not a bar).
pub fn next_bar(class: NodeClass, tier: u8, t: &Thresholds) -> Option<(u8, Bar)> {
    match (class, tier) {
        (NodeClass::Provider, 2..=4) => Some((tier - 1, t.provider[usize::from(tier) - 2])),
        (NodeClass::Fizz, LOWEST_TRUSTED) => Some((5, t.fizz)),
        _ => None,
    }
}

/// The tier of a node (see the module documentation).
pub fn tier(input: &TierInput, t: &Thresholds) -> u8 {
    let min_stake = match input.class {
        NodeClass::Provider => t.min_provider_stake_spon,
        NodeClass::Fizz => t.min_fizz_stake_spon,
    };
    let trusted = input.standing
        && input.self_stake >= spon(min_stake)
        && input.probe.is_fresh(input.now, t.probe_max_age)
        && input.probe.verifies(&input.spec);
    if !trusted {
        return UNTRUSTED;
    }
    let base = match input.class {
        NodeClass::Provider => (1u8..)
            .zip(&t.provider)
            .find(|(_, bar)| clears(bar, input))
            .map_or(4, |(tier, _)| tier),
        NodeClass::Fizz if clears(&t.fizz, input) => 5,
        NodeClass::Fizz => LOWEST_TRUSTED,
    };
    let leases = u128::from(input.leases_completed) + u128::from(input.leases_faulted);
    let faulty = u128::from(input.leases_faulted) * 10_000 > u128::from(t.max_fault_bps) * leases;
    let penalty = input
        .challenges_lost
        .saturating_add(u64::from(faulty))
        .min(u64::from(LOWEST_TRUSTED));
    let lowest = match input.class {
        NodeClass::Provider => LOWEST_PROVIDER,
        NodeClass::Fizz => LOWEST_TRUSTED,
    };
    // base + penalty ≤ 6 + 6: no overflow.
    (base + penalty as u8).min(lowest)
}

#[cfg(test)]
mod tests;
