//! Governance-set parameters of the audits contract: ids, defaults, bounds.

pub use spon_contract_kit::Param;
use spon_protocol::params::Audits as P;

use spon_protocol::{DAY, HOUR};

/// Length of an audit round, seconds: auditors commit in its first half
/// and reveal in its second. Not in the admin's table: governance sets it
/// with `setRoundPeriod`, which reschedules from the next round (`id` is
/// unused).
pub const ROUND_PERIOD: Param = Param {
    id: u8::MAX,
    default: DAY,
    min: 2 * HOUR,
    max: 30 * DAY,
};
/// Share of audits that are GPU-work challenges (the rest are liveness),
/// bps.
pub const GPU_WORK_SHARE_BPS: Param = Param {
    id: P::GpuWorkShareBps as u8,
    default: 5_000,
    min: 0,
    max: 10_000,
};
/// Stake above which a node's chance of being drawn grows no more, whole
/// SPON.
pub const WEIGHT_CAP: Param = Param {
    id: P::WeightCap as u8,
    default: 100_000,
    min: 1,
    max: 1_000_000_000,
};

/// Least pool stake of a node on the audit list, whole SPON: an entry
/// costs real stake and is drawn with a chance of at least
/// `minAuditStake ÷ weightCap` per draw, so sybil entries cannot make
/// most audits miss; one that falls below is pruned by anyone (F-19).
pub const MIN_AUDIT_STAKE: Param = Param {
    id: P::MinAuditStake as u8,
    default: 10_000,
    min: 0,
    max: 1_000_000_000,
};

/// Audits run for each round's seed (draw `i` uses the seed hashed with
/// `i`): with `n` nodes listed, each is audited about every `n ÷
/// auditsPerRound` rounds, so governance raises it as the network grows to
/// keep the tiers' uptime bars reachable (finding F-20).
pub const AUDITS_PER_ROUND: Param = Param {
    id: P::AuditsPerRound as u8,
    default: 1,
    min: 1,
    max: 64,
};

/// Number of parameters.
pub const COUNT: usize = 4;

/// Every parameter of `setParameter`, by id.
pub const ALL: [Param; COUNT] = [
    GPU_WORK_SHARE_BPS,
    WEIGHT_CAP,
    MIN_AUDIT_STAKE,
    AUDITS_PER_ROUND,
];
