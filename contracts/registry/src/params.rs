//! Governance-set parameters of the registry: ids, defaults, bounds.
//!
//! Stakes are in whole SPON; GEMM rates in GFLOP/s; uptime in eras of one
//! day. Ids 5–20 are the tier thresholds of `spon_node::tier` (tiers 1, 2,
//! 3 of Provider nodes, then tier 5 of Fizz nodes; for each: total stake,
//! GEMM rate, uptime eras, leases completed). Defaults are
//! `spon_node::DEFAULT_THRESHOLDS`.

use spon_node::{Bar, Thresholds, DEFAULT_THRESHOLDS as D};

pub use spon_contract_kit::Param;
use spon_protocol::params::Registry as P;

pub use spon_protocol::DAY;

const fn p(id: u8, default: u64, min: u64, max: u64) -> Param {
    Param {
        id,
        default,
        min,
        max,
    }
}

/// 1: new Provider nodes are active at once; 0: governance approves them
/// and their hardware updates.
pub const AUTO_APPROVE: Param = p(P::AutoApprove as u8, 0, 0, 1);
/// Least self-stake of a Provider node, whole SPON.
pub const MIN_PROVIDER_STAKE: Param = p(
    P::MinProviderStake as u8,
    D.min_provider_stake_spon,
    1,
    100_000_000,
);
/// Least self-stake of a Fizz node, whole SPON.
pub const MIN_FIZZ_STAKE: Param = p(P::MinFizzStake as u8, D.min_fizz_stake_spon, 1, 10_000_000);
/// Seconds a probe summary counts.
pub const PROBE_MAX_AGE: Param = p(P::ProbeMaxAge as u8, D.probe_max_age, 3_600, 30 * DAY);
/// Fault rate above which a node drops a tier, bps.
pub const MAX_FAULT_BPS: Param = p(P::MaxFaultBps as u8, D.max_fault_bps, 0, 10_000);

const STAKE_MAX: u64 = 1_000_000_000;
const GEMM_MAX: u64 = u32::MAX as u64;
const ERAS_MAX: u64 = 3_650;
const LEASES_MAX: u64 = 1_000_000;

const fn bar(first_id: u8, b: Bar) -> [Param; 4] {
    [
        p(first_id, b.stake_spon, 0, STAKE_MAX),
        p(first_id + 1, b.gemm_gflops, 0, GEMM_MAX),
        p(first_id + 2, b.uptime_eras, 0, ERAS_MAX),
        p(first_id + 3, b.leases, 0, LEASES_MAX),
    ]
}

const T1: [Param; 4] = bar(P::Tier1Stake as u8, D.provider[0]);
const T2: [Param; 4] = bar(P::Tier2Stake as u8, D.provider[1]);
const T3: [Param; 4] = bar(P::Tier3Stake as u8, D.provider[2]);
const FIZZ: [Param; 4] = bar(P::FizzStake as u8, D.fizz);

/// Number of parameters.
pub const COUNT: usize = 21;

/// Every parameter, by id.
pub const ALL: [Param; COUNT] = [
    AUTO_APPROVE,
    MIN_PROVIDER_STAKE,
    MIN_FIZZ_STAKE,
    PROBE_MAX_AGE,
    MAX_FAULT_BPS,
    T1[0],
    T1[1],
    T1[2],
    T1[3],
    T2[0],
    T2[1],
    T2[2],
    T2[3],
    T3[0],
    T3[1],
    T3[2],
    T3[3],
    FIZZ[0],
    FIZZ[1],
    FIZZ[2],
    FIZZ[3],
];

/// The tier thresholds from parameter values indexed by id.
pub fn thresholds(v: &[u64; COUNT]) -> Thresholds {
    let bar = |i: usize| Bar {
        stake_spon: v[i],
        gemm_gflops: v[i + 1],
        uptime_eras: v[i + 2],
        leases: v[i + 3],
    };
    Thresholds {
        provider: [bar(5), bar(9), bar(13)],
        fizz: bar(17),
        min_provider_stake_spon: v[1],
        min_fizz_stake_spon: v[2],
        probe_max_age: v[3],
        max_fault_bps: v[4],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_index_the_table_and_defaults_are_in_bounds() {
        assert!(spon_contract_kit::is_table(&ALL));
        assert_eq!(ALL.len(), P::ALL.len());
        assert_eq!(spon_contract_kit::by_id(&ALL, COUNT as u8), None);
    }

    #[test]
    fn defaults_give_the_published_thresholds() {
        assert_eq!(thresholds(&ALL.map(|p| p.default)), D);
    }
}
