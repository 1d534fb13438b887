//! Governance-set parameters of the challenges contract: ids, defaults,
//! bounds. Kind-specific values (severity, GPU-work size) are fixed for a
//! challenge when it opens.

pub use spon_contract_kit::Param;
use spon_protocol::params::Challenges as P;

use spon_protocol::{DAY, HOUR, MAX_DECISION_TIME};

/// Bond of a challenge, whole SPON.
pub const CHALLENGE_BOND: Param = Param {
    id: P::ChallengeBond as u8,
    default: 1_000,
    min: 1,
    max: 10_000_000,
};
/// Seconds the node has for each of its steps (answer, commit, open),
/// and the challenger for revealing its sampling secret.
pub const CHALLENGE_WINDOW: Param = Param {
    id: P::ChallengeWindow as u8,
    default: HOUR,
    min: 60,
    max: 7 * DAY,
};
/// Slash of a lost liveness challenge, bps of the provider's pool.
pub const SEVERITY_LIVENESS_BPS: Param = Param {
    id: P::SeverityLivenessBps as u8,
    default: 100,
    min: 0,
    max: 5_000,
};
/// Slash of a lost GPU-work challenge, bps.
pub const SEVERITY_GPU_WORK_BPS: Param = Param {
    id: P::SeverityGpuWorkBps as u8,
    default: 1_000,
    min: 0,
    max: 5_000,
};
/// Slash of a lease fault ruled against the provider, bps.
pub const SEVERITY_LEASE_FAULT_BPS: Param = Param {
    id: P::SeverityLeaseFaultBps as u8,
    default: 500,
    min: 0,
    max: 5_000,
};
/// Share of a slash paid to the challenger, bps (the rest goes to the
/// treasury).
pub const CHALLENGER_SHARE_BPS: Param = Param {
    id: P::ChallengerShareBps as u8,
    default: 5_000,
    min: 0,
    max: 10_000,
};
/// Share of the bond of a failed challenge paid to the node, bps.
pub const GRIEF_PENALTY_BPS: Param = Param {
    id: P::GriefPenaltyBps as u8,
    default: 1_000,
    min: 0,
    max: 10_000,
};
/// Seconds between a lost challenge and its slash, during which
/// governance or the guardian may veto it: at least a day more than the
/// governor's slowest decision ([`MAX_DECISION_TIME`]), so that a proposal
/// to veto always executes in time.
pub const VETO_PERIOD: Param = Param {
    id: P::VetoPeriod as u8,
    default: MAX_DECISION_TIME + DAY,
    min: MAX_DECISION_TIME + DAY,
    max: 30 * DAY,
};
/// Seconds the committee (or governance) has to rule on a lease fault.
pub const RULING_WINDOW: Param = Param {
    id: P::RulingWindow as u8,
    default: 7 * DAY,
    min: HOUR,
    max: 60 * DAY,
};
/// Most bps of a provider's pool slashed in one cap period, in all.
pub const SLASH_CAP_BPS: Param = Param {
    id: P::SlashCapBps as u8,
    default: 2_000,
    min: 0,
    max: 10_000,
};
/// Length of a cap period, seconds.
pub const SLASH_CAP_PERIOD: Param = Param {
    id: P::SlashCapPeriod as u8,
    default: 30 * DAY,
    min: DAY,
    max: 365 * DAY,
};
/// Size of the GPU-work matrices as a power of two: `n = 2^value`
/// (64 to 1,024; stored as the exponent so that every value within the
/// bounds is a valid size).
pub const GPU_WORK_LOG2_N: Param = Param {
    id: P::GpuWorkLog2N as u8,
    default: 7,
    min: 6,
    max: 10,
};
/// Rows `k` the contract samples and checks: at most `n`, and at most
/// what an answer for `n` can carry in one transaction
/// (`spon_gpu_work::max_samples`: 21 rows for n = 1,024, 40 for 512); a
/// challenge opens with the smaller.
pub const GPU_WORK_SAMPLES: Param = Param {
    id: P::GpuWorkSamples as u8,
    default: 16,
    min: 1,
    max: 64,
};

/// Number of parameters.
pub const COUNT: usize = 13;

/// Every parameter, by id.
pub const ALL: [Param; COUNT] = [
    CHALLENGE_BOND,
    CHALLENGE_WINDOW,
    SEVERITY_LIVENESS_BPS,
    SEVERITY_GPU_WORK_BPS,
    SEVERITY_LEASE_FAULT_BPS,
    CHALLENGER_SHARE_BPS,
    GRIEF_PENALTY_BPS,
    VETO_PERIOD,
    RULING_WINDOW,
    SLASH_CAP_BPS,
    SLASH_CAP_PERIOD,
    GPU_WORK_LOG2_N,
    GPU_WORK_SAMPLES,
];
