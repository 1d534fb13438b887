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
/// Size of a Provider node's GPU-work matrices (datacenter GPUs) as a
/// power of two: `n = 2^value` (64 to 65,536; stored as the exponent so
/// that every value within the bounds is a valid size). The default suits
/// a devnet's CPU provers; a chain of GPU nodes sets it from
/// `audits/challenges.md`.
pub const GPU_WORK_LOG2_N: Param = Param {
    id: P::GpuWorkLog2N as u8,
    default: 8,
    min: 6,
    max: 16,
};
/// Size of a Fizz node's GPU-work matrices (home GPUs, less memory), as
/// [`GPU_WORK_LOG2_N`].
pub const GPU_WORK_LOG2_N_FIZZ: Param = Param {
    id: P::GpuWorkLog2NFizz as u8,
    default: 8,
    min: 6,
    max: 16,
};
/// Entries `k` the contract samples and checks: at most `n`, and at most
/// what an answer for `n` can carry in one transaction
/// (`spon_gpu_work::max_samples`: 98 for n = 65,536); a challenge opens
/// with the smaller.
pub const GPU_WORK_SAMPLES: Param = Param {
    id: P::GpuWorkSamples as u8,
    default: 16,
    min: 1,
    max: 64,
};
/// Seconds from a GPU-work challenge's opening (when its seed becomes
/// known) to the latest commitment of C's root: the timed part of the
/// challenge. Bounded jointly with `n` when a challenge opens
/// ([`gpu_work_deadline`]).
pub const GPU_WORK_DEADLINE: Param = Param {
    id: P::GpuWorkDeadline as u8,
    default: 10,
    min: 1,
    max: 120,
};

/// Seconds a GPU-work deadline allows for what is not work: seeing the
/// opening, sending the root, its inclusion.
pub const GPU_WORK_LATENCY: u64 = 10;
/// The slowest int8 throughput a GPU-work deadline may admit, operations
/// a second (10 TOPS: about 150 times this project's 2-core reference
/// CPU, see `audits/challenges.md`).
pub const GPU_WORK_MIN_RATE: u64 = 10_000_000_000_000;

/// The commit deadline, in seconds after opening, of a GPU-work challenge
/// of size `n` under the parameter `deadline`: at most
/// [`GPU_WORK_LATENCY`] plus the time 2n³ operations take at
/// [`GPU_WORK_MIN_RATE`], so that whatever governance sets, the time a
/// prover gets beyond the latency allowance is no more than that rate
/// needs for C. (A prover quicker to send than the allowance gets that
/// difference too: setting `deadline` near the measured latency is
/// governance's part.)
pub const fn gpu_work_deadline(deadline: u64, n: u64) -> u64 {
    // n ≤ 2^16: 2n³ ≤ 2^49.
    let cap = GPU_WORK_LATENCY + 2 * n * n * n / GPU_WORK_MIN_RATE;
    if deadline < cap {
        deadline
    } else {
        cap
    }
}

/// Number of parameters.
pub const COUNT: usize = 15;

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
    GPU_WORK_DEADLINE,
    GPU_WORK_LOG2_N_FIZZ,
];
